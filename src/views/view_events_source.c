/* view_events_source.c - -E: the eBPF tracepoint when --events-source allows, else polls.
 */
#include "views/events.h"
#include "views/events_bpf.h"
#include "views/views.h"

int view_events(const struct run_ctx *ctx)
{
	bool fallback = true;
	int err;

	err = events_check_format(ctx);
	if (err < 0)
		return err;
	if (ctx->opts->events_source != EVSRC_POLL) {
		err = events_bpf_run(ctx, &fallback);
		if (err < 0 || !fallback)
			return err;
	}
	return events_poll(ctx);
}
