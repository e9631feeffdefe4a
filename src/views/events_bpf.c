/* events_bpf.c - -E --events-source bpf: ring-buffer records become ev_event lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/i18n.h"
#include "base/tick.h"
#include "model/columns.h"
#include "query/bpfev.h"
#include "query/netns.h"
#include "aggregate/evtrack.h"
#include "render/output.h"
#include "views/view_events.h"
#include "views/events_bpf.h"
#include "views/watch.h"

/* A socket's owners from the snapshot at the start (-p). */
struct snap_owner {
	uint64_t cookie;
	char *owners; /* packed as ev_sock.owners */
};

struct evb {
	const struct run_ctx *ctx;
	struct snap_owner *snap; /* sorted by cookie */
	size_t n_snap;
	double wall_off; /* CLOCK_REALTIME - CLOCK_MONOTONIC, seconds */
	struct output out;
	bool owners;
	long printed;
};

/* Why a run cannot use the tracepoint even when it loads; NULL when it can. */
static const char *unsuitable(const struct opts *o, const struct filter *f)
{
	if (o->replay)
		return N_("--replay reads a recorded dump");
	if (o->info)
		return N_("-i needs tcp_info from polls");
	if (filter_needs_procs(f))
		return N_("the filter names processes");
	return NULL;
}

/* The namespaces to watch: the current one, -N's, or every one (--all-netns). */
static int watch_netns(const struct opts *o, uint32_t *v, size_t max, size_t *ret_n,
		       bool *ret_all)
{
	struct netns_list *l = NULL;
	struct stat st;
	int err;

	*ret_n = 0;
	*ret_all = o->all_netns;
	if (o->all_netns)
		return 0;
	if (!o->netns) {
		if (stat("/proc/self/ns/net", &st) < 0)
			return -errno;
		v[(*ret_n)++] = (uint32_t)st.st_ino;
		return 0;
	}
	err = netns_resolve(o->netns, "/run/netns", "/proc", &l);
	for (size_t i = 0; err == 0 && i < l->n && *ret_n < max; i++)
		v[(*ret_n)++] = (uint32_t)l->v[i].ino;
	netns_list_free(l);
	return err;
}

static int open_source(const struct run_ctx *ctx, struct bpfev **ret,
		       const char **ret_why)
{
	const struct opts *o = ctx->opts;
	const struct query *q = ctx->query;
	uint32_t netns[TSB_MAX_NETNS];
	struct bpfev_config c = {0};
	int err;

	c.family = (uint8_t)(q->family == AF_UNSPEC ? 0 : q->family);
	c.state_mask = state_set_to_kernel(query_states(q), false);
	/* only ports every match needs: the rest is checked here, per event */
	c.sport = q->filter.sport;
	c.dport = q->filter.dport;
	err = watch_netns(o, netns, TSB_MAX_NETNS, &c.n_netns, &c.all_netns);
	if (err < 0) {
		*ret_why = netns_strerror(err);
		return err;
	}
	c.netns = netns;
	return bpfev_open(&c, ret, ret_why);
}

/* Either end of the transition must satisfy the user-space filter. */
static bool wanted(const struct evb *b, const struct tsb_event *e)
{
	struct sock_rec r = {0};

	if (!b->ctx->filter)
		return true;
	r.family = e->family;
	r.lport = e->sport;
	r.rport = e->dport;
	memcpy(r.laddr, e->saddr, sizeof(r.laddr));
	memcpy(r.raddr, e->daddr, sizeof(r.raddr));
	r.cookie = e->cookie;
	r.kstate = e->newstate;
	r.state = (uint8_t)state_from_kernel(e->newstate);
	if (filter_match(b->ctx->filter, &r, NULL))
		return true;
	r.kstate = e->oldstate;
	r.state = (uint8_t)state_from_kernel(e->oldstate);
	return filter_match(b->ctx->filter, &r, NULL);
}

static int cmp_snap(const void *a, const void *b)
{
	const struct snap_owner *x = a, *y = b;

	return (x->cookie > y->cookie) - (x->cookie < y->cookie);
}

/*
 * -p: a sock_diag snapshot, taken once the tracepoint is attached, gives the owners of
 * the sockets that already exist; a socket made later is shown with the task that moved
 * it, when one did. Returns 0 or a negative errno (text recorded).
 */
static int snapshot(struct evb *b)
{
	struct query q = *b->ctx->query;
	struct collect c;
	char buf[4096];
	int err;

	q.needs = COL_NEED_PROCS;
	err = collect_sockets(&q, b->ctx->cstate, &c);
	if (err < 0)
		return err;
	b->snap = calloc(c.socks.n + 1, sizeof(*b->snap));
	if (!b->snap) {
		collect_done(&c);
		return run_error(b->ctx, -ENOMEM, _("out of memory"));
	}
	for (size_t i = 0; i < c.socks.n; i++) {
		size_t len =
		    events_pack_owners(c.socks.v[i].inode, buf, sizeof(buf), c.procs);
		char *copy = len ? malloc(len) : NULL;
		if (!copy)
			continue;
		memcpy(copy, buf, len);
		b->snap[b->n_snap].cookie = c.socks.v[i].cookie;
		b->snap[b->n_snap++].owners = copy;
	}
	collect_done(&c);
	qsort(b->snap, b->n_snap, sizeof(*b->snap), cmp_snap);
	return 0;
}

static char *snap_owners(const struct evb *b, uint64_t cookie)
{
	struct snap_owner key = {.cookie = cookie};
	const struct snap_owner *hit =
	    b->n_snap ? bsearch(&key, b->snap, b->n_snap, sizeof(key), cmp_snap) : NULL;

	return hit ? hit->owners : NULL;
}

/* The task as an owner ("PID\0COMM\0\0"), or no owner in softirq context. */
static char *pack_task(const struct tsb_event *e, char *buf, size_t sz)
{
	size_t cl = strnlen(e->comm, sizeof(e->comm));
	int n;

	if (!e->pid)
		return NULL;
	n = snprintf(buf, sz, "%u", e->pid);
	if (n < 0 || (size_t)n + cl + 3 > sz)
		return NULL;
	memcpy(buf + n + 1, e->comm, cl);
	buf[n + 1 + cl] = '\0';
	buf[n + 2 + cl] = '\0';
	return buf;
}

static int on_event(const struct tsb_event *e, void *data)
{
	struct evb *b = data;
	const struct opts *o = b->ctx->opts;
	char owners[64], comm[TSB_TASK_COMM + 1];
	struct ev_sock s = {0};
	struct ev_event ev = {0};

	if (!wanted(b, e))
		return 0;
	memcpy(comm, e->comm, TSB_TASK_COMM);
	comm[TSB_TASK_COMM] = '\0';
	s.cookie = e->cookie;
	s.family = e->family;
	s.kstate = e->newstate;
	s.state = (uint8_t)state_from_kernel(e->newstate);
	s.lport = e->sport;
	s.rport = e->dport;
	memcpy(s.laddr, e->saddr, sizeof(s.laddr));
	memcpy(s.raddr, e->daddr, sizeof(s.raddr));
	s.owners = snap_owners(b, e->cookie);
	if (!s.owners)
		s.owners = pack_task(e, owners, sizeof(owners));
	ev.kind = EV_CHANGE;
	ev.wall = (double)e->mono_ns / 1e9 + b->wall_off;
	ev.in_state = e->in_state_ns == TSB_UNKNOWN ? -1 : (double)e->in_state_ns / 1e9;
	ev.old_state = (uint8_t)state_from_kernel(e->oldstate);
	ev.new_state = s.state;
	ev.sock = &s;
	ev.traced = true;
	ev.pid = e->pid;
	ev.comm = e->pid ? comm : NULL;
	ev.netns = e->netns;
	output_event(&b->out, &ev, b->owners);
	return o->count && ++b->printed >= o->count;
}

static int drain(struct evb *b, struct bpfev *src)
{
	int n = bpfev_drain(src, on_event, b);

	if (n < 0)
		return run_error(b->ctx, n, _("cannot read the eBPF ring buffer: %s"),
				 strerror(-n));
	int werr = watch_flush(b->ctx->out);
	if (werr == -EPIPE)
		return werr; /* the reader went away (| head): main stops quietly */
	if (werr < 0)
		return run_error(b->ctx, werr, _("cannot write the output: %s"),
				 strerror(-werr));
	return b->ctx->opts->count && b->printed >= b->ctx->opts->count;
}

static int loop(struct evb *b, struct bpfev *src)
{
	struct tick t;
	int err;

	/* the tick only bounds the wait; events arrive through the ring buffer's fd */
	err = tick_open(&t, 1.0);
	if (err < 0)
		return run_error(b->ctx, err, _("cannot set up the timer: %s"),
				 strerror(-err));
	for (;;) {
		int ev = tick_wait(&t, bpfev_fd(src));
		if (ev < 0) {
			err = run_error(b->ctx, ev, _("cannot wait for events: %s"),
					strerror(-ev));
			break;
		}
		err = drain(b, src); /* also after a stop: what came before it */
		if (err != 0 || ev == TICK_STOP)
			break;
	}
	tick_close(&t);
	return err < 0 ? err : 0;
}

int events_bpf_run(const struct run_ctx *ctx, bool *ret_fallback)
{
	const struct opts *o = ctx->opts;
	const char *why = unsuitable(o, ctx->filter);
	struct bpfev *src = NULL;
	struct evb *b;
	int err = 0;

	*ret_fallback = false;
	if (!why)
		err = open_source(ctx, &src, &why);
	/* a kernel's -EINVAL is a runtime failure (exit 1); the options' is a usage error
	 */
	if (why && o->events_source == EVSRC_BPF)
		return run_error(ctx,
				 err == -EINVAL ? -EOPNOTSUPP
				 : err < 0	? err
						: -EINVAL,
				 _("cannot use --events-source bpf: %s"), _(why));
	if (why) {
		if (err < 0) /* a choice forced by the options needs no note */
			run_note(ctx, _("eBPF events unavailable (%s): polling instead"),
				 _(why));
		*ret_fallback = true;
		return 0;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		bpfev_close(src);
		return run_error(ctx, -ENOMEM, _("out of memory"));
	}
	b->ctx = ctx;
	output_init(&b->out, ctx->out, o, ctx->term);
	b->owners = o->processes;
	struct timespec w;
	clock_gettime(CLOCK_REALTIME, &w);
	b->wall_off = (double)w.tv_sec + (double)w.tv_nsec / 1e9 - tick_now();
	output_event_header(&b->out, b->owners);
	watch_flush(ctx->out);
	err = o->processes ? snapshot(b) : 0;
	if (err == 0)
		err = loop(b, src);
	uint64_t lost = bpfev_lost(src), missed = bpfev_missed(src);
	if (lost)
		run_note(
		    ctx,
		    ngettext(
			"the eBPF ring buffer overflowed: %llu transition was lost",
			"the eBPF ring buffer overflowed: %llu transitions were lost",
			lost),
		    (unsigned long long)lost);
	if (missed)
		run_note(
		    ctx,
		    ngettext(
			"%llu transition was lost: the kernel did not run the eBPF "
			"program for it (it never runs nested on one CPU), so the "
			"events around it do not chain",
			"%llu transitions were lost: the kernel did not run the eBPF "
			"program for them (it never runs nested on one CPU), so the "
			"events around them do not chain",
			missed),
		    (unsigned long long)missed);
	bpfev_close(src);
	for (size_t i = 0; i < b->n_snap; i++)
		free(b->snap[i].owners);
	free(b->snap);
	free(b);
	return err;
}
