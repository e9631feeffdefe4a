/* fmt_lines.h - the lines format: the counts per state on one line, like vmstat or sar.
 */
#ifndef TCPSTATE_FMT_LINES_H
#define TCPSTATE_FMT_LINES_H

#include <stdbool.h>
#include <stdio.h>

#include "aggregate/summary.h"

/*
 * The summary as one line of counts: total, then every one of the 11 states in lifecycle
 * order (UNKNOWN only when seen), right-aligned under a header line of the names (unless
 * !header). Columns are as wide as the state names, so lines of later frames stay
 * aligned. Returns 0 or -EIO.
 */
int fmt_lines_summary(FILE *out, const struct summary *sum, bool header);

#endif
