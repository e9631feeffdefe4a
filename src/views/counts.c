/* counts.c - collect and count what -s shows; nothing but the counts is kept. */
#include <errno.h>

#include "views/counts.h"

static int count_one(const struct sock_rec *s, void *data)
{
	return summary_add(data, s);
}

int counts_summary(const struct run_ctx *ctx, bool keep_listeners, struct summary *ret)
{
	struct query q = *ctx->query;
	int err;

	summary_init(ret, keep_listeners);
	/* A summary covers every state unless -l or a state filter narrows it. */
	query_select_all(&q, true);
	err = collect_stream(&q, ctx->cstate, count_one, ret, NULL);
	if (err < 0)
		return err == -ENOMEM && !ctx->msgs->error
			   ? run_error(ctx, err, "out of memory")
			   : err;
	summary_finish(ret);
	return 0;
}
