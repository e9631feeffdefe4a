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
	size_t i = 0, cols = 0;

	*ret_cut = false;
	if (width <= 0)
		return len;
	while (i < len) {
		if (line[i] == '\033' && i + 1 < len && line[i + 1] == '[') {
			/* CSI: parameters and intermediates, then one final byte
			 * 0x40..0x7e */
			size_t j = i + 2;
			while (j < len && ((unsigned char)line[j] < 0x40 ||
					   (unsigned char)line[j] > 0x7e))
				j++;
			i = j < len ? j + 1 : len;
			continue;
		}
		if (((unsigned char)line[i] & 0xc0) != 0x80) {
			if (cols == (size_t)width) {
				*ret_cut = true;
				return i;
			}
			cols++;
		}
		i++;
	}
	return len;
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

/* Write one line cut to the terminal width; a cut line gets its colours reset. */
static void put_line(FILE *out, const char *s, size_t len, int width)
{
	bool cut;
	size_t n = watch_fit(s, len, width, &cut);

	fwrite(s, 1, n, out);
	if (cut && memchr(s, '\033', len))
		fputs("\033[0m", out);
	fputs(TTY_CLEAR_EOL, out);
}

/*
 * Draw the frame over the previous one: header on the first row, the view below, cut to
 * the window, and "more" on the last row used when the view is taller than the window.
 * Every row ends in a newline, so the output stays a sequence of lines (for whatever
 * reads it, a logger or a test); the last row of the window stays empty for the cursor
 * so that this newline never scrolls.
 */
static void draw_tty(FILE *out, const struct term *term, const char *header,
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
	put_line(out, header, strlen(header), term->width);
	fputc('\n', out);
	for (const char *p = text, *end = text + len; p < end; row++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (rows && nlines > (size_t)rows && row == rows - 1) {
			char more[64];
			snprintf(more, sizeof(more), "... %zu more lines",
				 nlines - (size_t)row);
			put_line(out, more, strlen(more), term->width);
			fputc('\n', out);
			break;
		}
		put_line(out, p, n, term->width);
		fputc('\n', out);
		p += n + (nl ? 1 : 0);
	}
	fputs(TTY_CLEAR_EOS, out);
}

struct watch {
	const struct run_ctx *ctx;
	int (*view)(const struct run_ctx *ctx);
	struct term term; /* re-probed on SIGWINCH */
	struct watch_counts prev;
	bool have_prev;
	bool machine; /* a machine-readable format: frames get no header in a pipe */
	struct query count_q; /* the sockets of the header's count (see enum watch_sel) */
};

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
	if (w->term.tty) {
		draw_tty(ctx->out, &w->term, header, text, len);
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
	err = tick_open(&t, o->continuous);
	if (err < 0)
		return run_error(ctx, err, "cannot set up the repeat timer: %s",
				 strerror(-err));
	if (w.term.tty)
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
	if (w.term.tty) {
		fputs(TTY_LEAVE, ctx->out);
		watch_flush(ctx->out);
	}
	tick_close(&t);
	return status;
}
