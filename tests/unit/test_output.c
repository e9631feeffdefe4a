/* test_output.c - the format table: names, what each format prints, and that every
 * output call reaches the same renderer the golden tests check. */
#include <errno.h>

#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "cli/cli.h"
#include "model/columns.h"
#include "model/format.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_lines.h"
#include "render/fmt_om.h"
#include "render/output.h"
#include "render/table.h"

#include "render_fixture.h"

#define LINES_GOLDEN                                                                     \
	" total CLOSED LISTEN SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 "      \
	"CLOSE_WAIT CLOSING LAST_ACK TIME_WAIT\n"                                        \
	"     6      0      1        0        0           2          0          0 "      \
	"         1       0        0         2\n"

static void test_names(void)
{
	char text[128];

	for (int f = 0; f < FMT_COUNT; f++) {
		CHECK(format_names[f] != NULL, "format %d has no name", f);
		if (format_names[f])
			CHECK(format_find(format_names[f]) == f,
			      "'%s' does not find itself", format_names[f]);
	}
	CHECK(format_names[FMT_COUNT] == NULL, "names not NULL-terminated");
	CHECK(format_find("xml") == -EINVAL, "unknown name");
	CHECK(format_find("JSON") == -EINVAL, "names are exact");
	format_names_text(text, sizeof(text));
	CHECK_GOLDEN(text, "table, json, jsonl, csv, openmetrics or lines",
		     "names for messages");
	format_names_text(text, 8);
	CHECK(strlen(text) == 7, "truncated names: '%s'", text);
	CHECK(strcmp(format_name(FMT_JSONL), "jsonl") == 0, "format_name");
	CHECK(strcmp(format_name((enum out_format)99), "?") == 0,
	      "format_name out of range");
}

static struct output output_for(enum out_format f, bool header)
{
	struct opts o;
	struct term t = {.tty = true, .width = 60, .height = 20, .utf8 = true};
	struct output out;

	memset(&o, 0, sizeof(o));
	o.format = f;
	o.no_header = !header;
	output_init(&out, stdout, &o, &t);
	return out;
}

/* What each format prints: the table below is what the views and the docs promise. */
static void test_kinds(void)
{
	static const struct {
		enum out_format f;
		bool sockets, stream, events, columns, human, listeners, hist;
	} want[] = {
	    {FMT_TABLE, true, true, true, true, true, false, true},
	    {FMT_JSON, true, false, false, true, false, false, true},
	    {FMT_JSONL, true, false, true, true, false, false, true},
	    {FMT_CSV, true, false, false, true, false, false, true},
	    {FMT_OPENMETRICS, false, false, false, false, false, true, true},
	    {FMT_LINES, false, false, false, false, false, false, false},
	};

	CHECK(ARRAY_SIZE(want) == FMT_COUNT, "a format is missing here");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct output o = output_for(want[i].f, true);
		const char *n = format_name(want[i].f);
		CHECK(output_has(&o, OUTPUT_SUMMARY), "%s: no summary", n);
		CHECK(output_has(&o, OUTPUT_HIST) == want[i].hist, "%s: histogram", n);
		CHECK(output_has(&o, OUTPUT_SOCKETS) == want[i].sockets, "%s: sockets",
		      n);
		CHECK(output_has(&o, OUTPUT_STREAM) == want[i].stream, "%s: stream", n);
		CHECK(output_has(&o, OUTPUT_EVENTS) == want[i].events, "%s: events", n);
		CHECK(output_has(&o, OUTPUT_COLUMNS) == want[i].columns, "%s: columns",
		      n);
		CHECK(output_format_human(want[i].f) == want[i].human, "%s: human", n);
		CHECK(output_summary_listeners(&o) == want[i].listeners, "%s: listeners",
		      n);
	}
	struct output om = output_for(FMT_OPENMETRICS, true);
	CHECK(output_columns(&om) == -EOPNOTSUPP, "openmetrics has no column list");
	CHECK(output_sockets(&om, NULL, NULL, NULL) == -EOPNOTSUPP,
	      "openmetrics has no rows");
	struct output csv = output_for(FMT_CSV, true);
	CHECK(output_event(&csv, NULL, false) == -EOPNOTSUPP, "csv has no event lines");
	CHECK(output_event_header(&csv, false) == -EOPNOTSUPP, "csv has no event header");
}

/* Each output call prints exactly what the format's own renderer prints. */
static void same(char *via, char *direct, const char *what)
{
	CHECK(via && direct && strcmp(via, direct) == 0,
	      "%s differs\n--- output_*:\n%s--- renderer:\n%s---", what, via ? via : "",
	      direct ? direct : "");
	free(via);
	free(direct);
}

static void test_dispatch(const struct sock_set *set, const struct procs *p)
{
	struct column_list cols;
	struct col_ctx cc = {.procs = p};
	const char *bad = NULL;
	struct summary sum;
	struct hist h;
	struct hist_limit lim = {2, 1};
	char *a = NULL, *b = NULL;

	/* owners: the JSON list, the escaped table cell */
	CHECK(column_list_build(NULL, COL_GROUP_OWNERS, &cols, &bad) == 0,
	      "default columns");
	summary_init(&sum, true);
	for (size_t i = 0; i < set->n; i++)
		summary_add(&sum, &set->v[i]);
	summary_finish(&sum);
	CHECK(hist_init(&h, "state,lport", &bad) == 0, "hist_init");
	for (size_t i = 0; i < set->n; i++)
		hist_add(&h, &set->v[i]);
	CHECK(hist_finish(&h) == 0, "hist_finish");

	struct output o = output_for(FMT_TABLE, true);
	struct table_opts t = {.header = true, .width = 60, .marker = "\xe2\x80\xa6"};
	struct summary_render sr = {.header = true, .utf8 = true, .width = 60};
	struct hist_render hr = {.header = true, .utf8 = true, .width = 60, .limit = lim};
	CAPTURE(a, (o.out = out, output_sockets(&o, set, &cols, &cc)));
	CAPTURE(b, table_render(out, set, &cols, &cc, &t));
	same(a, b, "table rows");
	CAPTURE(a, (o.out = out, output_summary(&o, &sum)));
	CAPTURE(b, summary_render_table(out, &sum, &sr));
	same(a, b, "table summary");
	CAPTURE(a, (o.out = out, output_hist(&o, &h, &lim)));
	CAPTURE(b, hist_render_table(out, &h, &hr));
	same(a, b, "table hist");
	CAPTURE(a, (o.out = out, output_columns(&o)));
	CAPTURE(b, table_columns(out, true));
	same(a, b, "table columns");

	/* streamed rows come out as the whole table when everything fits one chunk */
	struct output_stream st;
	bool late = true;
	size_t len;
	FILE *mem = open_memstream(&a, &len);
	o.out = mem;
	CHECK(output_stream_begin(&o, &cols, &cc, &st) == 0, "stream begin");
	for (size_t i = 0; i < set->n; i++)
		CHECK(st.row(&set->v[i], st.state) == 0, "stream row");
	CHECK(output_stream_end(&st, true, &late) == 0 && !late, "stream end");
	fclose(mem);
	CAPTURE(b, table_render(out, set, &cols, &cc, &t));
	same(a, b, "streamed table rows");

	o = output_for(FMT_JSONL, false);
	CAPTURE(a, (o.out = out, output_sockets(&o, set, &cols, &cc)));
	CAPTURE(b, fmt_json_sockets(out, set, &cols, &cc, true));
	same(a, b, "jsonl rows");
	o = output_for(FMT_JSON, false);
	CAPTURE(a, (o.out = out, output_summary(&o, &sum)));
	CAPTURE(b, fmt_json_summary(out, &sum, false));
	same(a, b, "json summary");
	CAPTURE(a, (o.out = out, output_hist(&o, &h, &lim)));
	CAPTURE(b, fmt_json_hist(out, &h, &lim, false));
	same(a, b, "json hist");
	o = output_for(FMT_CSV, false);
	CAPTURE(a, (o.out = out, output_sockets(&o, set, &cols, &cc)));
	CAPTURE(b, fmt_csv_sockets(out, set, &cols, &cc, false));
	same(a, b, "csv rows without header");
	CAPTURE(a, (o.out = out, output_columns(&o)));
	CAPTURE(b, fmt_csv_columns(out, false));
	same(a, b, "csv columns without header");
	o = output_for(FMT_OPENMETRICS, true);
	CAPTURE(a, (o.out = out, output_summary(&o, &sum)));
	CAPTURE(b, fmt_om_summary(out, &sum));
	same(a, b, "openmetrics summary");
	CAPTURE(a, (o.out = out, output_hist(&o, &h, &lim)));
	CAPTURE(b, fmt_om_hist(out, &h, &lim));
	same(a, b, "openmetrics hist");

	/* lines: the counts of every state on one line, under a header of their names */
	o = output_for(FMT_LINES, true);
	CAPTURE(a, (o.out = out, output_summary(&o, &sum)));
	CAPTURE(b, fmt_lines_summary(out, &sum, true));
	CHECK_GOLDEN(a, LINES_GOLDEN, "lines summary");
	same(a, b, "lines summary");
	o = output_for(FMT_LINES, false);
	CAPTURE(a, (o.out = out, output_summary(&o, &sum)));
	CHECK_GOLDEN(a, strchr(LINES_GOLDEN, '\n') + 1, "lines summary without header");
	free(a);

	hist_done(&h);
	summary_done(&sum);
}

int main(void)
{
	struct sock_set set;

	fx_set(&set);
	struct procs *p = fx_procs(&set);
	test_names();
	test_kinds();
	test_dispatch(&set, p);
	procs_free(p);
	sock_set_done(&set);
	return check_finish("test_output");
}
