/* escape.c - escaping of process names and other attacker-controlled strings. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"

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
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* A terminal fact (like its width): the locale's charset is not UTF-8. */
static bool ascii_only;

void escape_set_ascii(bool on)
{
	ascii_only = on;
}

/*
 * Code points that reorder or break the text around them without being control
 * characters: the bidi embeddings, overrides and isolates ("Trojan Source"), the implicit
 * marks and the line/paragraph separators. A process named "\u202e..." would otherwise
 * reverse the rest of its line.
 */
static bool is_format_char(const unsigned char *s, size_t n)
{
	uint32_t cp;

	if (n == 2)
		cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	else if (n == 3)
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		     (s[2] & 0x3f);
	else
		return false;
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t escape_name(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	char esc[20];

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
		} else if (n > 1 && (ascii_only || is_format_char(s, n))) {
			/* the whole character as \xNN bytes, so truncation cannot split
			 * it */
			for (size_t i = 0; i < n; i++)
				snprintf(esc + 4 * i, sizeof(esc) - 4 * i, "\\x%02x",
					 s[i]);
			piece = esc;
			elen = 4 * n;
		} else if (n > 1) {
			piece = (const char *)s;
			elen = n;
		} else {
			n = 1;
			switch (*s) {
			case '\n':
				piece = "\\n";
				break;
			case '\t':
				piece = "\\t";
				break;
			case '\r':
				piece = "\\r";
				break;
			case '\\':
				piece = "\\\\";
				break;
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
