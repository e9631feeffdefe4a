/* bars.h - proportional bars for counts: Unicode eighth blocks on UTF-8, '#' otherwise.
 */
#ifndef TCPSTATE_BARS_H
#define TCPSTATE_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest bar in bytes for a given width (UTF-8 blocks take 3 bytes each). */
#define BARS_BYTES(width) ((size_t)(width)*3 + 1)

/*
 * Draw value out of max as a bar of at most width columns into buf (NUL-terminated).
 * With utf8 the bar has eighth-column resolution (U+2588 full block, U+2589..U+258F for
 * the last partial column); otherwise it is whole '#' columns. A non-zero value always
 * gets at least the smallest mark so that it never looks like zero. Returns the length
 * in bytes (0 for a zero value, max or width).
 */
size_t bars_draw(uint64_t value, uint64_t max, int width, bool utf8, char *buf,
		 size_t sz);

/*
 * The width left for bars on a line after `used` columns: the terminal width (80 when
 * not a terminal), minus used and one space, capped at 60 and at least 10.
 */
int bars_width(int term_width, int used);

#endif
