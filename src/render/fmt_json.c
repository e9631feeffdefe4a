/* fmt_json.c - JSON and JSON lines: escaping, sockets, summaries, histograms, events,
 * columns. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/escape.h"
#include "model/colvalue.h"
#include "query/procs.h"
#include "render/colfmt.h"
#include "render/colfmt_tcp.h"
#include "render/evline.h"
#include "render/fmt_json.h"

#define CELL_MAX 4096

/* Rows go out a piece at a time: the _unlocked stdio calls skip a lock per piece (the
 * program has one thread). */

/* A byte copied as it is: printable ASCII but the two JSON escapes. */
static inline bool json_plain(unsigned char c)
{
	return (unsigned)(c - 0x20) < 0x5f && c != '"' && c != '\\';
}

/* Length of the run of plain bytes at the start of s (at most len). */
static size_t plain_run(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len && json_plain(s[i]))
		i++;
	return i;
}

size_t fmt_json_escape(const char *in, size_t len, char *out, size_t sz)
{
	static const char *const short_esc[] = {
	    ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
	    ['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
	};
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in, *end = s + len;
	size_t o = 0;
	char esc[16];
	uint32_t cp;

	if (!sz)
		return 0;
	while (s < end) {
		/* A run of plain bytes goes over in one copy: it is nearly all of any
		 * listing, and a byte at a time was 44% of -j's instructions. */
		size_t run = plain_run(s, (size_t)(end - s));
		if (run) {
			if (o + run + 1 > sz)
				run = sz - 1 - o;
			memcpy(out + o, s, run);
			o += run;
			s += run;
			if (s < end && o + 1 >= sz)
				break;
			continue;
		}
		/* escape_utf8_len reads up to 4 bytes: never past the end of the input */
		unsigned char tmp[4] = {0};
		size_t avail = (size_t)(end - s);
		memcpy(tmp, s, avail < 4 ? avail : 4);
		size_t n = escape_utf8_len(tmp), elen;
		const char *piece;

		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1 controls are valid JSON but some terminals act on them */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[s[1] >> 4];
			esc[5] = hex[s[1] & 15];
			piece = esc;
			elen = 6;
		} else if (n > 1 && (cp = escape_format_char(tmp, n)) != 0) {
			/* bidi, separators, zero-width: valid JSON raw, but they reorder
			 * or hide what a reader sees */
			if (cp > 0xffff)
				snprintf(esc, sizeof(esc), "\\u%04x\\u%04x",
					 0xd800 + ((cp - 0x10000) >> 10),
					 0xdc00 + ((cp - 0x10000) & 0x3ff));
			else
				snprintf(esc, sizeof(esc), "\\u%04x", cp);
			piece = esc;
			elen = strlen(esc);
		} else if (n > 1) {
			piece = (const char *)s;
			elen = n;
		} else if (n == 0) {
			piece = "\xef\xbf\xbd"; /* U+FFFD for a byte that is not UTF-8 */
			elen = 3;
			n = 1;
		} else {
			/* the short escapes JSON has, else \u00XX */
			piece = *s < sizeof(short_esc) / sizeof(short_esc[0])
				    ? short_esc[*s]
				    : NULL;
			if (piece) {
				elen = strlen(piece);
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[*s >> 4];
				esc[5] = hex[*s & 15];
				piece = esc;
				elen = 6;
			}
		}
		if (o + elen + 1 > sz)
			break;
		memcpy(out + o, piece, elen);
		o += elen;
		s += n;
	}
	out[o] = '\0';
	return o;
}

/* A quoted JSON string of len bytes. */
static void put_str(FILE *out, const char *s, size_t len)
{
	char buf[CELL_MAX * 6 + 1];

	if (len > CELL_MAX)
		len = CELL_MAX;
	putc_unlocked('"', out);
	if (plain_run((const unsigned char *)s, len) == len) {
		fwrite_unlocked(s, 1, len, out); /* nothing to escape: no copy */
	} else {
		size_t n = fmt_json_escape(s, len, buf, sizeof(buf));
		fwrite_unlocked(buf, 1, n, out);
	}
	putc_unlocked('"', out);
}

static void put_owners(FILE *out, const struct sock_rec *s, const struct col_ctx *ctx)
{
	size_t n;
	const struct proc_owner *const *own = procs_lookup(ctx->procs, s->inode, &n);

	putc_unlocked('[', out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)own[i]->pid);
		put_str(out, own[i]->comm, strlen(own[i]->comm));
		putc_unlocked('}', out);
	}
	putc_unlocked(']', out);
}

void fmt_json_string(FILE *out, const char *s)
{
	if (s)
		put_str(out, s, strlen(s));
	else
		fputs("null", out);
}

void fmt_json_sock_fields(FILE *out, const struct sock_rec *s,
			  const struct column_list *cols, const struct col_ctx *ctx)
{
	char cell[CELL_MAX];

	for (int c = 0; c < cols->n; c++) {
		const struct column *col = cols->v[c];
		size_t n;

		if (c)
			putc_unlocked(',', out);
		putc_unlocked('"', out);
		fputs_unlocked(col->name, out);
		fputs_unlocked("\":", out);
		switch (col->type) {
		case COL_OWNERS:
			put_owners(out, s, ctx);
			break;
		case COL_NUMBER:
		case COL_BOOL:
			n = colfmt_json_number(col, s, ctx, cell, sizeof(cell));
			fwrite_unlocked(cell, 1, n < sizeof(cell) ? n : sizeof(cell) - 1,
					out);
			break;
		default:
			n = colfmt_cell(col, s, ctx, cell, sizeof(cell));
			/* "-" is the table's "no value" (a TIME_WAIT socket's user, no
			 * timer): JSON says null, as for numbers */
			if (n == 1 && cell[0] == '-')
				fputs("null", out);
			else
				put_str(out, cell,
					n < sizeof(cell) ? n : sizeof(cell) - 1);
			break;
		}
	}
}

static void put_sock(FILE *out, const struct sock_rec *s, const struct column_list *cols,
		     const struct col_ctx *ctx)
{
	putc_unlocked('{', out);
	fmt_json_sock_fields(out, s, cols, ctx);
	putc_unlocked('}', out);
}

void fmt_json_list_begin(FILE *out, bool lines)
{
	if (!lines)
		fprintf(out, "{\"version\":%d,\"sockets\":[", FMT_JSON_VERSION);
}

void fmt_json_list_row(FILE *out, const struct sock_rec *s,
		       const struct column_list *cols, const struct col_ctx *ctx,
		       bool lines, bool first)
{
	if (!lines)
		fputs_unlocked(first ? "\n" : ",\n", out);
	put_sock(out, s, cols, ctx);
	if (lines)
		putc_unlocked('\n', out);
}

int fmt_json_list_end(FILE *out, bool lines)
{
	if (!lines)
		fputs("\n]}\n", out);
	return ferror(out) ? -EIO : 0;
}

int fmt_json_sockets(FILE *out, const struct sock_set *set,
		     const struct column_list *cols, const struct col_ctx *ctx,
		     bool lines)
{
	fmt_json_list_begin(out, lines);
	for (size_t i = 0; i < set->n; i++)
		fmt_json_list_row(out, &set->v[i], cols, ctx, lines, i == 0);
	return fmt_json_list_end(out, lines);
}

static void put_counts(FILE *out, uint64_t v4, uint64_t v6)
{
	fprintf(out, "\"ipv4\":%llu,\"ipv6\":%llu,\"total\":%llu", (unsigned long long)v4,
		(unsigned long long)v6, (unsigned long long)(v4 + v6));
}

int fmt_json_summary(FILE *out, const struct summary *sum, bool lines)
{
	bool first = true;

	if (!lines)
		fprintf(out, "{\"version\":%d,\"summary\":{\"states\":{",
			FMT_JSON_VERSION);
	for (int st = 0; st <= TS_NSTATES; st++) {
		uint64_t v4 = sum->count[SUMMARY_IPV4][st],
			 v6 = sum->count[SUMMARY_IPV6][st];
		const char *name =
		    st < TS_NSTATES ? state_name((enum ts_state)st) : "UNKNOWN";
		if (st == TS_NSTATES && !v4 && !v6)
			break; /* UNKNOWN only when seen */
		if (lines) {
			fprintf(out, "{\"state\":\"%s\",", name);
			put_counts(out, v4, v6);
			fputs("}\n", out);
			continue;
		}
		fprintf(out, "%s\n\"%s\":{", first ? "" : ",", name);
		put_counts(out, v4, v6);
		putc_unlocked('}', out);
		first = false;
	}
	if (!lines) {
		fputs("\n},\"total\":{", out);
		put_counts(out, summary_family_total(sum, SUMMARY_IPV4),
			   summary_family_total(sum, SUMMARY_IPV6));
		fputs("}}}\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

/* A key value: a number for numeric keys, else a string of the raw bytes. */
static void put_value(FILE *out, const struct hist_key *k, const struct hist_row *r)
{
	fputc('"', out);
	fputs(k->name, out);
	fputs("\":", out);
	if (k->numeric)
		fwrite(r->key, 1, r->len, out);
	else
		put_str(out, r->key, r->len);
}

static void put_rest(FILE *out, const char *what, size_t n, uint64_t count)
{
	fprintf(out, ",\"other\":{\"%s\":%zu,\"count\":%llu}", what, n,
		(unsigned long long)count);
}

int fmt_json_hist(FILE *out, const struct hist *h, const struct hist_limit *lim,
		  bool lines)
{
	size_t ng = lim->groups && lim->groups < h->n_groups ? lim->groups : h->n_groups;
	size_t rest_n;
	uint64_t rest_count;

	if (!lines) {
		fprintf(out, "{\"version\":%d,\"hist\":{\"keys\":[", FMT_JSON_VERSION);
		for (int k = 0; k < h->nkeys; k++)
			fprintf(out, "%s\"%s\"", k ? "," : "", h->keys[k]->name);
		fprintf(out, "],\"total\":%llu,\"groups\":[",
			(unsigned long long)h->total);
	}
	for (size_t g = 0; g < ng; g++) {
		const struct hist_row *gr = &h->groups[g];
		size_t ns = gr->n;
		if (h->nkeys > 1 && lim->subs && lim->subs < ns)
			ns = lim->subs;
		if (lines) {
			for (size_t i = 0; i < (h->nkeys > 1 ? ns : 1); i++) {
				const struct hist_row *r =
				    h->nkeys > 1 ? &h->subs[gr->first + i] : gr;
				putc_unlocked('{', out);
				put_value(out, h->keys[0], gr);
				if (h->nkeys > 1) {
					putc_unlocked(',', out);
					put_value(out, h->keys[1], r);
				}
				fprintf(out, ",\"count\":%llu}\n",
					(unsigned long long)r->count);
			}
			continue;
		}
		fputs(g ? ",\n{" : "\n{", out);
		put_value(out, h->keys[0], gr);
		fprintf(out, ",\"count\":%llu", (unsigned long long)gr->count);
		if (h->nkeys > 1) {
			fputs(",\"breakdown\":[", out);
			for (size_t i = 0; i < ns; i++) {
				const struct hist_row *r = &h->subs[gr->first + i];
				fputs(i ? ",{" : "{", out);
				put_value(out, h->keys[1], r);
				fprintf(out, ",\"count\":%llu}",
					(unsigned long long)r->count);
			}
			putc_unlocked(']', out);
			hist_sub_rest(h, gr, lim->subs, &rest_n, &rest_count);
			if (rest_n)
				put_rest(out, "rows", rest_n, rest_count);
		}
		putc_unlocked('}', out);
	}
	if (!lines) {
		fputs("\n]", out);
		hist_rest(h, lim->groups, &rest_n, &rest_count);
		if (rest_n)
			put_rest(out, "groups", rest_n, rest_count);
		fputs("}}\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

int fmt_json_columns(FILE *out, bool lines)
{
	if (!lines)
		fprintf(out, "{\"version\":%d,\"columns\":[", FMT_JSON_VERSION);
	for (int i = 0; column_table[i].name; i++) {
		const struct column *c = &column_table[i];
		if (!lines)
			fputs(i ? ",\n" : "\n", out);
		fprintf(out, "{\"name\":");
		put_str(out, c->name, strlen(c->name));
		fputs(",\"header\":", out);
		put_str(out, c->header, strlen(c->header));
		const char *unit = colvalue_unit_of(c->name);
		fprintf(out, ",\"type\":\"%s\",\"unit\":", column_type_name(c->type));
		if (unit)
			fprintf(out, "\"%s\",\"help\":", unit);
		else
			fputs("null,\"help\":", out);
		put_str(out, c->help, strlen(c->help));
		putc_unlocked('}', out);
		if (lines)
			putc_unlocked('\n', out);
	}
	if (!lines)
		fputs("\n]}\n", out);
	return ferror(out) ? -EIO : 0;
}

/* A quoted JSON string of len bytes, appended to an event line. */
static void line_str(struct evline *o, const char *s, size_t len)
{
	if (o->at + 3 >= o->sz)
		return;
	o->buf[o->at++] = '"';
	o->at += fmt_json_escape(s, len, o->buf + o->at, o->sz - o->at - 1);
	o->buf[o->at++] = '"';
	o->buf[o->at] = '\0';
}

static const char *const kind_json[] = {
    [EV_NEW] = "new",
    [EV_CHANGE] = "change",
    [EV_GONE] = "gone",
    [EV_BRIEF] = "gone",
};

static void line_owners(struct evline *o, const char *owners)
{
	evline_put(o, ",\"owners\":[");
	for (const char *p = owners; p && *p;) {
		const char *pid = p, *comm = p + strlen(p) + 1;
		p = comm + strlen(comm) + 1;
		evline_put(o, "%s{\"pid\":%s,\"comm\":", pid == owners ? "" : ",", pid);
		line_str(o, comm, strlen(comm));
		evline_put(o, "}");
	}
	evline_put(o, "]");
}

size_t fmt_json_overrun(double wall, double poll_s, double interval_s, char *buf,
			size_t sz)
{
	char t[64];
	struct evline o;

	evline_init(&o, buf, sz);
	evline_time(wall, true, t, sizeof(t));
	evline_put(&o,
		   "{\"time\":\"%s\",\"event\":\"overrun\",\"poll_s\":%.3f,"
		   "\"interval_s\":%.3f}\n",
		   t, poll_s, interval_s);
	return o.at;
}

/* eBPF events: microseconds in state, the task in process context, the namespace. */
static void line_traced(struct evline *o, const struct ev_event *e)
{
	if (e->in_state >= 0)
		evline_put(o, ",\"in_state_us\":%.0f", e->in_state * 1e6);
	else
		evline_put(o, ",\"in_state_us\":null");
	if (e->pid && e->comm) {
		evline_put(o, ",\"pid\":%u,\"comm\":", e->pid);
		line_str(o, e->comm, strlen(e->comm));
	} else {
		evline_put(o, ",\"pid\":null,\"comm\":null");
	}
	evline_put(o, ",\"netns\":%u", e->netns);
}

size_t fmt_json_event(const struct ev_event *e, bool with_owners, char *buf, size_t sz)
{
	const struct ev_sock *s = e->sock;
	char t[64], local[128], peer[128], rtt[32];
	struct evline o;

	evline_init(&o, buf, sz);
	evline_time(e->wall, true, t, sizeof(t));
	sock_fmt_endpoint(s->family, s->laddr, s->lport, false, false, local,
			  sizeof(local));
	sock_fmt_endpoint(s->family, s->raddr, s->rport, true, false, peer, sizeof(peer));
	evline_put(&o, "{\"time\":\"%s\",\"event\":\"%s\",\"old\":", t,
		   kind_json[e->kind]);
	if (e->kind == EV_CHANGE || e->kind == EV_GONE)
		evline_put(&o, "\"%s\"", state_name((enum ts_state)e->old_state));
	else
		evline_put(&o, "null");
	evline_put(&o, ",\"new\":");
	if (e->kind == EV_NEW || e->kind == EV_CHANGE)
		evline_put(&o, "\"%s\"", state_name((enum ts_state)e->new_state));
	else
		evline_put(&o, "null");
	evline_put(&o, ",\"brief\":%s", e->kind == EV_BRIEF ? "true" : "false");
	evline_put(
	    &o, ",\"proto\":\"%s\",\"local\":\"%s\",\"peer\":\"%s\",\"cookie\":\"%llx\"",
	    s->family == AF_INET6 ? "tcp6" : "tcp", local, peer,
	    (unsigned long long)s->cookie);
	if (e->in_state >= 0)
		evline_put(&o, ",\"in_state_ms\":%.0f", e->in_state * 1000);
	else
		evline_put(&o, ",\"in_state_ms\":null");
	if (e->traced)
		line_traced(&o, e);
	if (with_owners)
		line_owners(&o, s->owners);
	if (s->info.have) {
		colfmt_usec_as_ms(s->info.rtt_us, rtt, sizeof(rtt));
		evline_put(
		    &o,
		    ",\"bytes_acked\":%llu,\"bytes_received\":%llu,\"rtt_ms\":%s,\"retrans\":%u",
		    (unsigned long long)s->info.bytes_acked,
		    (unsigned long long)s->info.bytes_received, rtt,
		    s->info.total_retrans);
	}
	evline_put(&o, "}\n");
	return o.at;
}
