/* view_hist.c - the --hist view: count while the dump streams, then print by count. */
#include <errno.h>
#include <string.h>

#include "aggregate/hist.h"
#include "base/escape.h"
#include "model/columns.h"
#include "render/bars.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_om.h"
#include "render/table.h"
#include "views/run.h"
#include "views/views.h"

/* One printed line: up to two key cells, a count, maybe a bar. */
struct hline {
	const char *k[HIST_MAX_KEYS];
	uint64_t count;
	bool bar; /* data rows get a bar; "(N more)" and Total do not */
};

typedef void (*hline_fn)(const struct hist *h, const struct hline *l, void *data);

/* Walk the lines the table shows, in order. */
static void walk(const struct hist *h, const struct hist_render *r, hline_fn fn,
		 void *data)
{
	const struct hist_limit *lim = &r->limit;
	size_t ng = lim->groups && lim->groups < h->n_groups ? lim->groups : h->n_groups;
	char more[64], sub_more[64];
	size_t rest_n;
	uint64_t rest_count;

	for (size_t g = 0; g < ng; g++) {
		const struct hist_row *gr = &h->groups[g];
		if (h->nkeys == 1) {
			struct hline l = {{gr->key, NULL}, gr->count, true};
			fn(h, &l, data);
			continue;
		}
		size_t ns = lim->subs && lim->subs < gr->n ? lim->subs : gr->n;
		for (size_t i = 0; i < ns; i++) {
			const struct hist_row *sr = &h->subs[gr->first + i];
			struct hline l = {{gr->key, sr->key}, sr->count, true};
			fn(h, &l, data);
		}
		hist_sub_rest(h, gr, lim->subs, &rest_n, &rest_count);
		if (rest_n) {
			snprintf(sub_more, sizeof(sub_more), "(%zu more)", rest_n);
			struct hline l = {{gr->key, sub_more}, rest_count, false};
			fn(h, &l, data);
		}
	}
	hist_rest(h, lim->groups, &rest_n, &rest_count);
	if (rest_n) {
		snprintf(more, sizeof(more), "(%zu more)", rest_n);
		struct hline l = {{more, ""}, rest_count, false};
		fn(h, &l, data);
	}
	if (r->header) {
		struct hline l = {{"Total", ""}, h->total, false};
		fn(h, &l, data);
	}
}

struct measure {
	size_t width[HIST_MAX_KEYS];
	uint64_t max;
};

static void measure_line(const struct hist *h, const struct hline *l, void *data)
{
	struct measure *m = data;
	char esc[HIST_VALUE_MAX * 4];

	for (int k = 0; k < h->nkeys; k++) {
		size_t n = escape_name(l->k[k], esc, sizeof(esc));
		size_t w = table_display_width(esc, n);
		if (w > m->width[k])
			m->width[k] = w;
	}
	if (l->bar && l->count > m->max)
		m->max = l->count;
}

struct printer {
	FILE *out;
	const struct hist_render *r;
	struct measure m;
	int count_w;
	int bar_w;
};

static const char *state_color(const char *name)
{
	for (int s = 0; s < TS_NSTATES; s++)
		if (strcmp(state_name((enum ts_state)s), name) == 0)
			return table_state_color((enum ts_state)s);
	return "";
}

static void print_line(const struct hist *h, const struct hline *l, void *data)
{
	struct printer *p = data;
	char esc[HIST_VALUE_MAX * 4], bar[BARS_BYTES(64)];

	for (int k = 0; k < h->nkeys; k++) {
		size_t n = escape_name(l->k[k], esc, sizeof(esc));
		size_t w = table_display_width(esc, n);
		const char *color = "";
		if (p->r->color && l->bar && strcmp(h->keys[k]->name, "state") == 0)
			color = state_color(esc);
		fprintf(p->out, "%s%s%s%*s  ", color, esc, *color ? "\033[0m" : "",
			(int)(p->m.width[k] - w), "");
	}
	fprintf(p->out, "%*llu", p->count_w, (unsigned long long)l->count);
	if (l->bar &&
	    bars_draw(l->count, p->m.max, p->bar_w, p->r->utf8, bar, sizeof(bar)))
		fprintf(p->out, "  %s", bar);
	putc('\n', p->out);
}

int hist_render_table(FILE *out, const struct hist *h, const struct hist_render *r)
{
	struct printer p = {out, r, {{0}, 0}, 5, 0};
	int used = 0;

	for (int k = 0; k < h->nkeys; k++)
		if (r->header)
			p.m.width[k] = strlen(h->keys[k]->header);
	walk(h, r, measure_line, &p.m);
	for (uint64_t v = h->total; v >= 100000; v /= 10)
		p.count_w++;
	for (int k = 0; k < h->nkeys; k++)
		used += (int)p.m.width[k] + 2;
	p.bar_w = bars_width(r->width, used + p.count_w + 1);
	if (r->header) {
		for (int k = 0; k < h->nkeys; k++)
			fprintf(out, "%-*s  ", (int)p.m.width[k], h->keys[k]->header);
		fprintf(out, "%*s\n", p.count_w, "Count");
	}
	walk(h, r, print_line, &p);
	return ferror(out) ? -EIO : 0;
}

static int count_one(const struct sock_rec *s, void *data)
{
	return hist_add(data, s);
}

/* What to show: --top N, else in a table on a terminal what fits its height. */
static struct hist_limit pick_limit(const struct run_ctx *ctx, const struct hist *h)
{
	const struct opts *o = ctx->opts;
	struct hist_limit l = {0, 0};

	if (o->top > 0) {
		l.groups = (size_t)o->top;
		l.subs = (size_t)o->top;
		return l;
	}
	if (o->format == FMT_TABLE && ctx->term->tty && ctx->term->height > 0)
		/* header, Total and the shell prompt */
		return hist_fit(h, ctx->term->height - (o->no_header ? 1 : 3));
	return l;
}

static int render(const struct run_ctx *ctx, const struct hist *h)
{
	const struct opts *o = ctx->opts;
	struct hist_limit lim = pick_limit(ctx, h);

	switch (o->format) {
	case FMT_JSON:
	case FMT_JSONL:
		return fmt_json_hist(ctx->out, h, &lim, o->format == FMT_JSONL);
	case FMT_CSV:
		return fmt_csv_hist(ctx->out, h, &lim, !o->no_header);
	case FMT_OPENMETRICS:
		return fmt_om_hist(ctx->out, h, &lim);
	default: {
		struct hist_render r = {!o->no_header, ctx->term->color,
					ctx->term->tty && ctx->term->utf8,
					ctx->term->tty ? ctx->term->width : 0, lim};
		return hist_render_table(ctx->out, h, &r);
	}
	}
}

int view_hist(const struct run_ctx *ctx)
{
	const char *bad = NULL;
	char names[256];
	struct hist h;
	struct collect c;
	int err;

	err = hist_init(&h, ctx->opts->hist, &bad);
	if (err == -EINVAL) {
		hist_key_names(names, sizeof(names));
		return run_error(ctx, err,
				 "unknown --hist key '%s' (one or two of %s, "
				 "separated by a comma)",
				 bad ? bad : "", names);
	}
	if (err < 0)
		return run_error(ctx, err, "out of memory");
	memset(&c, 0, sizeof(c));
	h.netns = &ctx->msgs->netns;
	if (!(hist_needs(&h) & COL_NEED_PROCS)) {
		err = collect_stream(ctx, 0, count_one, &h, NULL);
	} else {
		/* owners come from a /proc scan after the dump: the sockets are kept */
		err = collect_sockets(ctx, COL_NEED_PROCS, &c);
		h.procs = c.procs;
		for (size_t i = 0; err == 0 && i < c.socks.n; i++)
			err = hist_add(&h, &c.socks.v[i]);
	}
	if (err == 0)
		err = hist_finish(&h);
	collect_done(&c);
	h.procs = NULL;
	if (err == 0)
		err = render(ctx, &h);
	if (err == -ENOMEM && !ctx->msgs->error)
		run_error(ctx, err, "out of memory");
	hist_done(&h);
	return err;
}
