/* term.h - terminal facts, read once at start. */
#ifndef TCPSTATE_TERM_H
#define TCPSTATE_TERM_H

#include "cli/cli.h"
#include "views/run.h"

/* Fill *ret from stdout, the locale, COLUMNS, NO_COLOR and the --color mode. */
void term_probe(enum color_mode mode, struct term *ret);

#endif
