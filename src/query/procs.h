/* procs.h - who owns a socket: a scan of /proc/PID/fd for the inodes a dump returned. */
#ifndef TCPSTATE_PROCS_H
#define TCPSTATE_PROCS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "query/bpfown.h"

#define PROCS_COMM_MAX 64 /* /proc/PID/comm is at most 16 bytes today; leave room */

struct proc_owner {
	pid_t pid;
	uint32_t uid;		   /* the process's real uid */
	char comm[PROCS_COMM_MAX]; /* raw bytes as the kernel gives them: escape before
				      printing */
	char *cmdline;	    /* /proc/PID/cmdline, arguments NUL-separated; NULL unread */
	size_t cmdline_len; /* bytes in cmdline, the last NUL excluded */
};

struct procs_stats {
	uint32_t scanned;  /* processes looked at */
	uint32_t denied;   /* processes whose fd directory we may not read */
	uint32_t vanished; /* processes that exited during the scan */
	uint32_t found;	   /* distinct inodes with at least one owner */
};

struct procs;

/*
 * Find the owners of the given socket inodes (zeros are ignored). proc_root is normally
 * "/proc" (tests may pass another tree). Returns 0 or a negative errno when /proc itself
 * cannot be read. Unreadable or vanishing processes are counted in stats, not errors.
 */
int procs_scan(const char *proc_root, const uint32_t *inodes, size_t n,
	       struct procs **ret, struct procs_stats *ret_stats);

/* The owners of one inode, sorted by pid; *ret_n is 0 (and NULL returned) when unknown.
 */
const struct proc_owner *const *procs_lookup(const struct procs *p, uint32_t inode,
					     size_t *ret_n);

/*
 * Read /proc/PID/cmdline (up to 4 KiB) of the first owner of each inode the scan found.
 * A process that exited or hides its command line (kernel threads, hidepid) keeps
 * cmdline NULL. Returns 0 or -ENOMEM.
 */
int procs_read_cmdlines(struct procs *p, const char *proc_root);

/* Free. Accepts NULL. */
void procs_free(struct procs *p);

/*
 * Like procs_scan, from pairs gathered elsewhere (the task_file iterator) instead of a
 * /proc walk: the owners of the given inodes. Returns 0 or -ENOMEM.
 */
int procs_from_pairs(const uint32_t *inodes, size_t n, const struct bpfown_pair *v,
		     size_t nv, struct procs **ret, struct procs_stats *ret_stats);

/*
 * Find the owners of the given inodes from src (--owners-source): the BPF iterator, the
 * /proc walk, or (auto) the iterator for 4,096 inodes or more, falling back to the walk.
 * With OWNSRC_BPF a failure returns its negative errno with *ret_why set (see
 * bpfev_open); otherwise *ret_why is NULL. *ret_used says which source answered
 * (OWNSRC_PROC or OWNSRC_BPF).
 */
int procs_find(enum owners_source src, const uint32_t *inodes, size_t n,
	       struct procs **ret, struct procs_stats *ret_stats, const char **ret_why,
	       enum owners_source *ret_used);

#endif
