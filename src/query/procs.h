/* procs.h - who owns a socket: a scan of /proc/PID/fd for the inodes a dump returned. */
#ifndef TCPSTATE_PROCS_H
#define TCPSTATE_PROCS_H

#include <stdbool.h>
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
	uint32_t failed;   /* processes we could not look into for lack of resources */
	int fail_errno;	   /* why (EMFILE, ENFILE, ENOMEM), when failed */
};

struct procs;

/*
 * Find the owners of the given socket inodes (zeros are ignored). proc_root is normally
 * "/proc" (tests may pass another tree). Returns 0 or a negative errno when /proc itself
 * cannot be read. Unreadable or vanishing processes are counted in stats, not errors;
 * so are processes we could not look into because a descriptor or memory ran out
 * (stats->failed): their sockets' owners are unknown, not absent.
 */
int procs_scan(const char *proc_root, const uint32_t *inodes, size_t n,
	       struct procs **ret, struct procs_stats *ret_stats);

/*
 * Which processes can own the sockets a filter wants (see filter_owner_select): only
 * the pids listed (when ok is NULL), or the processes whose comm passes ok.
 */
#define PROCS_SELECT_PIDS 16
struct procs_select {
	pid_t pids[PROCS_SELECT_PIDS];
	int n_pids;
	bool (*ok)(const void *data, pid_t pid, const char *comm);
	const void *data;
};

/*
 * The owners of every socket the selected processes hold: --pid N reads /proc/N/fd
 * alone, --process NAME reads every comm but the fd directories of the matching
 * processes only. Returns as procs_scan.
 */
int procs_scan_select(const char *proc_root, const struct procs_select *sel,
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

/* The inode of a "socket:[12345]" fd link of len bytes; 0 when it is not one. */
uint32_t procs_socket_inode(const char *link, ssize_t len);

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
