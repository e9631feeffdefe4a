/* fmt_om.h - OpenMetrics text (Prometheus node_exporter textfile collector). */
#ifndef TCPSTATE_FMT_OM_H
#define TCPSTATE_FMT_OM_H

#include <stddef.h>
#include <stdio.h>

#include "aggregate/hist.h"
#include "aggregate/summary.h"

/*
 * Escape len bytes as an OpenMetrics label value (without the quotes): the text is first
 * made terminal-safe as the table shows it (escape_name: control characters and invalid
 * UTF-8 as C escapes), then '\', '"' and newline are backslashed. Always NUL-terminates
 * (sz > 0). Returns the length written; 8 * len + 1 bytes always suffice.
 */
size_t fmt_om_label(const char *in, size_t len, char *out, size_t sz);

/*
 * tcpstate_sockets{state,family} for all 11 states and both families (zeros included),
 * then tcpstate_listen_queue{local} and tcpstate_listen_backlog{local} for each listening
 * endpoint the summary kept, then "# EOF". Returns 0 or -EIO.
 */
int fmt_om_summary(FILE *out, const struct summary *sum);

/* tcpstate_hist_sockets{KEY="...",...} per shown row, then "# EOF". Returns 0 or -EIO. */
int fmt_om_hist(FILE *out, const struct hist *h, const struct hist_limit *lim);

#endif
