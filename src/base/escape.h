/* escape.h - make attacker-controlled text (process names) safe for a terminal. */
#ifndef TCPSTATE_ESCAPE_H
#define TCPSTATE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copy in to out, escaping every byte a terminal could act on: C0 controls, DEL, C1
 * controls (U+0080..U+009F), the format, bidi, separator and invisible characters
 * escape_format_char names, backslash, and bytes that are not valid UTF-8, as
 * C-style escapes (\n, \t, \\, \xNN). Always NUL-terminates (when outsz > 0); truncates
 * on a character boundary. Returns the length written.
 */
size_t escape_name(const char *in, char *out, size_t outsz);

/*
 * With on, escape_name also escapes every non-ASCII character (as its \xNN bytes): main
 * sets it for human output when the locale's charset is not UTF-8. Bidi and line
 * separator characters are escaped either way.
 */
void escape_set_ascii(bool on);

/*
 * The code point of the valid n-byte UTF-8 sequence at s when it is a character that
 * reorders, hides or breaks text without being a control character: bidi controls and
 * marks (U+061C, U+200E/F, U+202A..U+202E, U+2066..U+2069), line and paragraph
 * separators (U+2028/9), zero-width and invisible characters (U+200B..U+200D,
 * U+2060..U+2064, U+00AD, fillers, variation selectors), the BOM (U+FEFF), interlinear
 * annotations and tags. 0 for every other character.
 */
uint32_t escape_format_char(const unsigned char *s, size_t n);

/* Length in bytes of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
size_t escape_utf8_len(const unsigned char *s);

#endif
