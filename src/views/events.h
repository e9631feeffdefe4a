/* events.h - -E/--events: TCP lifecycle events from polling plus destroy notifications.
 */
#ifndef TCPSTATE_EVENTS_H
#define TCPSTATE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggregate/evtrack.h"

/*
 * Write one event as a line (with '\n'): the table form "TIME EVENT LOCAL PEER IN-STATE
 * [OWNERS] [DETAILS]" (owners only when with_owners) or, with json, one JSON object.
 * Returns the length (truncated to sz, always NUL-terminated when sz > 0).
 */
size_t events_format(const struct ev_event *e, bool json, bool with_owners, char *buf,
		     size_t sz);

/* The table header line matching events_format (with '\n'). */
size_t events_header(bool with_owners, char *buf, size_t sz);

#endif
