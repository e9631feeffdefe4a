/* cgroups.h - cgroup v2 IDs -> paths, units and containers: a walk of the cgroup2 mount,
 * made lazily once per run and again only when a dump shows an ID it does not know. */
#ifndef TCPSTATE_CGROUPS_H
#define TCPSTATE_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "model/cgpath.h"

/* One cgroup. */
struct cg_entry {
	uint64_t id;		     /* the inode number of its directory */
	char *path;		     /* below the cgroup2 root, "/" for the root itself */
	char *unit;		     /* systemd unit, "" when none */
	char *label;		     /* the container column's text, "" when none */
	struct cgpath_container ctr; /* the container's full ID and pod */
};

/* Counters for --stats and the tests. */
struct cgmap_stats {
	unsigned walks;	  /* walks of the cgroup2 tree */
	unsigned entries; /* cgroups known after the last walk */
};

struct cgmap;

/* A map that has read nothing yet (no I/O). Returns 0 or -ENOMEM. */
int cgmap_new(struct cgmap **ret);

/* Free. Accepts NULL. */
void cgmap_free(struct cgmap *m);

/*
 * Make sure id is known: the first call finds the cgroup2 mount in /proc/self/mountinfo
 * and walks it; later calls walk again only for an ID neither known nor already missed
 * once (a cgroup removed since stays unknown without a walk per socket). id 0 (TIME_WAIT,
 * requests, kernels without cgroups) is ignored. Returns 0, or a negative errno when no
 * cgroup2 mount can be read (-ENOENT: none mounted); the error is sticky.
 */
int cgmap_ensure(struct cgmap *m, uint64_t id);

/* The cgroup of id, or NULL when unknown (cgmap_ensure first). Accepts m NULL. */
const struct cg_entry *cgmap_find(const struct cgmap *m, uint64_t id);

/* The cgroup2 mount point ("" before the first walk or when none). */
const char *cgmap_root(const struct cgmap *m);

/*
 * The IDs of path and every cgroup below it (path relative to the cgroup2 root, with or
 * without a leading '/'). Returns the number of IDs, -E2BIG when there are more than max,
 * -ENOENT when path is no cgroup, or another negative errno.
 */
int cgmap_subtree_ids(struct cgmap *m, const char *path, uint64_t *ids, size_t max);

/* The known cgroups, for the completion lists: entry i of *ret_n. */
const struct cg_entry *cgmap_entry(const struct cgmap *m, size_t i, size_t *ret_n);

/* The sticky error of the last cgmap_ensure (-ENOENT: no cgroup2 mounted), else 0. */
int cgmap_error(const struct cgmap *m);

/* The counters. */
struct cgmap_stats cgmap_stats(const struct cgmap *m);

#endif
