/* evline.h - what every format's -E event line is built from: a bounded line buffer and
 * time stamps. */
#ifndef TCPSTATE_EVLINE_H
#define TCPSTATE_EVLINE_H

#include <stdbool.h>
#include <stddef.h>

/* A line being built in a caller's buffer; it truncates, never overflows. */
struct evline {
	char *buf;
	size_t sz, at;
};

/* Start an empty line in buf (NUL-terminated when sz > 0). */
void evline_init(struct evline *l, char *buf, size_t sz);

/* Append printf-style text; what does not fit is dropped. */
void evline_put(struct evline *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A wall-clock time (CLOCK_REALTIME seconds) as "2026-01-02T03:04:05.678Z" (iso, UTC) or
 * local "03:04:05.678". */
void evline_time(double wall, bool iso, char *buf, size_t sz);

#endif
