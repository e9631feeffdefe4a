/* dwidth.c - terminal columns of UTF-8 text: mbrtowc + wcwidth, so the locale decides. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "base/dwidth.h"

int dwidth_char(const char *s, size_t len, size_t *ret_bytes)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	*ret_bytes = len ? 1 : 0;
	if (!len)
		return 0;
	if ((unsigned char)s[0] < 0x80)
		return (unsigned char)s[0] >= 0x20 && s[0] != 0x7f;
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* not a character in this locale: skip its continuation bytes with it */
		size_t i = 1;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		*ret_bytes = i;
		return 1;
	}
	*ret_bytes = n;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Eight bytes of text that are all printable ASCII (0x20..0x7e), a column each. */
static inline bool word_printable(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t ctl = (w - ones * 0x20) & ~w; /* a byte below 0x20 */
	uint64_t del = ((w ^ (ones * 0x7f)) - ones) & ~(w ^ (ones * 0x7f)); /* 0x7f */

	return !((w | ctl | del) & highs);
}

/* dwidth from byte i on, w columns so far. Not inlined: its &n would give dwidth's fast
 * path a stack-protector canary (-fstack-protector-strong), a tenth of its cost. */
static __attribute__((noinline)) size_t dwidth_rest(const char *s, size_t len, size_t i,
						    size_t w)
{
	size_t n;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) { /* the ASCII tail without a call per byte */
			w += c >= 0x20 && c != 0x7f;
			i++;
			continue;
		}
		w += (size_t)dwidth_char(s + i, len - i, &n);
		i += n;
	}
	return w;
}

size_t dwidth(const char *s, size_t len)
{
	size_t w = 0, i = 0;

	/* Cells are nearly always ASCII: take eight bytes at a time while they are (this
	 * was a tenth of the listing's user time); the tail of a cell of 8 bytes or more
	 * too, when the last eight bytes (overlapping) are all printable (the
	 * tail's per-byte rule gives the same). */
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, s + i, sizeof(word));
		if (word & 0x8080808080808080ull)
			break;
		w += 8;
	}
	if (i < len && i + 8 > len && len >= 8) {
		uint64_t word;
		memcpy(&word, s + len - 8, sizeof(word));
		if (word_printable(word))
			return w + (len - i);
	}
	return dwidth_rest(s, len, i, w);
}

size_t dwidth_fit(const char *s, size_t len, size_t cols, size_t *ret_cols)
{
	size_t i = 0, used = 0, n;

	while (i < len) {
		int w = dwidth_char(s + i, len - i, &n);
		if (used + (size_t)w > cols)
			break;
		used += (size_t)w;
		i += n;
	}
	*ret_cols = used;
	return i;
}
