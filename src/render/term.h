/* term.h - terminal facts, read once at start. */
#ifndef TCPSTATE_TERM_H
#define TCPSTATE_TERM_H

#include <stdbool.h>

#include "cli/cli.h"

/* Terminal facts: the only process-wide state besides the program name. */
struct term {
	bool tty;   /* stdout is a terminal */
	int width;  /* its width in columns; 0 when not a terminal */
	int height; /* its height in rows; 0 when not a terminal */
	bool utf8;  /* the locale's charset is UTF-8 */
	bool color; /* colour decided from --color, NO_COLOR and tty */
};

/* Fill *ret from stdout, the locale, COLUMNS, NO_COLOR, TERM and the --color mode. */
void term_probe(enum color_mode mode, struct term *ret);

#endif
