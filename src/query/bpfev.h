/* bpfev.h - the eBPF event source: TCP state transitions from the kernel's tracepoint. */
#ifndef TCPSTATE_BPFEV_H
#define TCPSTATE_BPFEV_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/bpf/tcpstate_bpf.h"

/* What the kernel program may drop before user space sees it (0 = anything). */
struct bpfev_config {
	uint32_t state_mask; /* bit per TCP_* state; a transition passes on either end */
	uint16_t sport, dport; /* exact local/remote port */
	uint8_t family;	       /* AF_INET, AF_INET6 or 0 */
	bool all_netns;	       /* every namespace; else only netns[] */
	const uint32_t *netns; /* namespace inodes, at most TSB_MAX_NETNS */
	size_t n_netns;
};

struct bpfev;

/* True when this binary was built with the eBPF backend. */
bool bpfev_built(void);

/*
 * Load and attach the tracepoint program. Returns 0, or a negative errno with *ret_why a
 * static phrase saying why it cannot run ("built without eBPF support", "needs CAP_BPF
 * and CAP_PERFMON", "the kernel has no BTF", "the tracepoint
 * sock:inet_sock_set_state is missing", ...). Never prints (libbpf's log is silenced).
 */
int bpfev_open(const struct bpfev_config *c, struct bpfev **ret, const char **ret_why);

/* A descriptor that becomes readable when events are waiting. */
int bpfev_fd(const struct bpfev *b);

/*
 * Hand every waiting event to fn, oldest first; stops early when fn returns non-zero.
 * Returns the number handed over, fn's negative value, or a negative errno.
 */
int bpfev_drain(struct bpfev *b, int (*fn)(const struct tsb_event *e, void *data),
		void *data);

/* Events the kernel dropped because the ring buffer was full, since bpfev_open. */
uint64_t bpfev_lost(const struct bpfev *b);

/*
 * Transitions the program never ran for (the kernel does not run a BPF program nested in
 * itself on one CPU), found when a socket's next transition does not start where its
 * last one ended.
 */
uint64_t bpfev_missed(const struct bpfev *b);

/* Detach and free. Accepts NULL. */
void bpfev_close(struct bpfev *b);

#endif
