/* view_events.c - -E/--events: poll, diff by cookie, add destroy messages, one line per
 * event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "aggregate/evtrack.h"
#include "base/tick.h"
#include "model/columns.h"
#include "query/diagmon.h"
#include "query/netns.h"
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
					 "cannot read destroy notifications: %s",
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

size_t events_pack_owners(uint32_t inode, char *buf, size_t sz, void *data)
{
	size_t n, at = 0;
	const struct proc_owner *const *own = procs_lookup(data, inode, &n);

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

/* -p: one /proc walk for the sockets that are new since the last, none when none are. */
static int find_owners(struct ev_view *v)
{
	size_t n = evtrack_owner_inodes(v->tr, NULL, 0);
	enum owners_source used;
	const char *why;
	struct procs_stats ps;
	struct procs *procs = NULL;
	uint32_t *inodes;
	int err;

	if (!n)
		return 0;
	inodes = malloc(n * sizeof(*inodes));
	if (!inodes)
		return run_error(v->ctx, -ENOMEM, "out of memory");
	evtrack_owner_inodes(v->tr, inodes, n);
	err =
	    procs_find(v->ctx->opts->owners_source, inodes, n, &procs, &ps, &why, &used);
	free(inodes);
	if (err < 0 && why)
		return run_error(v->ctx, err, "cannot use --owners-source bpf: %s", why);
	if (err < 0)
		return run_error(v->ctx, err, "cannot read /proc: %s", strerror(-err));
	if (ps.denied)
		run_note(
		    v->ctx,
		    "some processes could not be examined (reading another user's "
		    "/proc/PID/fd needs root or CAP_SYS_PTRACE): owners are incomplete");
	err = evtrack_fill_owners(v->tr, events_pack_owners, procs);
	procs_free(procs);
	return err < 0 ? run_error(v->ctx, err, "out of memory") : 0;
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
	if (n && watch_flush(v->ctx->out) < 0)
		return run_error(v->ctx, -EIO, "cannot write the output: %s",
				 strerror(errno));
	return o->count && v->printed >= o->count;
}

static int poll_once(struct ev_view *v, bool baseline)
{
	struct query q = *v->ctx->query;
	int err;

	q.needs = v->ctx->opts->info ? COL_NEED_INFO : 0;
	evtrack_begin(v->tr);
	err = collect_stream(&q, v->ctx->cstate, evtrack_add, v->tr, NULL);
	if (err < 0)
		return err;
	err = drain(v);
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
	if (err == -EPERM || err == -EACCES)
		run_note(
		    ctx,
		    "following destroy notifications needs CAP_NET_ADMIN: connections "
		    "that open and close between two polls are not shown");
	else
		run_note(
		    ctx,
		    "cannot follow destroy notifications (%s): connections that open "
		    "and close between two polls are not shown",
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
	    "'--format %s' cannot stream events (use table or jsonl with --events)",
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

static int run_loop(struct ev_view *v)
{
	const struct opts *o = v->ctx->opts;
	struct tick t;
	bool baseline = true;
	int err;

	err = tick_open(&t, o->interval > 0 ? o->interval : 0.1);
	if (err < 0)
		return run_error(v->ctx, err, "cannot set up the polling timer: %s",
				 strerror(-err));
	for (;;) {
		int ev = tick_wait(&t, v->n_mon ? diagmon_fd(v->mon[0]) : -1);
		if (ev < 0) {
			err = run_error(v->ctx, ev, "cannot wait for the next poll: %s",
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
			err = poll_once(v, baseline);
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
	if (!v || evtrack_new(&v->tr) < 0) {
		free(v);
		return run_error(ctx, -ENOMEM, "out of memory");
	}
	v->out = out;
	v->ctx = ctx;
	v->owners = o->processes;
	v->brief_state = brief_state(ctx);
	open_monitors(v);
	output_event_header(&v->out, v->owners);
	watch_flush(ctx->out);
	err = run_loop(v);
	if (v->lost)
		run_note(ctx,
			 "the kernel dropped %llu destroy notifications (too many closes "
			 "at once): some short-lived connections are missing",
			 (unsigned long long)v->lost);
	for (int i = 0; i < v->n_mon; i++)
		diagmon_close(v->mon[i]);
	evtrack_free(v->tr);
	free(v);
	return err;
}
