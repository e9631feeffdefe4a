/* table.h - the table format: the listing (aligned columns, one socket per line), the
 * summary, histograms, event lines and the column list for people. */
#ifndef TCPSTATE_TABLE_H
#define TCPSTATE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate/evtrack.h"
#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "model/columns.h"
#include "model/sock.h"

struct table_opts {
	bool header; /* print the header line */
	int width;   /* cut lines at this many columns (a terminal); 0 = never cut */
	bool color;  /* colour the state column */
	const char *marker; /* ends a cut cell or line (term_cut_marker); NULL: ">" */
};

/*
 * Print the sockets in set order with the chosen columns. Column widths fit the widest
 * cell so that nothing is truncated; the last column is not padded. Returns 0, -ENOMEM,
 * or -EIO when writing failed (errno is left as the write set it).
 */
int table_render(FILE *out, const struct sock_set *set, const struct column_list *cols,
		 const struct col_ctx *ctx, const struct table_opts *t);

/* table_render keeps every formatted cell (each formatted once) up to this many cells
 * (about 12 bytes each plus the text); a bigger set is formatted twice (widths, then
 * rows) instead of doubling its memory. */
#define TABLE_KEEP_CELLS (1u << 19)

/*
 * Streaming: rows are buffered TABLE_CHUNK at a time and printed with widths that fit
 * everything so far, so memory does not grow with the number of sockets. Columns may
 * widen between chunks but never narrow.
 */
#define TABLE_CHUNK 4096

/* One formatted cell of a chunk: where its text is in the arena, and how wide it is. */
struct table_cell {
	uint32_t off, len, width;
};

struct table_stream {
	FILE *out;
	const struct column_list *cols;
	const struct col_ctx *ctx;
	struct table_opts t;
	size_t width[COLUMNS_MAX];
	int state_col;	       /* index of the state column, -1 if none */
	struct sock_set chunk; /* rows not yet printed */
	bool started;	       /* something (header or rows) was printed */
	bool restarted_late;   /* the dump restarted after rows were printed */
	char *arena;	       /* the chunk's formatted cells */
	size_t arena_len, arena_cap;
	struct table_cell *cells; /* chunk.n x cols->n */
	size_t cells_cap;
};

/* Start a stream. Nothing is printed until the first chunk fills or the stream ends. */
void table_stream_init(struct table_stream *ts, FILE *out, const struct column_list *cols,
		       const struct col_ctx *ctx, const struct table_opts *t);

/* A diag_sock_fn: buffer one socket (NULL: the dump restarts) and print a full chunk.
 * Returns 0, -ENOMEM or -EIO. */
int table_stream_add(const struct sock_rec *s, void *data);

/* Print what is left (at least the header) and free the buffers. Returns 0, -ENOMEM or
 * -EIO. */
int table_stream_finish(struct table_stream *ts);

/* Free the buffers without printing (after a failed dump). */
void table_stream_done(struct table_stream *ts);

/* Display width of escaped, valid UTF-8 text in terminal columns (dwidth). */
size_t table_display_width(const char *s, size_t len);

/* ANSI colour sequence for a state on a terminal ("" for none). */
const char *table_state_color(enum ts_state s);

struct summary_render {
	bool header; /* print the header line (and the total line) */
	bool color;  /* colour the state names */
	bool utf8;   /* Unicode bars */
	int width;   /* terminal width for the bars; 0 = not a terminal (80 assumed) */
	/* -c on a terminal: the frames so far, the last one being this summary; NULL
	 * otherwise */
	const struct summary_trail *trail;
};

/*
 * Print the summary table: every one of the 11 states in lifecycle order with its IPv4,
 * IPv6 and total counts and a bar proportional to the largest total, then a Total line.
 * A row for UNKNOWN is added only when such sockets were seen. With a trail, each row
 * also shows its change since the last frame and a sparkline of the recent frames, and
 * the bars are drawn out of the trail's scale, so they grow and never jump. Returns 0 or
 * -EIO.
 */
int summary_render_table(FILE *out, const struct summary *sum,
			 const struct summary_render *r);

struct hist_render {
	bool header; /* header line and the Total line */
	bool color;  /* colour state values */
	bool utf8;   /* Unicode bars */
	int width;   /* terminal width; 0 = not a terminal (80 assumed for the bars) */
	struct hist_limit limit;
};

/*
 * Print the histogram: one line per group (one key) or per group and second-key value
 * (two keys, the first key repeated on every line), with the count and a bar proportional
 * to the largest count; "(N more)" lines sum what the limit leaves out. Returns 0 or
 * -EIO.
 */
int hist_render_table(FILE *out, const struct hist *h, const struct hist_render *r);

/*
 * One -E event as a line (with '\n'): "TIME EVENT LOCAL PEER IN-STATE [OWNERS]
 * [DETAILS]", owners only when with_owners. Returns the length (truncated to sz, always
 * NUL-terminated when sz > 0).
 */
size_t table_event_line(const struct ev_event *e, bool with_owners, char *buf, size_t sz);

/* The header line matching table_event_line (with '\n'). Returns as table_event_line. */
size_t table_event_header(bool with_owners, char *buf, size_t sz);

/* The column table for --list-columns: name, type and description, aligned. Returns 0 or
 * -EIO. */
int table_columns(FILE *out, bool header);

#endif
