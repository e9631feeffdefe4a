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
	sum->n_lst = sum->cap_lst = 0;
}
