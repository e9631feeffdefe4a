/* wrap.h - long free text (--doctor findings, --help) wrapped at the terminal's width.
 */
#ifndef TCPSTATE_WRAP_H
#define TCPSTATE_WRAP_H

#include <stdio.h>

/*
 * Write text (one paragraph, no newline) as words wrapped to width display columns, the
 * lines after the first indented by indent spaces (a hanging indent), then a newline.
 * A word longer than a whole line is cut between characters, so no line is wider than
 * width. width <= 0 writes the text on one line. Returns 0 or -EIO.
 */
int wrap_write(FILE *out, const char *text, int width, int indent);

#endif
