/* term_cut.c - cut every line of human output at the terminal's width (no wrapping). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "render/term_cut.h"

/* Re-read the width at most this often: one ioctl per line would cost on 100k lines. */
#define RECHECK_NS 50000000LL

enum esc_state {
	ESC_NONE = 0,
	ESC_START, /* after ESC */
	ESC_CSI,   /* inside ESC [ ... final byte */
};

struct cut {
	FILE *out;
	int fd;
	int width;     /* columns */
	int col;       /* columns used on the current line */
	bool dropping; /* the current UTF-8 character is past the width */
	enum esc_state esc;
	int64_t checked; /* CLOCK_MONOTONIC_COARSE ns of the last width check */
};

static void recheck_width(struct cut *c)
{
	struct timespec ts;
	struct winsize ws;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
		return;
	int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now - c->checked < RECHECK_NS)
		return;
	c->checked = now;
	if (ioctl(c->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		c->width = ws.ws_col;
}

/* Does byte b go out? Updates the column count and the escape state. */
static bool keep(struct cut *c, unsigned char b)
{
	switch (c->esc) {
	case ESC_START:
		c->esc = b == '[' ? ESC_CSI : ESC_NONE;
		return true;
	case ESC_CSI:
		if (b >= 0x40 && b <= 0x7e)
			c->esc = ESC_NONE;
		return true;
	default:
		break;
	}
	if (b == 0x1b) {
		c->esc = ESC_START;
		return true;
	}
	if (b == '\n' || b == '\r') {
		c->col = 0;
		c->dropping = false;
		return true;
	}
	if (b < 0x20 || b == 0x7f)
		return true; /* other controls take no column (tcpstate prints none) */
	if ((b & 0xc0) == 0x80)
		return !c->dropping; /* a continuation byte follows its lead */
	if (c->col == 0)
		recheck_width(c);
	c->dropping = c->col >= c->width;
	if (!c->dropping)
		c->col++;
	return !c->dropping;
}

static ssize_t cut_write(void *cookie, const char *buf, size_t len)
{
	struct cut *c = cookie;
	size_t start = 0;

	/* copy runs of kept bytes in one fwrite each */
	for (size_t i = 0; i < len; i++) {
		if (keep(c, (unsigned char)buf[i]))
			continue;
		if (i > start && fwrite(buf + start, 1, i - start, c->out) != i - start)
			return -1;
		start = i + 1;
	}
	if (len > start && fwrite(buf + start, 1, len - start, c->out) != len - start)
		return -1;
	return (ssize_t)len;
}

static int cut_close(void *cookie)
{
	free(cookie);
	return 0;
}

FILE *term_cut_open(FILE *out, int fd, int width)
{
	static const cookie_io_functions_t io = {.write = cut_write, .close = cut_close};
	struct cut *c = calloc(1, sizeof(*c));
	FILE *f;

	if (!c)
		return NULL;
	c->out = out;
	c->fd = fd;
	c->width = width > 0 ? width : 80;
	c->checked = INT64_MIN / 2;
	f = fopencookie(c, "w", io);
	if (!f) {
		free(c);
		return NULL;
	}
	/* unbuffered: what the views write is in out at once, so checking out is enough
	 */
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}
