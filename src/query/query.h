/* query.h - what to ask for: a small description of the sockets a view wants, built from
 * the options once and copied by views that need other sockets. */
#ifndef TCPSTATE_QUERY_H
#define TCPSTATE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "model/sock.h"
#include "model/states.h"

struct filter;
struct opts;
struct procs;
struct procs_select;

/*
 * The filter as the query stage uses it. The filter lives in a later stage (filter/):
 * filter_query() fills these from it, so the query stage runs it without knowing it.
 */
struct query_filter {
	const struct filter *f; /* NULL: no filter, every socket matches */
	state_set states;	/* the states it allows (STATE_SET_ALL: any) */
	bool names_states;	/* it names states: they replace the -a/-l selection */
	bool needs_procs;	/* it has pid or process terms: match after the owners */
	bool names_owner;   /* it has pid, process or user terms: every state is wanted */
	unsigned needs;	    /* COL_NEED_INFO/MEM its comparisons need ("rtt > 100ms") */
	bool needs_cgroups; /* it has cgroup, unit or container terms */
	/* Which processes can own a matching socket (filter_owner_select); NULL or false:
	 * any. */
	bool (*owner_select)(const struct filter *f, struct procs_select *ret);
	/* Does s match? procs NULL: owner terms unknown (see filter_match). */
	bool (*match)(const struct filter *f, const struct sock_rec *s,
		      const struct procs *p);
	/* What the kernel decides (INET_DIAG_REQ_BYTECODE, owned by whoever called
	 * filter_query) and exact ports for the request id (0 = any). */
	const void *bytecode;
	size_t bytecode_len;
	uint16_t sport, dport;
};

struct query {
	state_set states; /* -a/-l: every state, LISTEN, or the default set */
	int family;	  /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
	unsigned needs;	  /* COL_NEED_*: kernel extensions and owners to fetch */
	struct query_filter filter;
	const char *netns; /* -N TARGET: the one namespace to dump; NULL: this one */
	bool all_netns;	   /* --all-netns: every namespace, sockets tagged */
	const char
	    *replay; /* --replay FILE: read a recorded dump instead of the kernel */
	const char *record; /* --record FILE: save the raw dump */
	bool cgroups_quiet; /* COL_NEED_CGROUP is a nicety (--doctor's unit names): no
			       note when there is no cgroup2 to read */
	enum owners_source owners_source; /* --owners-source: BPF iterator or /proc */
};

/* Fill *ret from the options, with no filter and no needs. */
void query_from_opts(const struct opts *o, struct query *ret);

/*
 * Select every state: the summary, the diagram and the doctor count them all. With
 * keep_listen, a -l selection (LISTEN only) stays as it is. A state filter still narrows
 * the result (query_states).
 */
void query_select_all(struct query *q, bool keep_listen);

/* Drop the filter: every socket of the selected states (the completion lists). */
void query_drop_filter(struct query *q);

/* The states to ask the kernel for: the filter's when it names some, else the -a/-l
 * selection narrowed by what the filter allows; every state the filter allows when it
 * names an owner and neither -a nor -l was given. */
state_set query_states(const struct query *q);

#endif
