/* escape.h - make attacker-controlled text (process names) safe for a terminal. */
#ifndef TCPSTATE_ESCAPE_H
#define TCPSTATE_ESCAPE_H

#include <stddef.h>

/*
 * Copy in to out, escaping every byte a terminal could act on: C0 controls, DEL, C1
 * controls (U+0080..U+009F), backslash, and bytes that are not valid UTF-8, as C-style
 * escapes (\n, \t, \\, \xNN). Always NUL-terminates (when outsz > 0); truncates on a
 * character boundary. Returns the length written.
 */
size_t escape_name(const char *in, char *out, size_t outsz);

/* Length in bytes of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
size_t escape_utf8_len(const unsigned char *s);

#endif
