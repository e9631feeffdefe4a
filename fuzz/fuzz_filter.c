/* fuzz_filter.c - libFuzzer target: arbitrary filter expressions and filter options. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "filter.h"
#include "procs.h"
#include "sock.h"
#include "states.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64

/*
 * The input is lines: the first is the expression, split on spaces as the shell would
 * pass it; the next ones, when present and not empty, are --state, --exclude, --port,
 * --sport, --dport, --src, --dst, --pid, --process and --user, in that order.
 */
static void split_input(char *text, struct opts *o, const char **words)
{
	const char **opt_slots[] = {
		&o->f_state, &o->f_exclude, &o->f_port, &o->f_sport, &o->f_dport,
		&o->f_src,   &o->f_dst,     &o->f_pid,  &o->f_process, &o->f_user,
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
	for (size_t i = 0; next && i < sizeof(opt_slots) / sizeof(opt_slots[0]); i++) {
		line = next;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line)
			*opt_slots[i] = line;
	}
}

/* A few sockets to match against: v4 and v6, different states, ports and addresses. */
static void sample_socks(struct sock_rec *v, int n)
{
	memset(v, 0, (size_t)n * sizeof(*v));
	for (int i = 0; i < n; i++) {
		v[i].family = (i & 1) ? AF_INET6 : AF_INET;
		v[i].state = (uint8_t)(i % TS_NSTATES);
		v[i].lport = (uint16_t)(i * 1009 + 22);
		v[i].rport = (uint16_t)(i ? 40000 + i : 0);
		v[i].uid = (uint32_t)(i * 500);
		v[i].inode = (uint32_t)(1000 + i);
		v[i].laddr[0] = (i & 1) ? 0 : 127;
		v[i].laddr[3] = 1;
		v[i].laddr[15] = 1;
		v[i].raddr[0] = (uint8_t)(10 + i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *words[MAX_WORDS + 1];
	struct sock_rec socks[16];
	struct filter *f = NULL;
	char *err = NULL, *text;
	struct opts o;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&o, 0, sizeof(o));
	o.family = AF_UNSPEC;
	split_input(text, &o, words);

	if (filter_build(&o, &f, &err) == 0) {
		void *bc = NULL;
		size_t bc_len = 0;
		uint16_t sport = 0, dport = 0;

		filter_state_set(f, STATE_SET_ALL);
		filter_state_set(f, STATE_SET_DEFAULT);
		if (filter_bytecode(f, &bc, &bc_len, &sport, &dport) == 0)
			free(bc);
		/* an empty owner table: every pid/process term sees "no owner" */
		static struct procs *none;
		if (!none)
			procs_scan("/proc", NULL, 0, &none, NULL);
		sample_socks(socks, 16);
		for (int i = 0; i < 16; i++)
			filter_match(f, &socks[i], filter_needs_procs(f) ? none : NULL);
	}
	filter_free(f);
	free(err);
	free(text);
	return 0;
}
