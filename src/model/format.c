/* format.c - the output formats' names, in one table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/format.h"

const char *const format_names[FMT_COUNT + 1] = {
    [FMT_TABLE] = "table",
    [FMT_JSON] = "json",
    [FMT_JSONL] = "jsonl",
    [FMT_CSV] = "csv",
    [FMT_OPENMETRICS] = "openmetrics",
    [FMT_LINES] = "lines",
    [FMT_COUNT] = NULL,
};

const char *format_name(enum out_format f)
{
	return (unsigned)f < FMT_COUNT ? format_names[f] : "?";
}

int format_find(const char *name)
{
	for (int f = 0; f < FMT_COUNT; f++)
		if (strcmp(name, format_names[f]) == 0)
			return f;
	return -EINVAL;
}

size_t format_names_text(char *buf, size_t sz)
{
	size_t o = 0;

	if (sz)
		buf[0] = '\0';
	for (int f = 0; f < FMT_COUNT && o < sz; f++) {
		const char *sep = !f ? "" : f == FMT_COUNT - 1 ? " or " : ", ";
		int n = snprintf(buf + o, sz - o, "%s%s", sep, format_names[f]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return o < sz ? o : (sz ? sz - 1 : 0);
}
