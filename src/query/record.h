/* record.h - --record FILE: write a dump safely (a new 0600 file renamed into place). */
#ifndef TCPSTATE_RECORD_H
#define TCPSTATE_RECORD_H

#include <stdio.h>

struct record;

/*
 * Start a recording for path: a new file of mode 0600, created exclusively next to path
 * (never through a symlink or an existing file), that record_commit renames over path.
 * Returns 0, -EEXIST when path exists and is not a regular file (a symlink, device or
 * directory is never written through nor replaced), or another negative errno from
 * creating the temporary file.
 */
int record_open(const char *path, struct record **ret);

/* The stream the dump is written to (diag_dump's record argument). */
FILE *record_file(const struct record *r);

/*
 * Flush, sync and rename the temporary file over the name, then free r. On failure the
 * temporary file is removed and nothing is left under the name. Returns 0 or a negative
 * errno (-ENOSPC for a full disk).
 */
int record_commit(struct record *r);

/* Remove the temporary file and free r: a failed dump leaves nothing behind. Accepts
 * NULL. */
void record_abort(struct record *r);

#endif
