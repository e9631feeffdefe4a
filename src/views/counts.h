/* counts.h - the counts -s shows, collected for -s and for a listing in a format without
 * socket rows (openmetrics). */
#ifndef TCPSTATE_COUNTS_H
#define TCPSTATE_COUNTS_H

#include <stdbool.h>

#include "aggregate/summary.h"
#include "views/run.h"

/*
 * Count the sockets a summary covers (every state unless -l or a state filter narrows
 * it) into *ret while the dump streams, keeping the listening endpoints with
 * keep_listeners, and finish the counts. *ret is always initialised: summary_done it.
 * Returns 0 or a negative errno with the error recorded in ctx->msgs.
 */
int counts_summary(const struct run_ctx *ctx, bool keep_listeners, struct summary *ret);

#endif
