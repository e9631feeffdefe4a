/* states.h - the 11 documented TCP states, their spellings, groups and kernel codes. */
#ifndef TCPSTATE_STATES_H
#define TCPSTATE_STATES_H

#include <stdbool.h>
#include <stdint.h>

/* Our own state ids, in lifecycle order (the order every view lists them in). */
enum ts_state {
	TS_CLOSED = 0,
	TS_LISTEN,
	TS_SYN_SENT,
	TS_SYN_RCVD,
	TS_ESTABLISHED,
	TS_FIN_WAIT_1,
	TS_FIN_WAIT_2,
	TS_CLOSE_WAIT,
	TS_CLOSING,
	TS_LAST_ACK,
	TS_TIME_WAIT,
	TS_NSTATES,
	TS_UNKNOWN = TS_NSTATES,
};

/* A set of our states: bit (1 << enum ts_state). */
typedef uint16_t state_set;

#define STATE_BIT(s) ((state_set)(1u << (s)))
#define STATE_SET_ALL ((state_set)((1u << TS_NSTATES) - 1))
/* netstat's default view: everything but LISTEN and CLOSED. */
#define STATE_SET_DEFAULT                                                                \
	((state_set)(STATE_SET_ALL & ~STATE_BIT(TS_LISTEN) & ~STATE_BIT(TS_CLOSED)))

/* Kernel state codes (include/net/tcp_states.h); not all are in uapi headers. */
enum {
	KTCP_ESTABLISHED = 1,
	KTCP_SYN_SENT = 2,
	KTCP_SYN_RECV = 3,
	KTCP_FIN_WAIT1 = 4,
	KTCP_FIN_WAIT2 = 5,
	KTCP_TIME_WAIT = 6,
	KTCP_CLOSE = 7,
	KTCP_CLOSE_WAIT = 8,
	KTCP_LAST_ACK = 9,
	KTCP_LISTEN = 10,
	KTCP_CLOSING = 11,
	KTCP_NEW_SYN_RECV = 12,
	KTCP_BOUND_INACTIVE = 13, /* dump-only pseudo state, kernel 6.8+ */
};

struct state_info {
	enum ts_state id;
	const char *name;    /* canonical output spelling, e.g. "FIN_WAIT_1" */
	const char *ss_name; /* what ss prints, e.g. "FIN-WAIT-1" */
	uint8_t kernel_code; /* the code the kernel reports */
	const char *summary; /* one line: what the state means */
};

/* The table of the 11 states, indexed by enum ts_state. */
extern const struct state_info state_table[TS_NSTATES];

struct state_group {
	const char *name; /* "handshake", "teardown", ... */
	state_set set;
	const char *help;
};

/* Named groups of states, terminated by a NULL name. */
extern const struct state_group state_groups[];

/* Canonical name for a state id; "UNKNOWN" for anything out of range. */
const char *state_name(enum ts_state s);

/* Map a kernel state code to our id; TS_UNKNOWN when the code is not one we know. */
enum ts_state state_from_kernel(uint8_t kcode);

/*
 * Parse a state name in any common spelling (netstat, ss, lsfd, RFC; case-insensitive,
 * '-' and '_' alike) or a group name. Returns 0 and sets *ret_set, or -EINVAL.
 */
int state_parse(const char *word, state_set *ret_set);

/* The closest state or group name to a misspelled word, or NULL if nothing is close. */
const char *state_suggest(const char *word);

/*
 * Kernel idiag_states mask for a set of our states. Adds NEW_SYN_RECV with SYN_RCVD and
 * BOUND_INACTIVE with CLOSED (the latter only when bound_inactive is true).
 */
uint32_t state_set_to_kernel(state_set set, bool bound_inactive);

/* Number of states in a set. */
int state_set_count(state_set set);

#endif
