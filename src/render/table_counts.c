/* table_counts.c - the table format of counts: the -s summary and --hist, with bars. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "render/bars.h"
#include "render/table.h"

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

#define STATE_COL 11 /* strlen("ESTABLISHED") */

/* Sparkline levels, lowest first: Unicode lower blocks, or ASCII. */
static const char *const spark_utf8[8] = {
    "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char spark_ascii[8] = {'_', '.', ',', '-', '~', '=', '*', '#'};

/* The recent totals of one state as a sparkline of SUMMARY_TRAIL_MAX columns (the newest
 * on the right), each frame out of the largest of them. */
static void sparkline(const struct summary_trail *t, int st, bool utf8, char *buf,
		      size_t sz)
{
	uint64_t max = 0;
	size_t o = 0;

	for (int f = 0; f < t->frames; f++)
		if (t->n[f][st] > max)
			max = t->n[f][st];
	for (int f = t->frames; f < SUMMARY_TRAIL_MAX && o + 1 < sz; f++)
		buf[o++] = ' ';
	for (int f = 0; f < t->frames && o + 4 < sz; f++) {
		int lvl = max ? (int)((t->n[f][st] * 7 + max / 2) / max) : 0;
		if (utf8) {
			memcpy(buf + o, spark_utf8[lvl], 3);
			o += 3;
		} else {
			buf[o++] = spark_ascii[lvl];
		}
	}
	buf[o] = '\0';
}

/* The change of a state since the last frame ("+2", "-1", "0"). */
static void change(const struct summary_trail *t, int st, char *buf, size_t sz)
{
	long long d = 0;

	if (t->frames >= 2)
		d = (long long)t->n[t->frames - 1][st] -
		    (long long)t->n[t->frames - 2][st];
	snprintf(buf, sz, d ? "%+lld" : "0", d);
}

#define CHANGE_COL 6 /* strlen("Change") */

int summary_render_table(FILE *out, const struct summary *sum,
			 const struct summary_render *r)
{
	const struct summary_trail *t = r->trail;
	uint64_t max = 0, all = summary_family_total(sum, -1);
	int nw = 5; /* strlen("Total") */
	char bar[BARS_BYTES(64)], spark[SUMMARY_TRAIL_MAX * 3 + 1], ch[32];

	for (int st = 0; st <= TS_NSTATES; st++)
		if (summary_state_total(sum, st) > max)
			max = summary_state_total(sum, st);
	if (digits(all) > nw)
		nw = digits(all);
	if (t && digits(t->peak_total) > nw)
		nw = digits(t->peak_total);
	if (t)
		max = t->scale;
	int extra = t ? CHANGE_COL + 2 + SUMMARY_TRAIL_MAX + 2 : 0;
	int bw = bars_width(r->width, STATE_COL + 3 * (nw + 2) + 1 + extra);
	if (r->header && !t)
		fprintf(out, "%-*s  %*s  %*s  %*s\n", STATE_COL, "State", nw, "IPv4", nw,
			"IPv6", nw, "Total");
	else if (r->header)
		fprintf(out, "%-*s  %*s  %*s  %*s  %*s  %-*s\n", STATE_COL, "State", nw,
			"IPv4", nw, "IPv6", nw, "Total", CHANGE_COL, "Change",
			SUMMARY_TRAIL_MAX, "Recent");
	for (int st = 0; st <= TS_NSTATES; st++) {
		uint64_t v4 = sum->count[SUMMARY_IPV4][st],
			 v6 = sum->count[SUMMARY_IPV6][st];
		const char *name =
		    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN";
		const char *color = r->color ? table_state_color((enum ts_state)st) : "";
		if (st == TS_NSTATES && !v4 && !v6)
			break;
		bars_draw(v4 + v6, max, bw, r->utf8, bar, sizeof(bar));
		fprintf(out, "%s%s%s%*s  %*llu  %*llu  %*llu", color, name,
			*color ? "\033[0m" : "", STATE_COL - (int)strlen(name), "", nw,
			(unsigned long long)v4, nw, (unsigned long long)v6, nw,
			(unsigned long long)(v4 + v6));
		if (t) {
			change(t, st, ch, sizeof(ch));
			sparkline(t, st, r->utf8, spark, sizeof(spark));
			fprintf(out, "  %*s  %s", CHANGE_COL, ch, spark);
		}
		fprintf(out, "%s%s\n", *bar ? "  " : "", bar);
	}
	if (r->header)
		fprintf(out, "%-*s  %*llu  %*llu  %*llu\n", STATE_COL, "Total", nw,
			(unsigned long long)summary_family_total(sum, SUMMARY_IPV4), nw,
			(unsigned long long)summary_family_total(sum, SUMMARY_IPV6), nw,
			(unsigned long long)all);
	return ferror(out) ? -EIO : 0;
}

/* One printed line: up to two key cells, a count, maybe a bar. */
struct hline {
	const char *k[HIST_MAX_KEYS];
	uint64_t count;
	bool bar; /* data rows get a bar; "(N more)" and Total do not */
	bool
	    more; /* a "(N more ...)" line: its label may span the key columns after it */
};

typedef void (*hline_fn)(const struct hist *h, const struct hline *l, void *data);

/* Walk the lines the table shows, in order. */
static void walk(const struct hist *h, const struct hist_render *r, hline_fn fn,
		 void *data)
{
	const struct hist_limit *lim = &r->limit;
	size_t ng = lim->groups && lim->groups < h->n_groups ? lim->groups : h->n_groups;
	char more[96], sub_more[96];
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
			snprintf(sub_more, sizeof(sub_more), "(%zu more row%s)", rest_n,
				 rest_n == 1 ? "" : "s");
			struct hline l = {{gr->key, sub_more}, rest_count, false, true};
			fn(h, &l, data);
		}
	}
	hist_rest(h, lim->groups, &rest_n, &rest_count);
	if (rest_n) {
		snprintf(more, sizeof(more), "(%zu more group%s)", rest_n,
			 rest_n == 1 ? "" : "s");
		struct hline l = {{more, ""}, rest_count, false, true};
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
		if (l->more && l->k[k][0] == '(')
			break; /* the label spans the columns, it does not widen them */
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
		if (l->more && l->k[k][0] == '(') {
			/* the label spans the key columns; the count keeps its right
			 * edge when the label leaves room */
			int span = p->count_w;
			for (int j = k; j < h->nkeys; j++)
				span += (int)p->m.width[j] + 2;
			int pad = span - (int)w - digits(l->count);
			fprintf(p->out, "%s%*s%llu sockets\n", esc, pad > 1 ? pad : 1, "",
				(unsigned long long)l->count);
			return;
		}
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
