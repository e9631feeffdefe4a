/* view_hist.c - the --hist view: count while the dump streams, then print by count. */
#include <errno.h>
#include <string.h>

#include "aggregate/hist.h"
#include "base/escape.h"
#include "model/columns.h"
#include "render/bars.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_om.h"
#include "render/table.h"
#include "views/run.h"
#include "views/views.h"

static int count_one(const struct sock_rec *s, void *data)
{
	return hist_add(data, s);
}

/* What to show: --top N, else in a table on a terminal what fits its height. */
static struct hist_limit pick_limit(const struct run_ctx *ctx, const struct hist *h)
{
	const struct opts *o = ctx->opts;
	struct hist_limit l = {0, 0};

	if (o->top > 0) {
		l.groups = (size_t)o->top;
		l.subs = (size_t)o->top;
		return l;
	}
	if (o->format == FMT_TABLE && ctx->term->tty && ctx->term->height > 0)
		/* header, Total and the shell prompt */
		return hist_fit(h, ctx->term->height - (o->no_header ? 1 : 3));
	return l;
}

static int render(const struct run_ctx *ctx, const struct hist *h)
{
	const struct opts *o = ctx->opts;
	struct hist_limit lim = pick_limit(ctx, h);

	switch (o->format) {
	case FMT_JSON:
	case FMT_JSONL:
		return fmt_json_hist(ctx->out, h, &lim, o->format == FMT_JSONL);
	case FMT_CSV:
		return fmt_csv_hist(ctx->out, h, &lim, !o->no_header);
	case FMT_OPENMETRICS:
		return fmt_om_hist(ctx->out, h, &lim);
	default: {
		struct hist_render r = {!o->no_header, ctx->term->color,
					ctx->term->tty && ctx->term->utf8,
					ctx->term->tty ? ctx->term->width : 0, lim};
		return hist_render_table(ctx->out, h, &r);
	}
	}
}

int view_hist(const struct run_ctx *ctx)
{
	const char *bad = NULL;
	char names[256];
	struct hist h;
	struct collect c;
	int err;

	err = hist_init(&h, ctx->opts->hist, &bad);
	if (err == -EINVAL) {
		hist_key_names(names, sizeof(names));
		return run_error(ctx, err,
				 "unknown --hist key '%s' (one or two of %s, "
				 "separated by a comma)",
				 bad ? bad : "", names);
	}
	if (err < 0)
		return run_error(ctx, err, "out of memory");
	memset(&c, 0, sizeof(c));
	h.netns = &ctx->msgs->netns;
	if (!(hist_needs(&h) & COL_NEED_PROCS)) {
		err = collect_stream(ctx, 0, count_one, &h, NULL);
	} else {
		/* owners come from a /proc scan after the dump: the sockets are kept */
		err = collect_sockets(ctx, COL_NEED_PROCS, &c);
		h.procs = c.procs;
		for (size_t i = 0; err == 0 && i < c.socks.n; i++)
			err = hist_add(&h, &c.socks.v[i]);
	}
	if (err == 0)
		err = hist_finish(&h);
	collect_done(&c);
	h.procs = NULL;
	if (err == 0)
		err = render(ctx, &h);
	if (err == -ENOMEM && !ctx->msgs->error)
		run_error(ctx, err, "out of memory");
	hist_done(&h);
	return err;
}
