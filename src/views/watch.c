/* watch.c - -c/--continuous: repeat any view at an interval, in place on a terminal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/tick.h"
#include "render/output.h"
#include "render/term.h"
#include "render/term_cut.h"
#include "views/watch.h"

/* Alternate screen and hidden cursor while we draw; both undone at the end. */
#define TTY_ENTER "\033[?1049h\033[?25l"
#define TTY_LEAVE "\033[?25h\033[?1049l"
#define TTY_HOME "\033[H"
#define TTY_CLEAR_EOL "\033[K"
#define TTY_CLEAR_EOS "\033[J"

/* Which states the header counts: the view's own selection, so the totals agree. */
enum watch_sel {
	SEL_OPTIONS = 0, /* -a/-l and the filter, like the listing */
	SEL_ALL_BUT_L,	 /* every state unless -l (summary, diagram) */
	SEL_ALL,	 /* every state (doctor) */
};

/* The views that make sense as a repeating picture, and the option that asks for each. */
static const struct {
	enum view view;
	const char *option;
	bool repeats;
	enum watch_sel sel;
} watch_views[] = {
    {VIEW_LIST, NULL, true, SEL_OPTIONS},
    {VIEW_SUMMARY, "--summary", true, SEL_ALL_BUT_L},
    {VIEW_HIST, "--hist", true, SEL_OPTIONS},
    {VIEW_DIAGRAM, "--diagram", true, SEL_ALL_BUT_L},
    {VIEW_DOCTOR, "--doctor", true, SEL_ALL},
    {VIEW_EVENTS, "--events", false, SEL_OPTIONS}, /* already a stream */
    {VIEW_KILL, "--kill", false, SEL_OPTIONS},	   /* destroying again and again: no */
    {VIEW_EXPLAIN, "--explain", false, SEL_OPTIONS},
    {VIEW_LIST_COLUMNS, "--list-columns", false, SEL_OPTIONS},
    {VIEW_COMPLETE, "--complete", false, SEL_OPTIONS},
};

/* Returns the view's header selection, or -EINVAL (recorded) when it cannot repeat. */
static int check_view(const struct run_ctx *ctx)
{
	for (size_t i = 0; i < sizeof(watch_views) / sizeof(watch_views[0]); i++) {
		if (watch_views[i].view != ctx->opts->view)
			continue;
		if (watch_views[i].repeats)
			return (int)watch_views[i].sel;
		return run_error(ctx, -EINVAL,
				 "'--continuous' cannot be combined with '%s'",
				 watch_views[i].option);
	}
	return SEL_OPTIONS;
}

static size_t append(char *buf, size_t sz, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t sz, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at + 1 >= sz)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, sz - at, fmt, ap);
	va_end(ap);
	if (n < 0)
		return at;
	return at + (size_t)n < sz ? at + (size_t)n : sz - 1;
}

static size_t append_delta(char *buf, size_t sz, size_t at, uint32_t cur,
			   const uint32_t *prev)
{
	long long d = prev ? (long long)cur - (long long)*prev : 0;

	return d ? append(buf, sz, at, " (%+lld)", d) : at;
}

size_t watch_header(char *buf, size_t sz, const char *stamp, double every,
		    const struct watch_counts *cur, const struct watch_counts *prev)
{
	size_t at = 0;

	if (sz)
		buf[0] = '\0';
	at = append(buf, sz, at, "%s  every %gs  total %u", stamp, every, cur->total);
	at = append_delta(buf, sz, at, cur->total, prev ? &prev->total : NULL);
	for (int s = 0; s <= TS_NSTATES; s++) {
		bool changed = prev && prev->n[s] != cur->n[s];
		if (!cur->n[s] && !changed)
			continue;
		at = append(buf, sz, at, "  %s %u", state_name((enum ts_state)s),
			    cur->n[s]);
		at = append_delta(buf, sz, at, cur->n[s], prev ? &prev->n[s] : NULL);
	}
	return at;
}

size_t watch_fit(const char *line, size_t len, int width, bool *ret_cut)
{
	return term_cut_fit(line, len, width, ret_cut);
}

int watch_flush(FILE *out)
{
	/* out may be a stream that writes through into stdout's buffer (main's cut at the
	 * terminal width): flushing out alone would leave the frame sitting there. */
	int a = fflush(out), b = fflush(NULL);

	return a != 0 || b != 0 || ferror(out) ? -EIO : 0;
}

static int count_one(const struct sock_rec *s, void *data)
{
	struct watch_counts *c = data;

	if (!s) {
		memset(c, 0, sizeof(*c));
		return 0;
	}
	c->n[s->state < TS_NSTATES ? s->state : TS_UNKNOWN]++;
	c->total++;
	return 0;
}

static void stamp_now(bool full, char *buf, size_t sz)
{
	struct timeval tv;
	struct tm tm;
	char t[64];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	if (!full) {
		strftime(buf, sz, "%H:%M:%S", &tm);
		return;
	}
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, sz, "%.40s.%03d", t, (int)(tv.tv_usec / 1000) % 1000);
}

struct watch {
	const struct run_ctx *ctx;
	int (*view)(const struct run_ctx *ctx);
	struct term term; /* re-probed on SIGWINCH */
	struct watch_counts prev;
	bool have_prev;
	bool machine; /* a machine-readable format: frames get no header in a pipe */
	/* a format whose frames are timed records (series[]), NULL for the others */
	void (*series)(struct watch *w, const char *stamp, const char *text, size_t len);
	struct query count_q; /* the sockets of the header's count (see enum watch_sel) */
	struct summary_trail trail; /* -s on a terminal: recent frames, a stable scale */
	char *last; /* the last frame drawn on a terminal (header, view) */
	size_t last_len;
};

/* The time of a record: ISO 8601 with milliseconds and the UTC offset,
 * "2026-11-28T19:30:01.123+01:00". */
static void stamp_iso(char *buf, size_t sz)
{
	struct timeval tv;
	struct tm tm;
	char t[64], z[8];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm); /* +0100: ISO 8601 extended wants +01:00 */
	snprintf(buf, sz, "%.40s.%03d%.3s:%.2s", t, (int)(tv.tv_usec / 1000) % 1000, z,
		 z + 3);
}

/* The end of the record that starts at text[at]: past its line break, which does not
 * count inside a CSV quoted field. */
static size_t record_end(const char *text, size_t len, size_t at)
{
	bool quoted = false;

	for (size_t i = at; i < len; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (text[i] == '\n' && !quoted)
			return i + 1;
	}
	return len;
}

/*
 * CSV and lines as one table for the whole run: the header once, with a time column in
 * front, then every record of every frame behind its frame's time.
 */
static void put_records(struct watch *w, const char *stamp, const char *text, size_t len)
{
	bool csv = w->ctx->opts->format == FMT_CSV;
	const char *sep = csv ? "," : "  ";
	size_t at = 0;

	if (!w->ctx->opts->no_header && len) {
		size_t end = record_end(text, len, 0);
		if (!w->have_prev)
			fprintf(w->ctx->out, "%-*s%s%.*s", csv ? 0 : (int)strlen(stamp),
				"time", sep, (int)end, text);
		at = end;
	}
	while (at < len) {
		size_t end = record_end(text, len, at);
		fprintf(w->ctx->out, "%s%s%.*s", stamp, sep, (int)(end - at), text + at);
		at = end;
	}
}

/* JSON lines: every object gets "time" first; JSON: the frame's document does. */
static void put_objects(struct watch *w, const char *stamp, const char *text, size_t len)
{
	bool lines = w->ctx->opts->format == FMT_JSONL;
	size_t at = 0;

	while (at < len) {
		size_t end = lines ? record_end(text, len, at) : len;
		if (text[at] == '{') {
			fprintf(w->ctx->out, "{\"time\":\"%s\",", stamp);
			at++;
		}
		fwrite(text + at, 1, end - at, w->ctx->out);
		at = end;
	}
}

/* The formats whose frames are records with a time (-c as a time series). */
static const struct {
	enum out_format format;
	void (*put)(struct watch *w, const char *stamp, const char *text, size_t len);
} series[] = {
    {FMT_CSV, put_records},
    {FMT_LINES, put_records},
    {FMT_JSONL, put_objects},
    {FMT_JSON, put_objects},
};

/* Write one line cut to the terminal width; a cut line gets its colours reset and the
 * marker. */
static void put_line(FILE *out, const char *s, size_t len, const struct term *term,
		     bool wide)
{
	bool cut;
	size_t n = watch_fit(s, len, wide ? 0 : term->width, &cut);

	fwrite(s, 1, n, out);
	if (cut && memchr(s, '\033', len))
		fputs("\033[0m", out);
	if (cut)
		fputs(term_cut_marker(term->utf8), out);
	fputs(TTY_CLEAR_EOL, out);
}

/*
 * Draw the frame over the previous one: header on the first row, the view below, cut to
 * the window, and "more" on the last row used when the view is taller than the window.
 * Every row ends in a newline, so the output stays a sequence of lines (for whatever
 * reads it, a logger or a test); the last row of the window stays empty for the cursor
 * so that this newline never scrolls.
 */
static void draw_tty(FILE *out, const struct term *term, bool wide, const char *header,
		     const char *text, size_t len)
{
	int rows = term->height > 2 ? term->height - 2 : 0; /* 0: unknown, no limit */
	size_t nlines = 0;
	int row = 0;

	for (size_t i = 0; i < len; i++)
		nlines += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		nlines++;
	fputs(TTY_HOME, out);
	put_line(out, header, strlen(header), term, wide);
	fputc('\n', out);
	for (const char *p = text, *end = text + len; p < end; row++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (rows && nlines > (size_t)rows && row == rows - 1) {
			char more[64];
			snprintf(more, sizeof(more), "... %zu more lines",
				 nlines - (size_t)row);
			put_line(out, more, strlen(more), term, wide);
			fputc('\n', out);
			break;
		}
		put_line(out, p, n, term, wide);
		fputc('\n', out);
		p += n + (nl ? 1 : 0);
	}
	fputs(TTY_CLEAR_EOS, out);
}

/* Keep a copy of the frame to leave on the screen at the end. */
static void keep_last(struct watch *w, const char *header, const char *text, size_t len)
{
	size_t hl = strlen(header);
	char *c = malloc(hl + 1 + len);

	if (!c)
		return; /* the end shows no frame: nothing else goes wrong */
	memcpy(c, header, hl);
	c[hl] = '\n';
	memcpy(c + hl + 1, text, len);
	free(w->last);
	w->last = c;
	w->last_len = hl + 1 + len;
}

/* After the alternate screen is gone: the last frame again, on the normal screen, cut
 * like it was drawn, so that it stays when tcpstate ends. */
static void leave_last(struct watch *w)
{
	const char *p = w->last, *end = w->last + w->last_len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		put_line(w->ctx->out, p, n, &w->term, w->ctx->opts->wide);
		fputc('\n', w->ctx->out);
		p += n + (nl ? 1 : 0);
	}
	free(w->last);
	w->last = NULL;
}

static int frame(struct watch *w)
{
	const struct run_ctx *ctx = w->ctx;
	struct watch_counts cur = {0};
	char header[1024], stamp[64];
	char *text = NULL;
	size_t len = 0;
	int err, status;

	err = collect_stream(&w->count_q, ctx->cstate, count_one, &cur, NULL);
	if (err < 0)
		return err;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return run_error(ctx, -ENOMEM, "out of memory");
	struct run_ctx fctx = *ctx;
	fctx.term = &w->term;
	fctx.out = mem;
	fctx.trail = w->term.tty && !w->series ? &w->trail : NULL;
	status = w->view(&fctx);
	if (fclose(mem) != 0 && status >= 0)
		status = run_error(ctx, -ENOMEM, "out of memory");
	if (status < 0) {
		free(text);
		return status;
	}
	stamp_now(!w->term.tty, stamp, sizeof(stamp));
	watch_header(header, sizeof(header), stamp, ctx->opts->continuous, &cur,
		     w->have_prev ? &w->prev : NULL);
	if (w->series) {
		char iso[64];
		stamp_iso(iso, sizeof(iso));
		w->series(w, iso, text, len);
	} else if (w->term.tty) {
		draw_tty(ctx->out, &w->term, ctx->opts->wide, header, text, len);
		keep_last(w, header, text, len);
	} else {
		if (!w->machine)
			fprintf(ctx->out, "=== %s\n", header);
		fwrite(text, 1, len, ctx->out);
		if (!w->machine)
			fputc('\n', ctx->out);
	}
	free(text);
	w->prev = cur;
	w->have_prev = true;
	if (watch_flush(ctx->out) < 0)
		return run_error(ctx, -EIO, "cannot write the output: %s",
				 strerror(errno));
	return status;
}

int watch_run(const struct run_ctx *ctx, int (*view)(const struct run_ctx *ctx))
{
	const struct opts *o = ctx->opts;
	struct watch w = {.ctx = ctx,
			  .view = view,
			  .term = *ctx->term,
			  .machine = !output_format_human(o->format)};
	struct tick t;
	long frames = 0;
	int err, status = 0;

	err = check_view(ctx);
	if (err < 0)
		return err;
	w.count_q = *ctx->query;
	if (err != SEL_OPTIONS)
		query_select_all(&w.count_q, err == SEL_ALL_BUT_L);
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++)
		if (series[i].format == o->format)
			w.series = series[i].put;
	err = tick_open(&t, o->continuous);
	if (err < 0)
		return run_error(ctx, err, "cannot set up the repeat timer: %s",
				 strerror(-err));
	if (w.term.tty && !w.series)
		fputs(TTY_ENTER, ctx->out);
	for (;;) {
		int ev = tick_wait(&t, -1);
		if (ev < 0) {
			status = run_error(ctx, ev, "cannot wait for the next frame: %s",
					   strerror(-ev));
			break;
		}
		if (ev == TICK_STOP) {
			status = 0;
			break;
		}
		if (ev == TICK_RESIZE)
			term_probe(o->color, &w.term); /* and draw again at once */
		status = frame(&w);
		if (status < 0 || (o->count && ++frames >= o->count))
			break;
	}
	if (w.term.tty && !w.series) {
		fputs(TTY_LEAVE, ctx->out);
		leave_last(&w);
		watch_flush(ctx->out);
	}
	tick_close(&t);
	return status;
}
