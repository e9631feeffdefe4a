/* explain_topics.h - --explain's lessons beyond the states: three-way, four-way,
 * half-close, 2msl, rst, half-open, reuseaddr, simultaneous. */
#ifndef TCPSTATE_EXPLAIN_TOPICS_H
#define TCPSTATE_EXPLAIN_TOPICS_H

/* One lesson: a title and plain-ASCII paragraphs. */
struct explain_topic {
	const char *name;
	const char *title;
	const char *const *paras; /* NULL-terminated */
};

/* The lessons, terminated by a NULL name, in the order --explain lists them. */
extern const struct explain_topic explain_topic_table[];

/* The lesson of that name (case-insensitive), or NULL. */
const struct explain_topic *explain_topic_find(const char *name);

#endif
