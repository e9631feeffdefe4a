/* counts.c - collect and count what -s shows; nothing but the counts is kept. */
#include <errno.h>
#include <stdlib.h>

#include "views/counts.h"

struct counting {
	struct summary *sum;
	struct hist *units; /* NULL unless --unit-metrics */
};

static int count_one(const struct sock_rec *s, void *data)
{
	struct counting *c = data;
	int err = summary_add(c->sum, s);

	if (err == 0 && c->units)
		err = hist_add(c->units, s);
	return err;
}

int counts_summary(const struct run_ctx *ctx, bool keep_listeners, struct summary *ret)
{
	struct query q = *ctx->query;
	struct counting c = {ret, NULL};
	int err;

	summary_init(ret, keep_listeners);
	/* A summary covers every state unless -l or a state filter narrows it. */
	query_select_all(&q, true);
	if (ctx->opts->unit_metrics && keep_listeners) {
		c.units = calloc(1, sizeof(*c.units));
		const char *bad = NULL;
		if (!c.units || hist_init(c.units, "unit,state", &bad) < 0) {
			free(c.units);
			return run_error(ctx, -ENOMEM, "out of memory");
		}
		c.units->cgroups = ctx->cstate->cgroups;
		q.needs |= COL_NEED_CGROUP;
	}
	err = collect_stream(&q, ctx->cstate, count_one, &c, NULL);
	if (err == 0 && c.units)
		err = hist_finish(c.units);
	ret->units = c.units;
	if (err < 0)
		return err == -ENOMEM && !ctx->msgs->error
			   ? run_error(ctx, err, "out of memory")
			   : err;
	summary_finish(ret);
	return 0;
}
