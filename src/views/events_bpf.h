/* events_bpf.h - -E from the eBPF source: every transition the tracepoint reports. */
#ifndef TCPSTATE_EVENTS_BPF_H
#define TCPSTATE_EVENTS_BPF_H

#include <stdbool.h>

#include "views/run.h"

/*
 * Stream events from sock:inet_sock_set_state until a stop signal or --count, as
 * events_format lines. Returns 0 or a negative errno (text in ctx->msgs). When the
 * source cannot be used and --events-source is auto, returns 0 with *ret_fallback set
 * (and a note saying why): the caller then polls.
 */
int events_bpf_run(const struct run_ctx *ctx, bool *ret_fallback);

#endif
