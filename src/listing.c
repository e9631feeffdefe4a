/* listing.c - the default view: the netstat-style table of sockets. */
#include <errno.h>
#include <string.h>

#include "columns.h"
#include "run.h"
#include "table.h"

int view_list(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct column_list cols;
	struct collect c;
	const char *bad = NULL;
	int err;

	err = column_list_build(o, o->all_netns, &cols, &bad);
	if (err < 0)
		return run_error(ctx, -EINVAL, "unknown column '%s' (see --list-columns)",
				 bad ? bad : "?");
	err = collect_sockets(ctx, column_list_needs(&cols), &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	struct col_ctx cc = { c.procs, o->resolve, o->all_netns, ctx->msgs->netns };
	struct table_opts t = { !o->no_header, ctx->term->tty ? ctx->term->width : 0,
				ctx->term->color };
	err = table_render(ctx->out, &c.socks, &cols, &cc, &t);
	collect_done(&c);
	return err;
}
