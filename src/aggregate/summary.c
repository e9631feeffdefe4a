/* summary.c - -s: socket counts per state and family, and the listening endpoints
 * OpenMetrics shows; counted while the dump streams, nothing else is kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "aggregate/summary.h"

void summary_init(struct summary *sum, bool keep_listeners)
{
	memset(sum, 0, sizeof(*sum));
	sum->keep_listeners = keep_listeners;
}

static int add_listener(struct summary *sum, const struct sock_rec *s)
{
	struct summary_listener *l;

	if (sum->n_lst == sum->cap_lst) {
		size_t cap = sum->cap_lst ? sum->cap_lst * 2 : 64;
		l = realloc(sum->lst, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		sum->lst = l;
		sum->cap_lst = cap;
	}
	l = &sum->lst[sum->n_lst++];
	l->family = s->family;
	memcpy(l->addr, s->laddr, sizeof(l->addr));
	l->port = s->lport;
	l->netns = s->netns;
	l->queue = s->rqueue;
	l->backlog = s->wqueue;
	return 0;
}

int summary_add(struct summary *sum, const struct sock_rec *s)
{
	if (!s) {
		memset(sum->count, 0, sizeof(sum->count));
		sum->n_lst = 0;
		return 0;
	}
	int st = s->state < TS_NSTATES ? s->state : TS_UNKNOWN;
	sum->count[s->family == AF_INET6 ? SUMMARY_IPV6 : SUMMARY_IPV4][st]++;
	if (sum->keep_listeners && st == TS_LISTEN)
		return add_listener(sum, s);
	return 0;
}

static int cmp_listener(const void *pa, const void *pb)
{
	const struct summary_listener *a = pa, *b = pb;
	int c;

	if (a->netns != b->netns)
		return a->netns < b->netns ? -1 : 1;
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (a->port > b->port) - (a->port < b->port);
}

void summary_finish(struct summary *sum)
{
	size_t keep = 0;

	if (!sum->n_lst)
		return;
	if (sum->n_lst > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(sum->lst, sum->n_lst, sizeof(*sum->lst), cmp_listener);
	for (size_t i = 0; i < sum->n_lst; i++) {
		if (keep && cmp_listener(&sum->lst[keep - 1], &sum->lst[i]) == 0) {
			/* SO_REUSEPORT group: one time series per endpoint */
			sum->lst[keep - 1].queue += sum->lst[i].queue;
			sum->lst[keep - 1].backlog += sum->lst[i].backlog;
			continue;
		}
		sum->lst[keep++] = sum->lst[i];
	}
	sum->n_lst = keep;
}

uint64_t summary_state_total(const struct summary *sum, int state)
{
	return sum->count[SUMMARY_IPV4][state] + sum->count[SUMMARY_IPV6][state];
}

uint64_t summary_family_total(const struct summary *sum, int family)
{
	uint64_t t = 0;

	for (int f = 0; f < SUMMARY_NFAMILIES; f++)
		if (family < 0 || family == f)
			for (int st = 0; st <= TS_NSTATES; st++)
				t += sum->count[f][st];
	return t;
}

void summary_done(struct summary *sum)
{
	if (!sum)
		return;
	free(sum->lst);
	sum->lst = NULL;
	/* the unit counts belong to whoever counted them (views/counts.c): freed here so
	 * that one summary_done ends both */
	if (sum->units) {
		hist_done((struct hist *)sum->units);
		free((void *)sum->units);
		sum->units = NULL;
	}
	sum->n_lst = sum->cap_lst = 0;
}

/* The smallest of 1, 2, 5, 10, 20, 50... that is at least v: a new maximum rescales the
 * bars only when it passes the next step, not at every count. */
static uint64_t nice_ceil(uint64_t v)
{
	static const uint64_t steps[] = {1, 2, 5};

	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10)
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			if (steps[i] * p >= v)
				return steps[i] * p;
	return v;
}

void summary_trail_push(struct summary_trail *t, const struct summary *sum)
{
	uint64_t max = 0, total = summary_family_total(sum, -1);

	if (t->frames == SUMMARY_TRAIL_MAX) {
		memmove(t->n[0], t->n[1], sizeof(t->n[0]) * (SUMMARY_TRAIL_MAX - 1));
		t->frames--;
	}
	for (int st = 0; st <= TS_NSTATES; st++) {
		t->n[t->frames][st] = summary_state_total(sum, st);
		if (t->n[t->frames][st] > max)
			max = t->n[t->frames][st];
	}
	t->frames++;
	if (max > t->scale)
		t->scale = nice_ceil(max);
	if (total > t->peak_total)
		t->peak_total = total;
}
