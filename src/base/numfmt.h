/* numfmt.h - decimal integers and fixed-point numbers without snprintf (the hot path). */
#ifndef TCPSTATE_NUMFMT_H
#define TCPSTATE_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text numfmt_u64 or numfmt_fixed writes, without the NUL. */
#define NUMFMT_MAX 21

/*
 * Write v in decimal to buf, NUL-terminated. Like snprintf, the text is cut to sz - 1
 * bytes when it does not fit; returns the length written (0 when sz is 0).
 */
size_t numfmt_u64(uint64_t v, char *buf, size_t sz);

/*
 * Write v / 10^decimals with that many digits after the point (decimals <= 9), e.g.
 * (1234, 3) -> "1.234". With trim, trailing zeros of the fraction are dropped, and the
 * point with them when nothing is left: (1200, 3) -> "1.2", (1000, 3) -> "1". Cut and
 * returned like numfmt_u64.
 */
size_t numfmt_fixed(uint64_t v, unsigned decimals, bool trim, char *buf, size_t sz);

/* Copy the NUL-terminated s to buf like numfmt_u64 copies its digits; returns the length.
 */
size_t numfmt_str(const char *s, char *buf, size_t sz);

#endif
