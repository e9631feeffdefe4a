/* table.c - render the listing as aligned text columns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/dwidth.h"
#include "base/escape.h"
#include "model/colvalue.h"
#include "render/colfmt.h"
#include "render/table.h"

#define CELL_MAX 4096

const char *table_state_color(enum ts_state s)
{
	/* Colours follow the lifecycle: green steady, yellow handshake, red/magenta
	 * close. */
	static const char *const colors[TS_NSTATES] = {
	    [TS_CLOSED] = "\033[2m",	   [TS_LISTEN] = "\033[36m",
	    [TS_SYN_SENT] = "\033[33m",	   [TS_SYN_RCVD] = "\033[33m",
	    [TS_ESTABLISHED] = "\033[32m", [TS_FIN_WAIT_1] = "\033[35m",
	    [TS_FIN_WAIT_2] = "\033[35m",  [TS_CLOSE_WAIT] = "\033[31m",
	    [TS_CLOSING] = "\033[35m",	   [TS_LAST_ACK] = "\033[31m",
	    [TS_TIME_WAIT] = "\033[34m",
	};
	return (unsigned)s < TS_NSTATES ? colors[s] : "";
}

size_t table_display_width(const char *s, size_t len)
{
	return dwidth(s, len);
}

struct line {
	char buf[CELL_MAX * 2];
	size_t len;	    /* bytes */
	size_t cols;	    /* display columns */
	int limit;	    /* 0 = none */
	const char *marker; /* ends a cut line or cell */
	bool full;	    /* the line was cut: nothing more goes on it */
};

/* Copy bytes (no column counting: callers measured them). */
static void line_put(struct line *l, const char *s, size_t len)
{
	size_t room = sizeof(l->buf) - 1 - l->len;

	if (len > room)
		len = room;
	memcpy(l->buf + l->len, s, len);
	l->len += len;
}

static void line_pad(struct line *l, size_t n)
{
	static const char spaces[64] =
	    "                                                                ";

	l->cols += n;
	while (n) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);
		line_put(l, spaces, k);
		n -= k;
	}
}

/* Columns whose text may be cut (with the marker) to make the line fit a terminal:
 * free text, never numbers or states, so a number is never shown as a prefix of itself.
 * The widest is cut first. */
static const char *const shrinkable[] = {"owners", "local", "foreign", "laddr", "raddr",
					 "user",   "netns", "cc",      "timer"};

/* A shrinkable column is never cut below this (or its header, when shorter). */
#define SHRINK_MIN 8

static bool column_shrinks(const struct column *col)
{
	for (size_t i = 0; i < sizeof(shrinkable) / sizeof(shrinkable[0]); i++)
		if (strcmp(col->name, shrinkable[i]) == 0)
			return true;
	return false;
}

/*
 * Put the first cols - 1 columns of a cell that is wider than cols, then the marker.
 * The cut backs out of a run of digits: "21959" never shows as "21".
 */
static void put_cut_cell(struct line *l, const char *cell, size_t len, size_t cols)
{
	size_t used = 0, n = cols ? dwidth_fit(cell, len, cols - 1, &used) : 0;

	while (n > 0 && n < len && cell[n] >= '0' && cell[n] <= '9' &&
	       cell[n - 1] >= '0' && cell[n - 1] <= '9')
		n--;
	used = dwidth(cell, n);
	line_put(l, cell, n);
	line_put(l, l->marker, strlen(l->marker));
	l->cols += used + 1;
	if (used + 1 < cols)
		line_pad(l, cols - used - 1);
}

/* n spaces at p, which has room for max(n, 16): padding is nearly always short, and a
 * fixed 16-byte copy is one store where memset is a call. */
static inline void put_spaces(char *p, size_t n)
{
	static const char sixteen[16] = "                ";

	if (n <= sizeof(sixteen))
		memcpy(p, sixteen, sizeof(sixteen));
	else
		memset(p, ' ', n);
}

/* Not a terminal: nothing is cut and columns need not be counted. */
static void emit_cell_wide(struct line *l, const struct column *col, const char *cell,
			   size_t len, size_t pad, bool last, const char *color)
{
	if (!(color && *color) && l->len + pad + len + 2 + 32 < sizeof(l->buf)) {
		/* no colour: plain copies (the common case in a pipe) */
		char *p = l->buf + l->len;
		if (col->right) {
			put_spaces(p, pad);
			p += pad;
		}
		memcpy(p, cell, len);
		p += len;
		if (!last) {
			size_t after = col->right ? 1 : pad + 1;
			put_spaces(p, after);
			p += after;
		}
		l->len = (size_t)(p - l->buf);
		return;
	}
	if (col->right)
		line_pad(l, pad);
	if (color && *color)
		line_put(l, color, strlen(color));
	line_put(l, cell, len);
	if (color && *color)
		line_put(l, "\033[0m", 4);
	if (!col->right && !last)
		line_pad(l, pad);
	if (!last)
		line_put(l, " ", 1);
}

/*
 * One cell on a line cut at l->limit: a cell wider than its column (a shrunk free-text
 * column) is cut with the marker; a cell that does not fit in what is left of the line
 * is cut there when it is free text, or left out with the marker in its place.
 */
static void emit_cell(struct line *l, const struct column *col, const char *cell,
		      size_t len, size_t w, size_t width, bool last, const char *color)
{
	size_t pad = width > w ? width - w : 0;

	if (!l->limit) {
		emit_cell_wide(l, col, cell, len, pad, last, color);
		return;
	}
	if (l->full)
		return;
	bool shrinks = column_shrinks(col); /* only on a terminal: a pipe never cuts */
	size_t room = (size_t)l->limit - l->cols;
	size_t shown = w > width && shrinks ? width : w;
	size_t need = (last ? shown : (width > shown ? width : shown) + 1);
	if (need > room) {
		if (shrinks && room >= SHRINK_MIN / 2)
			put_cut_cell(l, cell, len, room);
		else if (room)
			line_put(l, l->marker, strlen(l->marker));
		l->full = true;
		return;
	}
	if (col->right)
		line_pad(l, pad);
	if (color && *color)
		line_put(l, color, strlen(color));
	if (shown < w) {
		put_cut_cell(l, cell, len, shown);
	} else {
		line_put(l, cell, len);
		l->cols += w;
	}
	if (color && *color)
		line_put(l, "\033[0m", 4);
	if (!col->right && !last && shown >= w)
		line_pad(l, pad);
	if (!last)
		line_pad(l, 1);
}

/* A line cut at the terminal width may end in padding: drop it, then end the line. */
static void line_end(struct line *l)
{
	while (l->len && l->buf[l->len - 1] == ' ')
		l->len--;
	l->buf[l->len++] = '\n';
}

static void line_start(struct line *l, const struct table_stream *ts)
{
	l->len = l->cols = 0;
	l->full = false;
	l->limit = ts->t.width;
	l->marker = ts->t.marker ? ts->t.marker : ">";
}

/*
 * On a terminal, narrow the widest free-text columns (never below SHRINK_MIN) until the
 * line fits, into shown[]; elsewhere shown[] is the widths as they are.
 */
static void shrink_widths(const struct table_stream *ts, size_t *shown)
{
	const struct column_list *cols = ts->cols;
	size_t total = 0;

	for (int c = 0; c < cols->n; c++) {
		shown[c] = ts->width[c];
		total += shown[c] + (c ? 1 : 0);
	}
	while (ts->t.width > 0 && total > (size_t)ts->t.width) {
		int widest = -1;
		for (int c = 0; c < cols->n; c++)
			if (column_shrinks(cols->v[c]) && shown[c] > SHRINK_MIN &&
			    (widest < 0 || shown[c] > shown[widest]))
				widest = c;
		if (widest < 0)
			break;
		size_t step =
		    1; /* one column at a time: the widest ends up equal to the next */
		shown[widest] -= step;
		total -= step;
	}
}

/* Each column's formatter, looked up once rather than for every cell. */
static void cell_fns(const struct column_list *cols, colfmt_fn *fmt)
{
	for (int c = 0; c < cols->n; c++)
		fmt[c] = colfmt_cell_fn(cols->v[c]);
}

/* Columns whose cells are always printable ASCII (numbers, booleans, the state and the
 * protocol: colfmt writes them from digits and fixed names), so a cell's width is its
 * length and need not be measured. */
static bool column_ascii(const struct column *col)
{
	enum column_id id = column_id(col);

	return col->type == COL_NUMBER || col->type == COL_BOOL || id == COLUMN_STATE ||
	       id == COLUMN_PROTO;
}

/* Widen the columns to fit every cell of set (never narrower than before). */
static void fit_widths(struct table_stream *ts, const struct sock_set *set)
{
	const struct column_list *cols = ts->cols;
	colfmt_fn fmt[COLUMNS_MAX];
	char cell[CELL_MAX];

	cell_fns(cols, fmt);
	/* Formatting twice is cheaper than keeping every cell of a huge set. The last
	 * column is not padded, so its width does not matter. */
	for (size_t i = 0; i < set->n; i++) {
		for (int c = 0; c < cols->n - (ts->t.width > 0 ? 0 : 1); c++) {
			size_t n = fmt[c](&set->v[i], ts->ctx, cell, sizeof(cell));
			size_t w =
			    column_ascii(cols->v[c]) ? n : table_display_width(cell, n);
			if (w > ts->width[c])
				ts->width[c] = w;
		}
	}
}

static void put_header(struct table_stream *ts, struct line *l, const size_t *shown)
{
	const struct column_list *cols = ts->cols;

	line_start(l, ts);
	for (int c = 0; c < cols->n; c++) {
		const char *h = cols->v[c]->header;
		emit_cell(l, cols->v[c], h, strlen(h), strlen(h), shown[c],
			  c == cols->n - 1, NULL);
	}
	line_end(l);
	fwrite(l->buf, 1, l->len, ts->out);
}

static int put_rows(struct table_stream *ts, const struct sock_set *set)
{
	const struct column_list *cols = ts->cols;
	colfmt_fn fmt[COLUMNS_MAX];
	char cell[CELL_MAX];
	size_t shown[COLUMNS_MAX];
	struct line l;

	cell_fns(cols, fmt);
	shrink_widths(ts, shown);
	if (ts->t.header && !ts->started)
		put_header(ts, &l, shown);
	ts->started = true;
	for (size_t i = 0; i < set->n; i++) {
		const struct sock_rec *s = &set->v[i];
		line_start(&l, ts);
		for (int c = 0; c < cols->n; c++) {
			const struct column *col = cols->v[c];
			size_t n = fmt[c](s, ts->ctx, cell, sizeof(cell));
			const char *color = NULL;
			if (ts->t.color && c == ts->state_col)
				color = table_state_color((enum ts_state)s->state);
			emit_cell(&l, col, cell, n,
				  column_ascii(col) ? n : table_display_width(cell, n),
				  shown[c], c == cols->n - 1, color);
		}
		line_end(&l);
		if (fwrite(l.buf, 1, l.len, ts->out) != l.len)
			return -EIO;
	}
	return ferror(ts->out) ? -EIO : 0;
}

void table_stream_init(struct table_stream *ts, FILE *out, const struct column_list *cols,
		       const struct col_ctx *ctx, const struct table_opts *t)
{
	memset(ts, 0, sizeof(*ts));
	ts->out = out;
	ts->cols = cols;
	ts->ctx = ctx;
	ts->t = *t;
	ts->state_col = -1;
	for (int c = 0; c < cols->n; c++) {
		ts->width[c] =
		    t->header ? dwidth(cols->v[c]->header, strlen(cols->v[c]->header))
			      : 0;
		if (strcmp(cols->v[c]->name, "state") == 0)
			ts->state_col = c;
	}
}

/* Format every cell of set once, into ts->arena; widen the columns to fit. */
static int format_cells(struct table_stream *ts, const struct sock_set *set)
{
	const struct column_list *cols = ts->cols;
	size_t ncells = set->n * (size_t)cols->n;
	colfmt_fn fmt[COLUMNS_MAX];
	bool ascii[COLUMNS_MAX];

	cell_fns(cols, fmt);
	for (int c = 0; c < cols->n; c++)
		ascii[c] = column_ascii(cols->v[c]);
	if (ncells > ts->cells_cap) {
		struct table_cell *v = realloc(ts->cells, ncells * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ts->cells = v;
		ts->cells_cap = ncells;
	}
	ts->arena_len = 0;
	for (size_t i = 0, k = 0; i < set->n; i++) {
		for (int c = 0; c < cols->n; c++, k++) {
			/* formatted straight into the arena, which has room for any cell
			 */
			if (ts->arena_len + CELL_MAX > ts->arena_cap) {
				size_t cap = (ts->arena_cap + CELL_MAX) * 2;
				char *a = realloc(ts->arena, cap);
				if (!a)
					return -ENOMEM;
				ts->arena = a;
				ts->arena_cap = cap;
			}
			char *cell = ts->arena + ts->arena_len;
			size_t n = fmt[c](&set->v[i], ts->ctx, cell, CELL_MAX);
			ts->cells[k].off = (uint32_t)ts->arena_len;
			ts->cells[k].len = (uint32_t)n;
			ts->cells[k].width =
			    (uint32_t)(ascii[c] ? n : table_display_width(cell, n));
			ts->arena_len += n;
			/* the last column is not padded: its width matters only to
			 * cut the line on a terminal */
			if ((c < cols->n - 1 || ts->t.width > 0) &&
			    ts->cells[k].width > ts->width[c])
				ts->width[c] = ts->cells[k].width;
		}
	}
	return 0;
}

/* Copy a cell of len bytes: a cell of up to 16 bytes (nearly all of them) as one fixed
 * copy, which the arena's and the block's slack make safe to over-read and over-write. */
static inline void put_cell_bytes(char *p, const char *cell, size_t len)
{
	if (len <= 16)
		memcpy(p, cell, 16);
	else
		memcpy(p, cell, len);
}

#define PLAIN_BLOCK (1u << 16)

/*
 * put_cells for a pipe or a file with no colour, where nothing is cut: the rows are laid
 * out straight into one block and written a block at a time. Same bytes as emit_cell:
 * numbers right-aligned, text padded, the last column not padded, no trailing spaces.
 */
static int put_cells_plain(struct table_stream *ts, const struct sock_set *set,
			   const size_t *shown)
{
	const struct column_list *cols = ts->cols;
	size_t most = 0; /* padding and separators: at most this much a row */
	bool right[COLUMNS_MAX];
	char *block = malloc(PLAIN_BLOCK + CELL_MAX * 2);
	size_t o = 0;

	if (!block)
		return -ENOMEM;
	for (int c = 0; c < cols->n; c++) {
		right[c] = cols->v[c]->right;
		most += shown[c] + 1;
	}
	for (size_t i = 0, k = 0; i < set->n; i++) {
		const struct table_cell *row = &ts->cells[k];
		size_t need =
		    most + 32; /* widths are columns: a cell's bytes may be more */
		for (int c = 0; c < cols->n; c++)
			need += row[c].len;
		k += (size_t)cols->n;
		if (o + need > PLAIN_BLOCK + CELL_MAX * 2) {
			if (fwrite(block, 1, o, ts->out) != o)
				goto fail;
			o = 0;
			if (need >
			    PLAIN_BLOCK + CELL_MAX * 2) { /* a huge row: the old way */
				struct line l;
				line_start(&l, ts);
				for (int c = 0; c < cols->n; c++)
					emit_cell(&l, cols->v[c], ts->arena + row[c].off,
						  row[c].len, row[c].width, shown[c],
						  c == cols->n - 1, NULL);
				line_end(&l);
				if (fwrite(l.buf, 1, l.len, ts->out) != l.len)
					goto fail;
				continue;
			}
		}
		char *start = block + o, *p = start;
		for (int c = 0; c < cols->n - 1; c++) {
			const struct table_cell *tc = &row[c];
			size_t pad = shown[c] > tc->width ? shown[c] - tc->width : 0;
			if (right[c]) {
				put_spaces(p, pad);
				p += pad;
				put_cell_bytes(p, ts->arena + tc->off, tc->len);
				p += tc->len;
				*p++ = ' ';
			} else {
				put_cell_bytes(p, ts->arena + tc->off, tc->len);
				p += tc->len;
				put_spaces(p, pad + 1);
				p += pad + 1;
			}
		}
		const struct table_cell *tc = &row[cols->n - 1];
		if (right[cols->n - 1] && shown[cols->n - 1] > tc->width) {
			put_spaces(p, shown[cols->n - 1] - tc->width);
			p += shown[cols->n - 1] - tc->width;
		}
		put_cell_bytes(p, ts->arena + tc->off, tc->len);
		p += tc->len;
		while (p > start && p[-1] == ' ')
			p--;
		*p++ = '\n';
		o = (size_t)(p - block);
	}
	if (o && fwrite(block, 1, o, ts->out) != o)
		goto fail;
	free(block);
	return ferror(ts->out) ? -EIO : 0;
fail:
	free(block);
	return -EIO;
}

/* Print the rows of set from the cells format_cells kept, with widths that fit them and
 * everything before them. */
static int put_cells(struct table_stream *ts, const struct sock_set *set)
{
	const struct column_list *cols = ts->cols;
	size_t shown[COLUMNS_MAX];
	struct line l;

	shrink_widths(ts, shown);
	if (ts->t.header && !ts->started)
		put_header(ts, &l, shown);
	ts->started = true;
	if (!ts->t.width && !ts->t.color && cols->n > 0)
		return put_cells_plain(ts, set, shown);
	for (size_t i = 0, k = 0; i < set->n; i++) {
		line_start(&l, ts);
		for (int c = 0; c < cols->n; c++, k++) {
			const struct table_cell *tc = &ts->cells[k];
			const char *color = NULL;
			if (ts->t.color && c == ts->state_col)
				color = table_state_color((enum ts_state)set->v[i].state);
			emit_cell(&l, cols->v[c], ts->arena + tc->off, tc->len, tc->width,
				  shown[c], c == cols->n - 1, color);
		}
		line_end(&l);
		if (fwrite(l.buf, 1, l.len, ts->out) != l.len)
			return -EIO;
	}
	return ferror(ts->out) ? -EIO : 0;
}

/* Print the buffered chunk with widths that fit it and everything before it. Each cell
 * is formatted once: formatting was most of the listing's user time. */
static int stream_flush(struct table_stream *ts)
{
	int err = format_cells(ts, &ts->chunk);

	if (err == 0)
		err = put_cells(ts, &ts->chunk);
	sock_set_clear(&ts->chunk);
	return err;
}

int table_stream_add(const struct sock_rec *s, void *data)
{
	struct table_stream *ts = data;
	int err;

	if (!s) {
		/* The dump restarts. Rows already printed cannot be taken back. */
		if (ts->started)
			ts->restarted_late = true;
		sock_set_clear(&ts->chunk);
		return 0;
	}
	err = sock_set_add(&ts->chunk, s);
	if (err < 0)
		return err;
	if (ts->chunk.n >= TABLE_CHUNK)
		return stream_flush(ts);
	return 0;
}

int table_stream_finish(struct table_stream *ts)
{
	int err = 0;

	if (ts->chunk.n || !ts->started)
		err = stream_flush(ts);
	table_stream_done(ts);
	return err;
}

void table_stream_done(struct table_stream *ts)
{
	sock_set_done(&ts->chunk);
	free(ts->arena);
	free(ts->cells);
	ts->arena = NULL;
	ts->cells = NULL;
	ts->arena_cap = ts->cells_cap = 0;
}

int table_render(FILE *out, const struct sock_set *set, const struct column_list *cols,
		 const struct col_ctx *ctx, const struct table_opts *t)
{
	struct table_stream ts;
	int err;

	table_stream_init(&ts, out, cols, ctx, t);
	if (set->n * (size_t)cols->n <= TABLE_KEEP_CELLS) {
		/* each cell formatted once (a --replay or sorted listing of usual size)
		 */
		err = format_cells(&ts, set);
		if (err == 0)
			err = put_cells(&ts, set);
	} else {
		fit_widths(&ts, set);
		err = put_rows(&ts, set);
	}
	table_stream_done(&ts);
	return err;
}

int table_columns(FILE *out, bool header)
{
	int w = 4;

	for (int i = 0; column_table[i].name; i++)
		if ((int)strlen(column_table[i].name) > w)
			w = (int)strlen(column_table[i].name);
	if (header)
		fprintf(out, "%-*s  %-6s  %-8s  %s\n", w, "NAME", "TYPE", "UNIT",
			"DESCRIPTION");
	for (int i = 0; column_table[i].name; i++) {
		const char *unit = colvalue_unit_of(column_table[i].name);
		fprintf(out, "%-*s  %-6s  %-8s  %s\n", w, column_table[i].name,
			column_type_name(column_table[i].type), unit ? unit : "-",
			column_table[i].help);
	}
	return ferror(out) ? -EIO : 0;
}
