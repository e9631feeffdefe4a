/* sortkeys.h - --sort KEY[,KEY...]: the sort key table and a stable multi-key sort. */
#ifndef TCPSTATE_SORTKEYS_H
#define TCPSTATE_SORTKEYS_H

#include <stdbool.h>

#include "model/columns.h"
#include "model/sock.h"

/* One --sort key. */
struct sort_key {
	const char *name;
	const char *help; /* one line for the man page and completion */
	unsigned needs;	  /* COL_NEED_* */
	/* <0, 0, >0 for a before, equal to, after b in ascending order */
	int (*cmp)(const struct sock_rec *a, const struct sock_rec *b,
		   const struct col_ctx *c);
};

/* The key table, terminated by an entry with a NULL name. Besides these, the name of any
 * number column (--list-columns) sorts by that column's value. */
extern const struct sort_key sort_keys[];

#define SORT_MAX_KEYS 8

struct sort_spec {
	struct {
		const struct sort_key *key; /* a table key, or NULL and col */
		const struct column *col;   /* a number column */
		bool desc;		    /* -KEY */
	} k[SORT_MAX_KEYS];
	int n;
};

/*
 * Parse "KEY[,KEY...]", each KEY optionally prefixed with '-' (descending) or '+'.
 * Returns 0, or -EINVAL with *ret_bad pointing at the bad word (static buffer).
 */
int sort_parse(const char *spec, struct sort_spec *ret, const char **ret_bad);

/* What the keys need from the query stage (COL_NEED_*). */
unsigned sort_needs(const struct sort_spec *spec);

/* The value of a number column's cell (NAN when it has none): the sort orders number
 * columns by it. Formatting is the render stage's (colfmt_number). */
typedef double (*sort_value_fn)(const struct column *col, const struct sock_rec *s,
				const struct col_ctx *c);

/*
 * Sort the set in place by the keys; sockets equal on every key keep their order.
 * Sockets without a value (no owner for pid/process, null numbers) sort last either way.
 * O(n log n) with two allocations. Returns 0 or -ENOMEM.
 */
int sort_socks(struct sock_set *set, const struct sort_spec *spec,
	       const struct col_ctx *c, sort_value_fn value);

#endif
