/* view_lab.c - --lab [LESSON]: every TCP state built for real in a private network
 * namespace and shown with the normal views, or one lesson stepped through. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tick.h"
#include "query/diag.h"
#include "query/lab.h"
#include "query/lab_capture.h"
#include "render/lab_fmt.h"
#include "views/run.h"
#include "views/views.h"
#include "views/watch.h"

enum {
	LAB_SETTLE_MS =
	    5000,	   /* the longest the kernel may take to reach a step's states */
	LAB_QUIET_MS = 30, /* no segment for this long: the step is over */
	LAB_MAX_SEGS = 4096,
};

/* The views that can show the lab's sockets. */
static const struct {
	enum view view;
	int (*run)(const struct run_ctx *ctx);
} lab_views[] = {
    {VIEW_LIST, view_list},	{VIEW_SUMMARY, view_summary},
    {VIEW_HIST, view_hist},	{VIEW_DIAGRAM, view_diagram},
    {VIEW_EVENTS, view_events}, {VIEW_DOCTOR, view_doctor},
};

/* How we wait between steps, or while the lab is up. */
enum pause_mode {
	PAUSE_NONE = 0, /* run through, then tear down */
	PAUSE_LINE,	/* stdin is a pipe: a line per step, end of file to finish */
	PAUSE_KEY,	/* a terminal on both ends: Enter (or -c SECONDS) */
	PAUSE_TIME,	/* -c SECONDS */
};

static enum pause_mode pause_mode(const struct run_ctx *ctx)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) == 0 &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return PAUSE_LINE;
	if (isatty(STDIN_FILENO) && ctx->term->tty)
		return PAUSE_KEY;
	return ctx->opts->continuous > 0 ? PAUSE_TIME : PAUSE_NONE;
}

/*
 * Wait as the mode says (timed: -c SECONDS ends a pause too). Returns 1 to go on, 0 to
 * stop (a signal; end of file when until_eof), or a negative errno. In PAUSE_LINE a line
 * goes on unless until_eof, end of file stops pausing (*mode becomes PAUSE_NONE) and goes
 * on.
 */
static int lab_pause(struct tick *t, enum pause_mode *mode, bool timed, bool until_eof)
{
	char buf[256];

	if (*mode == PAUSE_NONE)
		return 1;
	for (;;) {
		int fd = *mode == PAUSE_TIME ? -1 : STDIN_FILENO;
		int ev = tick_wait(t, fd);
		if (ev < 0)
			return ev;
		if (ev == TICK_STOP)
			return 0;
		if (ev == TICK_TIME && *mode != PAUSE_LINE && timed)
			return 1;
		if (ev != TICK_FD)
			continue;
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*mode = PAUSE_NONE;
			return until_eof ? 0 : 1;
		}
		if (!until_eof)
			return 1;
	}
}

/* ---- a snapshot of the lab's sockets ------------------------------------- */

static int add_sock(const struct sock_rec *s, void *data)
{
	struct sock_set *set = data;

	if (!s) {
		sock_set_clear(set);
		return 0;
	}
	return sock_set_add(set, s);
}

static int snapshot(struct diag_sock *ds, struct sock_set *set)
{
	struct diag_query q = {.family = AF_UNSPEC,
			       .kstates = state_set_to_kernel(STATE_SET_ALL, true)};
	struct diag_stats st = {0};

	sock_set_clear(set);
	return diag_dump(ds, &q, add_sock, set, &st, NULL);
}

/* Does the snapshot show what the step waits for on every role? */
static bool expected(const struct lab_step *st, const struct sock_set *set)
{
	for (int role = 0; role < LAB_NROLES; role++) {
		int want = st->expect[role];
		bool seen = false, other = false;

		if (want == LAB_ANY)
			continue;
		for (size_t i = 0; i < set->n; i++) {
			const struct sock_rec *r = &set->v[i];
			if ((int)lab_role_of(r->lport, r->rport) != role)
				continue;
			/* a CLOSED socket is only bound: it is no connection */
			if (r->state == want)
				seen = true;
			else if (r->state != TS_CLOSED)
				other = true;
		}
		if (want == LAB_GONE ? other : !seen)
			return false;
	}
	return true;
}

static int settle(struct diag_sock *ds, const struct lab_step *st, struct sock_set *set,
		  bool *ret_settled)
{
	double deadline = tick_now() + LAB_SETTLE_MS / 1000.0;
	int err;

	*ret_settled = false;
	for (;;) {
		if ((err = snapshot(ds, set)) < 0)
			return err;
		if (expected(st, set)) {
			*ret_settled = true;
			return 0;
		}
		if (tick_now() > deadline)
			return 0; /* show what the kernel has, and say so */
		usleep(2000);
	}
}

/* ---- lessons ------------------------------------------------------------- */

struct lesson_run {
	const struct run_ctx *ctx;
	const struct lab_lesson *ls;
	struct lab *lab;
	struct diag_sock *ds;
	int cap; /* packet socket, or -1 when capture is not possible */
	struct lab_segment *segs;
	struct sock_set socks;
	struct lab_seq seq;
};

static size_t read_segments(struct lesson_run *r)
{
	size_t n = 0;
	struct lab_segment g;

	while (r->cap >= 0 && lab_capture_next(r->cap, LAB_QUIET_MS, &g) == 1)
		if (n < LAB_MAX_SEGS)
			r->segs[n++] = g;
	return n;
}

static int one_step(struct lesson_run *r, size_t i)
{
	const struct lab_step *st = &r->ls->steps[i];
	struct lab_seen seen = {.lesson = r->ls, .step = i, .socks = &r->socks};
	bool jsonl = r->ctx->opts->format == FMT_JSONL;
	int err = lab_step(r->lab, r->ls, i, &seen.result);

	if (err < 0)
		return run_error(r->ctx, err, "--lab %s: step %zu (%s: %s) failed: %s",
				 r->ls->name, i + 1, st->actor, st->call, strerror(-err));
	if ((err = settle(r->ds, st, &r->socks, &seen.settled)) < 0)
		return run_error(r->ctx, err, "--lab: cannot read the sockets: %s",
				 strerror(-err));
	seen.segs = r->segs;
	seen.n_segs = read_segments(r);
	if ((err = lab_fmt_step(r->ctx->out, &seen, &r->seq, jsonl)) < 0 ||
	    (err = watch_flush(r->ctx->out)) < 0)
		return run_error(r->ctx, -EIO, "cannot write the output");
	return 0;
}

static int run_lesson(struct lesson_run *r, struct tick *t)
{
	enum pause_mode mode = pause_mode(r->ctx);
	bool jsonl = r->ctx->opts->format == FMT_JSONL;
	int err;

	if (lab_fmt_header(r->ctx->out, r->ls, lab_pid(r->lab), jsonl) < 0 ||
	    watch_flush(r->ctx->out) < 0)
		return run_error(r->ctx, -EIO, "cannot write the output");
	for (size_t i = 0; i < r->ls->n_steps; i++) {
		if (i > 0) {
			if (mode == PAUSE_KEY &&
			    lab_fmt_prompt(r->ctx->out, i, r->ls->n_steps) == 0)
				watch_flush(r->ctx->out);
			if ((err = lab_pause(t, &mode, r->ctx->opts->continuous > 0,
					     false)) <= 0)
				return err;
		}
		if ((err = one_step(r, i)) < 0)
			return err;
	}
	/* The last states stay up too, to be looked at, until the user is done. */
	if (mode == PAUSE_KEY &&
	    lab_fmt_prompt(r->ctx->out, r->ls->n_steps, r->ls->n_steps) == 0)
		watch_flush(r->ctx->out);
	err = mode == PAUSE_KEY || mode == PAUSE_LINE ? lab_pause(t, &mode, false, false)
						      : 0;
	return err < 0 ? err : 0;
}

static int lesson(const struct run_ctx *ctx, const struct lab_lesson *ls, struct lab *lab,
		  struct tick *t)
{
	struct lesson_run r = {.ctx = ctx, .ls = ls, .lab = lab, .cap = -1};
	int err;

	if ((err = diag_sock_open(&r.ds)) < 0)
		return run_error(ctx, err, "--lab: cannot open sock_diag: %s",
				 strerror(-err));
	r.segs = calloc(LAB_MAX_SEGS, sizeof(*r.segs));
	r.cap = lab_capture_open();
	if (r.cap < 0)
		run_note(ctx, "--lab: no segments shown: cannot capture on lo: %s",
			 strerror(-r.cap));
	err = r.segs ? run_lesson(&r, t) : -ENOMEM;
	if (r.cap >= 0)
		close(r.cap);
	free(r.segs);
	sock_set_done(&r.socks);
	diag_sock_close(r.ds);
	return err;
}

/* ---- every state --------------------------------------------------------- */

static int count_state(const struct sock_rec *s, void *data)
{
	state_set *seen = data;

	if (s)
		*seen |= STATE_BIT(s->state);
	return 0;
}

/* Wait until a dump shows every state the holder cannot check itself (TIME_WAIT, the
 * SYN_RCVD request); CLOSED needs a 6.8 kernel to be listed at all. */
static int wait_all_states(const struct run_ctx *ctx)
{
	state_set want = STATE_SET_ALL & ~STATE_BIT(TS_CLOSED), seen = 0;
	struct diag_query q = {.family = AF_UNSPEC,
			       .kstates = state_set_to_kernel(STATE_SET_ALL, true)};
	double deadline = tick_now() + LAB_SETTLE_MS / 1000.0;
	struct diag_sock *ds;
	struct diag_stats st = {0};
	int err;

	if ((err = diag_sock_open(&ds)) < 0)
		return run_error(ctx, err, "--lab: cannot open sock_diag: %s",
				 strerror(-err));
	while ((seen & want) != want && tick_now() < deadline) {
		seen = 0;
		if ((err = diag_dump(ds, &q, count_state, &seen, &st, NULL)) < 0)
			break;
		if ((seen & want) != want)
			usleep(2000);
	}
	diag_sock_close(ds);
	if (err < 0)
		return run_error(ctx, err, "--lab: cannot read the sockets: %s",
				 strerror(-err));
	for (int s = 0; s < TS_NSTATES; s++)
		if ((want & STATE_BIT(s)) && !(seen & STATE_BIT(s)))
			return run_error(ctx, -ETIMEDOUT, "--lab: no socket reached %s",
					 state_name((enum ts_state)s));
	if (!(seen & STATE_BIT(TS_CLOSED)))
		run_note(ctx, "--lab: this kernel does not list bound-only (CLOSED) "
			      "sockets (Linux 6.8 does)");
	return 0;
}

static int (*lab_view_fn(enum view v))(const struct run_ctx *)
{
	for (size_t i = 0; i < sizeof(lab_views) / sizeof(lab_views[0]); i++)
		if (lab_views[i].view == v)
			return lab_views[i].run;
	return NULL;
}

/* Where the lab is and how to look at it from outside: root may use -N; the user who
 * owns a user namespace may enter it with nsenter -U, but not setns() from outside. */
static void lab_banner(FILE *out, pid_t pid, enum lab_ns_kind kind)
{
	fprintf(
	    out,
	    "lab: all 11 TCP states on 127.0.0.1, in the network namespace of pid %d\n",
	    (int)pid);
	if (kind == LAB_NS_USER)
		fprintf(out,
			"(a user namespace; look in with:\n"
			" nsenter -t %d -U -n --preserve-credentials ss -tan)\n\n",
			(int)pid);
	else
		fprintf(out, "(look in with: tcpstate -N %d -a)\n\n", (int)pid);
}

static int all_states(const struct run_ctx *ctx, struct lab *lab, enum lab_ns_kind kind,
		      struct tick *t)
{
	struct opts o = *ctx->opts; /* a copy: its strings still belong to ctx->opts */
	struct run_ctx in = *ctx;
	struct query q = *ctx->query;
	char by_state[] = "state,lport"; /* the lifecycle, one recipe after another */
	enum pause_mode mode = pause_mode(ctx);
	int (*view)(const struct run_ctx *) = lab_view_fn(o.view);
	const char *what;
	int err;

	if ((err = lab_build_all(lab, &what)) < 0)
		return run_error(ctx, err, "--lab: cannot build %s: %s",
				 what ? what : "the sockets", strerror(-err));
	if ((err = wait_all_states(ctx)) < 0)
		return err;
	o.all = 1;
	if (o.view == VIEW_LIST) {
		o.processes = 1;
		if (!o.sort)
			o.sort = by_state;
	}
	query_select_all(&q, false); /* as -a: CLOSED and LISTEN too */
	in.opts = &o;
	in.query = &q;
	if (o.format == FMT_TABLE && !o.no_header && o.continuous <= 0)
		lab_banner(ctx->out, lab_pid(lab), kind);
	if (o.continuous > 0)
		return watch_run(&in, view);
	int status = view(&in); /* 3 when --doctor found something */
	if (status < 0)
		return status;
	if (mode == PAUSE_KEY || mode == PAUSE_LINE) {
		if (mode == PAUSE_KEY)
			fprintf(ctx->out,
				"\n-- the lab is up: Enter or Ctrl-C tears it down --\n");
		if (watch_flush(ctx->out) < 0)
			return run_error(ctx, -EIO, "cannot write the output");
		err = lab_pause(t, &mode, false, true);
	}
	return err < 0 ? err : status;
}

/* ---- the entry ----------------------------------------------------------- */

static int check_options(const struct run_ctx *ctx, const struct lab_lesson **ret)
{
	const struct opts *o = ctx->opts;
	const char *name = o->lab;

	*ret = NULL;
	if (o->netns || o->all_netns || o->replay)
		return run_error(
		    ctx, -EINVAL,
		    "'--lab' makes its own namespace: it cannot be combined with "
		    "'%s'",
		    o->netns	   ? "--netns"
		    : o->all_netns ? "--all-netns"
				   : "--replay");
	if (!lab_view_fn(o->view))
		return run_error(
		    ctx, -EINVAL,
		    "'--lab' shows its sockets with the listing, -s, --hist, "
		    "--diagram, -E or --doctor");
	if (!*name)
		return 0;
	*ret = lab_lesson_find(name);
	if (!*ret) {
		char names[256];
		size_t n = 0;
		for (const struct lab_lesson *l = lab_lessons;
		     l->name && n < sizeof(names); l++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
					      n ? ", " : "", l->name);
		return run_error(ctx, -EINVAL, "unknown lesson '%s' for --lab (try %s)",
				 name, names);
	}
	if (o->view != VIEW_LIST || (o->format != FMT_TABLE && o->format != FMT_JSONL))
		return run_error(
		    ctx, -EINVAL,
		    "'--lab %s' is a transcript: plain text or --format jsonl, "
		    "and no other view",
		    name);
	return 0;
}

int view_lab(const struct run_ctx *ctx)
{
	const struct lab_lesson *ls;
	enum lab_ns_kind kind;
	struct lab *lab = NULL;
	struct tick t;
	int err;

	if ((err = check_options(ctx, &ls)) < 0)
		return err;
	/* Signals come through the tick from here on: Ctrl-C tears the lab down. */
	if ((err = tick_open(&t, ctx->opts->continuous > 0 ? ctx->opts->continuous
							   : 86400)) < 0)
		return run_error(ctx, err, "--lab: cannot set up signals: %s",
				 strerror(-err));
	tick_wait(&t, -1); /* the first tick is due at once */
	err = lab_netns_new(&kind);
	if (err == -EPERM)
		err = run_error(
		    ctx, -EPERM,
		    "--lab needs a network namespace of its own: run it as root "
		    "(CAP_SYS_ADMIN) or allow unprivileged user namespaces "
		    "(sysctl user.max_user_namespaces)");
	else if (err < 0)
		err = run_error(ctx, err, "--lab: cannot make a network namespace: %s",
				strerror(-err));
	if (err == 0 && (err = lab_start(&lab)) < 0)
		err = run_error(ctx, err, "--lab: cannot start the holder: %s",
				strerror(-err));
	if (err == 0)
		err = ls ? lesson(ctx, ls, lab, &t) : all_states(ctx, lab, kind, &t);
	lab_stop(lab);
	tick_close(&t);
	return err;
}
