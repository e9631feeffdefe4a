/* term_cut.h - a stream that cuts lines at the terminal's width instead of letting them
 * wrap, and marks every line it cuts. */
#ifndef TCPSTATE_TERM_CUT_H
#define TCPSTATE_TERM_CUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The mark at the end of a cut line or cell: "…" in a UTF-8 locale, ">" otherwise. */
const char *term_cut_marker(bool utf8);

/*
 * How many bytes of line (len bytes, no newline) to keep so that it fits in width display
 * columns: all of it when it fits, else as much as fits in width - 1 columns (room for
 * the marker), never splitting a character nor a run of digits. CSI escape sequences
 * (colours) take no columns and are kept. width <= 0 means no limit. *ret_cut tells
 * whether anything visible was left out.
 */
size_t term_cut_fit(const char *line, size_t len, int width, bool *ret_cut);

/*
 * A write-only, unbuffered stream that copies into out line by line, cutting each line
 * that would go past the width of the terminal on fd (read again when it is resized, at
 * most every 50 ms; width is used until then, and when the terminal reports none) and
 * ending it with marker (colours reset first). Widths come from the locale (double-width
 * and combining characters). Closing it writes an unfinished last line and does not
 * close out. Returns NULL (errno set) when it cannot be made.
 */
FILE *term_cut_open(FILE *out, int fd, int width, const char *marker);

#endif
