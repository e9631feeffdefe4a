/* fuzz_filter.c - libFuzzer target: arbitrary filter expressions and filter options. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "bcmodel.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "model/sock.h"
#include "model/states.h"
#include "query/procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64
#define MAX_TERMS 20

/*
 * The input is lines: the first is the expression, split on spaces as the shell would
 * pass it; the next ones, when present and not empty, are --state, --exclude, --port,
 * --sport, --dport, --src, --dst, --pid, --process and --user, in that order; further
 * lines repeat that order (a repeated option adds to its list), up to MAX_TERMS in all.
 */
static void split_input(char *text, struct opts *o, const char **words,
			struct opt_term *terms)
{
	static const char *const keys[] = {
	    "state", "exclude", "port", "sport",   "dport",
	    "src",   "dst",	"pid",	"process", "user",
	};
	char *line = text, *next;
	int n = 0;

	next = strchr(line, '\n');
	if (next)
		*next++ = '\0';
	for (char *save = NULL, *w = strtok_r(line, " ", &save); w && n < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	words[n] = NULL;
	o->expr = words;
	o->n_expr = n;
	o->terms = terms;
	for (size_t i = 0; next && i < MAX_TERMS; i++) {
		line = next;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line)
			terms[o->n_terms++] = (struct opt_term){
			    .key = keys[i % (sizeof(keys) / sizeof(keys[0]))],
			    .value = line};
	}
}

/* Sockets to match against: both families, v4-mapped, every state, ports and addresses
 * the seeds name, and their neighbours. */
#define N_SOCKS 48

static void sample_socks(struct sock_rec *v)
{
	static const uint16_t ports[] = {0,   1,    22,	  23,	80,    443,
					 631, 1023, 1024, 8080, 32768, 65535};
	static const uint8_t v4[][4] = {
	    {127, 0, 0, 1}, {10, 1, 2, 3}, {192, 168, 1, 1}, {0, 0, 0, 0}};
	static const uint8_t v6[][16] = {
	    {[15] = 1},
	    {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1},
	    {0xfe, 0x80, [15] = 1},
	    {0x20, 0x01, 0x0d, 0xb8, [15] = 0x42},
	};

	static struct sock_ext ext[N_SOCKS];

	memset(v, 0, N_SOCKS * sizeof(*v));
	memset(ext, 0, sizeof(ext));
	for (int i = 0; i < N_SOCKS; i++) {
		/* queues, timers and, on two thirds, tcp_info and skmem: what comparisons
		 * look at; the rest have no value (as TIME_WAIT has no rtt) */
		v[i].rqueue = (uint32_t)(i % 5) * 16384;
		v[i].wqueue = (uint32_t)(i % 7) * 32768;
		v[i].timer = (uint8_t)(i % 5);
		v[i].expires = (uint32_t)i * 2500;
		if (i % 3) {
			ext[i].info_len = sizeof(ext[i].info);
			ext[i].info.tcpi_rtt = (uint32_t)i * 5000;
			ext[i].info.tcpi_last_data_recv = (uint32_t)i * 1000;
			ext[i].info.tcpi_total_retrans = (uint32_t)(i % 4);
			ext[i].have_skmem = 1;
			ext[i].skmem[0] = (uint32_t)i * 1024;
			snprintf(ext[i].cong, sizeof(ext[i].cong), "%s",
				 i % 2 ? "cubic" : "bbr");
			v[i].ext = &ext[i];
		}
		v[i].family = (i & 1) ? AF_INET6 : AF_INET;
		v[i].state = (uint8_t)(i % TS_NSTATES);
		v[i].lport = ports[i % 12];
		v[i].rport = ports[(i * 7 + 3) % 12];
		v[i].uid = (uint32_t)(i % 3) * 1000;
		v[i].inode = (uint32_t)(1000 + i);
		v[i].ifindex = (uint32_t)(i % 3);
		/* the kernel always knows a socket's mark (a dump shows it only to
		 * CAP_NET_ADMIN, which MARK_COND needs anyway) */
		v[i].mark = (uint32_t)(i % 5);
		v[i].have |= SOCK_HAVE_MARK;
		v[i].cgroup_id = (uint64_t)(i % 4) * 11;
		if (v[i].family == AF_INET) {
			memcpy(v[i].laddr, v4[i % 4], 4);
			memcpy(v[i].raddr, v4[(i / 4) % 4], 4);
		} else {
			memcpy(v[i].laddr, v6[i % 4], 16);
			memcpy(v[i].raddr, v6[(i / 4) % 4], 16);
		}
	}
}

static void addr_text(const struct sock_rec *s, const uint8_t *a, char *buf, size_t sz)
{
	inet_ntop(s->family, a, buf, (socklen_t)sz);
}

/* The kernel is only a pre-filter: it must never drop a socket filter_match keeps. */
static void check_prefilter(const char *what, const struct sock_rec *s, const char *text)
{
	char l[64], r[64];

	addr_text(s, s->laddr, l, sizeof(l));
	addr_text(s, s->raddr, r, sizeof(r));
	fprintf(stderr,
		"fuzz_filter: %s drops a socket the filter keeps: %s %s:%u -> %s:%u "
		"(expression '%s')\n",
		what, s->family == AF_INET ? "tcp" : "tcp6", l, s->lport, r, s->rport,
		text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *words[MAX_WORDS + 1];
	struct opt_term terms[MAX_TERMS];
	struct sock_rec socks[N_SOCKS];
	struct filter *f = NULL;
	char *err = NULL, *text;
	struct opts o;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *text_copy = strndup((const char *)data, size);
	memset(&o, 0, sizeof(o));
	o.family = AF_UNSPEC;
	split_input(text, &o, words, terms);

	if (filter_build(&o, &f, &err) == 0) {
		void *bc = NULL;
		size_t bc_len = 0;
		uint16_t sport = 0, dport = 0;
		state_set states = filter_state_set(f, STATE_SET_ALL);

		filter_state_set(f, STATE_SET_DEFAULT);
		if (filter_bytecode(f, &bc, &bc_len, &sport, &dport) < 0)
			bc = NULL, bc_len = 0;
		/* what the kernel would refuse is a bug: the dump would fail with EINVAL
		 */
		if (bc && bcmodel_audit(bc, bc_len) < 0) {
			fprintf(
			    stderr,
			    "fuzz_filter: the kernel would refuse the bytecode of '%s'\n",
			    text_copy);
			abort();
		}
		/* an empty owner table: every pid/process term sees "no owner" */
		static struct procs *none;
		if (!none)
			procs_scan("/proc", NULL, 0, &none, NULL);
		sample_socks(socks);
		for (int i = 0; i < N_SOCKS; i++) {
			const struct sock_rec *s = &socks[i];
			if (!filter_match(f, s, filter_needs_procs(f) ? none : NULL))
				continue;
			if (!(states & STATE_BIT(s->state)))
				continue; /* the state mask decides those, not
					     filter_match */
			if (bc && !bcmodel_run(bc, bc_len, s))
				check_prefilter("the bytecode", s, text_copy);
			if ((sport && s->lport != sport) || (dport && s->rport != dport))
				check_prefilter("the exact port in the request", s,
						text_copy);
		}
		free(bc);
	}
	filter_free(f);
	free(err);
	free(text);
	free(text_copy);
	return 0;
}
