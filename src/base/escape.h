/* escape.h - make attacker-controlled text (process names) safe for a terminal. */
#ifndef TCPSTATE_ESCAPE_H
#define TCPSTATE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy in to out, escaping every byte a terminal could act on: C0 controls, DEL, C1
 * controls (U+0080..U+009F), bidi and line separator characters (U+061C, U+200E/F,
 * U+2028..U+202E, U+2066..U+2069), backslash, and bytes that are not valid UTF-8, as
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

/* Length in bytes of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
size_t escape_utf8_len(const unsigned char *s);

#endif
