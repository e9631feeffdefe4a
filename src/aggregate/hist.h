/* hist.h - --hist: group-by counts over one or two keys, sorted by count. */
#ifndef TCPSTATE_HIST_H
#define TCPSTATE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/sock.h"

struct hist;
struct procs;
struct netns_list;
struct cgmap;

/* One --hist key. Adding a key is one line in hist_keys[] (hist.c) and a value function.
 */
struct hist_key {
	const char *name;   /* what --hist takes */
	const char *header; /* table header */
	const char *help;   /* one line for --complete and the man page */
	unsigned needs;	    /* COL_NEED_* (process needs the owners) */
	bool numeric; /* values are whole numbers: JSON numbers, numeric tie order */
	/*
	 * Write the i-th distinct value of s for this key into buf as raw bytes (escape
	 * before printing) and return its length, or -1 when s has no i-th value. Every
	 * socket has a value 0; only process can have more (one per distinct owner name).
	 */
	int (*value)(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz);
};

/* The key table, terminated by an entry with a NULL name. */
extern const struct hist_key hist_keys[];

/* Look a key up by name; NULL when unknown. */
const struct hist_key *hist_key_find(const char *name);

/* The key names as "state, lport, ..." for messages. Returns the length. */
size_t hist_key_names(char *buf, size_t sz);

#define HIST_MAX_KEYS 2
#define HIST_VALUE_MAX 256

/* A row: a value of the first key (a group) or of the second key within a group. */
struct hist_row {
	const char *key; /* raw bytes, NUL-terminated */
	size_t len;
	uint64_t count;
	size_t first, n; /* a group's rows in subs[] (two keys only) */
};

struct hist_uid {
	uint32_t uid;
	char name[64];
};

struct hist {
	const struct hist_key *keys[HIST_MAX_KEYS];
	int nkeys;
	const struct procs *procs; /* owners, for the process key (set by the caller) */
	/* labels for the netns key: &ctx->cstate->netns, which each dump replaces
	 * (caller)
	 */
	struct netns_list *const *netns;
	const struct cgmap *cgroups; /* paths for cgroup, unit, container (caller) */
	uint64_t total;		     /* sockets counted */
	/* after hist_finish: groups by count, each group's sub rows by count */
	struct hist_row *groups;
	size_t n_groups;
	struct hist_row *subs;
	size_t n_subs;
	/* private: open-addressing table of "k1\0k2" strings kept in one arena */
	struct hist_slot *slots;
	size_t mask, used;
	char *arena;
	size_t alen, acap;
	struct hist_uid uids[64];
	int n_uids;
};

/*
 * Parse "KEY[,KEY2]" and prepare to count. Returns 0, -EINVAL with *ret_bad pointing at
 * the bad word (static buffer; the whole spec when there are too many or no keys), or
 * -ENOMEM.
 */
int hist_init(struct hist *h, const char *spec, const char **ret_bad);

/* What the keys need from the query stage (COL_NEED_*). */
unsigned hist_needs(const struct hist *h);

/* Count one socket under each of its key values (NULL: forget everything, the dump
 * restarts). Returns 0 or -ENOMEM. */
int hist_add(struct hist *h, const struct sock_rec *s);

/* Build groups[] and subs[], sorted by count (ties by key). Returns 0 or -ENOMEM. */
int hist_finish(struct hist *h);

/* Free everything. Accepts NULL. */
void hist_done(struct hist *h);

/* How much of the result to show: 0 = everything. */
struct hist_limit {
	size_t groups; /* groups shown */
	size_t subs;   /* rows shown per group (two keys) */
};

/* The groups (and their count) beyond the limit. */
void hist_rest(const struct hist *h, size_t limit, size_t *ret_groups,
	       uint64_t *ret_count);

/* The sub rows (and their count) of group g beyond the limit. */
void hist_sub_rest(const struct hist *h, const struct hist_row *g, size_t limit,
		   size_t *ret_rows, uint64_t *ret_count);

/* The limit that fits `lines` output lines (at least one group, then whole groups). */
struct hist_limit hist_fit(const struct hist *h, int lines);

#endif
