/* netns.h - network namespaces: resolve -N TARGET, find every namespace, enter and
 * return. */
#ifndef TCPSTATE_NETNS_H
#define TCPSTATE_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One network namespace, identified by its nsfs inode and device. */
struct netns_ent {
	uint64_t ino;
	uint64_t dev;
	char *path; /* what to open to enter it: /run/netns/NAME, a file, /proc/PID/ns/net
		     */
	char *
	    label; /* for the NETNS column, terminal-safe: the name, else "INODE(hint)" */
};

/* A set of namespaces, sorted by inode. */
struct netns_list {
	struct netns_ent *v;
	size_t n;
	uint32_t denied; /* processes whose namespace could not be examined (EACCES) */
};

/*
 * Resolve -N TARGET into a list of one: a name under run_dir (normally "/run/netns"), a
 * path to a namespace file (anything with a '/'), or a PID (proc_root/PID/ns/net).
 * Returns 0, -EINVAL for an empty target, or the errno of opening it (-ENOENT: no such
 * name, file or process; -EACCES: another user's process).
 */
int netns_resolve(const char *target, const char *run_dir, const char *proc_root,
		  struct netns_list **ret);

/*
 * Find every network namespace: the files in run_dir and proc_root/[0-9]*\/ns/net,
 * deduplicated by inode. Names come from run_dir; unnamed ones are labelled by inode with
 * a hint (a container id from the first process's cgroup, else "PID/comm"). Processes we
 * may not examine are counted in denied. Returns 0 or a negative errno.
 */
int netns_discover(const char *run_dir, const char *proc_root, struct netns_list **ret);

/* Free. Accepts NULL. */
void netns_list_free(struct netns_list *l);

/* The entry with this inode, or NULL. */
const struct netns_ent *netns_find(const struct netns_list *l, uint64_t ino);

/* The label of the namespace with this inode, or NULL when l is NULL or lacks it. */
const char *netns_label(const struct netns_list *l, uint64_t ino);

/*
 * Move this thread into e's namespace. *ret_saved is a descriptor of the namespace we
 * came from (give it to netns_return), or -1 when e is the current namespace and nothing
 * was done. Returns 0 or a negative errno: -EPERM when setns is denied (CAP_SYS_ADMIN),
 * -ENOENT when the namespace is gone, -EINVAL when the file is not a network namespace.
 */
int netns_enter(const struct netns_ent *e, int *ret_saved);

/* Go back to the namespace saved by netns_enter (nothing when saved < 0) and close it.
 * Returns 0 or a negative errno (the caller is then stranded: treat it as fatal). */
int netns_return(int saved);

/*
 * What netns_for_each calls for each namespace: inside it when err is 0, or, when it
 * could not be entered, with the negative errno of netns_enter (and still where we
 * started). e is NULL for the current namespace (a NULL list). Return 0 to go on;
 * anything else ends the walk and is returned.
 */
typedef int (*netns_visit_fn)(const struct netns_ent *e, int err, void *data);

/*
 * For each namespace of l in order: enter it, call fn, come back. l NULL: call fn once,
 * with e NULL, where we are. Returns 0, the first non-zero return of fn, or the negative
 * errno of coming back, which is also put in *ret_back_err (else 0): this thread is then
 * stranded in another namespace, and the caller must treat it as fatal.
 */
int netns_for_each(const struct netns_list *l, netns_visit_fn fn, void *data,
		   int *ret_back_err);

/* Words for an error of netns_resolve/netns_enter: what is missing, e.g.
 * "setns needs CAP_SYS_ADMIN". Never NULL. */
const char *netns_strerror(int err);

#endif
