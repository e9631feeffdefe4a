/* evtrack.c - the -E engine: compare two polls by socket cookie, fold in destroy
 * messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/evtrack.h"

struct ev_vec {
	struct ev_sock *v;
	size_t n, cap;
};

/* A destroy notification waiting for the next poll to be matched. */
struct ev_pending {
	struct sock_rec rec; /* ext dropped: its numbers are in sock.info */
	struct ev_sock sock;
	double mono, wall;
};

/*
 * Cookies of sockets reported GONE, so a destroy message that comes after the poll saw
 * the socket go (the application closes its file late) is not taken for a brief
 * connection. Direct-mapped and fixed in size: memory does not grow; a collision forgets
 * an old one.
 */
#define EV_GRAVE (1u << 14)

struct ev_tracker {
	uint64_t grave[EV_GRAVE];
	struct ev_vec prev, cur; /* sorted by cookie once evtrack_finish ran */
	struct ev_pending *pend;
	size_t npend, cappend;
	struct ev_vec brief; /* EV_BRIEF sockets of the last finish */
	struct ev_event *ev;
	size_t nev, capev;
};

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 256;
	void *nv = realloc(*v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static struct ev_sock *vec_push(struct ev_vec *vec)
{
	if (grow((void **)&vec->v, &vec->cap, vec->n, sizeof(*vec->v)) < 0)
		return NULL;
	struct ev_sock *e = &vec->v[vec->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void vec_clear(struct ev_vec *vec)
{
	for (size_t i = 0; i < vec->n; i++) {
		free(vec->v[i].owners);
		vec->v[i].owners = NULL;
	}
	vec->n = 0;
}

int evtrack_new(struct ev_tracker **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

void evtrack_free(struct ev_tracker *t)
{
	if (!t)
		return;
	vec_clear(&t->prev);
	vec_clear(&t->cur);
	vec_clear(&t->brief);
	free(t->prev.v);
	free(t->cur.v);
	free(t->brief.v);
	free(t->pend);
	free(t->ev);
	free(t);
}

void evtrack_begin(struct ev_tracker *t)
{
	/* Owners still in prev belong to sockets that went away: the rest moved to cur.
	 */
	vec_clear(&t->prev);
	struct ev_vec tmp = t->prev;
	t->prev = t->cur;
	t->cur = tmp;
	vec_clear(&t->brief);
	t->nev = 0;
}

static void info_from(struct ev_info *info, const struct sock_ext *ext)
{
	memset(info, 0, sizeof(*info));
	if (!ext || !ext->info_len)
		return;
	/* copied by length: fields past info_len are zero in ext->info */
	info->bytes_acked = ext->info.tcpi_bytes_acked;
	info->bytes_received = ext->info.tcpi_bytes_received;
	info->rtt_us = ext->info.tcpi_rtt;
	info->total_retrans = ext->info.tcpi_total_retrans;
	info->have = true;
}

static void sock_from(struct ev_sock *e, const struct sock_rec *s)
{
	e->cookie = s->cookie;
	e->family = s->family;
	e->state = s->state;
	e->kstate = s->kstate;
	e->lport = s->lport;
	e->rport = s->rport;
	memcpy(e->laddr, s->laddr, sizeof(e->laddr));
	memcpy(e->raddr, s->raddr, sizeof(e->raddr));
	e->inode = s->inode;
	info_from(&e->info, s->ext);
}

int evtrack_add(const struct sock_rec *s, void *data)
{
	struct ev_tracker *t = data;

	if (!s) {
		vec_clear(&t->cur);
		return 0;
	}
	struct ev_sock *e = vec_push(&t->cur);
	if (!e)
		return -ENOMEM;
	sock_from(e, s);
	return 0;
}

int evtrack_destroyed(struct ev_tracker *t, const struct sock_rec *s, double mono,
		      double wall)
{
	if (grow((void **)&t->pend, &t->cappend, t->npend, sizeof(*t->pend)) < 0)
		return -ENOMEM;
	struct ev_pending *p = &t->pend[t->npend++];
	memset(p, 0, sizeof(*p));
	p->rec = *s;
	p->rec.ext = NULL;
	sock_from(&p->sock, s);
	p->mono = mono;
	p->wall = wall;
	return 0;
}

static int cmp_cookie(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct ev_sock *x = a, *y = b;

	return cmp_cookie(x->cookie, y->cookie);
}

static int cmp_pending(const void *a, const void *b)
{
	const struct ev_pending *x = a, *y = b;
	int c = cmp_cookie(x->sock.cookie, y->sock.cookie);

	return c ? c : (x->mono > y->mono) - (x->mono < y->mono);
}

static int cmp_pending_key(const void *a, const void *b)
{
	return cmp_cookie(((const struct ev_pending *)a)->sock.cookie,
			  ((const struct ev_pending *)b)->sock.cookie);
}

static struct ev_sock *find_sock(struct ev_vec *vec, uint64_t cookie)
{
	struct ev_sock key = {.cookie = cookie};

	return vec->n ? bsearch(&key, vec->v, vec->n, sizeof(*vec->v), cmp_sock) : NULL;
}

static struct ev_pending *find_pending(struct ev_tracker *t, uint64_t cookie)
{
	struct ev_pending key = {.sock.cookie = cookie};

	return t->npend
		   ? bsearch(&key, t->pend, t->npend, sizeof(*t->pend), cmp_pending_key)
		   : NULL;
}

static struct ev_event *push_event(struct ev_tracker *t, enum ev_kind kind, double wall,
				   const struct ev_sock *s)
{
	if (grow((void **)&t->ev, &t->capev, t->nev, sizeof(*t->ev)) < 0)
		return NULL;
	struct ev_event *e = &t->ev[t->nev++];
	*e = (struct ev_event){
	    .kind = kind,
	    .wall = wall,
	    .in_state = -1,
	    .old_state = TS_UNKNOWN,
	    .new_state = TS_UNKNOWN,
	    .sock = s,
	    .order = (unsigned)t->nev,
	}; /* the eBPF-only fields stay zero */
	return e;
}

/* Sort cur by cookie; a socket listed twice (a dump racing a move) keeps its last entry.
 */
static void sort_cur(struct ev_tracker *t)
{
	struct ev_vec *c = &t->cur;
	size_t keep = 0;

	if (c->n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(c->v, c->n, sizeof(*c->v), cmp_sock);
	for (size_t i = 0; i < c->n; i++) {
		if (keep && c->v[keep - 1].cookie == c->v[i].cookie)
			keep--;
		c->v[keep++] = c->v[i];
	}
	c->n = keep;
}

static size_t grave_slot(uint64_t cookie)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ull) >> 50) % EV_GRAVE;
}

static bool same_tuple(const struct ev_sock *a, const struct ev_sock *b)
{
	return a->family == b->family && a->lport == b->lport && a->rport == b->rport &&
	       !memcmp(a->laddr, b->laddr, sizeof(a->laddr)) &&
	       !memcmp(a->raddr, b->raddr, sizeof(a->raddr));
}

static uint32_t tuple_hash(const struct ev_sock *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const uint8_t *parts[] = {s->laddr, s->raddr};

	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < 16; i++)
			h = (h ^ parts[p][i]) * 16777619u;
	h = (h ^ s->lport) * 16777619u;
	h = (h ^ s->rport) * 16777619u;
	return (h ^ s->family) * 16777619u;
}

struct tw_index {
	uint32_t hash;
	uint32_t idx; /* into cur */
};

static int cmp_tw(const void *a, const void *b)
{
	uint32_t x = ((const struct tw_index *)a)->hash;
	uint32_t y = ((const struct tw_index *)b)->hash;

	return (x > y) - (x < y);
}

/* A timewait socket: TIME_WAIT, or FIN_WAIT_2 once the application closed (the kernel's
 * timewait socket in its FIN_WAIT2 substate). Both get a new cookie. */
static bool timewait_kind(const struct ev_sock *s)
{
	return s->state == TS_TIME_WAIT || (s->state == TS_FIN_WAIT_2 && !s->inode);
}

/* The timewait sockets of this poll, by 4-tuple hash. NULL (n 0) when there are none. */
static struct tw_index *index_time_wait(const struct ev_tracker *t, size_t *ret_n)
{
	size_t n = 0;
	struct tw_index *ix = NULL;

	for (size_t i = 0; i < t->cur.n; i++)
		n += timewait_kind(&t->cur.v[i]);
	if (n)
		ix = malloc(n * sizeof(*ix));
	*ret_n = ix ? n : 0;
	if (!ix)
		return NULL;
	n = 0;
	for (size_t i = 0; i < t->cur.n; i++)
		if (timewait_kind(&t->cur.v[i]))
			ix[n++] =
			    (struct tw_index){tuple_hash(&t->cur.v[i]), (uint32_t)i};
	if (n > 1)
		qsort(ix, n, sizeof(*ix), cmp_tw);
	return ix;
}

/*
 * A full socket that became TIME_WAIT before anything asked for its cookie hands the
 * TIME_WAIT socket a cookie of 0, which a dump then replaces with a fresh one: its
 * destroy message and the TIME_WAIT socket have different cookies. Pair them by 4-tuple.
 */
static struct ev_sock *find_time_wait(struct ev_tracker *t, const struct tw_index *ix,
				      size_t n, const struct ev_sock *s)
{
	struct tw_index key = {tuple_hash(s), 0};
	const struct tw_index *hit = n ? bsearch(&key, ix, n, sizeof(*ix), cmp_tw) : NULL;

	if (!hit)
		return NULL;
	while (hit > ix && hit[-1].hash == key.hash)
		hit--;
	for (; hit < ix + n && hit->hash == key.hash; hit++)
		if (same_tuple(&t->cur.v[hit->idx], s))
			return &t->cur.v[hit->idx];
	return NULL;
}

/*
 * A connection that became TIME_WAIT between two polls went away under its cookie and
 * came back as a timewait socket with a new one: without this it would read as GONE and
 * NEW TIME_WAIT, two connections. The old record takes the new cookie, so the merge sees
 * one socket change state; the old cookie is buried so its destroy message is not taken
 * for a brief connection.
 */
static int link_time_wait(struct ev_tracker *t)
{
	size_t nix = 0, npair = 0;
	struct tw_index *ix = index_time_wait(t, &nix);
	struct {
		struct ev_sock *old;
		uint64_t cookie;
	} *pair = nix ? malloc(nix * sizeof(*pair)) : NULL;

	if (!pair) {
		free(ix);
		return nix ? -ENOMEM : 0;
	}
	for (size_t i = 0; i < t->prev.n && npair < nix; i++) {
		struct ev_sock *old = &t->prev.v[i];
		if (timewait_kind(old) || find_sock(&t->cur, old->cookie))
			continue; /* still there under its cookie */
		struct ev_sock *tw = find_time_wait(t, ix, nix, old);
		if (!tw || find_sock(&t->prev, tw->cookie))
			continue; /* not new in this poll */
		pair[npair].old = old;
		pair[npair++].cookie = tw->cookie;
	}
	for (size_t k = 0; k < npair; k++) {
		t->grave[grave_slot(pair[k].old->cookie)] = pair[k].old->cookie;
		pair[k].old->cookie = pair[k].cookie;
	}
	if (npair)
		qsort(t->prev.v, t->prev.n, sizeof(*t->prev.v), cmp_sock);
	free(pair);
	free(ix);
	return 0;
}

/* Destroy messages of sockets no poll saw become EV_BRIEF sockets in t->brief. */
static int collect_brief(struct ev_tracker *t,
			 bool (*brief_ok)(const struct sock_rec *s, void *data),
			 void *data)
{
	struct tw_index *ix = NULL;
	size_t nix = 0;
	bool indexed = false;

	for (size_t i = 0; i < t->npend; i++) {
		struct ev_pending *p = &t->pend[i];
		if (find_sock(&t->cur, p->sock.cookie) ||
		    find_sock(&t->prev, p->sock.cookie) ||
		    t->grave[grave_slot(p->sock.cookie)] == p->sock.cookie)
			continue;
		if (brief_ok && !brief_ok(&p->rec, data))
			continue;
		if (!indexed) {
			ix = index_time_wait(t, &nix);
			indexed = true;
		}
		struct ev_sock *tw = find_time_wait(t, ix, nix, &p->sock);
		if (tw) {
			if (p->sock.info.have)
				tw->info = p->sock.info;
			continue;
		}
		struct ev_sock *b = vec_push(&t->brief);
		if (!b) {
			free(ix);
			return -ENOMEM;
		}
		*b = p->sock;
	}
	free(ix);
	return 0;
}

static int diff_one(struct ev_tracker *t, struct ev_sock *old, struct ev_sock *now,
		    double mono, double wall, bool baseline)
{
	struct ev_event *e;

	if (old && now) { /* still there: carry what we knew */
		now->owners = old->owners;
		old->owners = NULL;
		now->want_owners = !now->owners && now->inode && now->inode != old->inode;
		if (!now->info.have)
			now->info = old->info;
		now->since = old->since;
		if (old->state == now->state)
			return 0;
		now->since = mono;
		if (!(e = push_event(t, EV_CHANGE, wall, now)))
			return -ENOMEM;
		e->old_state = old->state;
		e->new_state = now->state;
		e->in_state = old->since > 0 ? mono - old->since : -1;
		return 0;
	}
	if (now) {
		now->want_owners = now->inode != 0;
		now->since = baseline ? 0 : mono;
		if (baseline)
			return 0;
		if (!(e = push_event(t, EV_NEW, wall, now)))
			return -ENOMEM;
		e->new_state = now->state;
		return 0;
	}
	if (!old)
		return 0;
	/* gone; its destroy message, when we have it, says when exactly */
	double end = mono;
	t->grave[grave_slot(old->cookie)] = old->cookie;
	if (!(e = push_event(t, EV_GONE, wall, old)))
		return -ENOMEM;
	e->old_state = old->state;
	struct ev_pending *p = find_pending(t, old->cookie);
	if (p) {
		e->wall = p->wall;
		end = p->mono;
	}
	e->in_state = old->since > 0 ? end - old->since : -1;
	if (e->in_state < 0 && old->since > 0)
		e->in_state = 0;
	return 0;
}

/* The destroy message's final numbers go to the socket either poll saw. */
static void attach_final(struct ev_tracker *t)
{
	for (size_t i = 0; i < t->npend; i++) {
		struct ev_pending *p = &t->pend[i];
		if (!p->sock.info.have)
			continue;
		struct ev_sock *s = find_sock(&t->cur, p->sock.cookie);
		if (!s)
			s = find_sock(&t->prev, p->sock.cookie);
		if (s)
			s->info = p->sock.info;
	}
}

static int cmp_event(const void *a, const void *b)
{
	const struct ev_event *x = a, *y = b;

	if (x->wall != y->wall)
		return x->wall < y->wall ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order); /* qsort is not stable */
}

size_t evtrack_finish(struct ev_tracker *t, double mono, double wall, bool baseline,
		      bool (*brief_ok)(const struct sock_rec *s, void *data), void *data)
{
	size_t i = 0, j = 0;
	int err = 0;

	sort_cur(t);
	if (t->npend > 1)
		qsort(t->pend, t->npend, sizeof(*t->pend), cmp_pending);
	attach_final(t);
	if (!baseline)
		err = link_time_wait(t);
	while (err == 0 && (i < t->prev.n || j < t->cur.n)) {
		struct ev_sock *old = i < t->prev.n ? &t->prev.v[i] : NULL;
		struct ev_sock *now = j < t->cur.n ? &t->cur.v[j] : NULL;
		int c = !old ? 1 : !now ? -1 : cmp_cookie(old->cookie, now->cookie);
		err = diff_one(t, c <= 0 ? old : NULL, c >= 0 ? now : NULL, mono, wall,
			       baseline);
		i += c <= 0;
		j += c >= 0;
	}
	if (err == 0 && !baseline)
		err = collect_brief(t, brief_ok, data);
	for (size_t k = 0; err == 0 && k < t->brief.n; k++) {
		struct ev_sock *b = &t->brief.v[k];
		struct ev_pending *p = find_pending(t, b->cookie);
		struct ev_event *e = push_event(t, EV_BRIEF, p ? p->wall : wall, b);
		if (!e)
			err = -ENOMEM;
		else
			e->old_state = b->state;
	}
	t->npend = 0;
	/* On -ENOMEM the events made so far are still worth showing. */
	if (t->nev > 1)
		qsort(t->ev, t->nev, sizeof(*t->ev), cmp_event);
	return t->nev;
}

const struct ev_event *evtrack_events(const struct ev_tracker *t, size_t *ret_n)
{
	*ret_n = t->nev;
	return t->ev;
}

size_t evtrack_owner_inodes(const struct ev_tracker *t, uint32_t *inodes, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->cur.n; i++) {
		if (!t->cur.v[i].want_owners)
			continue;
		if (n < max)
			inodes[n] = t->cur.v[i].inode;
		n++;
	}
	return n;
}

int evtrack_fill_owners(struct ev_tracker *t,
			size_t (*lookup)(uint32_t inode, char *buf, size_t sz,
					 void *data),
			void *data)
{
	char buf[1024];

	for (size_t i = 0; i < t->cur.n; i++) {
		struct ev_sock *s = &t->cur.v[i];
		if (!s->want_owners)
			continue;
		s->want_owners = false;
		size_t len = lookup(s->inode, buf, sizeof(buf), data);
		if (!len)
			continue;
		free(s->owners);
		s->owners = malloc(len);
		if (!s->owners)
			return -ENOMEM;
		memcpy(s->owners, buf, len);
	}
	return 0;
}
