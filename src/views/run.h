/* run.h - what every view gets: options, filter, the query they select, terminal facts,
 * and where messages and the query stage's state go. */
#ifndef TCPSTATE_RUN_H
#define TCPSTATE_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "aggregate/summary.h"
#include "base/msgs.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "model/columns.h"
#include "model/sock.h"
#include "query/collect.h"
#include "query/diag.h"
#include "query/procs.h"
#include "query/query.h"
#include "render/term.h"

struct run_ctx {
	const struct opts *opts;
	const struct filter *filter;
	/* The sockets the options and filter select, built once; a view that wants other
	 * sockets (more states, no filter) copies it and changes the copy. */
	const struct query *query;
	const struct term *term;
	FILE *out;
	struct msgs *msgs;	      /* error text and notes for main.c */
	struct collect_state *cstate; /* counters and namespaces of the dumps */
	/* -c on a terminal: the summary's recent frames, which -s adds to; else NULL */
	struct summary_trail *trail;
};

/* The column groups (COL_GROUP_*) the options add to the listing's defaults. */
static inline unsigned run_column_groups(const struct opts *o)
{
	return (o->processes ? COL_GROUP_OWNERS : 0) |
	       (o->extended ? COL_GROUP_EXTENDED : 0) |
	       (o->timers ? COL_GROUP_TIMERS : 0) | (o->info ? COL_GROUP_INFO : 0) |
	       (o->memory ? COL_GROUP_MEMORY : 0) | (o->all_netns ? COL_GROUP_NETNS : 0);
}

/* Record the error text for main.c (printf-style). Evaluates to err, so views can
 * `return run_error(ctx, -EPERM, "...")`. */
#define run_error(ctx, err, ...) msgs_error((ctx)->msgs, (err), __VA_ARGS__)

/* Add a note for stderr (printf-style). Duplicate notes are dropped. */
#define run_note(ctx, ...) msgs_note((ctx)->msgs, __VA_ARGS__)

#endif
