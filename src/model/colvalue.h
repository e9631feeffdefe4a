/* colvalue.h - each column's value as a filter compares it: typed, in base units. */
#ifndef TCPSTATE_COLVALUE_H
#define TCPSTATE_COLVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"

/* What a column's values are, and so which units and operators a filter may use. */
enum col_unit {
	CU_TEXT = 0, /* a string: ==, != (exact or glob), ~ and !~ (regex) */
	CU_COUNT,    /* a plain whole number */
	CU_BYTES,    /* bytes; plain numbers are bytes, k/M/G are powers of 1024 */
	CU_DURATION, /* held in microseconds; plain numbers are milliseconds */
	CU_RATE,     /* bits per second; k/M/G are powers of 1000 */
	CU_NUNITS,
};

/* One unit a value of a column may carry: "ms" multiplies by 1000 (microseconds). */
struct col_suffix {
	const char *suffix; /* "" for a plain number */
	uint64_t mult;	    /* to the base unit */
};

struct col_value {
	const char *name; /* the column (column_table) */
	enum col_unit unit;
	bool fold; /* text compared without regard to case (state names) */
	/* Numbers: the value in the base unit; false when the socket has none (TIME_WAIT
	 * has no rtt, a socket without a running timer no expiry). */
	bool (*num)(const struct sock_rec *s, uint64_t *ret);
	/* Text: write the value (NUL-terminated); false when the socket has none. */
	bool (*text)(const struct sock_rec *s, char *buf, size_t sz);
};

/* The table, one entry per filterable column, terminated by a NULL name. */
extern const struct col_value colvalue_table[];

/* Look a column up by name; NULL when it cannot be compared (owners) or is unknown. */
const struct col_value *colvalue_find(const char *name);

/* "text", "count", "size", "duration" or "rate": the unit as the docs name it. */
const char *colvalue_unit_name(enum col_unit u);

/* The suffixes a value of this unit may carry, terminated by a NULL suffix; the first
 * entry is the plain number (""). */
const struct col_suffix *colvalue_suffixes(enum col_unit u);

/* "k, M, G" or "ms, s, m, h": the suffixes to suggest in an error message. */
const char *colvalue_suffix_hint(enum col_unit u);

/* The unit of a column by name as --list-columns shows it ("size", "duration"...), or
 * NULL when the column cannot be compared (owners). */
const char *colvalue_unit_of(const char *column);

/* A value of this unit for examples in messages: "64k", "100ms". */
const char *colvalue_example(enum col_unit u);

#endif
