/* ownercache.h - the owners of socket inodes kept across -E polls: a process's fd
 * directory is read again only when it is new or its fd directory changed. */
#ifndef TCPSTATE_OWNERCACHE_H
#define TCPSTATE_OWNERCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "query/procs.h"

struct owner_cache;

/* An empty cache. Returns 0 or -ENOMEM. */
int owner_cache_new(struct owner_cache **ret);

/* Free. Accepts NULL. */
void owner_cache_free(struct owner_cache *c);

/*
 * Bring the cache up to date: one listing of proc_root ("/proc", or a test's tree) and a
 * stat of each process's fd directory; only the fd directories of processes not seen
 * before, or whose fd directory changed (the number of open fds, which Linux 6.2 and
 * later report as its size, or its inode), are read. Where the kernel reports no count,
 * every fd directory is read each time, as procs_scan does. ret_stats counts this call
 * (scanned: fd directories read). Returns 0 or a negative errno when proc_root cannot be
 * read.
 */
int owner_cache_update(struct owner_cache *c, const char *proc_root,
		       struct procs_stats *ret_stats);

/*
 * The owners of inode as of the last update, sorted by pid: up to max pointers into
 * ret (valid until the next update). Returns how many there are (may exceed max).
 */
size_t owner_cache_lookup(const struct owner_cache *c, uint32_t inode,
			  const struct proc_owner **ret, size_t max);

#endif
