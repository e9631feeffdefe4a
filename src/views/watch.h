/* watch.h - -c/--continuous: repeat any view at an interval, in place on a terminal. */
#ifndef TCPSTATE_WATCH_H
#define TCPSTATE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/states.h"
#include "views/run.h"

/* Sockets per state in one frame; index TS_UNKNOWN counts states we have no name for. */
struct watch_counts {
	uint32_t n[TS_NSTATES + 1];
	uint32_t total;
};

/*
 * Run view every ctx->opts->continuous seconds until SIGINT/SIGTERM/SIGHUP, or for
 * ctx->opts->count frames. On a terminal each frame replaces the last on the alternate
 * screen, under a header line (time, totals, change per state since the last frame), and
 * the terminal is restored at the end; otherwise frames are timestamped snapshots one
 * after the other. Returns 0 when stopped by a signal, the last frame's status after
 * --count frames, -EINVAL (error recorded) for a view that cannot repeat, or the first
 * negative errno of a frame.
 */
int watch_run(const struct run_ctx *ctx, int (*view)(const struct run_ctx *ctx));

/*
 * Write the header text: "stamp  every 0.2s  total 12 (+1)  ESTABLISHED 8 (-2) ...":
 * states that have sockets or changed; changes only when prev is not NULL and non-zero.
 * Returns the length (NUL-terminated, truncated to sz).
 */
size_t watch_header(char *buf, size_t sz, const char *stamp, double every,
		    const struct watch_counts *cur, const struct watch_counts *prev);

/* term_cut_fit: the bytes of line to keep in width columns (room for the marker when
 * cut). */
size_t watch_fit(const char *line, size_t len, int width, bool *ret_cut);

/*
 * Flush out and every stream under it, for output that must reach the terminal now (a
 * frame, a stream of events). Returns 0 or -EIO.
 */
int watch_flush(FILE *out);

#endif
