/* explain.h - --explain: the 11 states, the handshake and the close, in words. */
#ifndef TCPSTATE_EXPLAIN_H
#define TCPSTATE_EXPLAIN_H

#include <stdio.h>

#include "model/states.h"

/* What we say about one state; every field is one paragraph of plain ASCII. */
struct explain_state_text {
	const char *netstat;	 /* how netstat -tan spells it, e.g. "SYN_RECV" */
	const char *kernel;	 /* the kernel's name, e.g. "TCP_SYN_RECV" */
	const char *meaning;	 /* what the state means */
	const char *side;	 /* who is in it: active/passive, client/server */
	const char *moved_on_by; /* the segment, call or timer that moves it on */
	const char *duration;	 /* how long it lasts on Linux, and the sysctls */
	const char *many_means;	 /* what a large number of them usually says */
};

/* The text for one state; NULL when s is not one of the 11 states. */
const struct explain_state_text *explain_state(enum ts_state s);

/*
 * Write the explanation of topic to out, wrapped to width columns (80 when width <= 0;
 * widths below 40 are raised to 40 and above 100 lowered to 100, for readability).
 * Topics: NULL or "" for all 11 states; "handshake" or "close" for the walkthroughs;
 * the lessons of explain_topics.h ("three-way", "2msl", "rst"...); "sysctl" for the
 * kernel settings that govern the durations; otherwise any spelling
 * state_parse() accepts. A group name explains each state in the group, in lifecycle
 * order. The walkthrough names win over state spellings ("close" is the walkthrough,
 * "closed" the state). Case-insensitive.
 * Returns 0, -ENOENT for an unknown topic (nothing written), or -EIO on a write error.
 */
int explain_write(FILE *out, const char *topic, int width);

/*
 * NULL-terminated list of topic words for completion: the 11 canonical state names in
 * lifecycle order, then "handshake", "close", the lessons ("three-way", "four-way",
 * "half-close", "2msl", "rst", "half-open", "reuseaddr", "simultaneous") and "sysctl".
 * Static storage.
 */
const char *const *explain_topics(void);

#endif
