/* filter.h - the filter expression: parse, kernel compilation, user-space matching. */
#ifndef TCPSTATE_FILTER_H
#define TCPSTATE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"
#include "model/states.h"

struct opts;
struct procs;
struct filter;

/*
 * Build the filter from the long options (--state, --port, ...) and the expression words
 * after the options; different keys are ANDed. A key given more than once adds to its
 * list: the values that select are ORed, those that leave out (--exclude, port !=N) are
 * ANDed. *ret is NULL when there is nothing to filter on.
 * Returns 0, or -EINVAL with *ret_err a malloc'd one-line message that names the bad
 * token in single quotes and gives a hint.
 */
int filter_build(const struct opts *o, struct filter **ret, char **ret_err);

/*
 * The states a socket can be in and still match. When the filter names no state (or f is
 * NULL) that is dflt, the selection from -a/-l; explicit states override it.
 */
state_set filter_state_set(const struct filter *f, state_set dflt);

/*
 * Compile what the kernel can decide (ports, address prefixes) into
 * INET_DIAG_REQ_BYTECODE. *ret_bc is NULL (len 0) when nothing can be compiled. Exact
 * single ports that every match needs may instead be put in *ret_sport / *ret_dport (0 =
 * any). Returns 0 or a negative errno. Free *ret_bc with free().
 */
int filter_bytecode(const struct filter *f, void **ret_bc, size_t *ret_len,
		    uint16_t *ret_sport, uint16_t *ret_dport);

/* The COL_NEED_* bits (model/columns.h) the filter's comparisons need: a term on rtt
 * needs INET_DIAG_INFO, one on rmem INET_DIAG_SKMEMINFO. 0 for NULL. */
unsigned filter_needs(const struct filter *f);

/* True when matching needs the owners (pid or process terms). */
bool filter_needs_procs(const struct filter *f);

struct procs_select;

/*
 * When every socket f matches must be owned by a process its pid or process terms name
 * (--pid N, --process NAME, or an OR of them), fill *ret so that only those processes'
 * fd directories are read, and return true. False when any process may own a matching
 * socket (no such terms, or under a "not").
 */
bool filter_owner_select(const struct filter *f, struct procs_select *ret);

/* True when the filter has an owner term (pid, process or user), negated or not. */
bool filter_names_owner(const struct filter *f);

/* Does the socket match? f NULL matches everything. procs may be NULL: pid and process
 * terms are then unknown, and the socket matches unless the rest of the filter rules it
 * out (so a caller may pre-check before scanning /proc and re-check after). */
bool filter_match(const struct filter *f, const struct sock_rec *s,
		  const struct procs *p);

/* True when matching needs the cgroup map (cgroup, unit or container terms). */
bool filter_needs_cgroups(const struct filter *f);

struct cgmap;

/*
 * Give the cgroup terms their map (kept for filter_match; the caller keeps it alive) and
 * expand each cgroup PATH with a small subtree into its IDs, which the kernel then
 * decides. Returns 0, -EINVAL with *ret_err a malloc'd message (no such cgroup, no
 * cgroup2 mount), or -ENOMEM.
 */
int filter_bind_cgroups(struct filter *f, struct cgmap *m, char **ret_err);

/* Free. Accepts NULL. */
void filter_free(struct filter *f);

/* The expression keywords (state, exclude, sport, ..., and, or, not) for completion;
 * NULL-terminated, static storage. */
const char *const *filter_keywords(void);

#endif
