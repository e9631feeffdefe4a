/* view_summary.c - -s: count sockets per state and family while the dump streams; nothing
 * is kept. */
#include "aggregate/summary.h"
#include "render/output.h"
#include "views/counts.h"
#include "views/run.h"
#include "views/views.h"

int view_summary(const struct run_ctx *ctx)
{
	struct output out;
	struct summary sum;
	int err;

	output_init(&out, ctx->out, ctx->opts, ctx->term);
	err = counts_summary(ctx, output_summary_listeners(&out), &sum);
	if (err == 0 && ctx->trail && output_format_human(out.format)) {
		summary_trail_push(ctx->trail, &sum);
		out.trail = ctx->trail;
	}
	if (err == 0)
		err = output_summary(&out, &sum);
	summary_done(&sum);
	return err;
}
