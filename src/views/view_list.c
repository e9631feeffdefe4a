/* view_list.c - the default view: the netstat-style table of sockets, sorted, in any
 * format. */
#include <errno.h>
#include <string.h>

#include "aggregate/sortkeys.h"
#include "aggregate/summary.h"
#include "model/columns.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/table.h"
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
 * A plain table needs no sort and no owners can be printed while the dump streams, so
 * memory stays flat however many sockets there are (ss's RSS is the bar to meet).
 */
static bool can_stream(const struct run_ctx *ctx, const struct column_list *cols,
		       const struct sort_spec *sort)
{
	const struct opts *o = ctx->opts;

	return o->format == FMT_TABLE && sort->n == 0 && !o->all_netns &&
	       !(column_list_needs(cols) & COL_NEED_PROCS) &&
	       !filter_needs_procs(ctx->filter);
}

static int stream_table(const struct run_ctx *ctx, const struct column_list *cols)
{
	const struct opts *o = ctx->opts;
	struct col_ctx cc = {NULL, o->resolve, false, ctx->msgs->netns};
	struct table_opts t = {!o->no_header, ctx->term->tty ? ctx->term->width : 0,
			       ctx->term->color};
	struct table_stream ts;
	int err, err2;

	table_stream_init(&ts, ctx->out, cols, &cc, &t);
	err = collect_stream(ctx, column_list_needs(cols), table_stream_add, &ts, NULL);
	err2 = err < 0 ? 0 : table_stream_finish(&ts);
	if (err < 0)
		table_stream_done(&ts);
	if (ts.restarted_late)
		run_note(ctx,
			 "the socket table changed during the dump: some sockets may be "
			 "listed twice");
	return err < 0 ? err : err2;
}

int view_list(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct column_list cols;
	struct sort_spec sort = {.n = 0};
	struct collect c;
	const char *bad = NULL;
	int err;

	/* the metrics are counts: the summary computes them without keeping sockets */
	if (o->format == FMT_OPENMETRICS)
		return view_summary(ctx);
	err = column_list_build(o, o->all_netns, &cols, &bad);
	if (err < 0)
		return run_error(ctx, -EINVAL, "unknown column '%s' (see --list-columns)",
				 bad ? bad : "?");
	if (o->sort && sort_parse(o->sort, &sort, &bad) < 0)
		return sort_error(ctx, bad);
	if (can_stream(ctx, &cols, &sort))
		return stream_table(ctx, &cols);
	err = collect_sockets(ctx, column_list_needs(&cols) | sort_needs(&sort), &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	struct col_ctx cc = {c.procs, o->resolve, o->all_netns, ctx->msgs->netns};
	err = sort_socks(&c.socks, &sort, &cc);
	if (err < 0) {
		collect_done(&c);
		return run_error(ctx, err, "out of memory");
	}
	switch (o->format) {
	case FMT_JSON:
	case FMT_JSONL:
		err = fmt_json_sockets(ctx->out, &c.socks, &cols, &cc,
				       o->format == FMT_JSONL);
		break;
	case FMT_CSV:
		err = fmt_csv_sockets(ctx->out, &c.socks, &cols, &cc, !o->no_header);
		break;
	default: {
		struct table_opts t = {!o->no_header,
				       ctx->term->tty ? ctx->term->width : 0,
				       ctx->term->color};
		err = table_render(ctx->out, &c.socks, &cols, &cc, &t);
		break;
	}
	}
	collect_done(&c);
	return err;
}

/* --list-columns: the column table itself. */
int view_list_columns(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	FILE *out = ctx->out;
	int w = 4;

	switch (o->format) {
	case FMT_JSON:
	case FMT_JSONL:
		return fmt_json_columns(out, o->format == FMT_JSONL);
	case FMT_CSV:
		return fmt_csv_columns(out, !o->no_header);
	case FMT_OPENMETRICS:
		return run_error(ctx, -EINVAL,
				 "'--format openmetrics' has no form for --list-columns");
	default:
		break;
	}
	for (int i = 0; column_table[i].name; i++)
		if ((int)strlen(column_table[i].name) > w)
			w = (int)strlen(column_table[i].name);
	if (!o->no_header)
		fprintf(out, "%-*s  %-6s  %s\n", w, "NAME", "TYPE", "DESCRIPTION");
	for (int i = 0; column_table[i].name; i++)
		fprintf(out, "%-*s  %-6s  %s\n", w, column_table[i].name,
			column_type_name(column_table[i].type), column_table[i].help);
	return ferror(out) ? -EIO : 0;
}
