/* hist.c - --hist keys and the group-by counting: one hash of "k1\0k2" strings, no
 * per-socket malloc. */
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "aggregate/hist.h"
#include "query/cgroups.h"
#include "model/columns.h"
#include "query/netns.h"
#include "query/procs.h"

struct hist_slot {
	uint64_t hash;
	uint64_t count; /* 0 = empty */
	uint32_t off;	/* the key in the arena: k1, '\0', k2, '\0' */
	uint32_t len;	/* bytes of the key without the final '\0' */
};

static int put_text(char *buf, size_t sz, const char *s)
{
	int n = snprintf(buf, sz, "%s", s);
	return n < 0 ? 0 : ((size_t)n < sz ? n : (int)sz - 1);
}

static int put_num(char *buf, size_t sz, unsigned long long v)
{
	int n = snprintf(buf, sz, "%llu", v);
	return n < 0 ? 0 : n;
}

static int key_state(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	if (i)
		return -1;
	if (s->state >= TS_NSTATES)
		return snprintf(buf, sz, "UNKNOWN(%u)", s->kstate);
	return put_text(buf, sz, state_name((enum ts_state)s->state));
}

static int key_lport(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	return i ? -1 : put_num(buf, sz, s->lport);
}

static int key_rport(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	return i ? -1 : put_num(buf, sz, s->rport);
}

static int key_laddr(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	return i ? -1 : (int)sock_fmt_addr(s->family, s->laddr, buf, sz);
}

/* What raddr and rnet show for a socket with no peer (LISTEN, CLOSED): one group, not
 * a fake peer network 0.0.0.0/24 or ::/64. */
#define HIST_NO_PEER "(none)"

static bool no_peer(const struct sock_rec *s)
{
	static const uint8_t zero[sizeof(s->raddr)];

	return s->rport == 0 && memcmp(s->raddr, zero, sizeof(zero)) == 0;
}

static int key_raddr(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	if (!i && no_peer(s))
		return snprintf(buf, sz, "%s", HIST_NO_PEER);
	return i ? -1 : (int)sock_fmt_addr(s->family, s->raddr, buf, sz);
}

/* The peer's /24 (IPv4, and IPv4-mapped IPv6) or /64 (IPv6). */
static int key_rnet(const struct sock_rec *s, struct hist *h, int i, char *buf, size_t sz)
{
	uint8_t a[16] = {0};
	size_t n;

	if (i)
		return -1;
	if (no_peer(s))
		return snprintf(buf, sz, "%s", HIST_NO_PEER);
	if (s->family == AF_INET || sock_addr_is_v4mapped(s->raddr)) {
		memcpy(a, s->family == AF_INET ? s->raddr : s->raddr + 12, 3);
		n = sock_fmt_addr(AF_INET, a, buf, sz);
		return (int)n + snprintf(buf + n, sz - n, "/24");
	}
	memcpy(a, s->raddr, 8);
	n = sock_fmt_addr(AF_INET6, a, buf, sz);
	return (int)n + snprintf(buf + n, sz - n, "/64");
}

/* One value per distinct owner name: a socket shared by nginx's master and workers counts
 * once under "nginx"; one shared by sshd and bash counts under both. */
static int key_process(const struct sock_rec *s, struct hist *h, int i, char *buf,
		       size_t sz)
{
	size_t n, seen = 0;
	const struct proc_owner *const *own = procs_lookup(h->procs, s->inode, &n);

	if (!n)
		return i ? -1 : put_text(buf, sz, "-");
	for (size_t k = 0; k < n; k++) {
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(own[j]->comm, own[k]->comm) == 0;
		if (dup)
			continue;
		if (seen++ == (size_t)i)
			return put_text(buf, sz, own[k]->comm);
	}
	return -1;
}

/* The socket's uid (from the kernel) as a user name; a small cache because uids repeat.
 */
static int key_user(const struct sock_rec *s, struct hist *h, int i, char *buf, size_t sz)
{
	struct passwd pw, *res = NULL;
	char pwbuf[1024];
	struct hist_uid *u;

	if (i)
		return -1;
	for (int k = 0; k < h->n_uids; k++)
		if (h->uids[k].uid == s->uid)
			return put_text(buf, sz, h->uids[k].name);
	u = &h->uids[h->n_uids < (int)(sizeof(h->uids) / sizeof(h->uids[0])) ? h->n_uids++
									     : 0];
	u->uid = s->uid;
	if (getpwuid_r(s->uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res &&
	    strlen(res->pw_name) < sizeof(u->name))
		snprintf(u->name, sizeof(u->name), "%s", res->pw_name);
	else
		snprintf(u->name, sizeof(u->name), "%u", s->uid);
	return put_text(buf, sz, u->name);
}

/* The namespace's name, or its inode with a hint; "-" when only one namespace is shown.
 */
static int key_netns(const struct sock_rec *s, struct hist *h, int i, char *buf,
		     size_t sz)
{
	const char *label = h->netns ? netns_label(*h->netns, s->netns) : NULL;

	if (i)
		return -1;
	if (label)
		return put_text(buf, sz, label);
	return s->netns ? put_num(buf, sz, s->netns) : put_text(buf, sz, "-");
}

/* The cgroup entry's field (path, unit or container label); "-" when none. */
static int key_cg(const struct sock_rec *s, struct hist *h, int i, char *buf, size_t sz,
		  size_t field)
{
	const struct cg_entry *e =
	    s->cgroup_id && h->cgroups ? cgmap_find(h->cgroups, s->cgroup_id) : NULL;
	const char *v = e ? *(char *const *)((const char *)e + field) : NULL;

	if (i)
		return -1;
	return put_text(buf, sz, v && v[0] ? v : "-");
}

static int key_cgroup(const struct sock_rec *s, struct hist *h, int i, char *buf,
		      size_t sz)
{
	return key_cg(s, h, i, buf, sz, offsetof(struct cg_entry, path));
}

static int key_unit(const struct sock_rec *s, struct hist *h, int i, char *buf, size_t sz)
{
	return key_cg(s, h, i, buf, sz, offsetof(struct cg_entry, unit));
}

static int key_container(const struct sock_rec *s, struct hist *h, int i, char *buf,
			 size_t sz)
{
	return key_cg(s, h, i, buf, sz, offsetof(struct cg_entry, label));
}

const struct hist_key hist_keys[] = {
    {"state", "State", "TCP state", 0, false, key_state},
    {"lport", "Local Port", "local port", 0, true, key_lport},
    {"rport", "Peer Port", "peer port", 0, true, key_rport},
    {"laddr", "Local Address", "local address", 0, false, key_laddr},
    {"raddr", "Peer Address", "peer address ((none) when unconnected)", 0, false,
     key_raddr},
    {"rnet", "Peer Network",
     "the peer's /24 (IPv4) or /64 (IPv6), (none) when unconnected", 0, false, key_rnet},
    {"process", "Process", "owning process name (- for none)", COL_NEED_PROCS, false,
     key_process},
    {"user", "User", "the socket's user", 0, false, key_user},
    {"netns", "Netns", "network namespace (with --all-netns)", 0, false, key_netns},
    {"cgroup", "Cgroup", "cgroup v2 path (- for TIME_WAIT and requests)", COL_NEED_CGROUP,
     false, key_cgroup},
    {"unit", "Unit", "systemd unit (- for none)", COL_NEED_CGROUP, false, key_unit},
    {"container", "Container", "container runtime:ID (- for none)", COL_NEED_CGROUP,
     false, key_container},
    {NULL, NULL, NULL, 0, false, NULL},
};

const struct hist_key *hist_key_find(const char *name)
{
	for (int i = 0; hist_keys[i].name; i++)
		if (strcasecmp(hist_keys[i].name, name) == 0)
			return &hist_keys[i];
	return NULL;
}

size_t hist_key_names(char *buf, size_t sz)
{
	size_t o = 0;

	if (!sz)
		return 0;
	buf[0] = '\0';
	for (int i = 0; hist_keys[i].name && o < sz; i++) {
		int n =
		    snprintf(buf + o, sz - o, "%s%s", i ? ", " : "", hist_keys[i].name);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	return o < sz ? o : sz - 1;
}

int hist_init(struct hist *h, const char *spec, const char **ret_bad)
{
	static char bad[64];
	const char *p = spec ? spec : "";

	memset(h, 0, sizeof(*h));
	while (*p) {
		size_t n = strcspn(p, ",");
		char word[32];
		/* an empty word ("a,,b") is shown as the whole list */
		snprintf(bad, sizeof(bad), "%.*s", (int)(n ? n : strlen(spec)),
			 n ? p : spec);
		*ret_bad = bad;
		if (n >= sizeof(word) || h->nkeys == HIST_MAX_KEYS)
			return -EINVAL;
		memcpy(word, p, n);
		word[n] = '\0';
		h->keys[h->nkeys] = hist_key_find(word);
		if (!h->keys[h->nkeys])
			return -EINVAL;
		h->nkeys++;
		p += n;
		if (*p == ',' && !*++p) {
			snprintf(bad, sizeof(bad), "%s", spec);
			return -EINVAL; /* trailing comma */
		}
	}
	if (!h->nkeys) {
		snprintf(bad, sizeof(bad), "%s", spec ? spec : "");
		*ret_bad = bad;
		return -EINVAL;
	}
	h->slots = calloc(1024, sizeof(*h->slots));
	if (!h->slots)
		return -ENOMEM;
	h->mask = 1023;
	return 0;
}

unsigned hist_needs(const struct hist *h)
{
	unsigned needs = 0;

	for (int i = 0; i < h->nkeys; i++)
		needs |= h->keys[i]->needs;
	return needs;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t x = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		x = (x ^ (unsigned char)s[i]) * 1099511628211ull;
	return x;
}

static int grow(struct hist *h)
{
	size_t size = (h->mask + 1) * 2;
	struct hist_slot *v = calloc(size, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i <= h->mask; i++) {
		if (!h->slots[i].count)
			continue;
		size_t j = h->slots[i].hash & (size - 1);
		while (v[j].count)
			j = (j + 1) & (size - 1);
		v[j] = h->slots[i];
	}
	free(h->slots);
	h->slots = v;
	h->mask = size - 1;
	return 0;
}

static int count_key(struct hist *h, const char *key, size_t len)
{
	uint64_t x = hash_bytes(key, len);
	size_t i = x & h->mask;
	struct hist_slot *sl;

	for (; h->slots[i].count; i = (i + 1) & h->mask) {
		sl = &h->slots[i];
		if (sl->hash == x && sl->len == len &&
		    memcmp(h->arena + sl->off, key, len) == 0) {
			sl->count++;
			return 0;
		}
	}
	if (h->alen + len + 1 > h->acap) {
		size_t cap = h->acap ? h->acap * 2 : 4096;
		while (cap < h->alen + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -ENOMEM;
		char *a = realloc(h->arena, cap);
		if (!a)
			return -ENOMEM;
		h->arena = a;
		h->acap = cap;
	}
	sl = &h->slots[i];
	sl->hash = x;
	sl->count = 1;
	sl->off = (uint32_t)h->alen;
	sl->len = (uint32_t)len;
	memcpy(h->arena + h->alen, key, len);
	h->arena[h->alen + len] = '\0';
	h->alen += len + 1;
	if (++h->used * 2 > h->mask + 1)
		return grow(h);
	return 0;
}

static void hist_reset(struct hist *h)
{
	memset(h->slots, 0, (h->mask + 1) * sizeof(*h->slots));
	h->used = 0;
	h->alen = 0;
	h->total = 0;
}

int hist_add(struct hist *h, const struct sock_rec *s)
{
	char key[HIST_VALUE_MAX * 2 + 2];
	int err;

	if (!s) {
		hist_reset(h);
		return 0;
	}
	h->total++;
	for (int i = 0;; i++) {
		int n1 = h->keys[0]->value(s, h, i, key, HIST_VALUE_MAX);
		if (n1 < 0)
			break;
		if (n1 >= HIST_VALUE_MAX)
			n1 = HIST_VALUE_MAX - 1;
		if (h->nkeys == 1) {
			err = count_key(h, key, (size_t)n1);
			if (err < 0)
				return err;
			continue;
		}
		key[n1] = '\0';
		for (int j = 0;; j++) {
			int n2 = h->keys[1]->value(s, h, j, key + n1 + 1, HIST_VALUE_MAX);
			if (n2 < 0)
				break;
			if (n2 >= HIST_VALUE_MAX)
				n2 = HIST_VALUE_MAX - 1;
			err = count_key(h, key, (size_t)n1 + 1 + (size_t)n2);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* Key order for ties: whole numbers by value (shorter is smaller), the rest bytewise. */
static int cmp_key(const struct hist_row *a, const struct hist_row *b, bool numeric)
{
	if (numeric && a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int cmp_row(const void *pa, const void *pb, void *arg)
{
	const struct hist_row *a = pa, *b = pb;
	const bool *numeric = arg;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_key(a, b, *numeric);
}

/* Two keys: rows by group key first, then count within the group. */
static int cmp_pair(const void *pa, const void *pb, void *arg)
{
	const struct hist_row *a = pa, *b = pb;
	struct hist *h = arg;
	/* the group key is where the sub key's bytes start minus its own length + NUL */
	struct hist_row ga = {a->key - a->first - 1, a->first, 0, 0, 0};
	struct hist_row gb = {b->key - b->first - 1, b->first, 0, 0, 0};
	int c = cmp_key(&ga, &gb, h->keys[0]->numeric);

	if (c)
		return c;
	bool num = h->keys[1]->numeric;
	return cmp_row(a, b, &num);
}

/* Two keys: sort the pair rows by group, make one group per first-key value, then order
 * the groups by their totals. Takes rows (their first holds k1's length). */
static int build_groups(struct hist *h, struct hist_row *rows, size_t n)
{
	struct hist_row *groups;
	size_t g = 0;
	bool num = h->keys[0]->numeric;

	qsort_r(rows, n, sizeof(*rows), cmp_pair, h);
	groups = calloc(n + 1, sizeof(*groups));
	if (!groups) {
		free(rows);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *k1 = rows[i].key - rows[i].first - 1;
		if (!g || strcmp(groups[g - 1].key, k1) != 0) {
			groups[g].key = k1;
			groups[g].len = rows[i].first;
			groups[g].first = i;
			g++;
		}
		groups[g - 1].count += rows[i].count;
		groups[g - 1].n++;
	}
	for (size_t i = 0; i < n; i++)
		rows[i].first = 0;
	qsort_r(groups, g, sizeof(*groups), cmp_row, &num);
	h->groups = groups;
	h->n_groups = g;
	h->subs = rows;
	h->n_subs = n;
	return 0;
}

int hist_finish(struct hist *h)
{
	size_t n = 0;

	free(h->groups);
	free(h->subs);
	h->groups = h->subs = NULL;
	h->n_groups = h->n_subs = 0;
	struct hist_row *rows = calloc(h->used + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i <= h->mask; i++) {
		const struct hist_slot *sl = &h->slots[i];
		if (!sl->count)
			continue;
		rows[n].key = h->arena + sl->off;
		rows[n].count = sl->count;
		if (h->nkeys == 1) {
			rows[n].len = sl->len;
		} else {
			/* sub row: key points past "k1\0"; first holds k1's length
			 * meanwhile */
			size_t l1 = strlen(rows[n].key);
			rows[n].first = l1;
			rows[n].key += l1 + 1;
			rows[n].len = sl->len - l1 - 1;
		}
		n++;
	}
	if (h->nkeys == 1) {
		bool num = h->keys[0]->numeric;
		qsort_r(rows, n, sizeof(*rows), cmp_row, &num);
		h->groups = rows;
		h->n_groups = n;
		return 0;
	}
	return build_groups(h, rows, n);
}

void hist_rest(const struct hist *h, size_t limit, size_t *ret_groups,
	       uint64_t *ret_count)
{
	*ret_groups = 0;
	*ret_count = 0;
	if (!limit)
		return;
	for (size_t i = limit; i < h->n_groups; i++) {
		(*ret_groups)++;
		*ret_count += h->groups[i].count;
	}
}

void hist_sub_rest(const struct hist *h, const struct hist_row *g, size_t limit,
		   size_t *ret_rows, uint64_t *ret_count)
{
	*ret_rows = 0;
	*ret_count = 0;
	if (!limit || h->nkeys < 2)
		return;
	for (size_t i = limit; i < g->n; i++) {
		(*ret_rows)++;
		*ret_count += h->subs[g->first + i].count;
	}
}

struct hist_limit hist_fit(const struct hist *h, int lines)
{
	struct hist_limit l = {0, 0};
	size_t used = 0, avail = lines > 1 ? (size_t)lines : 1;

	if (h->nkeys == 1) {
		/* one line is kept for "(N more)" when everything does not fit */
		if (h->n_groups > avail)
			l.groups = avail > 1 ? avail - 1 : 1;
		return l;
	}
	for (size_t i = 0; i < h->n_groups; i++) {
		size_t need = h->groups[i].n;
		if (i && used + need + 1 > avail) {
			l.groups = i;
			break;
		}
		used += need;
	}
	if (h->n_groups && h->groups[0].n + 1 > avail) {
		l.groups = 1;
		l.subs = avail > 2 ? avail - 2 : 1;
	}
	return l;
}

void hist_done(struct hist *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h->arena);
	free(h->groups);
	free(h->subs);
	memset(h, 0, sizeof(*h));
}
