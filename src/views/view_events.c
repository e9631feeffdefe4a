/* view_events.c - -E/--events: poll, diff by cookie, add destroy messages, one line per
 * event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "base/i18n.h"
#include "aggregate/evtrack.h"
#include "base/tick.h"
#include "model/columns.h"
#include "query/diagmon.h"
#include "query/netns.h"
#include "query/ownercache.h"
#include "render/output.h"
#include "views/run.h"
#include "views/view_events.h"
#include "views/watch.h"

/* The view's state between ticks. */
struct ev_view {
	const struct run_ctx *ctx;
	struct ev_tracker *tr;
	struct diagmon *mon[64]; /* one per namespace followed; usually one */
	int n_mon;
	uint64_t lost;	       /* destroy messages the kernel dropped */
	double mono, wall;     /* when the messages being drained arrived */
	state_set brief_state; /* the state a brief socket is matched as (see brief_ok) */
	bool owners;
	struct owner_cache *cache; /* -p: owners kept across polls */
	bool overrun_noted;	   /* the overrun note was given */
	long printed;
	struct output out;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_destroy(const struct sock_rec *s, void *data)
{
	struct ev_view *v = data;

	return evtrack_destroyed(v->tr, s, v->mono, v->wall);
}

static int drain(struct ev_view *v)
{
	v->mono = tick_now();
	v->wall = wall_now();
	for (int i = 0; i < v->n_mon; i++) {
		int err = diagmon_drain(v->mon[i], on_destroy, v, &v->lost);
		if (err < 0)
			return run_error(v->ctx, err,
					 _("cannot read destroy notifications: %s"),
					 strerror(-err));
	}
	return 0;
}

/*
 * A socket known only from its destroy message: not a listener or a never-connected one,
 * and matching the filter. Its life between two polls is unknown, so a state term is
 * taken to mean "passed through it": it is matched as being in a state the filter wants,
 * ESTABLISHED when it wants that.
 */
static bool brief_ok(const struct sock_rec *s, void *data)
{
	static const uint8_t zero[16];
	struct ev_view *v = data;
	const struct opts *o = v->ctx->opts;
	struct sock_rec copy = *s;

	if (!s->rport && !memcmp(s->raddr, zero, sizeof(zero)))
		return false;
	if (o->family != AF_UNSPEC && s->family != o->family)
		return false;
	if (!v->ctx->filter)
		return true;
	if (filter_needs_procs(v->ctx->filter))
		return false; /* its owners are gone with it */
	copy.state = (uint8_t)v->brief_state;
	return filter_match(v->ctx->filter, &copy, NULL);
}

/* Owners packed per socket: more do not fit ev_sock.owners's buffer anyway. */
#define OWNERS_MAX 64

/* Pack n owners as ev_sock.owners wants them; returns the length, 0 when none. */
static size_t pack(const struct proc_owner *const *own, size_t n, char *buf, size_t sz)
{
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		char pid[16];
		int pl = snprintf(pid, sizeof(pid), "%d", (int)own[i]->pid);
		size_t cl = strnlen(own[i]->comm, sizeof(own[i]->comm));
		if (pl < 0 || at + (size_t)pl + cl + 3 > sz)
			break;
		memcpy(buf + at, pid, (size_t)pl + 1);
		at += (size_t)pl + 1;
		memcpy(buf + at, own[i]->comm, cl);
		at += cl;
		buf[at++] = '\0';
	}
	if (!at)
		return 0;
	buf[at++] = '\0';
	return at;
}

size_t events_pack_owners(uint32_t inode, char *buf, size_t sz, void *data)
{
	size_t n;
	const struct proc_owner *const *own = procs_lookup(data, inode, &n);

	return pack(own, n, buf, sz);
}

/* Pack the owners of one inode (data: the owner cache). */
static size_t pack_cached(uint32_t inode, char *buf, size_t sz, void *data)
{
	const struct proc_owner *own[OWNERS_MAX];
	size_t n = owner_cache_lookup(data, inode, own, OWNERS_MAX);

	return pack(own, n > OWNERS_MAX ? OWNERS_MAX : n, buf, sz);
}

/* -p with --owners-source bpf: the owners of the tracked inodes from the iterator. */
static int find_owners_bpf(struct ev_view *v, size_t n, struct procs_stats *ps)
{
	struct procs *procs = NULL;
	enum owners_source used;
	const char *why;
	uint32_t *inodes;
	int err;

	inodes = malloc(n * sizeof(*inodes));
	if (!inodes)
		return run_error(v->ctx, -ENOMEM, _("out of memory"));
	evtrack_owner_inodes(v->tr, inodes, n);
	err = procs_find(OWNSRC_BPF, inodes, n, &procs, ps, &why, &used);
	free(inodes);
	if (err < 0 && why)
		return run_error(v->ctx, err, _("cannot use --owners-source bpf: %s"),
				 _(why));
	if (err < 0)
		return run_error(v->ctx, err, _("cannot read /proc: %s"), strerror(-err));
	err = evtrack_fill_owners(v->tr, events_pack_owners, procs);
	procs_free(procs);
	return err < 0 ? run_error(v->ctx, err, _("out of memory")) : 0;
}

/*
 * -p: when sockets are new since the last poll, bring the owner cache up to date: only
 * processes that are new or whose fd table changed are read, never all of /proc. The
 * cache is cheaper than the eBPF iterator from the second poll on (it reads only what
 * changed), so only --owners-source bpf asks the iterator.
 */
static int find_owners(struct ev_view *v)
{
	size_t n = evtrack_owner_inodes(v->tr, NULL, 0);
	struct procs_stats ps;
	int err;

	if (!n)
		return 0;
	if (v->ctx->opts->owners_source == OWNSRC_BPF) {
		err = find_owners_bpf(v, n, &ps);
	} else {
		err = owner_cache_update(v->cache, "/proc", &ps);
		if (err < 0)
			return run_error(v->ctx, err, _("cannot read /proc: %s"),
					 strerror(-err));
		err = evtrack_fill_owners(v->tr, pack_cached, v->cache);
		if (err < 0)
			return run_error(v->ctx, err, _("out of memory"));
	}
	if (err < 0)
		return err;
	v->ctx->cstate->procs_read += ps.scanned;
	if (ps.denied)
		run_note(
		    v->ctx,
		    _("some processes could not be examined (reading another user's "
		      "/proc/PID/fd needs root or CAP_SYS_PTRACE): owners are incomplete"));
	return 0;
}

/* Print the events of one poll; returns 1 when --count is reached. */
static int print_events(struct ev_view *v)
{
	const struct opts *o = v->ctx->opts;
	size_t n;
	const struct ev_event *ev = evtrack_events(v->tr, &n);

	for (size_t i = 0; i < n; i++) {
		output_event(&v->out, &ev[i], v->owners);
		if (o->count && ++v->printed >= o->count)
			break;
	}
	int werr = n ? watch_flush(v->ctx->out) : 0;
	if (werr == -EPIPE)
		return werr; /* the reader went away (| head): main stops quietly */
	if (werr < 0)	     /* stop at the first failed write: nobody reads the rest */
		return run_error(v->ctx, werr, _("cannot write the output: %s"),
				 strerror(-werr));
	return o->count && v->printed >= o->count;
}

static int poll_once(struct ev_view *v, bool baseline)
{
	struct query q = *v->ctx->query;
	int err;

	/* Destroy messages first, then the dump: a connection that became TIME_WAIT
	 * sends its full socket's destroy message once the timewait socket exists, so
	 * every message drained here has its timewait socket in the dump that follows
	 * (drained after the dump, it could come before it and read as a brief
	 * connection, then NEW TIME_WAIT). Later messages wait for the next poll. */
	err = drain(v);
	if (err < 0)
		return err;
	q.needs = v->ctx->opts->info ? COL_NEED_INFO : 0;
	evtrack_begin(v->tr);
	err = collect_stream(&q, v->ctx->cstate, evtrack_add, v->tr, NULL);
	if (err < 0)
		return err;
	evtrack_finish(v->tr, v->mono, v->wall, baseline, brief_ok, v);
	if (v->owners) {
		err = find_owners(v);
		if (err < 0)
			return err;
	}
	return baseline ? 0 : print_events(v);
}

static void note_monitor(const struct run_ctx *ctx, int err)
{
	/* Any user may join the destroy groups (the kernel sets NL_CFG_F_NONROOT_RECV
	 * for sock_diag): a failure here is not a missing privilege. */
	run_note(ctx,
		 _("cannot follow destroy notifications (%s): connections that open "
		   "and close between two polls are not shown"),
		 strerror(-err));
}

/* Inside one namespace (e NULL: the current one), join its destroy groups. */
static int monitor_visit(const struct netns_ent *e, int err, void *data)
{
	struct ev_view *v = data;

	if (v->n_mon == (int)(sizeof(v->mon) / sizeof(v->mon[0])))
		return 1; /* enough: the rest go unwatched */
	if (err == 0)
		err = diagmon_open(&v->mon[v->n_mon]);
	if (err == 0)
		v->n_mon++;
	return err;
}

/* Join the destroy groups of each namespace the polls look at (--replay: none). */
static void open_monitors(struct ev_view *v)
{
	const struct query *q = v->ctx->query;
	struct netns_list *l = NULL;
	int err = 0, back;

	if (q->replay)
		return;
	if (q->all_netns)
		err = netns_discover("/run/netns", "/proc", &l);
	else if (q->netns)
		err = netns_resolve(q->netns, "/run/netns", "/proc", &l);
	if (err == 0)
		err = netns_for_each(l, monitor_visit, v, &back);
	if (err < 0)
		note_monitor(v->ctx, err);
	netns_list_free(l);
}

int events_check_format(const struct run_ctx *ctx, const struct output *out)
{
	if (output_has(out, OUTPUT_EVENTS))
		return 0;
	return run_error(
	    ctx, -EINVAL,
	    _("'--format %s' cannot stream events (use table or jsonl with --events)"),
	    format_name(out->format));
}

static state_set brief_state(const struct run_ctx *ctx)
{
	state_set want = query_states(ctx->query);

	if (want & STATE_BIT(TS_ESTABLISHED))
		return TS_ESTABLISHED;
	for (int s = 0; s < TS_NSTATES; s++)
		if (want & STATE_BIT(s))
			return (state_set)s;
	return TS_ESTABLISHED;
}

/*
 * A poll that takes longer than the interval (100k sockets, a slow machine) would have
 * the next one start at once, and the program hold a whole core while it falls behind.
 * Say so once, on stderr and in the stream, and poll less often instead: half as long
 * again as the poll took. The first poll is not counted: it reads every owner.
 */
static int check_overrun(struct ev_view *v, struct tick *t, double took)
{
	double was = tick_interval(t);

	if (took <= was)
		return 0;
	tick_set_interval(t, took * 1.5);
	if (v->overrun_noted)
		return 0;
	v->overrun_noted = true;
	run_note(
	    v->ctx,
	    _("a poll took %.3f s, longer than the %.3f s interval: polling every %.3f "
	      "s from now on"),
	    took, was, tick_interval(t));
	int err = output_overrun(&v->out, wall_now(), took, tick_interval(t));
	if (err == 0 && watch_flush(v->ctx->out) < 0)
		err = -EIO;
	return err < 0 ? run_error(v->ctx, -EIO, _("cannot write the output: %s"),
				   strerror(errno))
		       : 0;
}

static int run_loop(struct ev_view *v)
{
	const struct opts *o = v->ctx->opts;
	struct tick t;
	bool baseline = true;
	int err;

	err = tick_open(&t, o->interval > 0 ? o->interval : 0.1);
	if (err < 0)
		return run_error(v->ctx, err, _("cannot set up the polling timer: %s"),
				 strerror(-err));
	for (;;) {
		int ev = tick_wait(&t, v->n_mon ? diagmon_fd(v->mon[0]) : -1);
		if (ev < 0) {
			err =
			    run_error(v->ctx, ev, _("cannot wait for the next poll: %s"),
				      strerror(-ev));
			break;
		}
		if (ev == TICK_STOP) {
			err = 0;
			break;
		}
		if (ev ==
		    TICK_FD) { /* drain now so a burst does not overflow the socket */
			err = drain(v);
		} else if (ev == TICK_TIME) {
			double start = tick_now();
			err = poll_once(v, baseline);
			if (err == 0 && !baseline)
				err = check_overrun(v, &t, tick_now() - start);
			baseline = false;
		}
		if (err != 0)
			break;
	}
	tick_close(&t);
	return err < 0 ? err : 0;
}

int events_poll(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct output out;
	struct ev_view *v;
	int err;

	output_init(&out, ctx->out, o, ctx->term);
	err = events_check_format(ctx, &out);
	if (err < 0)
		return err;
	v = calloc(1, sizeof(*v));
	if (!v || evtrack_new(&v->tr) < 0 ||
	    (o->processes && owner_cache_new(&v->cache) < 0)) {
		if (v)
			evtrack_free(v->tr);
		free(v);
		return run_error(ctx, -ENOMEM, _("out of memory"));
	}
	v->out = out;
	v->ctx = ctx;
	v->owners = o->processes;
	v->brief_state = brief_state(ctx);
	open_monitors(v);
	output_event_header(&v->out, v->owners);
	err = watch_flush(ctx->out);
	if (err < 0 && err != -EPIPE)
		err =
		    run_error(ctx, err, _("cannot write the output: %s"), strerror(-err));
	else if (err == 0)
		err = run_loop(v);
	if (v->lost)
		run_note(
		    ctx,
		    _("the kernel dropped %llu destroy notifications (too many closes "
		      "at once): some short-lived connections are missing"),
		    (unsigned long long)v->lost);
	for (int i = 0; i < v->n_mon; i++)
		diagmon_close(v->mon[i]);
	evtrack_free(v->tr);
	owner_cache_free(v->cache);
	free(v);
	return err;
}
