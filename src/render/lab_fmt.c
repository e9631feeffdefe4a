/* lab_fmt.c - the --lab transcripts: a lesson's steps as text or JSON lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "render/fmt_json.h"
#include "render/lab_fmt.h"

enum { LAB_FMT_WIDTH = 80 };

const char *lab_errno_name(int err)
{
	const char *n;

	if (err == 0)
		return "ok";
	n = strerrorname_np(err);
	return n ? n : "EUNKNOWN";
}

/* "127.0.0.1:8080", "0.0.0.0:*" */
static void endpoint(char *buf, size_t sz, uint8_t family, const uint8_t *addr,
		     uint16_t port)
{
	char a[INET6_ADDRSTRLEN];
	char p[8] = "*";

	inet_ntop(family, addr, a, sizeof(a));
	if (port)
		snprintf(p, sizeof(p), "%u", port);
	snprintf(buf, sz, family == AF_INET6 ? "[%s]:%s" : "%s:%s", a, p);
}

static void flag_names(char *buf, size_t sz, uint8_t f)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = {{LAB_SYN, "SYN"},
		    {LAB_FIN, "FIN"},
		    {LAB_RST, "RST"},
		    {LAB_PSH, "PSH"},
		    {LAB_ACK, "ACK"}};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && o < sz; i++)
		if (f & bits[i].bit)
			o += (size_t)snprintf(buf + o, sz - o, "%s%s", o ? "," : "",
					      bits[i].name);
}

static int dir_of(const struct lab_segment *g)
{
	return g->sport == LAB_CLIENT_PORT ? 0 : 1;
}

static const char *side_name(uint16_t port)
{
	return port == LAB_CLIENT_PORT ? "client" : "server";
}

/* A SYN sets its side's initial number; then both numbers become relative. */
static void relative(struct lab_seq *q, const struct lab_segment *g, uint32_t *ret_seq,
		     uint32_t *ret_ack)
{
	int d = dir_of(g);

	if (g->flags & LAB_SYN) {
		q->isn[d] = g->seq;
		q->known[d] = true;
	}
	*ret_seq = q->known[d] ? g->seq - q->isn[d] : g->seq;
	*ret_ack = q->known[!d] ? g->ack - q->isn[!d] : g->ack;
}

static bool is_control(const struct lab_segment *g)
{
	return g->flags & (LAB_SYN | LAB_FIN | LAB_RST);
}

/* Per direction: segments and data bytes left out of a bulk step's list. */
struct bulk {
	unsigned n[2];
	unsigned long bytes[2];
};

static void count_bulk(const struct lab_seen *s, struct lab_seq *q, struct bulk *b)
{
	uint32_t seq, ack;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < s->n_segs; i++) {
		const struct lab_segment *g = &s->segs[i];
		if (is_control(g))
			continue;
		relative(q, g, &seq, &ack);
		b->n[dir_of(g)]++;
		b->bytes[dir_of(g)] += g->len;
	}
}

static bool shown(const struct lab_seen *s, const struct lab_segment *g)
{
	return !s->lesson->steps[s->step].bulk || is_control(g);
}

static void text_segment(FILE *out, struct lab_seq *q, const struct lab_segment *g)
{
	char flags[32], extra[48] = "";
	uint32_t seq, ack;

	relative(q, g, &seq, &ack);
	flag_names(flags, sizeof(flags), g->flags);
	if (g->len)
		snprintf(extra, sizeof(extra), "  len %u", g->len);
	else if (g->win == 0 && !(g->flags & LAB_RST))
		snprintf(extra, sizeof(extra), "  win 0");
	fprintf(out, "  %-6s -> %-6s  %-11s seq %u", side_name(g->sport),
		side_name(g->dport), flags, seq);
	if (g->flags & LAB_ACK)
		fprintf(out, " ack %u", ack);
	fprintf(out, "%s\n", extra);
}

static int sock_role(const struct sock_rec *r)
{
	return (int)lab_role_of(r->lport, r->rport);
}

static void text_sockets(FILE *out, const struct sock_set *set)
{
	char l[64], r[64];

	for (int role = 0; role < LAB_NROLES; role++) {
		for (size_t i = 0; i < set->n; i++) {
			const struct sock_rec *k = &set->v[i];
			if (sock_role(k) != role)
				continue;
			endpoint(l, sizeof(l), k->family, k->laddr, k->lport);
			endpoint(r, sizeof(r), k->family, k->raddr, k->rport);
			fprintf(out, "  %-8s  %-16s %-16s %s\n", lab_role_name(role), l,
				r, state_name((enum ts_state)k->state));
		}
	}
}

/* text as words wrapped at LAB_FMT_WIDTH columns: the first line after lead, the others
 * indented by indent (the words are ASCII). */
static void wrap(FILE *out, const char *lead, int indent, const char *text)
{
	const char *p = text;
	int col = fprintf(out, "%s", lead);
	bool first = true;

	while (*p) {
		size_t len = strcspn(p, " ");
		if (!first && col + 1 + (int)len > LAB_FMT_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, len, out);
		col += (int)len;
		first = false;
		p += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void text_bulk(FILE *out, int d, unsigned n, unsigned long bytes)
{
	fprintf(out, "  %-6s -> %-6s  ", d ? "server" : "client",
		d ? "client" : "server");
	if (bytes)
		fprintf(out, "%u segments with %lu bytes of data\n", n, bytes);
	else
		fprintf(out, "%u ACKs and window probes\n", n);
}

static int text_step(FILE *out, const struct lab_seen *s, struct lab_seq *q)
{
	const struct lab_step *st = &s->lesson->steps[s->step];
	struct lab_seq q0 = *q;
	struct bulk b;
	size_t n = 0;
	char lead[64];

	snprintf(lead, sizeof(lead), "Step %zu/%zu  %s: ", s->step + 1,
		 s->lesson->n_steps, st->actor);
	fputc('\n', out);
	wrap(out, lead, 4, st->call);
	if (s->result)
		fprintf(out, "  -> %s (%s)\n", lab_errno_name(s->result),
			strerror(s->result));
	for (size_t i = 0; i < s->n_segs; i++) {
		if (!shown(s, &s->segs[i]))
			continue;
		text_segment(out, q, &s->segs[i]);
		n++;
	}
	if (st->bulk) {
		*q = q0; /* count_bulk sees every segment again */
		count_bulk(s, q, &b);
		for (int d = 0; d < 2; d++)
			if (b.n[d])
				text_bulk(out, d, b.n[d], b.bytes[d]);
		n += b.n[0] + b.n[1];
	}
	if (n == 0)
		fprintf(out, "  (no segments)\n");
	text_sockets(out, s->socks);
	if (!s->settled)
		fprintf(out, "  (the kernel had not reached this step's states yet)\n");
	wrap(out, "  ", 2, st->point);
	return 0;
}

static void json_str(FILE *out, const char *key, const char *val, bool comma)
{
	char buf[1024];

	fmt_json_escape(val, strlen(val), buf, sizeof(buf));
	fprintf(out, "%s\"%s\":\"%s\"", comma ? "," : "", key, buf);
}

static void json_segment(FILE *out, struct lab_seq *q, const struct lab_segment *g)
{
	char flags[32];
	uint32_t seq, ack;

	relative(q, g, &seq, &ack);
	flag_names(flags, sizeof(flags), g->flags);
	fprintf(out, "{\"from\":\"%s\",\"to\":\"%s\",\"flags\":\"%s\",\"seq\":%u,",
		side_name(g->sport), side_name(g->dport), flags, seq);
	if (g->flags & LAB_ACK)
		fprintf(out, "\"ack\":%u,", ack);
	else
		fprintf(out, "\"ack\":null,");
	fprintf(out, "\"len\":%u,\"win\":%u}", g->len, g->win);
}

static void json_sockets(FILE *out, const struct sock_set *set)
{
	char l[64], r[64];
	bool first = true;

	fputs(",\"sockets\":[", out);
	for (int role = 0; role < LAB_NROLES; role++) {
		for (size_t i = 0; i < set->n; i++) {
			const struct sock_rec *k = &set->v[i];
			if (sock_role(k) != role)
				continue;
			endpoint(l, sizeof(l), k->family, k->laddr, k->lport);
			endpoint(r, sizeof(r), k->family, k->raddr, k->rport);
			fprintf(out,
				"%s{\"role\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\","
				"\"state\":\"%s\"}",
				first ? "" : ",", lab_role_name(role), l, r,
				state_name((enum ts_state)k->state));
			first = false;
		}
	}
	fputc(']', out);
}

static int json_step(FILE *out, const struct lab_seen *s, struct lab_seq *q)
{
	const struct lab_step *st = &s->lesson->steps[s->step];
	struct lab_seq q0 = *q;
	struct bulk b;
	bool first = true;

	fprintf(out, "{\"lesson\":\"%s\",\"step\":%zu", s->lesson->name, s->step + 1);
	json_str(out, "actor", st->actor, true);
	json_str(out, "call", st->call, true);
	json_str(out, "result", lab_errno_name(s->result), true);
	fputs(",\"segments\":[", out);
	for (size_t i = 0; i < s->n_segs; i++) {
		if (!shown(s, &s->segs[i]))
			continue;
		fputs(first ? "" : ",", out);
		json_segment(out, q, &s->segs[i]);
		first = false;
	}
	fputc(']', out);
	if (st->bulk) {
		*q = q0;
		count_bulk(s, q, &b);
		fprintf(out,
			",\"more\":[{\"from\":\"client\",\"segments\":%u,\"bytes\":%lu},"
			"{\"from\":\"server\",\"segments\":%u,\"bytes\":%lu}]",
			b.n[0], b.bytes[0], b.n[1], b.bytes[1]);
	}
	json_sockets(out, s->socks);
	fprintf(out, ",\"settled\":%s", s->settled ? "true" : "false");
	json_str(out, "point", st->point, true);
	fputs("}\n", out);
	return 0;
}

int lab_fmt_header(FILE *out, const struct lab_lesson *ls, pid_t pid, bool jsonl)
{
	if (jsonl)
		fprintf(out,
			"{\"lesson\":\"%s\",\"title\":\"%s\",\"steps\":%zu,\"pid\":%d,"
			"\"client\":\"127.0.0.1:%d\",\"server\":\"127.0.0.1:%d\","
			"\"explain\":\"%s\"}\n",
			ls->name, ls->title, ls->n_steps, (int)pid, LAB_CLIENT_PORT,
			LAB_SERVER_PORT, ls->topic);
	else
		fprintf(
		    out,
		    "%s\n"
		    "  client 127.0.0.1:%d, server 127.0.0.1:%d, network namespace of "
		    "pid %d\n"
		    "  segments seen on its loopback (relative numbers); states from "
		    "sock_diag\n"
		    "  more: tcpstate --explain %s\n",
		    ls->title, LAB_CLIENT_PORT, LAB_SERVER_PORT, (int)pid, ls->topic);
	return ferror(out) ? -EIO : 0;
}

int lab_fmt_step(FILE *out, const struct lab_seen *s, struct lab_seq *seq, bool jsonl)
{
	if (jsonl)
		json_step(out, s, seq);
	else
		text_step(out, s, seq);
	return ferror(out) ? -EIO : 0;
}

int lab_fmt_prompt(FILE *out, size_t next, size_t n_steps)
{
	if (next < n_steps)
		fprintf(out, "-- Enter: step %zu/%zu, Ctrl-C: stop --\n", next + 1,
			n_steps);
	else
		fprintf(out, "-- Enter: end the lesson --\n");
	return ferror(out) ? -EIO : 0;
}
