/* term.c - is stdout a terminal, how wide, UTF-8 or not, colour or not. */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "render/term.h"

void term_probe(enum color_mode mode, struct term *ret)
{
	struct winsize ws;
	const char *cs = nl_langinfo(CODESET);
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	memset(ret, 0, sizeof(*ret));
	ret->tty = isatty(STDOUT_FILENO) == 1;
	if (ret->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col) {
		ret->width = ws.ws_col;
		ret->height = ws.ws_row;
	}
	if (ret->tty && !ret->width) {
		const char *c = getenv("COLUMNS");
		ret->width = c ? atoi(c) : 80;
		if (ret->width <= 0)
			ret->width = 80;
	}
	ret->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	switch (mode) {
	case COLOR_ALWAYS:
		ret->color = true;
		break;
	case COLOR_NEVER:
		ret->color = false;
		break;
	default:
		/* https://no-color.org: any non-empty NO_COLOR turns colour off; a dumb
		 * terminal (TERM=dumb, or no TERM at all) has none */
		ret->color = ret->tty && !(no_color && *no_color) && term && *term &&
			     strcmp(term, "dumb") != 0;
		break;
	}
}
