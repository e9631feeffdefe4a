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
 * Code points that reorder, hide or break the text around them without being control
 * characters: the bidi embeddings, overrides, isolates and marks ("Trojan Source"), the
 * line/paragraph separators, the zero-width and invisible characters (a name that looks
 * like "nginx" but is not), the byte order mark and the interlinear annotations and
 * tags. A process named "\u202e..." would otherwise reverse the rest of its line.
 */
static const struct {
	uint32_t lo, hi;
} format_ranges[] = {
    {0x00ad, 0x00ad},	/* soft hyphen */
    {0x034f, 0x034f},	/* combining grapheme joiner */
    {0x061c, 0x061c},	/* Arabic letter mark */
    {0x115f, 0x1160},	/* Hangul fillers */
    {0x17b4, 0x17b5},	/* Khmer inherent vowels */
    {0x180b, 0x180f},	/* Mongolian free variation selectors, vowel separator */
    {0x200b, 0x200f},	/* zero width space, (non-)joiner, LRM, RLM */
    {0x2028, 0x202e},	/* line/paragraph separators, bidi embeddings, overrides */
    {0x2060, 0x206f},	/* word joiner, invisible operators, isolates, deprecated */
    {0x3164, 0x3164},	/* Hangul filler */
    {0xfe00, 0xfe0f},	/* variation selectors */
    {0xfeff, 0xfeff},	/* byte order mark, zero width no-break space */
    {0xffa0, 0xffa0},	/* halfwidth Hangul filler */
    {0xfff9, 0xfffb},	/* interlinear annotation */
    {0x1d173, 0x1d17a}, /* musical formatting */
    {0xe0000, 0xe0fff}, /* tags, variation selectors supplement */
};

/* The code point of the valid n-byte UTF-8 sequence at s. */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	switch (n) {
	case 2:
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	case 3:
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
		       (s[2] & 0x3f);
	case 4:
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	default:
		return s[0];
	}
}

uint32_t escape_format_char(const unsigned char *s, size_t n)
{
	uint32_t cp;

	if (n < 2)
		return 0;
	cp = code_point(s, n);
	for (size_t i = 0; i < sizeof(format_ranges) / sizeof(format_ranges[0]); i++)
		if (cp >= format_ranges[i].lo && cp <= format_ranges[i].hi)
			return cp;
	return 0;
}

static bool is_format_char(const unsigned char *s, size_t n)
{
	return escape_format_char(s, n) != 0;
}

size_t escape_name(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	char esc[20];

	if (!outsz)
		return 0;
	while (*s) {
		if (*s >= 0x20 && *s < 0x7f &&
		    *s != '\\') { /* the common case, at once */
			if (o + 2 > outsz)
				break;
			out[o++] = (char)*s++;
			continue;
		}
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
