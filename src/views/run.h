/* run.h - what every view gets: options, filter, terminal facts, and a place for
 * messages. */
#ifndef TCPSTATE_RUN_H
#define TCPSTATE_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "filter/filter.h"
#include "model/sock.h"
#include "query/diag.h"
#include "query/procs.h"
#include "render/term.h"

struct netns_list;

#define RUN_MAX_NOTES 16

/* Messages a view leaves for main.c to print: library code never prints to stderr. */
struct run_msgs {
	char *error;		    /* what failed, when a view returns < 0 (malloc'd) */
	char *notes[RUN_MAX_NOTES]; /* partial-result notes (malloc'd) */
	int n_notes;
	struct diag_stats
	    stats; /* netlink counters summed over every dump, for --stats */
	struct netns_list
	    *netns; /* the namespaces the last dump walked (-N, --all-netns);
		     * NULL when it saw only the current one */
};

struct run_ctx {
	const struct opts *opts;
	const struct filter *filter;
	const struct term *term;
	FILE *out;
	struct run_msgs *msgs;
};

/* Record the error text for main.c (printf-style). Returns err, so views can
 * `return run_error(ctx, -EPERM, "...")`. */
int run_error(const struct run_ctx *ctx, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a note for stderr (printf-style). Duplicate notes are dropped. */
void run_note(const struct run_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free the messages. */
void run_msgs_done(struct run_msgs *m);

/* The result of collecting sockets. */
struct collect {
	struct sock_set socks;
	struct procs *procs; /* NULL unless owners were needed */
	struct procs_stats pstats;
	struct diag_stats dstats;
};

/*
 * Ask the kernel (or the --replay file) for the sockets the options and filter select,
 * with the extensions in needs (COL_NEED_*), re-check the filter in user space, find
 * owners when needed, and keep the matching sockets in ret. Returns 0 or a negative errno
 * with the error text recorded in ctx->msgs.
 */
int collect_sockets(const struct run_ctx *ctx, unsigned needs, struct collect *ret);

/*
 * Stream the matching sockets to fn without keeping them (views that only count). Falls
 * back to collect_sockets when the filter needs owners. Returns as collect_sockets.
 * fn(NULL) means "forget what you counted" (an interrupted dump restarts).
 */
int collect_stream(const struct run_ctx *ctx, unsigned needs, diag_sock_fn fn, void *data,
		   struct diag_stats *ret_stats);

/* Free what a collect holds. Accepts NULL. */
void collect_done(struct collect *c);

/* The state selection from -a/-l (before the filter's own states). */
state_set run_default_states(const struct opts *o);

#endif
