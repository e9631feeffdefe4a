/* evtrack.h - the -E engine's model: sockets remembered between polls, the events
 * between two polls, and the tracker that makes them. */
#ifndef TCPSTATE_EVTRACK_H
#define TCPSTATE_EVTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"

/* The tcp_info numbers an event line shows. */
struct ev_info {
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint32_t rtt_us;
	uint32_t total_retrans;
	bool have;
};

/* One socket as the tracker remembers it between polls. */
struct ev_sock {
	uint64_t cookie;
	double since; /* CLOCK_MONOTONIC s when first seen in its state; 0: unknown */
	uint8_t family;
	uint8_t state; /* enum ts_state */
	uint8_t kstate;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint32_t inode;
	/* Owners packed as "PID\0COMM\0" pairs ending in an empty PID, raw bytes (escape
	 * to print); malloc'd, NULL when unknown. */
	char *owners;
	bool want_owners;
	struct ev_info info;
};

enum ev_kind {
	EV_NEW,	   /* a socket appeared */
	EV_CHANGE, /* old state -> new state */
	EV_GONE,   /* a socket we saw disappeared */
	EV_BRIEF,  /* opened and closed between two polls: known only from its destroy */
};

struct ev_event {
	enum ev_kind kind;
	double wall;	 /* CLOCK_REALTIME seconds */
	double in_state; /* seconds spent in the previous state; < 0 when unknown */
	/* enum ts_state: old for CHANGE and GONE, new for NEW and CHANGE */
	uint8_t old_state, new_state;
	const struct ev_sock *sock;
	unsigned order; /* creation order: ties in wall keep it */
	/* from the eBPF source: the task in process context (0: softirq) and namespace */
	bool traced;
	uint32_t pid;
	const char *comm; /* raw bytes, NUL-terminated; NULL with pid 0 */
	uint32_t netns;
};

/* The tracker: what the last poll saw, keyed by socket cookie. */
struct ev_tracker;

/* Allocate. Returns 0 or -ENOMEM. */
int evtrack_new(struct ev_tracker **ret);

/* Free. Accepts NULL. */
void evtrack_free(struct ev_tracker *t);

/* Start a poll: the last poll's sockets become the previous ones, events are dropped. */
void evtrack_begin(struct ev_tracker *t);

/* Add one polled socket (s NULL: the dump restarted, forget this poll's). Returns 0 or
 * -ENOMEM. Usable as a diag_sock_fn. */
int evtrack_add(const struct sock_rec *s, void *t);

/* Remember a destroy notification received at mono/wall seconds. Returns 0 or -ENOMEM. */
int evtrack_destroyed(struct ev_tracker *t, const struct sock_rec *s, double mono,
		      double wall);

/*
 * Finish the poll made at mono/wall: compare with the previous one and make the events,
 * ordered by time. A destroy notification for a socket either poll saw adds its final
 * tcp_info to it; one for an unknown socket is an EV_BRIEF event when brief_ok accepts
 * it (brief_ok NULL accepts all). With baseline (the first poll) no events are made.
 * Returns the number of events; they stay valid until the next evtrack_begin.
 */
size_t evtrack_finish(struct ev_tracker *t, double mono, double wall, bool baseline,
		      bool (*brief_ok)(const struct sock_rec *s, void *data), void *data);

/* The events of the last evtrack_finish. */
const struct ev_event *evtrack_events(const struct ev_tracker *t, size_t *ret_n);

/*
 * The inodes of the sockets of the last poll that want their owners looked up: an inode,
 * no owners yet, and new or with a new inode (an accepted connection gets its file late).
 * Fills at most max; returns how many there are in all.
 */
size_t evtrack_owner_inodes(const struct ev_tracker *t, uint32_t *inodes, size_t max);

/*
 * Call lookup for each socket that wants its owners; lookup packs them into buf (see
 * ev_sock.owners) and returns the length, or 0 when it knows none. The text is copied.
 * Returns 0 or -ENOMEM.
 */
int evtrack_fill_owners(struct ev_tracker *t,
			size_t (*lookup)(uint32_t inode, char *buf, size_t sz,
					 void *data),
			void *data);

#endif
