/* fmt_lines.c - the lines format: one line of counts per summary (a time series with -c).
 */
#include <errno.h>
#include <string.h>

#include "model/states.h"
#include "render/fmt_lines.h"

/* A count column is as wide as its name, and at least this wide. */
#define MIN_WIDTH 6

static int col_width(const char *name)
{
	int n = (int)strlen(name);

	return n > MIN_WIDTH ? n : MIN_WIDTH;
}

int fmt_lines_summary(FILE *out, const struct summary *sum, bool header)
{
	bool unknown = summary_state_total(sum, TS_NSTATES) != 0;
	int last = unknown ? TS_NSTATES : TS_NSTATES - 1;

	if (header) {
		fprintf(out, "%*s", col_width("total"), "total");
		for (int st = 0; st <= last; st++) {
			const char *name =
			    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN";
			fprintf(out, " %*s", col_width(name), name);
		}
		putc('\n', out);
	}
	fprintf(out, "%*llu", col_width("total"),
		(unsigned long long)summary_family_total(sum, -1));
	for (int st = 0; st <= last; st++) {
		const char *name =
		    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN";
		fprintf(out, " %*llu", col_width(name),
			(unsigned long long)summary_state_total(sum, st));
	}
	putc('\n', out);
	return ferror(out) ? -EIO : 0;
}
