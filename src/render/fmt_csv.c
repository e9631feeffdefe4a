/* fmt_csv.c - RFC 4180 CSV: quoting only where needed, CR LF line ends. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "model/colvalue.h"
#include "render/colfmt.h"
#include "render/fmt_csv.h"

#define CELL_MAX 4096

/* Rows go out a piece at a time: the _unlocked stdio calls skip a lock per piece (the
 * program has one thread). */
#define CRLF "\r\n"

size_t fmt_csv_field(const char *in, size_t len, char *out, size_t sz)
{
	size_t o = 0;

	if (!sz)
		return 0;
	if (!memchr(in, ',', len) && !memchr(in, '"', len) && !memchr(in, '\n', len) &&
	    !memchr(in, '\r', len)) {
		o = len < sz - 1 ? len : sz - 1;
		memcpy(out, in, o);
		out[o] = '\0';
		return o;
	}
	if (sz < 3) {
		out[0] = '\0';
		return 0;
	}
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		size_t need = in[i] == '"' ? 2 : 1;
		if (o + need + 2 > sz)
			break; /* room for the closing quote and the NUL */
		if (in[i] == '"')
			out[o++] = '"';
		out[o++] = in[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

static bool needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

static void put_field(FILE *out, const char *s, size_t len)
{
	char buf[CELL_MAX * 2 + 3];

	if (len > CELL_MAX)
		len = CELL_MAX;
	if (!needs_quotes(s, len)) { /* nearly every cell: no copy */
		fwrite_unlocked(s, 1, len, out);
		return;
	}
	fwrite_unlocked(buf, 1, fmt_csv_field(s, len, buf, sizeof(buf)), out);
}

void fmt_csv_list_header(FILE *out, const struct column_list *cols)
{
	for (int c = 0; c < cols->n; c++) {
		if (c)
			putc_unlocked(',', out);
		fputs(cols->v[c]->name, out);
	}
	fputs(CRLF, out);
}

void fmt_csv_list_row(FILE *out, const struct sock_rec *s, const struct column_list *cols,
		      const struct col_ctx *ctx)
{
	char cell[CELL_MAX];

	for (int c = 0; c < cols->n; c++) {
		size_t n = colfmt_cell(cols->v[c], s, ctx, cell, sizeof(cell));
		if (c)
			putc_unlocked(',', out);
		put_field(out, cell, n < sizeof(cell) ? n : sizeof(cell) - 1);
	}
	fputs_unlocked(CRLF, out);
}

int fmt_csv_sockets(FILE *out, const struct sock_set *set, const struct column_list *cols,
		    const struct col_ctx *ctx, bool header)
{
	if (header)
		fmt_csv_list_header(out, cols);
	for (size_t i = 0; i < set->n; i++)
		fmt_csv_list_row(out, &set->v[i], cols, ctx);
	return ferror(out) ? -EIO : 0;
}

int fmt_csv_summary(FILE *out, const struct summary *sum, bool header)
{
	if (header)
		fputs("state,ipv4,ipv6,total" CRLF, out);
	for (int st = 0; st <= TS_NSTATES; st++) {
		uint64_t v4 = sum->count[SUMMARY_IPV4][st],
			 v6 = sum->count[SUMMARY_IPV6][st];
		if (st == TS_NSTATES && !v4 && !v6)
			break;
		fprintf(out, "%s,%llu,%llu,%llu" CRLF,
			st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN",
			(unsigned long long)v4, (unsigned long long)v6,
			(unsigned long long)(v4 + v6));
	}
	return ferror(out) ? -EIO : 0;
}

/* A key value as the table shows it: escaped for a terminal, then quoted if needed. */
static void put_value(FILE *out, const struct hist_row *r)
{
	char esc[HIST_VALUE_MAX * 4];
	size_t n = escape_name(r->key, esc, sizeof(esc));

	put_field(out, esc, n);
}

int fmt_csv_hist(FILE *out, const struct hist *h, const struct hist_limit *lim,
		 bool header)
{
	size_t ng = lim->groups && lim->groups < h->n_groups ? lim->groups : h->n_groups;

	if (header) {
		for (int k = 0; k < h->nkeys; k++)
			fprintf(out, "%s,", h->keys[k]->name);
		fputs("count" CRLF, out);
	}
	for (size_t g = 0; g < ng; g++) {
		const struct hist_row *gr = &h->groups[g];
		if (h->nkeys == 1) {
			put_value(out, gr);
			fprintf(out, ",%llu" CRLF, (unsigned long long)gr->count);
			continue;
		}
		size_t ns = lim->subs && lim->subs < gr->n ? lim->subs : gr->n;
		for (size_t i = 0; i < ns; i++) {
			const struct hist_row *r = &h->subs[gr->first + i];
			put_value(out, gr);
			putc_unlocked(',', out);
			put_value(out, r);
			fprintf(out, ",%llu" CRLF, (unsigned long long)r->count);
		}
	}
	return ferror(out) ? -EIO : 0;
}

int fmt_csv_columns(FILE *out, bool header)
{
	if (header)
		fputs("name,header,type,unit,help" CRLF, out);
	for (int i = 0; column_table[i].name; i++) {
		const struct column *c = &column_table[i];
		put_field(out, c->name, strlen(c->name));
		putc_unlocked(',', out);
		put_field(out, c->header, strlen(c->header));
		const char *unit = colvalue_unit_of(c->name);
		fprintf(out, ",%s,%s,", column_type_name(c->type), unit ? unit : "");
		put_field(out, c->help, strlen(c->help));
		fputs(CRLF, out);
	}
	return ferror(out) ? -EIO : 0;
}
