/* atomic_file.h - write a file so that readers see the old or the new one, never a part.
 */
#ifndef TCPSTATE_ATOMIC_FILE_H
#define TCPSTATE_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

/*
 * A temporary file next to its target (same directory, so rename() is atomic). A zeroed
 * struct is "not open"; every function accepts one.
 */
struct atomic_file {
	int fd;		/* the temporary file */
	FILE *stream;	/* set by atomic_file_stream(); owns fd then */
	char *path;	/* the target */
	char *tmp_path; /* the temporary file; NULL when not open */
};

/*
 * Create a temporary file with the given mode (umask not applied) in the directory of
 * path, named ".BASENAME.XXXXXX". Returns 0, -EISDIR when path is a directory, -EINVAL
 * when it exists and is not a regular file (a device, a FIFO, a symlink: replacing those
 * would surprise), or the negative errno of the failed call.
 */
int atomic_file_open(const char *path, mode_t mode, struct atomic_file *ret);

/* A stdio stream on the temporary file (fully buffered; the struct keeps it). NULL with
 * errno set on failure. */
FILE *atomic_file_stream(struct atomic_file *f);

/*
 * Flush, fsync and close the temporary file, rename it over the target and fsync the
 * directory. Returns 0 or a negative errno; on failure the temporary file is removed and
 * the target is left as it was. The struct is closed either way.
 */
int atomic_file_commit(struct atomic_file *f);

/* Close and remove the temporary file, leaving the target as it was. */
void atomic_file_abort(struct atomic_file *f);

#endif
