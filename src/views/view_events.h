/* view_events.h - the parts of -E both event sources use, and the poll source. */
#ifndef TCPSTATE_VIEW_EVENTS_H
#define TCPSTATE_VIEW_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "render/output.h"
#include "views/run.h"

/* -EINVAL (with the error text) unless the --format has event lines (table, jsonl). */
int events_check_format(const struct run_ctx *ctx, const struct output *out);

/* Pack the owners of one inode (data: a struct procs) as ev_sock.owners wants them into
 * buf; returns the length, 0 when none are known. */
size_t events_pack_owners(uint32_t inode, char *buf, size_t sz, void *data);

/* -E from polls plus destroy notifications (--events-source poll), until a stop signal
 * or --count. Returns 0 or a negative errno with the text recorded (view_events.c). */
int events_poll(const struct run_ctx *ctx);

#endif
