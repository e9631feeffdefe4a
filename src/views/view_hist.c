/* view_hist.c - the --hist view: count while the dump streams, then print by count. */
#include <errno.h>
#include <string.h>

#include "aggregate/hist.h"
#include "model/columns.h"
#include "render/output.h"
#include "views/run.h"
#include "views/views.h"

static int count_one(const struct sock_rec *s, void *data)
{
	return hist_add(data, s);
}

/* What to show: --top N, else for people on a terminal what fits its height. */
static struct hist_limit pick_limit(const struct run_ctx *ctx, const struct output *out,
				    const struct hist *h)
{
	const struct opts *o = ctx->opts;
	struct hist_limit l = {0, 0};

	if (o->top > 0 && h->nkeys == 1) {
		l.groups = (size_t)o->top;
		return l;
	}
	if (o->top > 0) /* N lines in all, the ones that sum the rest included */
		return hist_fit(h, (int)o->top);
	if (output_format_human(out->format) && out->height > 0)
		/* header, Total and the shell prompt */
		return hist_fit(h, out->height - (o->no_header ? 1 : 3));
	return l;
}

static int render(const struct run_ctx *ctx, const struct hist *h)
{
	struct output out;

	output_init(&out, ctx->out, ctx->opts, ctx->term);
	struct hist_limit lim = pick_limit(ctx, &out, h);
	return output_hist(&out, h, &lim);
}

int view_hist(const struct run_ctx *ctx)
{
	const char *bad = NULL;
	char names[256];
	struct output out;
	struct hist h;
	struct collect c;
	int err;

	output_init(&out, ctx->out, ctx->opts, ctx->term);
	if (!output_has(&out, OUTPUT_HIST))
		return run_error(
		    ctx, -EINVAL,
		    "'--format %s' has no histogram form (it shows the counts "
		    "per state of -s)",
		    format_name(out.format));
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
	h.netns = &ctx->cstate->netns;
	h.cgroups = ctx->cstate->cgroups;
	struct query q = *ctx->query;
	q.needs = hist_needs(&h) & (COL_NEED_PROCS | COL_NEED_CGROUP);
	if (!(q.needs & COL_NEED_PROCS)) {
		err = collect_stream(&q, ctx->cstate, count_one, &h, NULL);
	} else {
		/* owners come from a /proc scan after the dump: the sockets are kept */
		err = collect_sockets(&q, ctx->cstate, &c);
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
