/* view_events_source.c - -E: the eBPF tracepoint when --events-source allows, else polls.
 */
#include "render/output.h"
#include "views/events_bpf.h"
#include "views/view_events.h"
#include "views/views.h"

int view_events(const struct run_ctx *ctx)
{
	bool fallback = true;
	struct output out;
	int err;

	output_init(&out, ctx->out, ctx->opts, ctx->term);
	err = events_check_format(ctx, &out);
	if (err < 0)
		return err;
	if (ctx->opts->events_source != EVSRC_POLL) {
		err = events_bpf_run(ctx, &fallback);
		if (err < 0 || !fallback)
			return err;
	}
	return events_poll(ctx);
}
