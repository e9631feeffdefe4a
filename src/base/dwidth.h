/* dwidth.h - display width of UTF-8 text in terminal columns, from the locale. */
#ifndef TCPSTATE_DWIDTH_H
#define TCPSTATE_DWIDTH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The character at s (at most len bytes): its length in bytes (at least 1 when len > 0)
 * in *ret_bytes and its width in columns as the return value: 2 for double-width (CJK),
 * 0 for combining and zero-width characters, 1 for the rest. A byte that starts no valid
 * character counts as one column of one byte (escaped text has none).
 */
int dwidth_char(const char *s, size_t len, size_t *ret_bytes);

/* Display width of len bytes of text. ASCII takes a fast path. */
size_t dwidth(const char *s, size_t len);

/*
 * How many bytes of s fit in cols columns without splitting a character; a zero-width
 * character after the last one that fits stays with it. *ret_cols gets the columns used.
 */
size_t dwidth_fit(const char *s, size_t len, size_t cols, size_t *ret_cols);

#endif
