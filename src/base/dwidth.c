/* dwidth.c - terminal columns of UTF-8 text: mbrtowc + wcwidth, so the locale decides. */
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

size_t dwidth(const char *s, size_t len)
{
	size_t w = 0, i = 0, n;

	/* Cells are nearly always ASCII: take eight bytes at a time while they are (this
	 * was a tenth of the listing's user time). */
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, s + i, sizeof(word));
		if (word & 0x8080808080808080ull)
			break;
		w += 8;
	}
	while (i < len) {
		w += (size_t)dwidth_char(s + i, len - i, &n);
		i += n;
	}
	return w;
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
