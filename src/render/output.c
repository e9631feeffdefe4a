/* output.c - the table of output formats: each format's renderers and properties. Adding
 * a format is one entry here (and its name in model/format.c) plus its renderer file. */
#include <errno.h>
#include <stdlib.h>

#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_lines.h"
#include "render/fmt_om.h"
#include "render/output.h"
#include "render/table.h"
#include "render/term_cut.h"

/* An event line is built in a buffer first: the renderers also serve tests that want it.
 */
#define EVENT_LINE_MAX 4096

/*
 * A format's renderers; NULL where it has no form for that output. Renderers written for
 * this signature go straight into the table; the older ones, whose own signatures the
 * golden tests use, through the small adapters below.
 */
struct output_format {
	bool human;	/* see output_format_human */
	bool lines;	/* JSON lines: one object per line, no document around them */
	bool listeners; /* the summary shows each listening endpoint */
	int (*sockets)(const struct output *o, const struct sock_set *set,
		       const struct column_list *cols, const struct col_ctx *cc);
	int (*stream_begin)(const struct output *o, const struct column_list *cols,
			    const struct col_ctx *cc, void **ret_state);
	int (*stream_row)(const struct sock_rec *s, void *state);
	int (*stream_end)(void *state, bool print, bool *ret_restarted_late);
	int (*summary)(const struct output *o, const struct summary *sum);
	int (*hist)(const struct output *o, const struct hist *h,
		    const struct hist_limit *lim);
	size_t (*event_header)(bool with_owners, char *buf, size_t sz);
	size_t (*event)(const struct ev_event *e, bool with_owners, char *buf, size_t sz);
	int (*columns)(const struct output *o);
};

/* table */

static int table_sockets(const struct output *o, const struct sock_set *set,
			 const struct column_list *cols, const struct col_ctx *cc)
{
	struct table_opts t = {.header = o->header,
			       .width = o->cut,
			       .color = o->color,
			       .marker = term_cut_marker(o->utf8)};

	return table_render(o->out, set, cols, cc, &t);
}

static int table_stream_begin(const struct output *o, const struct column_list *cols,
			      const struct col_ctx *cc, void **ret_state)
{
	struct table_opts t = {.header = o->header,
			       .width = o->cut,
			       .color = o->color,
			       .marker = term_cut_marker(o->utf8)};
	struct table_stream *ts = malloc(sizeof(*ts));

	*ret_state = ts;
	if (!ts)
		return -ENOMEM;
	table_stream_init(ts, o->out, cols, cc, &t);
	return 0;
}

static int table_stream_end(void *state, bool print, bool *ret_restarted_late)
{
	struct table_stream *ts = state;
	int err = 0;

	if (print)
		err = table_stream_finish(ts);
	else
		table_stream_done(ts);
	*ret_restarted_late = ts->restarted_late;
	free(ts);
	return err;
}

static int table_summary(const struct output *o, const struct summary *sum)
{
	struct summary_render r = {.header = o->header,
				   .color = o->color,
				   .utf8 = o->utf8,
				   .width = o->width,
				   .trail = o->trail};

	return summary_render_table(o->out, sum, &r);
}

static int table_hist(const struct output *o, const struct hist *h,
		      const struct hist_limit *lim)
{
	struct hist_render r = {.header = o->header,
				.color = o->color,
				.utf8 = o->utf8,
				.width = o->width,
				.limit = *lim};

	return hist_render_table(o->out, h, &r);
}

static int table_column_list(const struct output *o)
{
	return table_columns(o->out, o->header);
}

/* JSON and JSON lines */

static int json_sockets(const struct output *o, const struct sock_set *set,
			const struct column_list *cols, const struct col_ctx *cc)
{
	return fmt_json_sockets(o->out, set, cols, cc, o->fmt->lines);
}

static int json_summary(const struct output *o, const struct summary *sum)
{
	return fmt_json_summary(o->out, sum, o->fmt->lines);
}

static int json_hist(const struct output *o, const struct hist *h,
		     const struct hist_limit *lim)
{
	return fmt_json_hist(o->out, h, lim, o->fmt->lines);
}

static int json_columns(const struct output *o)
{
	return fmt_json_columns(o->out, o->fmt->lines);
}

/* CSV */

static int csv_sockets(const struct output *o, const struct sock_set *set,
		       const struct column_list *cols, const struct col_ctx *cc)
{
	return fmt_csv_sockets(o->out, set, cols, cc, o->header);
}

static int csv_summary(const struct output *o, const struct summary *sum)
{
	return fmt_csv_summary(o->out, sum, o->header);
}

static int csv_hist(const struct output *o, const struct hist *h,
		    const struct hist_limit *lim)
{
	return fmt_csv_hist(o->out, h, lim, o->header);
}

static int csv_columns(const struct output *o)
{
	return fmt_csv_columns(o->out, o->header);
}

/* OpenMetrics */

static int om_summary(const struct output *o, const struct summary *sum)
{
	return fmt_om_summary(o->out, sum);
}

static int om_hist(const struct output *o, const struct hist *h,
		   const struct hist_limit *lim)
{
	return fmt_om_hist(o->out, h, lim);
}

/* lines */

static int lines_summary(const struct output *o, const struct summary *sum)
{
	return fmt_lines_summary(o->out, sum, o->header);
}

static const struct output_format formats[FMT_COUNT] = {
    [FMT_TABLE] =
	{
	    .human = true,
	    .sockets = table_sockets,
	    .stream_begin = table_stream_begin,
	    .stream_row = table_stream_add,
	    .stream_end = table_stream_end,
	    .summary = table_summary,
	    .hist = table_hist,
	    .event_header = table_event_header,
	    .event = table_event_line,
	    .columns = table_column_list,
	},
    [FMT_JSON] =
	{
	    .sockets = json_sockets,
	    .summary = json_summary,
	    .hist = json_hist,
	    .columns = json_columns,
	},
    [FMT_JSONL] =
	{
	    .lines = true,
	    .sockets = json_sockets,
	    .summary = json_summary,
	    .hist = json_hist,
	    .event = fmt_json_event,
	    .columns = json_columns,
	},
    [FMT_CSV] =
	{
	    .sockets = csv_sockets,
	    .summary = csv_summary,
	    .hist = csv_hist,
	    .columns = csv_columns,
	},
    /* a listing in OpenMetrics is its counts: the view shows the summary */
    [FMT_OPENMETRICS] =
	{
	    .listeners = true,
	    .summary = om_summary,
	    .hist = om_hist,
	},
    /* a listing in lines is its counts, like openmetrics */
    [FMT_LINES] =
	{
	    .summary = lines_summary,
	},
};

static const struct output_format *format_entry(enum out_format f)
{
	return (unsigned)f < FMT_COUNT ? &formats[f] : &formats[FMT_TABLE];
}

void output_init(struct output *ret, FILE *out, const struct opts *o,
		 const struct term *t)
{
	*ret = (struct output){
	    .fmt = format_entry(o->format),
	    .format = o->format,
	    .out = out,
	    .header = !o->no_header,
	    .color = t->color,
	    .utf8 = t->tty && t->utf8,
	    .width = t->tty ? t->width : 0,
	    .cut = t->tty && !o->wide ? t->width : 0,
	    .height = t->tty ? t->height : 0,
	};
}

bool output_has(const struct output *o, enum output_kind k)
{
	const struct output_format *f = o->fmt;

	switch (k) {
	case OUTPUT_SOCKETS:
		return f->sockets;
	case OUTPUT_STREAM:
		return f->stream_begin;
	case OUTPUT_SUMMARY:
		return f->summary;
	case OUTPUT_HIST:
		return f->hist;
	case OUTPUT_EVENTS:
		return f->event;
	case OUTPUT_COLUMNS:
		return f->columns;
	}
	return false;
}

bool output_format_human(enum out_format f)
{
	return format_entry(f)->human;
}

bool output_summary_listeners(const struct output *o)
{
	return o->fmt->listeners;
}

int output_sockets(const struct output *o, const struct sock_set *set,
		   const struct column_list *cols, const struct col_ctx *cc)
{
	return o->fmt->sockets ? o->fmt->sockets(o, set, cols, cc) : -EOPNOTSUPP;
}

int output_stream_begin(const struct output *o, const struct column_list *cols,
			const struct col_ctx *cc, struct output_stream *ret)
{
	*ret = (struct output_stream){.fmt = o->fmt};
	if (!o->fmt->stream_begin)
		return -EOPNOTSUPP;
	ret->row = o->fmt->stream_row;
	return o->fmt->stream_begin(o, cols, cc, &ret->state);
}

int output_stream_end(struct output_stream *st, bool print, bool *ret_restarted_late)
{
	*ret_restarted_late = false;
	if (!st->state)
		return 0;
	int err = st->fmt->stream_end(st->state, print, ret_restarted_late);
	st->state = NULL;
	return err;
}

int output_summary(const struct output *o, const struct summary *sum)
{
	return o->fmt->summary ? o->fmt->summary(o, sum) : -EOPNOTSUPP;
}

int output_hist(const struct output *o, const struct hist *h,
		const struct hist_limit *lim)
{
	return o->fmt->hist ? o->fmt->hist(o, h, lim) : -EOPNOTSUPP;
}

int output_event_header(const struct output *o, bool with_owners)
{
	char line[EVENT_LINE_MAX];

	if (!o->fmt->event)
		return -EOPNOTSUPP;
	if (!o->header || !o->fmt->event_header)
		return 0;
	fwrite(line, 1, o->fmt->event_header(with_owners, line, sizeof(line)), o->out);
	return ferror(o->out) ? -EIO : 0;
}

int output_event(const struct output *o, const struct ev_event *e, bool with_owners)
{
	char line[EVENT_LINE_MAX];

	if (!o->fmt->event)
		return -EOPNOTSUPP;
	fwrite(line, 1, o->fmt->event(e, with_owners, line, sizeof(line)), o->out);
	return ferror(o->out) ? -EIO : 0;
}

int output_columns(const struct output *o)
{
	return o->fmt->columns ? o->fmt->columns(o) : -EOPNOTSUPP;
}
