/* strutil.h - small string helpers shared by the parsers. */
#ifndef TCPSTATE_STRUTIL_H
#define TCPSTATE_STRUTIL_H

#include <stddef.h>
#include <string.h>

/*
 * Case-insensitive edit distance (insertions, deletions, substitutions) between two
 * words, for "did you mean" hints. Words longer than 32 bytes are 99 apart.
 */
size_t strutil_distance(const char *a, const char *b);

/*
 * A whole decimal number (digits only: no sign, no space, no 0x) up to max into *ret.
 * Returns 0, -EINVAL when s is empty or not all digits, or -ERANGE above max.
 */
int strutil_parse_decimal(const char *s, unsigned long max, unsigned long *ret);

/* Copy n bytes of s into buf, truncated to fit and NUL-terminated; nothing when sz is 0.
 * Returns the bytes copied. Inline: the listing calls it for cells of every socket. */
static inline size_t strutil_copy(char *buf, size_t sz, const char *s, size_t n)
{
	if (!sz)
		return 0;
	if (n >= sz)
		n = sz - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

#endif
