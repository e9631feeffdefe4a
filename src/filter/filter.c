/* filter.c - the filter: build from options and expression, state set, user-space match.
 */
#include <errno.h>
#include <fnmatch.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "filter/filter_cmpeval.h"
#include "filter/filter_int.h"
#include "query/cgroups.h"
#include "query/procs.h"

/*
 * Every value given for one option key, from its first appearance on: alternatives are
 * ORed ("--port 80 --port 443" is "--port 80,443"), what a value leaves out is ANDed
 * ("--exclude listen --exclude time-wait", "--port '!=22' --port '!=80").
 */
static int option_key_term(const struct opts *o, int first, struct fnode **ret,
			   char **ret_err)
{
	const char *key = o->terms[first].key;
	struct fnode *any = NULL, *all = NULL, *t;
	int err;

	*ret = NULL;
	for (int i = first; i < o->n_terms; i++) {
		if (strcmp(o->terms[i].key, key) != 0)
			continue;
		err = filter_parse_option(key, o->terms[i].value, &t, ret_err);
		if (err) {
			fnode_free(any);
			fnode_free(all);
			return err;
		}
		if (t->kind == FN_NOT) {
			all = fnode_join(FN_AND, all, t);
			t = all;
		} else {
			any = fnode_join(FN_OR, any, t);
			t = any;
		}
		if (!t) {
			fnode_free(any);
			fnode_free(all);
			return -ENOMEM;
		}
	}
	*ret = fnode_join(FN_AND, any, all);
	return *ret ? 0 : -ENOMEM;
}

/* Was this option key given before index i? Then its term is built already. */
static bool key_seen(const struct opts *o, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(o->terms[j].key, o->terms[i].key) == 0)
			return true;
	return false;
}

static int parse_words(const char *const *words, int n_words, struct fnode **ret,
		       char **ret_err)
{
	char **tok = NULL;
	int n, err;

	*ret = NULL;
	if (!n_words)
		return 0;
	n = filter_tokenize(words, n_words, &tok);
	if (n < 0)
		return n;
	err = filter_parse_tokens((const char *const *)tok, n, ret, ret_err);
	filter_tokens_free(tok);
	return err;
}

/* Did the words fail on an unknown keyword? Asked of the English message (parsed again
 * under the C locale's messages), as the user's language may word it otherwise. */
static bool unknown_keyword_error(const char *const *words, int n_words)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	struct fnode *t = NULL;
	char *msg = NULL;

	if (!c)
		return false;
	locale_t was = uselocale(c);
	parse_words(words, n_words, &t, &msg);
	uselocale(was);
	freelocale(c);
	bool unknown = msg && strstr(msg, "unknown filter keyword");
	free(msg);
	fnode_free(t);
	return unknown;
}

/* The expression words after the options. */
static int parse_expr(const struct opts *o, struct fnode **ret, char **ret_err)
{
	int err = parse_words(o->expr, o->n_expr, ret, ret_err);

	if (err == -EINVAL && o->c_declined && strcmp(o->expr[0], o->c_declined) == 0 &&
	    *ret_err && unknown_keyword_error(o->expr, o->n_expr)) {
		/* `-c abc`: the word was meant as the interval, not as a filter */
		free(*ret_err);
		if (asprintf(ret_err,
			     _("bad interval '%s' for -c (try --continuous SECONDS from "
			       "0.01 to 86400, e.g. -c 2)"),
			     o->c_declined) < 0)
			*ret_err = NULL;
	}
	return err;
}

/* --filter-file: the whole file is one expression; "#" comments run to the line's end. */
static int parse_file(const char *path, struct fnode **ret, char **ret_err)
{
	char *text = NULL;
	int err;

	*ret = NULL;
	err = filter_read_file(path, &text);
	if (err == -ENOMEM)
		return err;
	if (err < 0) {
		if (asprintf(ret_err, _("cannot read the filter file '%s': %s"), path,
			     strerror(-err)) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	const char *words[1] = {text};
	/* an empty word is a typed '' on the command line; here it is just no text */
	err = text[strspn(text, " \t\n\r\f\v")] ? parse_words(words, 1, ret, ret_err) : 0;
	if (err == 0 && !*ret) {
		if (asprintf(ret_err, _("the filter file '%s' holds no expression"),
			     path) < 0)
			*ret_err = NULL;
		err = -EINVAL;
	}
	free(text);
	return err;
}

int filter_build(const struct opts *o, struct filter **ret, char **ret_err)
{
	struct fnode *root = NULL, *t;
	struct filter *f;
	int err;

	*ret = NULL;
	*ret_err = NULL;
	for (int i = 0; i < o->n_terms; i++) {
		if (key_seen(o, i))
			continue;
		err = option_key_term(o, i, &t, ret_err);
		if (err) {
			fnode_free(root);
			return err;
		}
		root = fnode_join(FN_AND, root, t);
		if (!root)
			return -ENOMEM;
	}
	if (o->f_file) {
		err = parse_file(o->f_file, &t, ret_err);
		if (err) {
			fnode_free(root);
			return err;
		}
		root = fnode_join(FN_AND, root, t);
		if (!root)
			return -ENOMEM;
	}
	err = parse_expr(o, &t, ret_err);
	if (err) {
		fnode_free(root);
		return err;
	}
	root = fnode_join(FN_AND, root, t);
	if (!root)
		return 0; /* nothing to filter on (or out of memory with nothing built) */
	f = calloc(1, sizeof(*f));
	if (!f) {
		fnode_free(root);
		return -ENOMEM;
	}
	f->root = root;
	*ret = f;
	return 0;
}

/*
 * The states in which n may be true (*t) and may be false (*fl); *named is set when a
 * state term appears under an even number of NOTs (the filter asks for states).
 */
static void state_bounds(const struct fnode *n, bool neg, state_set *t, state_set *fl,
			 bool *named)
{
	state_set at, af, bt, bf;

	switch (n->kind) {
	case FN_STATE:
		*t = n->u.states;
		*fl = STATE_SET_ALL & ~n->u.states;
		if (!neg)
			*named = true;
		return;
	case FN_NOT:
		state_bounds(n->a, !neg, &at, &af, named);
		*t = af;
		*fl = at;
		return;
	case FN_AND:
		state_bounds(n->a, neg, &at, &af, named);
		state_bounds(n->b, neg, &bt, &bf, named);
		*t = at & bt;
		*fl = af | bf;
		return;
	case FN_OR:
		state_bounds(n->a, neg, &at, &af, named);
		state_bounds(n->b, neg, &bt, &bf, named);
		*t = at | bt;
		*fl = af & bf;
		return;
	default:
		*t = *fl = STATE_SET_ALL;
		return;
	}
}

state_set filter_state_set(const struct filter *f, state_set dflt)
{
	state_set t, fl;
	bool named = false;

	if (!f || !f->root)
		return dflt;
	state_bounds(f->root, false, &t, &fl, &named);
	return named ? t : (dflt & t);
}

/* What fn says of every node of the tree, or-ed together. */
static unsigned tree_or(const struct fnode *n, unsigned (*fn)(const struct fnode *))
{
	return n ? fn(n) | tree_or(n->a, fn) | tree_or(n->b, fn) : 0;
}

/* Terms that need the /proc walk: they name processes. */
static unsigned names_process(const struct fnode *n)
{
	return n->kind == FN_PID || n->kind == FN_PROCESS;
}

/* Terms about who owns the socket: processes or users. */
static unsigned names_owner(const struct fnode *n)
{
	return names_process(n) || n->kind == FN_USER;
}

/* The COL_NEED_* bits of a comparison term. */
static unsigned cmp_needs(const struct fnode *n)
{
	return n->kind == FN_CMP ? n->u.cmp->needs : 0;
}

bool filter_needs_procs(const struct filter *f)
{
	return f && tree_or(f->root, names_process);
}

bool filter_names_owner(const struct filter *f)
{
	return f && tree_or(f->root, names_owner);
}

unsigned filter_needs(const struct filter *f)
{
	return f ? tree_or(f->root, cmp_needs) : 0;
}

/*
 * Three-valued logic as in SQL, plus MAYBE: T_NULL is a comparison on a column the socket
 * has no value for (TIME_WAIT has no rtt); NOT NULL is NULL, so neither "rtt > 100ms"
 * nor "not rtt > 100ms" selects it. T_MAYBE is an owner term before /proc was read.
 */
enum tri { T_NO = 0, T_YES = 1, T_MAYBE = 2, T_NULL = 3 };

/* AND and OR: absorb wins, then MAYBE (could still be anything), then NULL. */
static enum tri combine(enum tri a, enum tri b, enum tri absorb, enum tri neutral)
{
	if (a == absorb || b == absorb)
		return absorb;
	if (a == T_MAYBE || b == T_MAYBE)
		return T_MAYBE;
	if (a == T_NULL || b == T_NULL)
		return T_NULL;
	return neutral;
}

static const enum tri from_cmp[] = {[0] = T_NULL, [1] = T_NO, [2] = T_YES};

/* The kernel keeps at most 15 bytes of a program name in comm ("systemd-resolve"). */
#define COMM_LEN 15

static bool comm_match(const char *pat, const char *comm)
{
	if (strcmp(pat, comm) == 0 || fnmatch(pat, comm, 0) == 0)
		return true;
	return strlen(comm) == COMM_LEN && strlen(pat) > COMM_LEN &&
	       strncmp(pat, comm, COMM_LEN) == 0 && !strpbrk(pat, "*?[");
}

static enum tri owner_match(const struct fnode *n, const struct sock_rec *s,
			    const struct procs *p)
{
	const struct proc_owner *const *ow;
	size_t no;

	if (!p)
		return T_MAYBE;
	ow = procs_lookup(p, s->inode, &no);
	for (size_t i = 0; i < no; i++) {
		if (n->kind == FN_PID && ow[i]->pid == n->u.pid)
			return T_YES;
		if (n->kind == FN_PROCESS && comm_match(n->u.name, ow[i]->comm))
			return T_YES;
	}
	return T_NO;
}

/* A cgroup path is the term's path or below it ("/a" holds "/a" and "/a/b", not "/ab").
 */
static bool path_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return true;
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool container_match(const struct cg_entry *e, const char *prefix)
{
	size_t n = strlen(prefix);

	if (e->ctr.runtime && strncmp(e->ctr.id, prefix, n) == 0)
		return true;
	if (e->label[0] && strncmp(e->label, prefix, n) == 0)
		return true; /* "docker:0123" */
	return e->ctr.pod[0] && strncmp(e->ctr.pod, prefix, n) == 0;
}

static bool unit_match(const char *unit, const char *glob)
{
	const char *inner = strrchr(unit, '/'); /* user@1000.service/app.service */

	if (!unit[0])
		return false;
	return fnmatch(glob, unit, 0) == 0 || (inner && fnmatch(glob, inner + 1, 0) == 0);
}

/* The cgroup terms. Without a map (tests, fuzzers) they are unknown. */
static enum tri cgroup_eval(const struct fnode *n, const struct sock_rec *s,
			    const struct cgmap *cg)
{
	const struct cg_entry *e;

	if (!s->cgroup_id)
		return T_NO; /* TIME_WAIT and requests belong to no cgroup */
	/* Expanded IDs decide alone, as the kernel does with them: a cgroup made below
	 * PATH after the expansion is left out by both. */
	if (n->kind == FN_CGROUP && n->u.cg->ids) {
		for (size_t i = 0; i < n->u.cg->n_ids; i++)
			if (n->u.cg->ids[i] == s->cgroup_id)
				return T_YES;
		return T_NO;
	}
	if (!cg)
		return T_MAYBE;
	e = cgmap_find(cg, s->cgroup_id);
	if (!e)
		return T_NO; /* removed since: no path to compare */
	switch (n->kind) {
	case FN_CGROUP:
		return path_below(e->path, n->u.cg->path);
	case FN_UNIT:
		return unit_match(e->unit, n->u.text);
	default:
		return container_match(e, n->u.text);
	}
}

static enum tri eval(const struct fnode *n, const struct sock_rec *s,
		     const struct procs *p, const struct cgmap *cg)
{
	enum tri a, b;

	switch (n->kind) {
	case FN_AND:
		a = eval(n->a, s, p, cg);
		if (a == T_NO)
			return T_NO;
		b = eval(n->b, s, p, cg);
		return combine(a, b, T_NO, T_YES);
	case FN_OR:
		a = eval(n->a, s, p, cg);
		if (a == T_YES)
			return T_YES;
		b = eval(n->b, s, p, cg);
		return combine(a, b, T_YES, T_NO);
	case FN_NOT:
		a = eval(n->a, s, p, cg);
		return a == T_YES ? T_NO : (a == T_NO ? T_YES : a);
	case FN_STATE:
		return s->state < TS_NSTATES && (n->u.states & STATE_BIT(s->state));
	case FN_PORT:
		if (n->side == FSIDE_LOCAL)
			return filter_port_match(n->u.ports, s->lport);
		if (n->side == FSIDE_REMOTE)
			return filter_port_match(n->u.ports, s->rport);
		return filter_port_match(n->u.ports, s->lport) ||
		       filter_port_match(n->u.ports, s->rport);
	case FN_ADDR:
		if (n->u.addr.ifindex && n->u.addr.ifindex != s->ifindex)
			return T_NO; /* "fe80::1%lo" is not fe80::1 on eth0 */
		return filter_addr_match(&n->u.addr, s->family,
					 n->side == FSIDE_LOCAL ? s->laddr : s->raddr);
	case FN_USER:
		/* uid 0 of a TIME_WAIT or request socket is nobody's, not root's */
		return sock_has_owner(s) && s->uid == n->u.uid;
	case FN_PID:
	case FN_PROCESS:
		return owner_match(n, s, p);
	case FN_CMP:
		return from_cmp[filter_cmp_eval(n->u.cmp, s) + 1];
	case FN_CGROUP:
	case FN_UNIT:
	case FN_CONTAINER:
		return cgroup_eval(n, s, cg);
	case FN_DEV:
		return s->ifindex == n->u.ifindex;
	case FN_MARK:
		/* the kernel sends marks only to CAP_NET_ADMIN, and decides the term
		 * itself
		 */
		if (!(s->have & SOCK_HAVE_MARK))
			return T_MAYBE;
		return (s->mark & n->u.mark.mask) == n->u.mark.value;
	}
	return T_NO;
}

/*
 * The owner terms no socket can match without: an OR of pid and process nodes, up to
 * max of them. Returns how many, 0 when the node can match whatever owns the socket.
 */
static size_t owner_needed(const struct fnode *n, const struct fnode **terms, size_t max)
{
	size_t ka, kb;

	if (!n || !max)
		return 0;
	switch (n->kind) {
	case FN_PID:
	case FN_PROCESS:
		terms[0] = n;
		return 1;
	case FN_AND: /* either side's condition is needed; the first will do */
		ka = owner_needed(n->a, terms, max);
		return ka ? ka : owner_needed(n->b, terms, max);
	case FN_OR: /* needed only when both sides need one */
		ka = owner_needed(n->a, terms, max);
		kb = ka ? owner_needed(n->b, terms + ka, max - ka) : 0;
		return kb ? ka + kb : 0;
	default:
		return 0;
	}
}

static bool owner_ok(const void *data, pid_t pid, const char *comm)
{
	const struct fnode *terms[PROCS_SELECT_PIDS];
	size_t n = owner_needed(data, terms, PROCS_SELECT_PIDS);

	for (size_t i = 0; i < n; i++) {
		if (terms[i]->kind == FN_PID && terms[i]->u.pid == pid)
			return true;
		if (terms[i]->kind == FN_PROCESS && comm_match(terms[i]->u.name, comm))
			return true;
	}
	return n == 0;
}

bool filter_owner_select(const struct filter *f, struct procs_select *ret)
{
	const struct fnode *terms[PROCS_SELECT_PIDS];
	size_t n = f ? owner_needed(f->root, terms, PROCS_SELECT_PIDS) : 0;

	memset(ret, 0, sizeof(*ret));
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (terms[i]->kind != FN_PID) {
			ret->ok = owner_ok; /* names: every comm is read */
			ret->data = f->root;
			return true;
		}
		ret->pids[ret->n_pids++] = terms[i]->u.pid;
	}
	return true;
}

bool filter_match(const struct filter *f, const struct sock_rec *s, const struct procs *p)
{
	if (!f || !f->root)
		return true;
	enum tri t = eval(f->root, s, p, f->cgroups);

	return t == T_YES || t == T_MAYBE;
}

static bool has_kind(const struct fnode *n, enum fnode_kind lo, enum fnode_kind hi)
{
	if (!n)
		return false;
	if (n->kind >= lo && n->kind <= hi)
		return true;
	return has_kind(n->a, lo, hi) || has_kind(n->b, lo, hi);
}

bool filter_needs_cgroups(const struct filter *f)
{
	return f && has_kind(f->root, FN_CGROUP, FN_CONTAINER);
}

/* Subtrees of at most this many cgroups are decided in the kernel (12 bytes each). */
#define CG_KERNEL_MAX 64

/* "cgroup 'PATH': why" for a path the map could not read. Returns -EINVAL (or -ENOMEM).
 */
static int cgroup_error(const char *path, int err, const char *root, char **ret_err)
{
	int n;

	if (err == -ENOENT && !root[0])
		n = asprintf(ret_err, _("cgroup '%s': no cgroup v2 hierarchy is mounted"),
			     path);
	else if (err == -ENOENT)
		n = asprintf(ret_err, _("cgroup '%s': no such cgroup under %s"), path,
			     root);
	else
		n = asprintf(ret_err, _("cgroup '%s': %s"), path, strerror(-err));
	if (n < 0) {
		*ret_err = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

static int bind_node(struct fnode *n, struct cgmap *m, char **ret_err)
{
	uint64_t ids[CG_KERNEL_MAX];
	int got, err;

	if (!n)
		return 0;
	err = bind_node(n->a, m, ret_err);
	if (err || n->kind != FN_CGROUP)
		return err ? err : bind_node(n->b, m, ret_err);
	got = cgmap_subtree_ids(m, n->u.cg->path, ids, CG_KERNEL_MAX);
	if (got == -E2BIG)
		return 0; /* a big subtree: user space compares paths */
	if (got < 0) {
		if (got == -ENOMEM)
			return got;
		return cgroup_error(n->u.cg->path, got, cgmap_root(m), ret_err);
	}
	n->u.cg->ids = malloc((size_t)got * sizeof(*ids) + 1);
	if (!n->u.cg->ids)
		return -ENOMEM;
	memcpy(n->u.cg->ids, ids, (size_t)got * sizeof(*ids));
	n->u.cg->n_ids = (size_t)got;
	return 0;
}

int filter_bind_cgroups(struct filter *f, struct cgmap *m, char **ret_err)
{
	*ret_err = NULL;
	if (!f)
		return 0;
	f->cgroups = m;
	return bind_node(f->root, m, ret_err);
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	fnode_free(f->root);
	free(f);
}
