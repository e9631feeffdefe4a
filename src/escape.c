/* escape.c - escaping of process names and other attacker-controlled strings. */
#include <stdio.h>
#include <string.h>

#include "escape.h"

size_t escape_utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

size_t escape_name(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	char esc[8];

	if (!outsz)
		return 0;
	while (*s) {
		size_t n = escape_utf8_len(s), elen;
		const char *piece;

		if (n == 1 && *s >= 0x20 && *s != 0x7f && *s != '\\') {
			piece = (const char *)s;
			elen = 1;
		} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1 control: some terminals act on these */
			snprintf(esc, sizeof(esc), "\\x%02x", s[0]);
			piece = esc;
			elen = 4;
			n = 1;
		} else if (n > 1) {
			piece = (const char *)s;
			elen = n;
		} else {
			n = 1;
			switch (*s) {
			case '\n': piece = "\\n"; break;
			case '\t': piece = "\\t"; break;
			case '\r': piece = "\\r"; break;
			case '\\': piece = "\\\\"; break;
			default:
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
				piece = esc;
			}
			elen = strlen(piece);
		}
		if (o + elen + 1 > outsz)
			break;
		memcpy(out + o, piece, elen);
		o += elen;
		s += n;
	}
	out[o] = '\0';
	return o;
}
