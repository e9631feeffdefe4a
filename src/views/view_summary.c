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
