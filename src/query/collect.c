/* collect.c - the query stage: a query -> sock_diag request in each namespace (or a
 * replay) -> the matching sockets, with owners when asked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/inet_diag.h>

#include "base/i18n.h"
#include "base/atomic_file.h"
#include "model/columns.h"
#include "query/cgroups.h"
#include "query/collect.h"
#include "query/netns.h"
#include "query/procfs_fallback.h"

/* The sock_diag request for a query: its states, extensions and the kernel's part of the
 * filter. */
static void build_request(const struct query *q, struct diag_query *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = q->family;
	/* The bound-inactive bit costs a walk of the bind hash: only when CLOSED is
	 * wanted. */
	ret->kstates = state_set_to_kernel(query_states(q), true);
	/* The view's columns, and the filter's: "rtt > 100ms" needs tcp_info. */
	unsigned needs = q->needs | q->filter.needs;
	if (needs & COL_NEED_INFO)
		ret->ext |= (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1));
	if (needs & COL_NEED_MEM)
		ret->ext |= 1 << (INET_DIAG_SKMEMINFO - 1);
	if (needs & COL_NEED_TOS)
		ret->ext |= (1 << (INET_DIAG_TOS - 1)) | (1 << (INET_DIAG_TCLASS - 1));
	ret->small_attrs = (needs & (COL_NEED_CGROUP | COL_NEED_TOS | COL_NEED_MARK)) ||
			   q->filter.needs_cgroups;
	ret->sport = q->filter.sport;
	ret->dport = q->filter.dport;
	ret->bytecode = q->filter.bytecode;
	ret->bytecode_len = q->filter.bytecode_len;
}

struct stream_ctx {
	const struct query *q;
	struct cgmap *cgroups; /* NULL unless a column, key or term needs cgroup paths */
	state_set states;
	bool check_filter; /* re-check in user space (the kernel decided only part of it)
			    */
	diag_sock_fn fn;
	void *data;
	const struct procs *procs; /* owners known before the dump (owners_first) */
	diag_sock_fn tap;	   /* see collect_state.tap; NULL: none */
	void *tap_data;
};

/* Every socket passes here first: the kernel filter is a pre-filter, this decides. */
static int stream_one(const struct sock_rec *s, void *data)
{
	struct stream_ctx *sc = data;

	if (s) {
		if (s->state < TS_NSTATES && !(sc->states & STATE_BIT(s->state)))
			return 0;
		if (sc->q->family != AF_UNSPEC && s->family != sc->q->family)
			return 0;
		if (sc->check_filter &&
		    !sc->q->filter.match(sc->q->filter.f, s, sc->procs))
			return 0;
	}
	if (sc->tap) {
		int err = sc->tap(s, sc->tap_data);
		if (err < 0)
			return err;
	}
	return sc->fn(s, sc->data);
}

/* stream_one, with the socket's cgroup made known first: a separate callback so that a
 * listing without cgroup columns pays nothing per socket. */
static int stream_one_cg(const struct sock_rec *s, void *data)
{
	struct stream_ctx *sc = data;

	/* An error (no cgroup2 mounted) leaves the map empty: the cells say "-". */
	if (s)
		cgmap_ensure(sc->cgroups, s->cgroup_id);
	return stream_one(s, data);
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
static int dump_fallback(const struct query *q, struct collect_state *st,
			 const struct diag_query *req, diag_sock_fn fn, void *data,
			 int err, const char *what)
{
	int ferr;

	if (q->record || !procfs_can_answer(req))
		return msgs_error(st->msgs, err, _("%s: %s%s"), what, strerror(-err),
				  dump_hint(err));
	ferr = fn(NULL, data);
	if (ferr == 0)
		ferr = procfs_dump("/proc", req, fn, data, NULL);
	if (ferr < 0)
		return msgs_error(st->msgs, err,
				  _("%s: %s%s; nor could /proc/net/tcp be read: %s"),
				  what, strerror(-err), dump_hint(err), strerror(-ferr));
	msgs_note(
	    st->msgs,
	    _("%s (%s): listed from /proc/net/tcp instead, which shows no bound-only "
	      "(CLOSED) sockets and no socket cookies"),
	    what, strerror(-err));
	return 0;
}

static void stats_add(struct diag_stats *sum, const struct diag_stats *one)
{
	sum->bytes += one->bytes;
	sum->msgs += one->msgs;
	sum->socks += one->socks;
	sum->recvs += one->recvs;
	sum->restarts += one->restarts;
}

/* Add one dump's counters to the run's (for --stats) and copy them to *ret. */
static void add_stats(struct collect_state *st, const struct diag_stats *mine,
		      struct diag_stats *ret)
{
	stats_add(&st->stats, mine);
	if (ret)
		*ret = *mine;
}

/* Feed the replay file through fn. */
static int replay(const struct query *q, struct collect_state *st,
		  const struct diag_query *req, diag_sock_fn fn, void *data,
		  struct diag_stats *ret)
{
	struct diag_stats rs = {0};
	FILE *in = fopen(q->replay, "rb");
	int err;

	if (!in)
		return msgs_error(st->msgs, -errno, _("cannot open '%s': %s"), q->replay,
				  strerror(errno));
	struct stat sb;
	if (fstat(fileno(in), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(in); /* read() would fail with EISDIR: not a "malformed dump" */
		return msgs_error(st->msgs, -EISDIR, _("cannot replay '%s': %s"),
				  q->replay, strerror(EISDIR));
	}
	err = diag_replay(in, req->small_attrs, fn, data, &rs);
	fclose(in);
	add_stats(st, &rs, ret); /* --stats counted nothing for a replay */
	/* -EINVAL recorded from the kernel is not the user's usage error (exit 2) */
	if (err < 0)
		return msgs_error(st->msgs, err == -EINVAL ? -EPROTO : err,
				  _("cannot replay '%s': %s"), q->replay,
				  err == -EBADMSG ? _("malformed or truncated dump")
						  : strerror(-err));
	return 0;
}

/* Dump the namespace this thread is in (or replay the --replay file). */
static int dump_here(const struct query *q, struct collect_state *st,
		     const struct diag_query *req, diag_sock_fn fn, void *data,
		     struct diag_stats *ret)
{
	struct diag_stats mine = {0};
	char why[DIAG_ERROR_TEXT_MAX] = "";
	struct atomic_file af = {0};
	FILE *record = NULL;
	struct diag_sock *ds;
	int err;

	if (q->replay)
		return replay(q, st, req, fn, data, ret);
	if (q->record) {
		/*
		 * Root recording into a world-writable directory must not let another
		 * user aim it at a file of their choice: fopen("wb") follows a planted
		 * symlink (or writes through a hard link) and truncates its target. A new
		 * 0600 file made exclusively next to the name is renamed over it once the
		 * dump is whole; a symlink, device or directory there is refused.
		 */
		err = atomic_file_open(q->record, 0600, &af);
		record = err < 0 ? NULL : atomic_file_stream(&af);
		if (err == 0 && !record)
			err = -errno;
		if (err < 0) {
			atomic_file_abort(&af);
			/* not the user's usage error (exit 2): a runtime refusal */
			return msgs_error(
			    st->msgs, err == -EINVAL ? -EEXIST : err,
			    _("cannot record to '%s': %s"), q->record,
			    err == -EINVAL || err == -EISDIR
				? _("it exists and is not a regular file (--record only "
				    "replaces a regular file)")
				: strerror(-err));
		}
	}
	err = diag_sock_open(&ds);
	if (err < 0) {
		atomic_file_abort(&af);
		return dump_fallback(q, st, req, fn, data, err,
				     "cannot open a sock_diag netlink socket");
	}
	err = diag_dump(ds, req, fn, data, &mine, record);
	if (err < 0)
		diag_sock_error_text(ds, why, sizeof(why));
	diag_sock_close(ds);
	add_stats(st, &mine, ret);
	if (record && err == -EIO && ferror(record)) {
		int werr = errno ? -errno : -EIO;
		atomic_file_abort(&af);
		return msgs_error(st->msgs, werr, _("cannot record to '%s': %s"),
				  q->record, strerror(-werr));
	}
	if (record && err < 0)
		atomic_file_abort(&af); /* never a partial dump under the name */
	else if (record && (err = atomic_file_commit(&af)) < 0)
		return msgs_error(st->msgs, err, _("cannot record to '%s': %s"),
				  q->record, strerror(-err));
	if (err == -ERESTART)
		return err; /* the namespace walk starts over (dump_all) */
	if (err == -EINTR)
		return msgs_error(
		    st->msgs, err,
		    _("the socket table kept changing during the dump; try again"));
	if ((err == -ENOENT || err == -EOPNOTSUPP || err == -EPROTONOSUPPORT) &&
	    !mine.socks)
		return dump_fallback(q, st, req, fn, data, err,
				     "the kernel's socket dump failed");
	/* -EINVAL from the kernel is not the user's usage error (exit 2): report it as a
	 * runtime failure. The kernel's own words, when it sent some, come last. */
	if (err < 0 && !st->msgs->error)
		return msgs_error(st->msgs, err == -EINVAL ? -EPROTO : err,
				  _("the kernel's socket dump failed: %s%s%s%s"),
				  strerror(-err), dump_hint(err), why[0] ? ": " : "",
				  why);
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

/* The namespaces -N or --all-netns choose, kept in st->netns for the labels. */
static int select_netns(const struct query *q, struct collect_state *st)
{
	struct netns_list *l = NULL;
	int err;

	netns_list_free(st->netns);
	st->netns = NULL;
	if (q->all_netns) {
		err = netns_discover("/run/netns", "/proc", &l);
		if (err < 0)
			return msgs_error(st->msgs, err,
					  _("cannot list the network namespaces: %s"),
					  strerror(-err));
		if (l->denied)
			msgs_note(
			    st->msgs,
			    ngettext(
				"the network namespaces of %u process could not be "
				"examined (another user's /proc/PID/ns/net needs root or "
				"CAP_SYS_PTRACE): their sockets may be missing",
				"the network namespaces of %u processes could not be "
				"examined (another user's /proc/PID/ns/net needs root or "
				"CAP_SYS_PTRACE): their sockets may be missing",
				l->denied),
			    l->denied);
	} else {
		err = netns_resolve(q->netns, "/run/netns", "/proc", &l);
		if (err < 0)
			return msgs_error(st->msgs, err,
					  _("cannot use the network namespace '%s': %s"),
					  q->netns, netns_strerror(err));
	}
	st->netns = l;
	return 0;
}

/* One walk over the chosen namespaces. */
struct walk {
	const struct query *q;
	struct collect_state *st;
	const struct diag_query *req;
	diag_sock_fn fn;
	void *data;
	size_t i;	       /* namespaces visited so far */
	struct diag_stats sum; /* this walk's counters */
	char skipped[256];     /* the first few namespaces --all-netns could not enter */
	size_t n_skipped;
	int skip_err;
};

/* Inside one namespace (netns_visit_fn): dump it, its sockets tagged with it. */
static int dump_visit(const struct netns_ent *e, int err, void *data)
{
	struct walk *w = data;
	struct ns_tag tag = {w->fn, w->data, w->q->all_netns ? e->ino : 0, w->i++ > 0};
	struct diag_stats one = {0};

	if (err < 0 && w->q->all_netns) {
		/* --all-netns shows what it can; a vanished namespace has no sockets */
		if (err != -ENOENT && w->n_skipped++ < 3)
			snprintf(w->skipped + strlen(w->skipped),
				 sizeof(w->skipped) - strlen(w->skipped), "%s%s",
				 w->n_skipped > 1 ? ", " : "", e->label);
		w->skip_err = err != -ENOENT ? err : w->skip_err;
		return 0;
	}
	if (err < 0)
		return msgs_error(w->st->msgs, err,
				  _("cannot enter the network namespace '%s': %s"),
				  w->q->netns, netns_strerror(err));
	err = dump_here(w->q, w->st, w->req, tag_one, &tag, &one);
	stats_add(&w->sum, &one);
	return err;
}

/* Dump every chosen namespace in turn: setns into it, dump, come back. */
static int dump_all(const struct query *q, struct collect_state *st,
		    const struct diag_query *req, diag_sock_fn fn, void *data,
		    struct diag_stats *ret)
{
	int err, back;

	if (q->replay || (!q->netns && !q->all_netns))
		return dump_here(q, st, req, fn, data, ret);
	if (q->record && q->all_netns)
		return msgs_error(st->msgs, -EINVAL,
				  _("'--record' cannot be combined with '--all-netns' "
				    "(a recording holds one namespace's dump)"));
	err = select_netns(q, st);
	if (err < 0)
		return err;
	for (int walk = 0; walk < 5; walk++) {
		struct walk w = {q, st, req, fn, data, 0, {0}, "", 0, 0};
		err = netns_for_each(st->netns, dump_visit, &w, &back);
		if (back < 0)
			return msgs_error(
			    st->msgs, back,
			    _("cannot return to the original network namespace: %s"),
			    strerror(-back));
		if (ret)
			*ret = w.sum;
		if (err == -ERESTART)
			continue;
		if (w.n_skipped)
			msgs_note(st->msgs,
				  ngettext("skipped %zu network namespace (%s): %s%s",
					   "skipped %zu network namespaces (%s): %s%s",
					   w.n_skipped),
				  w.n_skipped, netns_strerror(w.skip_err), w.skipped,
				  w.n_skipped > 3 ? ", ..." : "");
		return err;
	}
	return msgs_error(st->msgs, -EINTR,
			  _("the socket table kept changing during the dump; try again"));
}

/* Do q and t select the same sockets (whatever extensions or owners each wants)? */
static bool same_selection(const struct query *q, const struct query *t)
{
	return query_states(q) == query_states(t) && q->family == t->family &&
	       q->filter.f == t->filter.f && q->filter.match == t->filter.match &&
	       !q->filter.needs_procs && q->netns == t->netns &&
	       q->all_netns == t->all_netns && q->replay == t->replay;
}

/* Kernel pre-filter plus the user-space check of everything but owners. */
static int stream_raw(const struct query *q, struct collect_state *st,
		      const struct procs *procs, diag_sock_fn fn, void *data,
		      struct diag_stats *ret_stats)
{
	/* Owner terms are decided later, in filter_with_owners, on the whole expression,
	 * unless the owners are known already. */
	bool check = q->filter.match && (!q->filter.needs_procs || procs);
	/* a collect_state without a map (tests) shows no cgroups */
	bool cg =
	    st->cgroups && ((q->needs & COL_NEED_CGROUP) || q->filter.needs_cgroups);
	struct stream_ctx sc = {.q = q,
				.cgroups = cg ? st->cgroups : NULL,
				.states = query_states(q),
				.check_filter = check,
				.fn = fn,
				.data = data,
				.procs = procs};
	struct diag_query req;
	int err;

	if (st->tap && same_selection(q, st->tap_q)) {
		sc.tap = st->tap;
		sc.tap_data = st->tap_data;
		st->tapped++;
	}
	build_request(q, &req);
	err = dump_all(q, st, &req, cg ? stream_one_cg : stream_one, &sc, ret_stats);
	if (err == 0 && sc.cgroups && cgmap_error(sc.cgroups) && !q->cgroups_quiet)
		msgs_note(
		    st->msgs,
		    _("no cgroup v2 hierarchy could be read (%s): the cgroup, unit and "
		      "container columns show '-'"),
		    strerror(-cgmap_error(sc.cgroups)));
	return err;
}

/*
 * Owners first, for a filter that names the processes it wants (filter_owner_select):
 * only their fd directories are read (--pid N: /proc/N/fd alone), and the dump can then
 * stream instead of keeping every socket until /proc has been walked. Not when the
 * owners are also shown: a shared socket's other owners would be missing. Returns 1
 * with *ret set, 0 when the filter does not allow it, or a negative errno.
 */
static int owners_first(const struct query *q, struct collect_state *st,
			struct procs **ret, struct procs_stats *ps)
{
	struct procs_select sel;

	*ret = NULL;
	memset(ps, 0, sizeof(*ps));
	if (!q->filter.needs_procs || !q->filter.owner_select ||
	    (q->needs & COL_NEED_PROCS) || !q->filter.owner_select(q->filter.f, &sel))
		return 0;
	int err = procs_scan_select("/proc", &sel, ret, ps);
	st->procs_read += ps->scanned;
	if (err < 0)
		return msgs_error(st->msgs, err, _("cannot read /proc: %s"),
				  strerror(-err));
	if (ps->denied) /* the named processes' sockets are all we look for */
		msgs_note(
		    st->msgs,
		    _("%u processes could not be examined (reading another user's "
		      "/proc/PID/fd needs root or CAP_SYS_PTRACE): sockets they hold "
		      "are missing"),
		    ps->denied);
	return 1;
}

bool collect_can_stream(const struct query *q)
{
	struct procs_select sel;

	return !(q->needs & COL_NEED_PROCS) &&
	       (!q->filter.needs_procs ||
		(q->filter.owner_select && q->filter.owner_select(q->filter.f, &sel)));
}

int collect_stream(const struct query *q, struct collect_state *st, diag_sock_fn fn,
		   void *data, struct diag_stats *ret_stats)
{
	struct procs_stats ps;
	struct procs *procs;
	struct collect c;
	int err = 0;

	if (!q->filter.needs_procs)
		return stream_raw(q, st, NULL, fn, data, ret_stats);
	err = owners_first(q, st, &procs, &ps);
	if (err != 0) {
		if (err > 0)
			err = stream_raw(q, st, procs, fn, data, ret_stats);
		procs_free(procs);
		return err;
	}
	err = collect_sockets(q, st, &c);
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
static void filter_with_owners(const struct query *q, struct collect *c)
{
	size_t keep = 0;

	for (size_t i = 0; i < c->socks.n; i++) {
		if (q->filter.match(q->filter.f, &c->socks.v[i], c->procs))
			c->socks.v[keep++] = c->socks.v[i];
	} /* the dropped ones' extensions stay in the set's blocks until it is done */
	c->socks.n = keep;
}

/* Some socket with an inode found no owner: only then can a denied process matter. */
static bool owner_missing(const struct collect *c)
{
	size_t n;

	for (size_t i = 0; i < c->socks.n; i++)
		if (c->socks.v[i].inode &&
		    !procs_lookup(c->procs, c->socks.v[i].inode, &n))
			return true;
	return false;
}

static void note_owners(struct collect_state *st, const struct collect *c)
{
	const struct procs_stats *ps = &c->pstats;

	/* "could not look" must never read as "has no owner" */
	if (ps->failed)
		msgs_note(
		    st->msgs,
		    ngettext("%u process could not be examined (%s): the owners of "
			     "some sockets are unknown, not absent",
			     "%u processes could not be examined (%s): the owners of "
			     "some sockets are unknown, not absent",
			     ps->failed),
		    ps->failed, strerror(ps->fail_errno));
	if (ps->denied && owner_missing(c))
		msgs_note(
		    st->msgs,
		    _("%u processes could not be examined (reading another user's "
		      "/proc/PID/fd needs root or CAP_SYS_PTRACE): the PID/Program name "
		      "column is incomplete"),
		    ps->denied);
}

int collect_sockets(const struct query *q, struct collect_state *st, struct collect *ret)
{
	bool procs_filter = q->filter.match && q->filter.needs_procs;
	enum owners_source used;
	const char *why;
	uint32_t *inodes;
	int err;

	memset(ret, 0, sizeof(*ret));
	err = owners_first(q, st, &ret->procs, &ret->pstats);
	if (err != 0)
		return err < 0 ? err
			       : stream_raw(q, st, ret->procs, keep_one, &ret->socks,
					    &ret->dstats);
	err = stream_raw(q, st, NULL, keep_one, &ret->socks, &ret->dstats);
	if (err < 0)
		return err;
	if (!(q->needs & COL_NEED_PROCS) && !procs_filter)
		return 0;
	/* Only the inodes that survived the kernel's filter are looked up. */
	inodes = malloc((ret->socks.n + 1) * sizeof(*inodes));
	if (!inodes)
		return msgs_error(st->msgs, -ENOMEM, _("out of memory"));
	for (size_t i = 0; i < ret->socks.n; i++)
		inodes[i] = ret->socks.v[i].inode;
	err = procs_find(q->owners_source, inodes, ret->socks.n, &ret->procs,
			 &ret->pstats, &why, &used);
	st->procs_read += ret->pstats.scanned;
	free(inodes);
	if (err < 0 && why)
		return msgs_error(st->msgs, err, _("cannot use --owners-source bpf: %s"),
				  _(why));
	if (err < 0)
		return msgs_error(st->msgs, err, _("cannot read /proc: %s"),
				  strerror(-err));
	note_owners(st, ret);
	if (q->needs & COL_NEED_CMDLINE) {
		err = procs_read_cmdlines(ret->procs, "/proc");
		if (err < 0)
			return msgs_error(st->msgs, err, _("out of memory"));
	}
	if (procs_filter)
		filter_with_owners(q, ret);
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

void collect_state_done(struct collect_state *st)
{
	cgmap_free(st->cgroups);
	st->cgroups = NULL;
	netns_list_free(st->netns);
	st->netns = NULL;
}
