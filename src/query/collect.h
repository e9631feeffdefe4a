/* collect.h - the query stage's entry: run a query (every namespace it names, or a
 * replay) and hand over the matching sockets, with owners when asked. */
#ifndef TCPSTATE_COLLECT_H
#define TCPSTATE_COLLECT_H

#include "base/msgs.h"
#include "model/sock.h"
#include "query/diag.h"
#include "query/procs.h"
#include "query/query.h"

struct netns_list;
struct cgmap;

/* What the query stage keeps across the dumps of one run. */
struct collect_state {
	struct msgs *msgs; /* error text and notes go here */
	struct diag_stats
	    stats; /* netlink counters summed over every dump, for --stats */
	struct netns_list
	    *netns;	       /* the namespaces the last dump walked (-N, --all-netns);
				* NULL when it saw only the current one */
	struct cgmap *cgroups; /* cgroup IDs -> paths, kept across -c/-E frames (main
				  makes it; it reads nothing until asked) */
};

/* The result of collecting sockets. */
struct collect {
	struct sock_set socks;
	struct procs *procs; /* NULL unless owners were needed */
	struct procs_stats pstats;
	struct diag_stats dstats;
};

/*
 * Ask the kernel (or the replay file) for the sockets q selects, with the extensions in
 * q->needs (COL_NEED_*), re-check the filter in user space, find owners when needed, and
 * keep the matching sockets in ret. Returns 0 or a negative errno with the error text
 * recorded in st->msgs.
 */
int collect_sockets(const struct query *q, struct collect_state *st, struct collect *ret);

/*
 * Stream the matching sockets to fn without keeping them (views that only count). Falls
 * back to collect_sockets when the filter needs owners. Returns as collect_sockets.
 * fn(NULL) means "forget what you counted" (an interrupted dump restarts).
 */
int collect_stream(const struct query *q, struct collect_state *st, diag_sock_fn fn,
		   void *data, struct diag_stats *ret_stats);

/* Free what a collect holds. Accepts NULL. */
void collect_done(struct collect *c);

/* Free what the state holds (the namespace list; not the messages). */
void collect_state_done(struct collect_state *st);

#endif
