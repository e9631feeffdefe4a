/* term_cut.h - a stream that cuts lines at the terminal's width instead of letting them
 * wrap. */
#ifndef TCPSTATE_TERM_CUT_H
#define TCPSTATE_TERM_CUT_H

#include <stdio.h>

/*
 * A write-only, unbuffered stream that copies into out, dropping what would go past the
 * width of the terminal on fd (read again when it is resized, at most every 50 ms; width
 * is used until then, and when the terminal reports none). Escape sequences (colours,
 * cursor moves) take no columns and always pass; a UTF-8 character counts as one column.
 * Closing it does not close out. Returns NULL (errno set) when it cannot be made.
 */
FILE *term_cut_open(FILE *out, int fd, int width);

#endif
