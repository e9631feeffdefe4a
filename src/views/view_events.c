/* view_events.c - -E/--events: poll, diff by cookie, add destroy messages, one line per
 * event. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "base/escape.h"
#include "base/tick.h"
#include "model/columns.h"
#include "query/diagmon.h"
#include "query/netns.h"
#include "render/colfmt_tcp.h"
#include "render/fmt_json.h"
#include "views/events.h"
#include "views/views.h"
#include "views/watch.h"

/* Table layout: fixed widths, because a stream cannot measure lines it has not seen. */
#define W_TIME 12
#define W_EVENT 25
#define W_ADDR 21
#define W_IN_STATE 8
#define W_OWNERS 20

struct out {
	char *buf;
	size_t sz, at;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->at + 1 >= o->sz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->at, o->sz - o->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->at = o->at + (size_t)n < o->sz ? o->at + (size_t)n : o->sz - 1;
}

static void put_json_str(struct out *o, const char *s, size_t len)
{
	if (o->at + 3 >= o->sz)
		return;
	o->buf[o->at++] = '"';
	o->at += fmt_json_escape(s, len, o->buf + o->at, o->sz - o->at - 1);
	o->buf[o->at++] = '"';
	o->buf[o->at] = '\0';
}

static void wall_text(double wall, bool iso, char *buf, size_t sz)
{
	time_t sec = (time_t)wall;
	int ms = (int)((wall - (double)sec) * 1000) % 1000;
	struct tm tm;
	char t[32];

	if (iso) {
		gmtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, sz, "%s.%03dZ", t, ms);
	} else {
		localtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		snprintf(buf, sz, "%s.%03d", t, ms);
	}
}

static void event_text(const struct ev_event *e, char *buf, size_t sz)
{
	switch (e->kind) {
	case EV_NEW:
		snprintf(buf, sz, "NEW %s", state_name((enum ts_state)e->new_state));
		break;
	case EV_CHANGE:
		snprintf(buf, sz, "%s -> %s", state_name((enum ts_state)e->old_state),
			 state_name((enum ts_state)e->new_state));
		break;
	case EV_GONE:
		snprintf(buf, sz, "%s -> GONE", state_name((enum ts_state)e->old_state));
		break;
	case EV_BRIEF:
		snprintf(buf, sz, "NEW -> GONE");
		break;
	}
}

static void in_state_text(double s, char *buf, size_t sz)
{
	if (s < 0)
		snprintf(buf, sz, "-");
	else if (s < 10)
		snprintf(buf, sz, "%.3fs", s);
	else if (s < 1000)
		snprintf(buf, sz, "%.1fs", s);
	else
		snprintf(buf, sz, "%.0fs", s);
}

/* Owners as the listing shows them: "pid/comm,pid/comm", names escaped. */
static void owners_text(const char *packed, char *buf, size_t sz)
{
	char esc[PROCS_COMM_MAX * 4];
	size_t at = 0;

	snprintf(buf, sz, "-");
	for (const char *p = packed; p && *p && at + 1 < sz;) {
		const char *pid = p, *comm = p + strlen(p) + 1;
		p = comm + strlen(comm) + 1;
		escape_name(comm, esc, sizeof(esc));
		int n = snprintf(buf + at, sz - at, "%s%s/%s", at ? "," : "", pid, esc);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

static const char *const kind_json[] = {
    [EV_NEW] = "new",
    [EV_CHANGE] = "change",
    [EV_GONE] = "gone",
    [EV_BRIEF] = "gone",
};

/* eBPF events: microseconds in state, the task in process context, the namespace. */
static void format_task(const struct ev_event *e, struct out *o)
{
	if (e->in_state >= 0)
		put(o, ",\"in_state_us\":%.0f", e->in_state * 1e6);
	else
		put(o, ",\"in_state_us\":null");
	if (e->pid && e->comm) {
		put(o, ",\"pid\":%u,\"comm\":", e->pid);
		put_json_str(o, e->comm, strlen(e->comm));
	} else {
		put(o, ",\"pid\":null,\"comm\":null");
	}
	put(o, ",\"netns\":%u", e->netns);
}

static void format_json(const struct ev_event *e, bool with_owners, struct out *o)
{
	const struct ev_sock *s = e->sock;
	char t[64], local[128], peer[128], rtt[32];

	wall_text(e->wall, true, t, sizeof(t));
	sock_fmt_endpoint(s->family, s->laddr, s->lport, false, false, local,
			  sizeof(local));
	sock_fmt_endpoint(s->family, s->raddr, s->rport, true, false, peer, sizeof(peer));
	put(o, "{\"time\":\"%s\",\"event\":\"%s\",\"old\":", t, kind_json[e->kind]);
	if (e->kind == EV_CHANGE || e->kind == EV_GONE)
		put(o, "\"%s\"", state_name((enum ts_state)e->old_state));
	else
		put(o, "null");
	put(o, ",\"new\":");
	if (e->kind == EV_NEW || e->kind == EV_CHANGE)
		put(o, "\"%s\"", state_name((enum ts_state)e->new_state));
	else
		put(o, "null");
	put(o, ",\"brief\":%s", e->kind == EV_BRIEF ? "true" : "false");
	put(o, ",\"proto\":\"%s\",\"local\":\"%s\",\"peer\":\"%s\",\"cookie\":\"%llx\"",
	    s->family == AF_INET6 ? "tcp6" : "tcp", local, peer,
	    (unsigned long long)s->cookie);
	if (e->in_state >= 0)
		put(o, ",\"in_state_ms\":%.0f", e->in_state * 1000);
	else
		put(o, ",\"in_state_ms\":null");
	if (e->traced)
		format_task(e, o);
	if (with_owners) {
		put(o, ",\"owners\":[");
		for (const char *p = s->owners; p && *p;) {
			const char *pid = p, *comm = p + strlen(p) + 1;
			p = comm + strlen(comm) + 1;
			put(o, "%s{\"pid\":%s,\"comm\":", pid == s->owners ? "" : ",",
			    pid);
			put_json_str(o, comm, strlen(comm));
			put(o, "}");
		}
		put(o, "]");
	}
	if (s->info.have) {
		colfmt_usec_as_ms(s->info.rtt_us, rtt, sizeof(rtt));
		put(o,
		    ",\"bytes_acked\":%llu,\"bytes_received\":%llu,\"rtt_ms\":%s,\"retrans\":%u",
		    (unsigned long long)s->info.bytes_acked,
		    (unsigned long long)s->info.bytes_received, rtt,
		    s->info.total_retrans);
	}
	put(o, "}\n");
}

static void format_table(const struct ev_event *e, bool with_owners, struct out *o)
{
	const struct ev_sock *s = e->sock;
	char t[64], ev[64], local[128], peer[128], in[32], own[512], rtt[32];

	wall_text(e->wall, false, t, sizeof(t));
	event_text(e, ev, sizeof(ev));
	sock_fmt_endpoint(s->family, s->laddr, s->lport, false, false, local,
			  sizeof(local));
	sock_fmt_endpoint(s->family, s->raddr, s->rport, true, false, peer, sizeof(peer));
	in_state_text(e->in_state, in, sizeof(in));
	put(o, "%-*s  %-*s  %-*s  %-*s  %*s", W_TIME, t, W_EVENT, ev, W_ADDR, local,
	    W_ADDR, peer, W_IN_STATE, in);
	if (with_owners) {
		owners_text(s->owners, own, sizeof(own));
		put(o, "  %-*s", W_OWNERS, own);
	}
	if (s->info.have) {
		colfmt_usec_as_ms(s->info.rtt_us, rtt, sizeof(rtt));
		put(o, "  bytes_acked=%llu bytes_received=%llu rtt=%sms retrans=%u",
		    (unsigned long long)s->info.bytes_acked,
		    (unsigned long long)s->info.bytes_received, rtt,
		    s->info.total_retrans);
	}
	/* trailing blanks of an empty last column are noise */
	while (o->at && o->buf[o->at - 1] == ' ')
		o->buf[--o->at] = '\0';
	put(o, "\n");
}

size_t events_format(const struct ev_event *e, bool json, bool with_owners, char *buf,
		     size_t sz)
{
	struct out o = {buf, sz, 0};

	if (sz)
		buf[0] = '\0';
	if (json)
		format_json(e, with_owners, &o);
	else
		format_table(e, with_owners, &o);
	return o.at;
}

size_t events_header(bool with_owners, char *buf, size_t sz)
{
	struct out o = {buf, sz, 0};

	if (sz)
		buf[0] = '\0';
	put(&o, "%-*s  %-*s  %-*s  %-*s  %*s", W_TIME, "Time", W_EVENT, "Event", W_ADDR,
	    "Local Address", W_ADDR, "Foreign Address", W_IN_STATE, "In state");
	if (with_owners)
		put(&o, "  %-*s", W_OWNERS, "PID/Program name");
	put(&o, "  Details\n");
	return o.at;
}

/* The view's state between ticks. */
struct ev_view {
	const struct run_ctx *ctx;
	struct ev_tracker *tr;
	struct diagmon *mon[64]; /* one per namespace followed; usually one */
	int n_mon;
	uint64_t lost;	       /* destroy messages the kernel dropped */
	double mono, wall;     /* when the messages being drained arrived */
	state_set brief_state; /* the state a brief socket is matched as (see brief_ok) */
	bool json, owners;
	long printed;
	char line[4096];
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
		size_t len =
		    events_format(&ev[i], v->json, v->owners, v->line, sizeof(v->line));
		fwrite(v->line, 1, len, v->ctx->out);
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
	unsigned needs = v->ctx->opts->info ? COL_NEED_INFO : 0;
	int err;

	evtrack_begin(v->tr);
	err = collect_stream(v->ctx, needs, evtrack_add, v->tr, NULL);
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

/* Join the destroy groups of each namespace the polls look at (--replay: none). */
static void open_monitors(struct ev_view *v)
{
	const struct opts *o = v->ctx->opts;
	struct netns_list *l = NULL;
	int err;

	if (o->replay)
		return;
	if (!o->netns && !o->all_netns) {
		err = diagmon_open(&v->mon[0]);
		if (err < 0)
			note_monitor(v->ctx, err);
		else
			v->n_mon = 1;
		return;
	}
	err = o->all_netns ? netns_discover("/run/netns", "/proc", &l)
			   : netns_resolve(o->netns, "/run/netns", "/proc", &l);
	for (size_t i = 0; err == 0 && i < l->n && v->n_mon < 64; i++) {
		int saved;
		err = netns_enter(&l->v[i], &saved);
		if (err < 0)
			break;
		err = diagmon_open(&v->mon[v->n_mon]);
		if (err == 0)
			v->n_mon++;
		int back = netns_return(saved);
		if (back < 0)
			err = back;
	}
	if (err < 0)
		note_monitor(v->ctx, err);
	netns_list_free(l);
}

int events_check_format(const struct run_ctx *ctx)
{
	static const char *const names[] = {
	    [FMT_JSON] = "json",
	    [FMT_CSV] = "csv",
	    [FMT_OPENMETRICS] = "openmetrics",
	};
	enum out_format f = ctx->opts->format;
	const char *name = (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : NULL;

	if (f == FMT_TABLE || f == FMT_JSONL)
		return 0;
	return run_error(
	    ctx, -EINVAL,
	    "'--format %s' cannot stream events (use table or jsonl with --events)",
	    name ? name : "?");
}

static state_set brief_state(const struct run_ctx *ctx)
{
	state_set want = filter_state_set(ctx->filter, run_default_states(ctx->opts));

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
	struct ev_view *v;
	int err;

	err = events_check_format(ctx);
	if (err < 0)
		return err;
	v = calloc(1, sizeof(*v));
	if (!v || evtrack_new(&v->tr) < 0) {
		free(v);
		return run_error(ctx, -ENOMEM, "out of memory");
	}
	v->ctx = ctx;
	v->json = o->format == FMT_JSONL;
	v->owners = o->processes;
	v->brief_state = brief_state(ctx);
	open_monitors(v);
	if (!v->json && !o->no_header) {
		size_t len = events_header(v->owners, v->line, sizeof(v->line));
		fwrite(v->line, 1, len, ctx->out);
		watch_flush(ctx->out);
	}
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
