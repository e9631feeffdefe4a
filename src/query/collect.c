/* collect.c - the query stage: options and filter -> sock_diag request -> matching
 * sockets. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>

#include "model/columns.h"
#include "query/netns.h"
#include "query/procfs_fallback.h"
#include "views/run.h"

int run_error(const struct run_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	free(ctx->msgs->error);
	va_start(ap, fmt);
	if (vasprintf(&ctx->msgs->error, fmt, ap) < 0)
		ctx->msgs->error = NULL;
	va_end(ap);
	return err;
}

void run_note(const struct run_ctx *ctx, const char *fmt, ...)
{
	struct run_msgs *m = ctx->msgs;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	for (int i = 0; i < m->n_notes; i++) {
		if (strcmp(m->notes[i], s) == 0) {
			free(s);
			return;
		}
	}
	if (m->n_notes >= RUN_MAX_NOTES) {
		free(s);
		return;
	}
	m->notes[m->n_notes++] = s;
}

void run_msgs_done(struct run_msgs *m)
{
	free(m->error);
	m->error = NULL;
	for (int i = 0; i < m->n_notes; i++)
		free(m->notes[i]);
	m->n_notes = 0;
	netns_list_free(m->netns);
	m->netns = NULL;
}

state_set run_default_states(const struct opts *o)
{
	if (o->all)
		return STATE_SET_ALL;
	if (o->listening)
		return STATE_BIT(TS_LISTEN);
	return STATE_SET_DEFAULT;
}

/* Build the request; *ret_bc must be freed by the caller. */
static int build_query(const struct run_ctx *ctx, unsigned needs, struct diag_query *q,
		       void **ret_bc)
{
	state_set states = filter_state_set(ctx->filter, run_default_states(ctx->opts));
	size_t bc_len = 0;
	int err;

	memset(q, 0, sizeof(*q));
	q->family = ctx->opts->family;
	/* The bound-inactive bit costs a walk of the bind hash: only when CLOSED is
	 * wanted. */
	q->kstates = state_set_to_kernel(states, true);
	if (needs & COL_NEED_INFO)
		q->ext |= (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
	if (needs & COL_NEED_MEM)
		q->ext |= 1 << (INET_DIAG_SKMEMINFO - 1);
	err = filter_bytecode(ctx->filter, ret_bc, &bc_len, &q->sport, &q->dport);
	if (err < 0)
		return run_error(ctx, err, "cannot compile the filter for the kernel: %s",
				 strerror(-err));
	q->bytecode = *ret_bc;
	q->bytecode_len = bc_len;
	return 0;
}

struct stream_ctx {
	const struct run_ctx *run;
	state_set states;
	bool check_filter; /* re-check in user space (the kernel decided only part of it)
			    */
	diag_sock_fn fn;
	void *data;
};

/* Every socket passes here first: the kernel filter is a pre-filter, this decides. */
static int stream_one(const struct sock_rec *s, void *data)
{
	struct stream_ctx *sc = data;

	if (!s)
		return sc->fn(NULL, sc->data);
	if (s->state < TS_NSTATES && !(sc->states & STATE_BIT(s->state)))
		return 0;
	if (sc->run->opts->family != AF_UNSPEC && s->family != sc->run->opts->family)
		return 0;
	if (sc->check_filter && !filter_match(sc->run->filter, s, NULL))
		return 0;
	return sc->fn(s, sc->data);
}

static const char *dump_hint(int err)
{
	switch (-err) {
	case EPROTONOSUPPORT:
	case EOPNOTSUPP:
	case ENOENT:
		return " (the kernel has no sock_diag/inet_diag support: load the tcp_diag module)";
	case EPERM:
	case EACCES:
		return " (permission denied: a filter on marks or another namespace may need "
		       "CAP_NET_ADMIN)";
	default:
		return "";
	}
}

/*
 * No sock_diag (socket refused, or no inet_diag/tcp_diag behind it): /proc/net/tcp
 * answers when the view wants no tcp_info or memory, with a note on what it cannot show.
 */
static int dump_fallback(const struct run_ctx *ctx, const struct diag_query *q,
			 diag_sock_fn fn, void *data, int err, const char *what)
{
	int ferr;

	if (ctx->opts->record || !procfs_can_answer(q))
		return run_error(ctx, err, "%s: %s%s", what, strerror(-err),
				 dump_hint(err));
	ferr = fn(NULL, data);
	if (ferr == 0)
		ferr = procfs_dump("/proc", q, fn, data, NULL);
	if (ferr < 0)
		return run_error(ctx, err,
				 "%s: %s%s; nor could /proc/net/tcp be read: %s", what,
				 strerror(-err), dump_hint(err), strerror(-ferr));
	run_note(ctx,
		 "%s (%s): listed from /proc/net/tcp instead, which shows no bound-only "
		 "(CLOSED) sockets and no socket cookies",
		 what, strerror(-err));
	return 0;
}

/* Add one dump's counters to the run's (for --stats) and copy them to *st. */
static void add_stats(const struct run_ctx *ctx, const struct diag_stats *mine,
		      struct diag_stats *st)
{
	struct diag_stats *sum = &ctx->msgs->stats;

	sum->bytes += mine->bytes;
	sum->msgs += mine->msgs;
	sum->socks += mine->socks;
	sum->recvs += mine->recvs;
	sum->restarts += mine->restarts;
	if (st)
		*st = *mine;
}

/* Dump the namespace this thread is in (or replay the --replay file). */
static int dump_here(const struct run_ctx *ctx, const struct diag_query *q,
		     diag_sock_fn fn, void *data, struct diag_stats *st)
{
	const struct opts *o = ctx->opts;
	FILE *record = NULL;
	int err;

	if (o->replay) {
		FILE *in = fopen(o->replay, "rb");
		if (!in)
			return run_error(ctx, -errno, "cannot open '%s': %s", o->replay,
					 strerror(errno));
		struct diag_stats rs = {0};
		err = diag_replay(in, fn, data, &rs);
		fclose(in);
		add_stats(ctx, &rs, st); /* --stats counted nothing for a replay */
		/* -EINVAL recorded from the kernel is not the user's usage error (exit 2)
		 */
		if (err < 0)
			return run_error(ctx, err == -EINVAL ? -EPROTO : err,
					 "cannot replay '%s': %s", o->replay,
					 err == -EBADMSG ? "malformed or truncated dump"
							 : strerror(-err));
		return 0;
	}
	if (o->record) {
		record = fopen(o->record, "wb");
		if (!record)
			return run_error(ctx, -errno, "cannot write '%s': %s", o->record,
					 strerror(errno));
	}
	struct diag_sock *ds;
	err = diag_sock_open(&ds);
	if (err < 0) {
		if (record)
			fclose(record);
		return dump_fallback(ctx, q, fn, data, err,
				     "cannot open a sock_diag netlink socket");
	}
	struct diag_stats mine = {0};
	err = diag_dump(ds, q, fn, data, &mine, record);
	diag_sock_close(ds);
	add_stats(ctx, &mine, st);
	if (record && fclose(record) != 0 && err == 0)
		return run_error(ctx, -EIO, "cannot write '%s': %s", o->record,
				 strerror(errno));
	if (err == -ERESTART)
		return err; /* the namespace walk starts over (run_dump) */
	if (err == -EINTR)
		return run_error(
		    ctx, err,
		    "the socket table kept changing during the dump; try again");
	if ((err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT) &&
	    !mine.socks)
		return dump_fallback(ctx, q, fn, data, err,
				     "the kernel's socket dump failed");
	/* -EINVAL from the kernel is not the user's usage error (exit 2): report it as a
	 * runtime failure. */
	if (err < 0 && !ctx->msgs->error)
		return run_error(ctx, err == -EINVAL ? -EPROTO : err,
				 "the kernel's socket dump failed: %s%s", strerror(-err),
				 dump_hint(err));
	return err;
}

/* Tags sockets with their namespace; a restart in a later namespace restarts the walk,
 * because the consumer's "forget" also forgets the namespaces before it. */
struct ns_tag {
	diag_sock_fn fn;
	void *data;
	uint64_t ino; /* 0: do not tag */
	bool later;   /* not the first namespace of the walk */
};

static int tag_one(const struct sock_rec *s, void *data)
{
	struct ns_tag *t = data;
	struct sock_rec copy;
	int err;

	if (!s) {
		err = t->fn(NULL, t->data);
		return err < 0 ? err : t->later ? -ERESTART : 0;
	}
	if (!t->ino)
		return t->fn(s, t->data);
	copy = *s;
	copy.netns = t->ino;
	return t->fn(&copy, t->data);
}

/* The namespaces -N or --all-netns choose, kept in ctx->msgs->netns for the labels. */
static int select_netns(const struct run_ctx *ctx)
{
	const struct opts *o = ctx->opts;
	struct netns_list *l = NULL;
	int err;

	netns_list_free(ctx->msgs->netns);
	ctx->msgs->netns = NULL;
	if (o->all_netns) {
		err = netns_discover("/run/netns", "/proc", &l);
		if (err < 0)
			return run_error(ctx, err,
					 "cannot list the network namespaces: %s",
					 strerror(-err));
		if (l->denied)
			run_note(
			    ctx,
			    "the network namespaces of %u process%s could not be examined "
			    "(another user's /proc/PID/ns/net needs root or CAP_SYS_PTRACE): "
			    "their sockets may be missing",
			    l->denied, l->denied == 1 ? "" : "es");
	} else {
		err = netns_resolve(o->netns, "/run/netns", "/proc", &l);
		if (err < 0)
			return run_error(ctx, err,
					 "cannot use the network namespace '%s': %s",
					 o->netns, netns_strerror(err));
	}
	ctx->msgs->netns = l;
	return 0;
}

/* Note the namespaces --all-netns could not enter, naming a few. */
static void note_skipped(const struct run_ctx *ctx, const char *names, size_t n, int err)
{
	run_note(ctx, "skipped %zu network namespace%s (%s): %s%s", n, n == 1 ? "" : "s",
		 netns_strerror(err), names, n > 3 ? ", ..." : "");
}

/* Dump every chosen namespace in turn: setns into it, dump, come back. */
static int run_dump(const struct run_ctx *ctx, const struct diag_query *q,
		    diag_sock_fn fn, void *data, struct diag_stats *st)
{
	const struct opts *o = ctx->opts;
	const struct netns_list *l;
	int err = 0;

	if (o->replay || (!o->netns && !o->all_netns))
		return dump_here(ctx, q, fn, data, st);
	if (o->record && o->all_netns)
		return run_error(ctx, -EINVAL,
				 "'--record' cannot be combined with '--all-netns' "
				 "(a recording holds one namespace's dump)");
	err = select_netns(ctx);
	if (err < 0)
		return err;
	l = ctx->msgs->netns;
	for (int walk = 0; walk < 5; walk++) {
		struct diag_stats sum = {0};
		char skipped[256] = "";
		size_t n_skipped = 0;
		int skip_err = 0;
		err = 0;
		for (size_t i = 0; i < l->n && err == 0; i++) {
			struct ns_tag tag = {fn, data, o->all_netns ? l->v[i].ino : 0,
					     i > 0};
			struct diag_stats one = {0};
			int saved;
			err = netns_enter(&l->v[i], &saved);
			if (err < 0 && o->all_netns) {
				/* --all-netns shows what it can; a vanished namespace has
				 * no sockets */
				if (err != -ENOENT && n_skipped++ < 3)
					snprintf(skipped + strlen(skipped),
						 sizeof(skipped) - strlen(skipped),
						 "%s%s", n_skipped > 1 ? ", " : "",
						 l->v[i].label);
				skip_err = err != -ENOENT ? err : skip_err;
				err = 0;
				continue;
			}
			if (err < 0)
				return run_error(
				    ctx, err,
				    "cannot enter the network namespace '%s': %s",
				    o->netns, netns_strerror(err));
			err = dump_here(ctx, q, tag_one, &tag, &one);
			int back = netns_return(saved);
			if (back < 0)
				return run_error(
				    ctx, back,
				    "cannot return to the original network namespace: %s",
				    strerror(-back));
			sum.bytes += one.bytes;
			sum.msgs += one.msgs;
			sum.socks += one.socks;
			sum.recvs += one.recvs;
			sum.restarts += one.restarts;
		}
		if (st)
			*st = sum;
		if (err == -ERESTART)
			continue;
		if (n_skipped)
			note_skipped(ctx, skipped, n_skipped, skip_err);
		return err;
	}
	return run_error(ctx, -EINTR,
			 "the socket table kept changing during the dump; try again");
}

/* Kernel pre-filter plus the user-space check of everything but owners. */
static int stream_raw(const struct run_ctx *ctx, unsigned needs, diag_sock_fn fn,
		      void *data, struct diag_stats *ret_stats)
{
	/* Owner terms are decided later, in filter_with_owners, on the whole expression.
	 */
	bool check = ctx->filter && !filter_needs_procs(ctx->filter);
	struct stream_ctx sc = {ctx, 0, check, fn, data};
	struct diag_query q;
	void *bc = NULL;
	int err;

	err = build_query(ctx, needs, &q, &bc);
	if (err < 0)
		return err;
	sc.states = filter_state_set(ctx->filter, run_default_states(ctx->opts));
	err = run_dump(ctx, &q, stream_one, &sc, ret_stats);
	free(bc);
	return err;
}

int collect_stream(const struct run_ctx *ctx, unsigned needs, diag_sock_fn fn, void *data,
		   struct diag_stats *ret_stats)
{
	struct collect c;
	int err = 0;

	if (!filter_needs_procs(ctx->filter))
		return stream_raw(ctx, needs, fn, data, ret_stats);
	err = collect_sockets(ctx, needs, &c);
	for (size_t i = 0; err == 0 && i < c.socks.n; i++)
		err = fn(&c.socks.v[i], data);
	if (ret_stats)
		*ret_stats = c.dstats;
	collect_done(&c);
	return err;
}

static int keep_one(const struct sock_rec *s, void *data)
{
	struct sock_set *set = data;

	if (!s) {
		sock_set_clear(set);
		return 0;
	}
	return sock_set_add(set, s);
}

/* Drop the sockets the filter rejects once owners are known. */
static void filter_with_owners(const struct run_ctx *ctx, struct collect *c)
{
	size_t keep = 0;

	for (size_t i = 0; i < c->socks.n; i++) {
		if (filter_match(ctx->filter, &c->socks.v[i], c->procs))
			c->socks.v[keep++] = c->socks.v[i];
		else
			free(c->socks.v[i].ext);
	}
	c->socks.n = keep;
}

static void note_owners(const struct run_ctx *ctx, const struct procs_stats *ps)
{
	if (ps->denied)
		run_note(
		    ctx,
		    "%u processes could not be examined (reading another user's "
		    "/proc/PID/fd needs root or CAP_SYS_PTRACE): the PID/Program name "
		    "column is incomplete",
		    ps->denied);
}

int collect_sockets(const struct run_ctx *ctx, unsigned needs, struct collect *ret)
{
	bool procs_filter = filter_needs_procs(ctx->filter);
	enum owners_source used;
	const char *why;
	uint32_t *inodes;
	int err;

	memset(ret, 0, sizeof(*ret));
	err = stream_raw(ctx, needs, keep_one, &ret->socks, &ret->dstats);
	if (err < 0)
		return err;
	if (!(needs & COL_NEED_PROCS) && !procs_filter)
		return 0;
	/* Only the inodes that survived the kernel's filter are looked up. */
	inodes = malloc((ret->socks.n + 1) * sizeof(*inodes));
	if (!inodes)
		return run_error(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < ret->socks.n; i++)
		inodes[i] = ret->socks.v[i].inode;
	err = procs_find(ctx->opts->owners_source, inodes, ret->socks.n, &ret->procs,
			 &ret->pstats, &why, &used);
	free(inodes);
	if (err < 0 && why)
		return run_error(ctx, err, "cannot use --owners-source bpf: %s", why);
	if (err < 0)
		return run_error(ctx, err, "cannot read /proc: %s", strerror(-err));
	note_owners(ctx, &ret->pstats);
	if (procs_filter)
		filter_with_owners(ctx, ret);
	return 0;
}

void collect_done(struct collect *c)
{
	if (!c)
		return;
	sock_set_done(&c->socks);
	procs_free(c->procs);
	c->procs = NULL;
}
