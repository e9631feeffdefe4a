/* output.h - the one dispatch from an output format to its renderers (a table in
 * output.c with an entry per format). */
#ifndef TCPSTATE_OUTPUT_H
#define TCPSTATE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "aggregate/evtrack.h"
#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "cli/cli.h"
#include "model/columns.h"
#include "model/format.h"
#include "model/sock.h"
#include "render/term.h"

struct output_format;

/* Where a view writes and how: the format and what its human form needs to know. */
struct output {
	const struct output_format *fmt;
	enum out_format format;
	FILE *out;
	bool header; /* header and Total lines (-H turns them off) */
	bool color;  /* colour state names */
	bool utf8;   /* Unicode bars: a terminal in a UTF-8 locale */
	int width;   /* the terminal's width; 0 = not a terminal */
	int cut;     /* cut lines at this width: the terminal's unless -W; 0 = never */
	int height;  /* the terminal's height; 0 = not a terminal */
	/* -c on a terminal: the summary's recent frames (summary_render); else NULL */
	const struct summary_trail *trail;
};

/* What a view asks a format to print; not every format has every one. */
enum output_kind {
	OUTPUT_SOCKETS, /* the listing's rows, all at once */
	OUTPUT_STREAM,	/* the listing's rows, printed while the dump runs */
	OUTPUT_SUMMARY, /* the -s counts */
	OUTPUT_HIST,	/* a --hist */
	OUTPUT_EVENTS,	/* -E lines */
	OUTPUT_COLUMNS, /* the --list-columns table */
};

/* Set up *ret for the format, header flag and colour of o, on a terminal described by t.
 */
void output_init(struct output *ret, FILE *out, const struct opts *o,
		 const struct term *t);

/* Does the format print this kind of output? (The output_* call returns -EOPNOTSUPP when
 * it does not.) */
bool output_has(const struct output *o, enum output_kind k);

/* Is the format meant for people (the table): cut at the terminal's width, ASCII in a
 * locale that is not UTF-8, fitted to its height, repeated frames with a header? */
bool output_format_human(enum out_format f);

/* Does the format's summary show each listening endpoint (summary_init's
 * keep_listeners)? */
bool output_summary_listeners(const struct output *o);

/* The listing: the sockets in set order with the chosen columns. Returns 0, -EIO or
 * -EOPNOTSUPP. */
int output_sockets(const struct output *o, const struct sock_set *set,
		   const struct column_list *cols, const struct col_ctx *cc);

/* A listing printed while the dump runs (OUTPUT_STREAM): give row and state to the dump
 * as its diag_sock_fn and data. */
struct output_stream {
	int (*row)(const struct sock_rec *s, void *state);
	void *state;
	const struct output_format *fmt;
};

/* Start a streamed listing; cols and cc must outlive it. Returns 0, -ENOMEM or
 * -EOPNOTSUPP. */
int output_stream_begin(const struct output *o, const struct column_list *cols,
			const struct col_ctx *cc, struct output_stream *ret);

/*
 * End it: print what is left when print (the dump succeeded), then free it.
 * *ret_restarted_late says the dump restarted after rows were printed (some may show
 * twice). Returns 0, -ENOMEM or -EIO.
 */
int output_stream_end(struct output_stream *st, bool print, bool *ret_restarted_late);

/* The -s summary. Returns 0, -EIO or -EOPNOTSUPP. */
int output_summary(const struct output *o, const struct summary *sum);

/* A histogram, as much of it as lim allows. Returns 0, -EIO or -EOPNOTSUPP. */
int output_hist(const struct output *o, const struct hist *h,
		const struct hist_limit *lim);

/* The line above -E events, when the format has one and o->header. Returns 0, -EIO or
 * -EOPNOTSUPP (no event lines in this format). */
int output_event_header(const struct output *o, bool with_owners);

/* One -E event line (owners only when with_owners). Returns 0, -EIO or -EOPNOTSUPP. */
int output_event(const struct output *o, const struct ev_event *e, bool with_owners);

/* The column table for --list-columns. Returns 0, -EIO or -EOPNOTSUPP. */
int output_columns(const struct output *o);

#endif
