/* bpfev.c - load events.bpf.c's skeleton, attach it, and read its ring buffer. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "base/i18n.h"
#include "query/bpfev.h"

#if HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* bpftool embeds the BPF object as one long string literal (-Woverlength-strings). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "query/bpf/events.skel.h"
#pragma GCC diagnostic pop
#include "query/bpfcommon.h"

struct bpfev {
	struct tsb_events *skel;
	struct ring_buffer *rb;
	int (*fn)(const struct tsb_event *e, void *data);
	void *data;
	int n, stop;
};

bool bpfev_built(void)
{
	return true;
}

static void configure(struct tsb_events *skel, const struct bpfev_config *c)
{
	skel->rodata->cfg.state_mask = c->state_mask;
	skel->rodata->cfg.sport = c->sport;
	skel->rodata->cfg.dport = c->dport;
	skel->rodata->cfg.family = c->family;
	skel->rodata->cfg.all_netns = c->all_netns;
}

static int fill_netns(struct tsb_events *skel, const struct bpfev_config *c)
{
	int fd = bpf_map__fd(skel->maps.netns_ok);
	uint8_t one = 1;

	if (c->all_netns)
		return 0;
	if (c->n_netns > TSB_MAX_NETNS)
		return -E2BIG;
	for (size_t i = 0; i < c->n_netns; i++)
		if (bpf_map_update_elem(fd, &c->netns[i], &one, BPF_ANY) < 0)
			return -errno;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct bpfev *b = ctx;
	int r;

	if (b->stop || len < sizeof(struct tsb_event))
		return 0;
	r = b->fn(data, b->data);
	if (r != 0) {
		b->stop = r;
		return 0;
	}
	b->n++;
	return 0;
}

static int load(struct bpfev *b, const struct bpfev_config *c, const char **ret_why)
{
	int err;

	b->skel = tsb_events__open();
	if (!b->skel)
		return bpfcommon_why(-errno, ret_why);
	configure(b->skel, c);
	err = tsb_events__load(b->skel);
	if (err < 0)
		return bpfcommon_why(err, ret_why);
	err = fill_netns(b->skel, c);
	if (err < 0)
		return bpfcommon_why(err, ret_why);
	err = tsb_events__attach(b->skel);
	if (err < 0)
		return bpfcommon_why(err == -ENOENT ? -ESRCH : err, ret_why);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample, b, NULL);
	if (!b->rb)
		return bpfcommon_why(-errno, ret_why);
	return 0;
}

int bpfev_open(const struct bpfev_config *c, struct bpfev **ret, const char **ret_why)
{
	struct bpfev *b;
	int err;

	*ret = NULL;
	*ret_why = NULL;
	err = bpfcommon_precheck(ret_why);
	if (err < 0)
		return err;
	b = calloc(1, sizeof(*b));
	if (!b)
		return bpfcommon_why(-ENOMEM, ret_why);
	err = load(b, c, ret_why);
	if (err < 0) {
		bpfev_close(b);
		return err;
	}
	*ret = b;
	return 0;
}

int bpfev_fd(const struct bpfev *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int bpfev_drain(struct bpfev *b, int (*fn)(const struct tsb_event *e, void *data),
		void *data)
{
	int err;

	b->fn = fn;
	b->data = data;
	b->n = 0;
	b->stop = 0;
	err = ring_buffer__consume(b->rb);
	if (b->stop < 0)
		return b->stop;
	if (err < 0 && err != -EINTR)
		return err;
	return b->n;
}

/* One counter of the per-CPU "lost" map, summed over the CPUs. */
static uint64_t lost_sum(const struct bpfev *b, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *v;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.lost), &idx, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

uint64_t bpfev_lost(const struct bpfev *b)
{
	return lost_sum(b, TSB_LOST_FULL);
}

uint64_t bpfev_missed(const struct bpfev *b)
{
	return lost_sum(b, TSB_LOST_GAP);
}

void bpfev_close(struct bpfev *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	tsb_events__destroy(b->skel);
	free(b);
}

#else /* !HAVE_BPF: the poll source only */

bool bpfev_built(void)
{
	return false;
}

int bpfev_open(const struct bpfev_config *c, struct bpfev **ret, const char **ret_why)
{
	*ret = NULL;
	*ret_why = N_("built without eBPF support");
	return -EOPNOTSUPP;
}

int bpfev_fd(const struct bpfev *b)
{
	return -1;
}

int bpfev_drain(struct bpfev *b, int (*fn)(const struct tsb_event *e, void *data),
		void *data)
{
	return -EOPNOTSUPP;
}

uint64_t bpfev_lost(const struct bpfev *b)
{
	return 0;
}

uint64_t bpfev_missed(const struct bpfev *b)
{
	return 0;
}

void bpfev_close(struct bpfev *b)
{
}

#endif
