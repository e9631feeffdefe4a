/* view_summary.c - -s: count sockets per state and family while the dump streams; nothing
 * is kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "aggregate/summary.h"
#include "render/bars.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_om.h"
#include "render/table.h"
#include "views/run.h"
#include "views/views.h"

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

#define STATE_COL 11 /* strlen("ESTABLISHED") */

int summary_render_table(FILE *out, const struct summary *sum,
			 const struct summary_render *r)
{
	uint64_t max = 0, all = summary_family_total(sum, -1);
	int nw = 5; /* strlen("Total") */
	char bar[BARS_BYTES(64)];

	for (int st = 0; st <= TS_NSTATES; st++)
		if (summary_state_total(sum, st) > max)
			max = summary_state_total(sum, st);
	if (digits(all) > nw)
		nw = digits(all);
	int bw = bars_width(r->width, STATE_COL + 3 * (nw + 2) + 1);
	if (r->header)
		fprintf(out, "%-*s  %*s  %*s  %*s\n", STATE_COL, "State", nw, "IPv4", nw,
			"IPv6", nw, "Total");
	for (int st = 0; st <= TS_NSTATES; st++) {
		uint64_t v4 = sum->count[SUMMARY_IPV4][st],
			 v6 = sum->count[SUMMARY_IPV6][st];
		const char *name =
		    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN";
		const char *color = r->color ? table_state_color((enum ts_state)st) : "";
		if (st == TS_NSTATES && !v4 && !v6)
			break;
		bars_draw(v4 + v6, max, bw, r->utf8, bar, sizeof(bar));
		fprintf(out, "%s%s%s%*s  %*llu  %*llu  %*llu%s%s\n", color, name,
			*color ? "\033[0m" : "", STATE_COL - (int)strlen(name), "", nw,
			(unsigned long long)v4, nw, (unsigned long long)v6, nw,
			(unsigned long long)(v4 + v6), *bar ? "  " : "", bar);
	}
	if (r->header)
		fprintf(out, "%-*s  %*llu  %*llu  %*llu\n", STATE_COL, "Total", nw,
			(unsigned long long)summary_family_total(sum, SUMMARY_IPV4), nw,
			(unsigned long long)summary_family_total(sum, SUMMARY_IPV6), nw,
			(unsigned long long)all);
	return ferror(out) ? -EIO : 0;
}

static int count_one(const struct sock_rec *s, void *data)
{
	return summary_add(data, s);
}

int view_summary(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct opts all = *o;
	struct run_ctx c = *ctx;
	struct summary sum;
	int err;

	/* A summary covers every state unless -l or a state filter narrows it. */
	if (!all.listening)
		all.all = 1;
	c.opts = &all;
	summary_init(&sum, o->format == FMT_OPENMETRICS);
	err = collect_stream(&c, 0, count_one, &sum, NULL);
	if (err < 0) {
		summary_done(&sum);
		return err == -ENOMEM && !ctx->msgs->error
			   ? run_error(ctx, err, "out of memory")
			   : err;
	}
	summary_finish(&sum);
	switch (o->format) {
	case FMT_JSON:
	case FMT_JSONL:
		err = fmt_json_summary(ctx->out, &sum, o->format == FMT_JSONL);
		break;
	case FMT_CSV:
		err = fmt_csv_summary(ctx->out, &sum, !o->no_header);
		break;
	case FMT_OPENMETRICS:
		err = fmt_om_summary(ctx->out, &sum);
		break;
	default: {
		struct summary_render r = {!o->no_header, ctx->term->color,
					   ctx->term->tty && ctx->term->utf8,
					   ctx->term->tty ? ctx->term->width : 0};
		err = summary_render_table(ctx->out, &sum, &r);
		break;
	}
	}
	summary_done(&sum);
	return err;
}
