/* term_cut.c - cut every line of human output at the terminal's width (no wrapping),
 * with a visible mark where something was left out. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "base/dwidth.h"
#include "render/term_cut.h"

/* Re-read the width at most this often: one ioctl per line would cost on 100k lines. */
#define RECHECK_NS 50000000LL

const char *term_cut_marker(bool utf8)
{
	return utf8 ? "\xe2\x80\xa6" : ">";
}

/* The length of the CSI sequence at s (ESC [ parameters final), or 0 when none starts. */
static size_t csi_len(const char *s, size_t len)
{
	size_t j;

	if (len < 2 || s[0] != '\033' || s[1] != '[')
		return 0;
	for (j = 2; j < len; j++)
		if ((unsigned char)s[j] >= 0x40 && (unsigned char)s[j] <= 0x7e)
			return j + 1;
	return len;
}

/* Bytes of line that fit in cols columns (escapes kept); *ret_rest says more follows. */
static size_t fit_cols(const char *line, size_t len, size_t cols, bool *ret_rest)
{
	size_t i = 0, used = 0, n, keep = 0;

	*ret_rest = false;
	while (i < len) {
		size_t e = csi_len(line + i, len - i);
		if (e) {
			i += e;
			keep = i;
			continue;
		}
		if (line[i] == '\033') {
			i++; /* a lone ESC or another sequence: its bytes pass as
				zero-width */
			keep = i;
			continue;
		}
		int w = dwidth_char(line + i, len - i, &n);
		if (used + (size_t)w > cols) {
			*ret_rest = true;
			/* the rest may be escapes only (a colour reset): keep them */
			for (size_t j = i; j < len;) {
				size_t k = csi_len(line + j, len - j);
				if (!k)
					return keep;
				j += k;
				if (j == len)
					return len;
			}
			return keep;
		}
		used += (size_t)w;
		i += n;
		keep = i;
	}
	return len;
}

size_t term_cut_fit(const char *line, size_t len, int width, bool *ret_cut)
{
	bool rest;
	size_t n;

	*ret_cut = false;
	if (width <= 0)
		return len;
	fit_cols(line, len, (size_t)width, &rest);
	if (!rest)
		return len;
	*ret_cut = true;
	n = fit_cols(line, len, (size_t)width - 1, &rest);
	/* never show a number as a prefix of itself: "21959" is not cut to "21" */
	while (n > 0 && n < len && isdigit((unsigned char)line[n]) &&
	       isdigit((unsigned char)line[n - 1]))
		n--;
	return n;
}

struct cut {
	FILE *out;
	int fd;
	int width;	    /* columns */
	const char *marker; /* end of a cut line */
	char *line;	    /* the line so far */
	size_t len, cap;
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

/* Write the line held so far, cut and marked, then end (the \n or \r, if any). */
static int put_line(struct cut *c, const char *end, size_t end_len)
{
	bool cut;
	size_t n;

	recheck_width(c);
	n = term_cut_fit(c->line, c->len, c->width, &cut);
	if (fwrite(c->line, 1, n, c->out) != n)
		return -1;
	if (cut && memchr(c->line, '\033', c->len))
		fputs("\033[0m", c->out);
	if (cut)
		fputs(c->marker, c->out);
	if (end_len && fwrite(end, 1, end_len, c->out) != end_len)
		return -1;
	c->len = 0;
	return ferror(c->out) ? -1 : 0;
}

static int hold(struct cut *c, const char *buf, size_t len)
{
	if (c->len + len > c->cap) {
		size_t cap = (c->len + len) * 2 + 256;
		char *l = realloc(c->line, cap);
		if (!l)
			return -1;
		c->line = l;
		c->cap = cap;
	}
	memcpy(c->line + c->len, buf, len);
	c->len += len;
	return 0;
}

static ssize_t cut_write(void *cookie, const char *buf, size_t len)
{
	struct cut *c = cookie;
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n' && buf[i] != '\r')
			continue;
		if (hold(c, buf + start, i - start) < 0 || put_line(c, buf + i, 1) < 0)
			return -1;
		start = i + 1;
	}
	if (hold(c, buf + start, len - start) < 0)
		return -1;
	return (ssize_t)len;
}

static int cut_close(void *cookie)
{
	struct cut *c = cookie;
	int err = c->len ? put_line(c, NULL, 0) : 0;

	free(c->line);
	free(c);
	return err;
}

FILE *term_cut_open(FILE *out, int fd, int width, const char *marker)
{
	static const cookie_io_functions_t io = {.write = cut_write, .close = cut_close};
	struct cut *c = calloc(1, sizeof(*c));
	FILE *f;

	if (!c)
		return NULL;
	c->out = out;
	c->fd = fd;
	c->width = width > 0 ? width : 80;
	c->marker = marker;
	c->checked = INT64_MIN / 2;
	f = fopencookie(c, "w", io);
	if (!f) {
		free(c);
		return NULL;
	}
	/* unbuffered: every whole line is in out at once, so checking out is enough */
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}
