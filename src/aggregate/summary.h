/* summary.h - the counts behind -s and OpenMetrics: sockets per state and family,
 * counted while the dump streams. */
#ifndef TCPSTATE_SUMMARY_H
#define TCPSTATE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate/hist.h"
#include "model/sock.h"
#include "model/states.h"

/* Index of a family in the count arrays. */
enum { SUMMARY_IPV4 = 0, SUMMARY_IPV6, SUMMARY_NFAMILIES };

/* One listening endpoint, for the accept-queue gauges; listeners sharing an endpoint
 * (SO_REUSEPORT) are merged so that every endpoint is one time series. */
struct summary_listener {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint64_t netns;	  /* namespace inode with --all-netns, else 0 */
	uint64_t queue;	  /* connections waiting in accept (Recv-Q of a LISTEN socket) */
	uint64_t backlog; /* the accept backlog (its Send-Q) */
};

struct summary {
	/* [family][state]; index TS_UNKNOWN counts states the kernel added after us */
	uint64_t count[SUMMARY_NFAMILIES][TS_NSTATES + 1];
	bool keep_listeners; /* remember LISTEN endpoints (OpenMetrics) */
	struct summary_listener *lst;
	size_t n_lst, cap_lst;
	/* --unit-metrics: sockets per unit and state (counted and owned by the caller),
	 * NULL when not asked for */
	const struct hist *units;
};

/* Start counting; keep_listeners makes summary_add remember LISTEN sockets. */
void summary_init(struct summary *sum, bool keep_listeners);

/* Count one socket (NULL: forget everything, the dump restarts). Returns 0 or -ENOMEM. */
int summary_add(struct summary *sum, const struct sock_rec *s);

/* Sort the listeners by family, address and port and merge equal endpoints. */
void summary_finish(struct summary *sum);

/* Sockets in one state over both families. */
uint64_t summary_state_total(const struct summary *sum, int state);

/* Sockets of one family (SUMMARY_IPV4/6) over every state, or of both with -1. */
uint64_t summary_family_total(const struct summary *sum, int family);

/* Frames of history -c keeps for the summary on a terminal (its sparklines). */
#define SUMMARY_TRAIL_MAX 12

/* The totals per state of the last frames of -c, and a bar scale that only grows. */
struct summary_trail {
	uint64_t n[SUMMARY_TRAIL_MAX][TS_NSTATES + 1]; /* oldest first */
	int frames;	/* frames held, at most SUMMARY_TRAIL_MAX */
	uint64_t scale; /* bars are drawn out of this: 1, 2 or 5 times a power of 10 */
	uint64_t peak_total; /* the largest total seen: the width of the count columns */
};

/* Add a frame's totals to the trail (the oldest goes when it is full) and grow the scale
 * to cover them. */
void summary_trail_push(struct summary_trail *t, const struct summary *sum);

/* Free the listeners. Accepts NULL. */
void summary_done(struct summary *sum);

#endif
