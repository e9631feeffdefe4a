/* listing.c - the default view: the netstat-style table of sockets, sorted, in any
 * format. */
#include <errno.h>
#include <string.h>

#include "columns.h"
#include "fmt_csv.h"
#include "fmt_json.h"
#include "listing.h"
#include "run.h"
#include "sortkeys.h"
#include "summary.h"
#include "table.h"

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
