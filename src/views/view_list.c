/* view_list.c - the default view: the netstat-style table of sockets, sorted, in any
 * format. */
#include <errno.h>
#include <string.h>

#include "aggregate/sortkeys.h"
#include "aggregate/summary.h"
#include "model/columns.h"
#include "render/colfmt.h"
#include "render/output.h"
#include "views/counts.h"
#include "views/run.h"
#include "views/views.h"

static int sort_error(const struct run_ctx *ctx, const char *bad)
{
	char names[256];
	size_t o = 0;

	names[0] = '\0';
	for (int i = 0; sort_keys[i].name && o < sizeof(names); i++) {
		int n = snprintf(names + o, sizeof(names) - o, "%s%s", i ? ", " : "",
				 sort_keys[i].name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return run_error(ctx, -EINVAL,
			 "unknown sort key '%s' (try %s, or a number column; -KEY sorts "
			 "descending)",
			 bad, names);
}

/*
 * Rows that need no sort and no owners can be printed while the dump streams (the table
 * can), so memory stays flat however many sockets there are (ss's RSS is the bar to
 * meet).
 */
static bool can_stream(const struct run_ctx *ctx, const struct output *out,
		       const struct column_list *cols, const struct sort_spec *sort)
{
	const struct opts *o = ctx->opts;

	return output_has(out, OUTPUT_STREAM) && sort->n == 0 && !o->all_netns &&
	       !(column_list_needs(cols) & COL_NEED_PROCS) &&
	       !filter_needs_procs(ctx->filter);
}

static int stream_rows(const struct run_ctx *ctx, const struct output *out,
		       const struct column_list *cols)
{
	const struct opts *o = ctx->opts;
	struct col_ctx cc = {.resolve = o->resolve,
			     .netns = ctx->cstate->netns,
			     .cgroups = ctx->cstate->cgroups};
	struct output_stream st;
	bool late;
	int err, err2;

	err = output_stream_begin(out, cols, &cc, &st);
	if (err < 0)
		return run_error(ctx, err, "out of memory");
	struct query q = *ctx->query;
	q.needs = column_list_needs(cols);
	err = collect_stream(&q, ctx->cstate, st.row, st.state, NULL);
	err2 = output_stream_end(&st, err >= 0, &late);
	if (late)
		run_note(ctx,
			 "the socket table changed during the dump: some sockets may be "
			 "listed twice");
	return err < 0 ? err : err2;
}

/* A format without socket rows (openmetrics) shows a listing as the counts of -s. */
static int list_counts(const struct run_ctx *ctx, const struct output *out)
{
	struct summary sum;
	int err;

	err = counts_summary(ctx, output_summary_listeners(out), &sum);
	if (err == 0)
		err = output_summary(out, &sum);
	summary_done(&sum);
	return err;
}

int view_list(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct output out;
	struct column_list cols;
	struct sort_spec sort = {.n = 0};
	struct collect c;
	const char *bad = NULL;
	int err;

	output_init(&out, ctx->out, o, ctx->term);
	if (!output_has(&out, OUTPUT_SOCKETS))
		return list_counts(ctx, &out);
	err = column_list_build(o->columns, run_column_groups(o), &cols, &bad);
	if (err < 0)
		return run_error(ctx, -EINVAL, "unknown column '%s' (see --list-columns)",
				 bad ? bad : "?");
	if (o->sort && sort_parse(o->sort, &sort, &bad) < 0)
		return sort_error(ctx, bad);
	if (can_stream(ctx, &out, &cols, &sort))
		return stream_rows(ctx, &out, &cols);
	struct query q = *ctx->query;
	q.needs = column_list_needs(&cols) | sort_needs(&sort);
	err = collect_sockets(&q, ctx->cstate, &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	struct col_ctx cc = {.procs = c.procs,
			     .resolve = o->resolve,
			     .multi_netns = o->all_netns,
			     .netns = ctx->cstate->netns,
			     .cgroups = ctx->cstate->cgroups};
	err = sort_socks(&c.socks, &sort, &cc, colfmt_number);
	if (err < 0) {
		collect_done(&c);
		return run_error(ctx, err, "out of memory");
	}
	err = output_sockets(&out, &c.socks, &cols, &cc);
	collect_done(&c);
	return err;
}

/* --list-columns: the column table itself. */
int view_list_columns(const struct run_ctx *ctx)
{
	struct output out;
	int err;

	output_init(&out, ctx->out, ctx->opts, ctx->term);
	err = output_columns(&out);
	if (err == -EOPNOTSUPP)
		return run_error(ctx, -EINVAL,
				 "'--format %s' has no form for --list-columns",
				 format_name(out.format));
	return err;
}
