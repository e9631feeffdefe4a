/* sortkeys.c - --sort: key comparators and a stable sort through an index array. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "aggregate/sortkeys.h"
#include "query/cgroups.h"
#include "query/procs.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int cmp_state(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->state, b->state);
}

static int cmp_proto(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->family == AF_INET6, b->family == AF_INET6);
}

/* IPv4 before IPv6, then the address bytes (network order sorts numerically). */
static int cmp_addr(const struct sock_rec *a, const uint8_t *x, const struct sock_rec *b,
		    const uint8_t *y)
{
	int f = cmp_proto(a, b, NULL);

	return f ? f : memcmp(x, y, sock_addr_len(a->family));
}

static int cmp_laddr(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return cmp_addr(a, a->laddr, b, b->laddr);
}

static int cmp_raddr(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return cmp_addr(a, a->raddr, b, b->raddr);
}

static int cmp_lport(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->lport, b->lport);
}

static int cmp_rport(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->rport, b->rport);
}

static int cmp_recvq(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->rqueue, b->rqueue);
}

static int cmp_sendq(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->wqueue, b->wqueue);
}

static int cmp_uid(const struct sock_rec *a, const struct sock_rec *b,
		   const struct col_ctx *c)
{
	return CMP(a->uid, b->uid);
}

static int cmp_inode(const struct sock_rec *a, const struct sock_rec *b,
		     const struct col_ctx *c)
{
	return CMP(a->inode, b->inode);
}

/* The first owner (lowest pid), or NULL. */
static const struct proc_owner *first_owner(const struct sock_rec *s,
					    const struct col_ctx *c)
{
	size_t n;
	const struct proc_owner *const *own = procs_lookup(c->procs, s->inode, &n);

	return n ? own[0] : NULL;
}

/* Sockets without an owner sort last in either direction: sort_cmp checks that before it
 * calls these (which would flip with -KEY). */
static int cmp_pid(const struct sock_rec *a, const struct sock_rec *b,
		   const struct col_ctx *c)
{
	const struct proc_owner *x = first_owner(a, c), *y = first_owner(b, c);

	if (!x || !y)
		return CMP(!x, !y);
	return CMP(x->pid, y->pid);
}

static int cmp_process(const struct sock_rec *a, const struct sock_rec *b,
		       const struct col_ctx *c)
{
	const struct proc_owner *x = first_owner(a, c), *y = first_owner(b, c);

	if (!x || !y)
		return CMP(!x, !y);
	int r = strcmp(x->comm, y->comm);
	return r ? r : CMP(x->pid, y->pid);
}

/* A cgroup field, NULL when the socket has none: those sort last, like owners. */
static const char *cg_field(const struct sock_rec *s, const struct col_ctx *c, int field)
{
	const struct cg_entry *e =
	    s->cgroup_id ? cgmap_find(c->cgroups, s->cgroup_id) : NULL;
	const char *v = !e	     ? NULL
			: field == 0 ? e->path
			: field == 1 ? e->unit
				     : e->label;

	return v && v[0] ? v : NULL;
}

static int cmp_cg(const struct sock_rec *a, const struct sock_rec *b,
		  const struct col_ctx *c, int field)
{
	const char *x = cg_field(a, c, field), *y = cg_field(b, c, field);

	if (!x || !y)
		return CMP(!x, !y);
	return strcmp(x, y);
}

static int cmp_cgroup(const struct sock_rec *a, const struct sock_rec *b,
		      const struct col_ctx *c)
{
	return cmp_cg(a, b, c, 0);
}

static int cmp_unit(const struct sock_rec *a, const struct sock_rec *b,
		    const struct col_ctx *c)
{
	return cmp_cg(a, b, c, 1);
}

static int cmp_container(const struct sock_rec *a, const struct sock_rec *b,
			 const struct col_ctx *c)
{
	return cmp_cg(a, b, c, 2);
}

const struct sort_key sort_keys[] = {
    {"state", "TCP state, in lifecycle order", 0, cmp_state},
    {"proto", "IPv4 before IPv6", 0, cmp_proto},
    {"laddr", "local address", 0, cmp_laddr},
    {"lport", "local port", 0, cmp_lport},
    {"raddr", "peer address", 0, cmp_raddr},
    {"rport", "peer port", 0, cmp_rport},
    {"recvq", "Recv-Q", 0, cmp_recvq},
    {"sendq", "Send-Q", 0, cmp_sendq},
    {"pid", "lowest owning pid (sockets without owner last)", COL_NEED_PROCS, cmp_pid},
    {"process", "name of the lowest-pid owner (sockets without owner last)",
     COL_NEED_PROCS, cmp_process},
    {"uid", "the socket's uid", 0, cmp_uid},
    {"inode", "socket inode", 0, cmp_inode},
    {"cgroup", "cgroup path (sockets without one last)", COL_NEED_CGROUP, cmp_cgroup},
    {"unit", "systemd unit (sockets without one last)", COL_NEED_CGROUP, cmp_unit},
    {"container", "container (sockets without one last)", COL_NEED_CGROUP, cmp_container},
    {NULL, NULL, 0, NULL},
};

static const struct sort_key *find_key(const char *name)
{
	for (int i = 0; sort_keys[i].name; i++)
		if (strcasecmp(sort_keys[i].name, name) == 0)
			return &sort_keys[i];
	return NULL;
}

int sort_parse(const char *spec, struct sort_spec *ret, const char **ret_bad)
{
	static char bad[64];
	const char *p = spec ? spec : "";

	memset(ret, 0, sizeof(*ret));
	*ret_bad = bad;
	snprintf(bad, sizeof(bad), "%s", p);
	if (!*p)
		return -EINVAL;
	for (;;) {
		size_t n = strcspn(p, ",");
		char word[64];
		bool desc = false;

		/* an empty word ("a,,b") is shown as the whole list */
		snprintf(bad, sizeof(bad), "%.*s", (int)(n ? n : strlen(spec)),
			 n ? p : spec);
		if (n >= sizeof(word) || ret->n == SORT_MAX_KEYS)
			return -EINVAL;
		memcpy(word, p, n);
		word[n] = '\0';
		const char *w = word;
		if (*w == '-' || *w == '+')
			desc = *w++ == '-';
		const struct sort_key *k = find_key(w);
		const struct column *col = k ? NULL : column_find(w);
		if (!k && (!col || col->type != COL_NUMBER))
			return -EINVAL;
		ret->k[ret->n].key = k;
		ret->k[ret->n].col = col;
		ret->k[ret->n].desc = desc;
		ret->n++;
		p += n;
		if (!*p)
			return 0;
		p++; /* ',' */
		if (!*p) {
			snprintf(bad, sizeof(bad), "%s", spec);
			return -EINVAL;
		}
	}
}

unsigned sort_needs(const struct sort_spec *spec)
{
	unsigned needs = 0;

	for (int i = 0; i < spec->n; i++)
		needs |= spec->k[i].key ? spec->k[i].key->needs : spec->k[i].col->needs;
	return needs;
}

struct sort_ctx {
	const struct sock_set *set;
	const struct sort_spec *spec;
	const struct col_ctx *c;
	double
	    *vals[SORT_MAX_KEYS]; /* number columns: one value per socket, NAN = none */
};

/* Missing values (no owner, null) sort last in either direction. */
static int missing(const struct sort_ctx *sc, int k, uint32_t i, uint32_t j, int *ret)
{
	bool mi, mj;

	if (sc->vals[k]) {
		mi = isnan(sc->vals[k][i]);
		mj = isnan(sc->vals[k][j]);
	} else if (sc->spec->k[k].key->needs & COL_NEED_PROCS) {
		mi = !first_owner(&sc->set->v[i], sc->c);
		mj = !first_owner(&sc->set->v[j], sc->c);
	} else if (sc->spec->k[k].key->needs & COL_NEED_CGROUP) {
		int f = sc->spec->k[k].key->cmp == cmp_cgroup ? 0
			: sc->spec->k[k].key->cmp == cmp_unit ? 1
							      : 2;
		mi = !cg_field(&sc->set->v[i], sc->c, f);
		mj = !cg_field(&sc->set->v[j], sc->c, f);
	} else {
		return 0;
	}
	if (!mi && !mj)
		return 0;
	*ret = mi == mj ? 0 : (mi ? 1 : -1);
	return 1;
}

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *sc = arg;
	uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;

	for (int k = 0; k < sc->spec->n; k++) {
		int r;
		if (missing(sc, k, i, j, &r)) {
			if (r)
				return r;
			continue;
		}
		if (sc->vals[k])
			r = CMP(sc->vals[k][i], sc->vals[k][j]);
		else
			r = sc->spec->k[k].key->cmp(&sc->set->v[i], &sc->set->v[j],
						    sc->c);
		if (r)
			return sc->spec->k[k].desc ? -r : r;
	}
	return CMP(i, j); /* stable */
}

static double *column_values(const struct sock_set *set, const struct column *col,
			     const struct col_ctx *c, sort_value_fn value)
{
	double *v = malloc((set->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		v[i] = value(col, &set->v[i], c);
	return v;
}

int sort_socks(struct sock_set *set, const struct sort_spec *spec,
	       const struct col_ctx *c, sort_value_fn value)
{
	struct sort_ctx sc = {set, spec, c, {NULL}};
	uint32_t *idx = NULL;
	struct sock_rec *v = NULL;
	int err = -ENOMEM;

	if (set->n < 2 || !spec->n)
		return 0;
	if (set->n > UINT32_MAX)
		return -E2BIG;
	for (int k = 0; k < spec->n; k++)
		if (!spec->k[k].key &&
		    !(sc.vals[k] = column_values(set, spec->k[k].col, c, value)))
			goto out;
	idx = malloc(set->n * sizeof(*idx));
	v = malloc(set->cap * sizeof(*v));
	if (!idx || !v)
		goto out;
	for (size_t i = 0; i < set->n; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, set->n, sizeof(*idx), sort_cmp, &sc);
	for (size_t i = 0; i < set->n; i++)
		v[i] = set->v[idx[i]];
	free(set->v);
	set->v = v;
	v = NULL;
	err = 0;
out:
	for (int k = 0; k < spec->n; k++)
		free(sc.vals[k]);
	free(idx);
	free(v);
	return err;
}
