/* textwrap.c - word wrap by display width (wcwidth), for English and CJK prose. */
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#include "base/dwidth.h"
#include "render/textwrap.h"

/* One character at s: its length in bytes (>= 1) and its display width. */
static size_t char_at(const char *s, wchar_t *ret_wc, int *ret_w)
{
	mbstate_t st;
	size_t len;
	int w;

	memset(&st, 0, sizeof(st));
	len = mbrtowc(ret_wc, s, MB_CUR_MAX, &st);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		*ret_wc = (unsigned char)*s;
		*ret_w = 1;
		return 1;
	}
	w = wcwidth(*ret_wc);
	*ret_w = w < 0 ? 1 : w;
	return len;
}

int textwrap_width(const char *s)
{
	return (int)dwidth(s, strlen(s));
}

/* Punctuation that must not start a line, and that must not end one. */
static bool closing(wchar_t c)
{
	return c && wcschr(L"，。、；：！？）」』》〉”’…", c);
}

static bool opening(wchar_t c)
{
	return c && wcschr(L"（「『《〈“‘", c);
}

/*
 * The next unbreakable piece at p: opening punctuation, then a run of narrow characters
 * or one wide one, then closing punctuation. Returns its length in bytes, its width in
 * *ret_w.
 */
static size_t token(const char *p, int *ret_w)
{
	const char *q = p;
	wchar_t wc;
	int w;
	size_t n;

	*ret_w = 0;
	while (*q && (n = char_at(q, &wc, &w)) && opening(wc)) {
		q += n;
		*ret_w += w;
	}
	if (*q && *q != ' ') {
		n = char_at(q, &wc, &w);
		q += n;
		*ret_w += w;
		while (w < 2 && *q && *q != ' ' && (n = char_at(q, &wc, &w)) && w < 2) {
			q += n;
			*ret_w += w;
		}
	}
	while (*q && (n = char_at(q, &wc, &w)) && closing(wc)) {
		q += n;
		*ret_w += w;
	}
	return (size_t)(q - p);
}

/* Write a piece wider than a whole line, cut at line ends by whole characters. */
static int write_long(FILE *out, const char *p, size_t len, int indent, int avail,
		      int col)
{
	wchar_t wc;
	int w;

	while (len > 0) {
		size_t n = char_at(p, &wc, &w);
		if (col > 0 && col + w > avail) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
		}
		fwrite(p, 1, n, out);
		col += w;
		p += n;
		len -= n < len ? n : len;
	}
	return col;
}

int textwrap_write(FILE *out, const char *lead, int indent, const char *text, int width)
{
	int avail = width - indent, col = 0, pad = indent - textwrap_width(lead);
	const char *p = text;

	if (avail < 2)
		avail = 2;
	fprintf(out, "%s%*s", lead, pad > 0 ? pad : 0, "");
	for (;;) {
		bool space = false;
		int w;

		while (*p == ' ') {
			p++;
			space = true;
		}
		if (!*p)
			break;
		size_t len = token(p, &w);
		int sep = col > 0 && space ? 1 : 0;
		if (col > 0 && col + sep + w > avail) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
			sep = 0;
		}
		if (sep) {
			fputc(' ', out);
			col++;
		}
		if (w > avail - col) {
			col = write_long(out, p, len, indent, avail, col);
		} else {
			fwrite(p, 1, len, out);
			col += w;
		}
		p += len;
	}
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
