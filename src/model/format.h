/* format.h - the output formats by name: what --format takes and the completion offers.
 */
#ifndef TCPSTATE_FORMAT_H
#define TCPSTATE_FORMAT_H

#include <stddef.h>

/* The formats; render/output.c maps each to its renderers. */
enum out_format {
	FMT_TABLE = 0,
	FMT_JSON,
	FMT_JSONL,
	FMT_CSV,
	FMT_OPENMETRICS,
	FMT_LINES, /* one line of counts per state (per frame with -c), like vmstat */
	FMT_COUNT,
};

/* The names in enum order, NULL-terminated (--format, --complete formats). */
extern const char *const format_names[];

/* The name of a format ("?" when out of range). */
const char *format_name(enum out_format f);

/* The format called name. Returns its enum out_format, or -EINVAL when none is. */
int format_find(const char *name);

/* The names as "table, json, jsonl, csv, openmetrics or lines" for messages. Returns the
 * length (truncated to sz, always NUL-terminated when sz > 0). */
size_t format_names_text(char *buf, size_t sz);

#endif
