/* table.c - render the listing as aligned text columns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
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

/* Display width of escaped text: every UTF-8 sequence counts as one column. */
size_t table_display_width(const char *s, size_t len)
{
	size_t w = 0, i = 0;

	/* Cells are nearly always ASCII: take eight bytes at a time while they are (this
	 * was a tenth of the listing's user time). */
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, s + i, sizeof(word));
		if (word & 0x8080808080808080ull)
			break;
		w += 8;
	}
	for (; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

struct line {
	char buf[CELL_MAX * 2];
	size_t len;  /* bytes */
	size_t cols; /* display columns */
	int limit;   /* 0 = none */
};

static void line_put(struct line *l, const char *s, size_t len)
{
	if (!l->limit) {
		/* not a terminal: nothing is cut and columns need not be counted */
		size_t room = sizeof(l->buf) - 1 - l->len;
		if (len > room)
			len = room;
		memcpy(l->buf + l->len, s, len);
		l->len += len;
		return;
	}
	for (size_t i = 0; i < len && l->len + 1 < sizeof(l->buf); i++) {
		bool lead = ((unsigned char)s[i] & 0xc0) != 0x80;
		if (lead && l->cols >= (size_t)l->limit)
			return;
		l->buf[l->len++] = s[i];
		if (lead)
			l->cols++;
	}
}

static void line_pad(struct line *l, size_t n)
{
	static const char spaces[64] =
	    "                                                                ";

	while (n) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);
		line_put(l, spaces, k);
		n -= k;
	}
}

static void emit_cell(struct line *l, const struct column *col, const char *cell,
		      size_t len, size_t w, size_t width, bool last, const char *color)
{
	size_t pad = width > w ? width - w : 0;

	if (!l->limit && !(color && *color) && l->len + pad + len + 2 < sizeof(l->buf)) {
		/* not a terminal, no colour: plain copies (the common case in a pipe) */
		char *p = l->buf + l->len;
		if (col->right) {
			memset(p, ' ', pad);
			p += pad;
		}
		memcpy(p, cell, len);
		p += len;
		if (!last) {
			size_t after = col->right ? 1 : pad + 1;
			memset(p, ' ', after);
			p += after;
		}
		l->len = (size_t)(p - l->buf);
		return;
	}
	if (col->right)
		line_pad(l, pad);
	if (color && *color && (!l->limit || l->cols + w <= (size_t)l->limit) &&
	    l->len + strlen(color) + len + 8 < sizeof(l->buf)) {
		/* escape sequences take no columns: copy them past the limit check */
		size_t cl = strlen(color);
		memcpy(l->buf + l->len, color, cl);
		l->len += cl;
		line_put(l, cell, len);
		memcpy(l->buf + l->len, "\033[0m", 4);
		l->len += 4;
	} else {
		line_put(l, cell, len);
	}
	if (!col->right && !last)
		line_pad(l, pad);
	if (!last)
		line_put(l, " ", 1);
}

/* A line cut at the terminal width may end in padding: drop it, then end the line. */
static void line_end(struct line *l)
{
	while (l->len && l->buf[l->len - 1] == ' ')
		l->len--;
	l->buf[l->len++] = '\n';
}

/* Each column's formatter, looked up once rather than for every cell. */
static void cell_fns(const struct column_list *cols, colfmt_fn *fmt)
{
	for (int c = 0; c < cols->n; c++)
		fmt[c] = colfmt_cell_fn(cols->v[c]);
}

/* Widen the columns to fit every cell of set (never narrower than before). */
static void fit_widths(struct table_stream *ts, const struct sock_set *set)
{
	const struct column_list *cols = ts->cols;
	colfmt_fn fmt[COLUMNS_MAX];
	char cell[CELL_MAX];

	cell_fns(cols, fmt);
	/* Formatting twice is cheaper than keeping every cell. The last column is not
	 * padded, so its width does not matter. */
	for (size_t i = 0; i < set->n; i++) {
		for (int c = 0; c < cols->n - 1; c++) {
			size_t n = fmt[c](&set->v[i], ts->ctx, cell, sizeof(cell));
			size_t w = table_display_width(cell, n);
			if (w > ts->width[c])
				ts->width[c] = w;
		}
	}
}

static void put_header(struct table_stream *ts, struct line *l)
{
	const struct column_list *cols = ts->cols;

	l->len = l->cols = 0;
	for (int c = 0; c < cols->n; c++) {
		const char *h = cols->v[c]->header;
		emit_cell(l, cols->v[c], h, strlen(h), strlen(h), ts->width[c],
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
	struct line l;

	cell_fns(cols, fmt);
	l.limit = ts->t.width;
	if (ts->t.header && !ts->started)
		put_header(ts, &l);
	ts->started = true;
	for (size_t i = 0; i < set->n; i++) {
		const struct sock_rec *s = &set->v[i];
		l.len = l.cols = 0;
		for (int c = 0; c < cols->n; c++) {
			const struct column *col = cols->v[c];
			size_t n = fmt[c](s, ts->ctx, cell, sizeof(cell));
			const char *color = NULL;
			if (ts->t.color && c == ts->state_col)
				color = table_state_color((enum ts_state)s->state);
			emit_cell(&l, col, cell, n, table_display_width(cell, n),
				  ts->width[c], c == cols->n - 1, color);
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
		ts->width[c] = t->header ? strlen(cols->v[c]->header) : 0;
		if (strcmp(cols->v[c]->name, "state") == 0)
			ts->state_col = c;
	}
}

/* Format every cell of the chunk once, into ts->arena; widen the columns to fit. */
static int format_chunk(struct table_stream *ts)
{
	const struct column_list *cols = ts->cols;
	size_t ncells = ts->chunk.n * (size_t)cols->n;
	colfmt_fn fmt[COLUMNS_MAX];
	char cell[CELL_MAX];

	cell_fns(cols, fmt);
	if (ncells > ts->cells_cap) {
		struct table_cell *v = realloc(ts->cells, ncells * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ts->cells = v;
		ts->cells_cap = ncells;
	}
	ts->arena_len = 0;
	for (size_t i = 0, k = 0; i < ts->chunk.n; i++) {
		for (int c = 0; c < cols->n; c++, k++) {
			size_t n = fmt[c](&ts->chunk.v[i], ts->ctx, cell, sizeof(cell));
			if (ts->arena_len + n > ts->arena_cap) {
				size_t cap = (ts->arena_cap + n) * 2;
				char *a = realloc(ts->arena, cap);
				if (!a)
					return -ENOMEM;
				ts->arena = a;
				ts->arena_cap = cap;
			}
			memcpy(ts->arena + ts->arena_len, cell, n);
			ts->cells[k].off = (uint32_t)ts->arena_len;
			ts->cells[k].len = (uint32_t)n;
			ts->cells[k].width = (uint32_t)table_display_width(cell, n);
			ts->arena_len += n;
			/* the last column is not padded: its width does not matter */
			if (c < cols->n - 1 && ts->cells[k].width > ts->width[c])
				ts->width[c] = ts->cells[k].width;
		}
	}
	return 0;
}

/* Print the buffered chunk with widths that fit it and everything before it. Each cell
 * is formatted once: formatting was most of the listing's user time. */
static int stream_flush(struct table_stream *ts)
{
	const struct column_list *cols = ts->cols;
	struct line l;
	int err;

	err = format_chunk(ts);
	if (err < 0)
		return err;
	l.limit = ts->t.width;
	if (ts->t.header && !ts->started)
		put_header(ts, &l);
	ts->started = true;
	for (size_t i = 0, k = 0; i < ts->chunk.n; i++) {
		l.len = l.cols = 0;
		for (int c = 0; c < cols->n; c++, k++) {
			const struct table_cell *tc = &ts->cells[k];
			const char *color = NULL;
			if (ts->t.color && c == ts->state_col)
				color = table_state_color(
				    (enum ts_state)ts->chunk.v[i].state);
			emit_cell(&l, cols->v[c], ts->arena + tc->off, tc->len, tc->width,
				  ts->width[c], c == cols->n - 1, color);
		}
		line_end(&l);
		if (fwrite(l.buf, 1, l.len, ts->out) != l.len) {
			err = -EIO;
			break;
		}
	}
	sock_set_clear(&ts->chunk);
	if (!err && ferror(ts->out))
		err = -EIO;
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
	fit_widths(&ts, set);
	err = put_rows(&ts, set);
	sock_set_done(&ts.chunk);
	return err;
}

int table_columns(FILE *out, bool header)
{
	int w = 4;

	for (int i = 0; column_table[i].name; i++)
		if ((int)strlen(column_table[i].name) > w)
			w = (int)strlen(column_table[i].name);
	if (header)
		fprintf(out, "%-*s  %-6s  %s\n", w, "NAME", "TYPE", "DESCRIPTION");
	for (int i = 0; column_table[i].name; i++)
		fprintf(out, "%-*s  %-6s  %s\n", w, column_table[i].name,
			column_type_name(column_table[i].type), column_table[i].help);
	return ferror(out) ? -EIO : 0;
}
