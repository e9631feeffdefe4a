/* counts.c - collect and count what -s shows; nothing but the counts is kept. */
#include <errno.h>

#include "views/counts.h"

static int count_one(const struct sock_rec *s, void *data)
{
	return summary_add(data, s);
}

int counts_summary(const struct run_ctx *ctx, bool keep_listeners, struct summary *ret)
{
	struct opts all = *ctx->opts;
	struct run_ctx c = *ctx;
	int err;

	summary_init(ret, keep_listeners);
	/* A summary covers every state unless -l or a state filter narrows it. */
	if (!all.listening)
		all.all = 1;
	c.opts = &all;
	err = collect_stream(&c, 0, count_one, ret, NULL);
	if (err < 0)
		return err == -ENOMEM && !ctx->msgs->error
			   ? run_error(ctx, err, "out of memory")
			   : err;
	summary_finish(ret);
	return 0;
}
