/* textwrap.h - wrap prose by display width, so CJK text (two columns a character, no
 * spaces between words) fits the terminal as well as English. */
#ifndef TCPSTATE_TEXTWRAP_H
#define TCPSTATE_TEXTWRAP_H

#include <stdio.h>

/* Display width of s in the current locale (a wide CJK character counts 2, bytes that are
 * not a valid character 1 each). */
int textwrap_width(const char *s);

/*
 * Write text wrapped to width columns: the first line starts with lead padded to indent
 * columns (by display width), the others with indent spaces. Lines break at spaces and
 * between CJK characters, never before closing punctuation such as "，" or "）"; a word
 * longer than a line is cut, so no line is wider than width. Returns 0, or -EIO when out
 * reports an error.
 */
int textwrap_write(FILE *out, const char *lead, int indent, const char *text, int width);

#endif
