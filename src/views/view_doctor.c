/* view_doctor.c - --doctor: findings with evidence about leaks, floods, full queues and
 * ports. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/escape.h"
#include "base/i18n.h"
#include "model/columns.h"
#include "query/cgroups.h"
#include "query/netns.h"
#include "render/colfmt.h"
#include "render/output.h"
#include "views/doctor.h"
#include "views/run.h"
#include "views/views.h"

/* Exit status when something was found, so cron and monitoring can act on it. */
#define DOCTOR_FOUND 3
/* How many sockets a finding names as examples. */
#define DOCTOR_EXAMPLES 3

enum {
	TH_CLOSE_WAIT_AGE,
	TH_CLOSE_WAIT_COUNT,
	TH_SYN_RCVD_RATIO,
	TH_SYN_RCVD_MIN,
	TH_ACCEPT_QUEUE_RATIO,
	TH_TIME_WAIT_RATIO,
	TH_TIME_WAIT_BIND_MIN,
	TH_FIN_WAIT_2_MIN,
	TH_N,
};

const struct doctor_threshold doctor_thresholds[] = {
    [TH_CLOSE_WAIT_AGE] = {"close_wait_age", 60, 0, 1e9, true,
			   "seconds a CLOSE_WAIT socket must be idle to count as leaked"},
    [TH_CLOSE_WAIT_COUNT] = {"close_wait_count", 1, 1, 1e9, true,
			     "leaked CLOSE_WAIT sockets one process must hold"},
    [TH_SYN_RCVD_RATIO] = {"syn_rcvd_ratio", 0.5, 0, 1e6, false,
			   "SYN_RCVD on a listener, as a fraction of its backlog"},
    [TH_SYN_RCVD_MIN] = {"syn_rcvd_min", 8, 1, 1e9, true,
			 "SYN_RCVD on a listener, at least this many"},
    [TH_ACCEPT_QUEUE_RATIO] =
	{"accept_queue_ratio", 0.9, 0, 1e6, false,
	 "accept queue (Recv-Q) as a fraction of the backlog (Send-Q)"},
    [TH_TIME_WAIT_RATIO] = {"time_wait_ratio", 0.5, 0, 1e6, false,
			    "TIME_WAIT towards one destination, as a fraction of the "
			    "ephemeral port range"},
    [TH_TIME_WAIT_BIND_MIN] = {"time_wait_bind_min", 1, 1, 1e9, true,
			       "TIME_WAIT sockets on one server port"},
    [TH_FIN_WAIT_2_MIN] = {"fin_wait_2_min", 1, 1, 1e9, true,
			   "orphaned FIN_WAIT_2 sockets (no process holds them)"},
    [TH_N] = {NULL, 0, 0, 0, false, NULL},
};

static int fail(char **ret_err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(char **ret_err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_err, fmt, ap) < 0)
		*ret_err = NULL;
	va_end(ap);
	return -EINVAL;
}

/* Plain decimal digits (with one '.' unless integer): strtod alone would take "0x10",
 * "1e3" and " 5" too. */
static bool decimal(const char *s, bool integer)
{
	bool dot = false, digit = false;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == '.' && !dot && !integer)
			dot = true;
		else
			return false;
	}
	return digit;
}

int doctor_parse_thresholds(const char *const *words, int n, double *vals, char **ret_err)
{
	*ret_err = NULL;
	for (int k = 0; k < TH_N; k++)
		vals[k] = doctor_thresholds[k].dflt;
	for (int w = 0; w < n; w++) {
		const char *eq = strchr(words[w], '=');
		size_t klen = eq ? (size_t)(eq - words[w]) : strlen(words[w]);
		int k;
		for (k = 0; k < TH_N; k++)
			if (strlen(doctor_thresholds[k].key) == klen &&
			    !strncmp(doctor_thresholds[k].key, words[w], klen))
				break;
		if (k == TH_N) {
			char keys[512] = "";
			for (int j = 0; j < TH_N; j++)
				snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys),
					 "%s%s", j ? ", " : "", doctor_thresholds[j].key);
			return fail(ret_err, _("unknown threshold '%.*s' (try %s)"),
				    (int)klen, words[w], keys);
		}
		char *end = NULL;
		errno = 0;
		double v = eq && decimal(eq + 1, doctor_thresholds[k].integer)
			       ? strtod(eq + 1, &end)
			       : NAN;
		if (!eq || errno || !end || end == eq + 1 || *end || !isfinite(v) ||
		    v < doctor_thresholds[k].min || v > doctor_thresholds[k].max)
			return fail(
			    ret_err,
			    doctor_thresholds[k].integer
				? _("bad value '%s' for threshold '%s' (a whole "
				    "number from %g)")
				: _("bad value '%s' for threshold '%s' (a decimal "
				    "number from %g)"),
			    eq ? eq + 1 : "", doctor_thresholds[k].key,
			    doctor_thresholds[k].min);
		vals[k] = v;
	}
	return 0;
}

/* The sysctls of one namespace that the findings quote. -1 when unreadable. */
struct ns_facts {
	long syncookies;
	long port_lo, port_hi;
	long fin_timeout;
};

struct doc {
	const struct run_ctx *ctx;
	const struct sock_set *set;
	const struct procs *procs;
	const double *th;
	const struct cgmap *cg; /* units and containers, for sockets without owners */
	const char *ns_label;	/* NULL unless several namespaces are examined */
	struct ns_facts facts;
	unsigned found;
	struct report_finding *v; /* the findings, rendered at the end */
	size_t cap;
	int err;	/* -ENOMEM while collecting them */
	bool english;	/* JSON: the findings in English whatever the locale */
	size_t no_info; /* CLOSE_WAIT sockets without tcp_info: their age is unknown */
};

/* One finding: "KIND: [netns] evidence; next step", kept for the output format (the
 * table wraps it at a terminal's width: findings are the point of --doctor, none is
 * cut). */
static void finding(struct doc *d, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finding(struct doc *d, const char *kind, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	d->found++;
	if (d->found > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct report_finding *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->err = -ENOMEM;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		d->err = -ENOMEM;
	}
	va_end(ap);
	d->v[d->found - 1] = (struct report_finding){kind, d->ns_label, msg};
}

static long read_sysctl(const char *name, long *second)
{
	char path[256];
	long v = -1, w = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", name);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld %ld", &v, &w) < 1)
			v = -1;
		fclose(f);
	}
	if (second)
		*second = w;
	return v;
}

/* /proc/sys/net shows the sysctls of the reader's namespace: read them from inside. */
static void read_facts(struct ns_facts *f)
{
	f->syncookies = read_sysctl("tcp_syncookies", NULL);
	f->port_lo = read_sysctl("ip_local_port_range", &f->port_hi);
	f->fin_timeout = read_sysctl("tcp_fin_timeout", NULL);
}

static const char *endpoint(const struct sock_rec *s, bool peer, char *buf, size_t sz)
{
	sock_fmt_sock_endpoint(s, peer, false, s->netns != 0, buf, sz);
	return buf;
}

/* "LOCAL -> PEER" for up to DOCTOR_EXAMPLES sockets, then ", ..." */
static const char *examples(const struct doc *d, const size_t *idx, size_t n, char *buf,
			    size_t sz)
{
	char a[128], b[128];

	buf[0] = '\0';
	for (size_t k = 0; k < n && k < DOCTOR_EXAMPLES; k++) {
		const struct sock_rec *s = &d->set->v[idx[k]];
		snprintf(buf + strlen(buf), sz - strlen(buf), "%s%s -> %s", k ? ", " : "",
			 endpoint(s, false, a, sizeof(a)),
			 endpoint(s, true, b, sizeof(b)));
	}
	if (n > DOCTOR_EXAMPLES)
		snprintf(buf + strlen(buf), sz - strlen(buf), ", ...");
	return buf;
}

/* The socket's container, else its unit ("" when neither is known); *ret_what says
 * which. */
static const char *group_name(const struct doc *d, const struct sock_rec *s,
			      const char **ret_what)
{
	const struct cg_entry *e = s->cgroup_id ? cgmap_find(d->cg, s->cgroup_id) : NULL;

	*ret_what = "";
	if (!e)
		return "";
	*ret_what = e->label[0] ? N_("container") : N_("unit");
	return e->label[0] ? e->label : e->unit;
}

/* "PID/comm" of the first owner, "PID/comm and N more", or words for none; the unit or
 * container beside it when the cgroup map knows one. */
static const char *owner_text(const struct doc *d, const struct sock_rec *s, char *buf,
			      size_t sz)
{
	size_t n = 0;
	const struct proc_owner *const *own =
	    s->inode ? procs_lookup(d->procs, s->inode, &n) : NULL;
	char esc[PROCS_COMM_MAX * 4], grp[512] = "", gesc[sizeof(grp) * 4];
	const char *what, *name = group_name(d, s, &what);

	if (name[0]) {
		escape_name(name, gesc, sizeof(gesc));
		snprintf(grp, sizeof(grp), "%s %.400s", _(what), gesc);
	}
	if (!n) {
		if (grp[0])
			snprintf(buf, sz, _("%s of %s"),
				 s->inode ? _("an unknown process") : _("no process"),
				 grp);
		else
			snprintf(buf, sz, "%s",
				 s->inode ? _("an unknown process") : _("no process"));
		return buf;
	}
	escape_name(own[0]->comm, esc, sizeof(esc));
	if (n == 1)
		snprintf(buf, sz, "%d/%.100s%s%s%s", (int)own[0]->pid, esc,
			 grp[0] ? " (" : "", grp, grp[0] ? ")" : "");
	else
		snprintf(buf, sz, _("%d/%.100s and %zu more%s%s%s"), (int)own[0]->pid,
			 esc, n - 1, grp[0] ? " (" : "", grp, grp[0] ? ")" : "");
	return buf;
}

/* Candidates grouped by a byte key; within a group the largest value first. */
struct cand {
	uint8_t key[20];
	uint32_t val;
	size_t i;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	if (c)
		return c;
	return x->val > y->val ? -1 : x->val < y->val;
}

/* Sort, then call fn once per group of equal keys with the sockets' indices. */
static void for_groups(struct doc *d, struct cand *c, size_t n,
		       void (*fn)(struct doc *d, const size_t *idx, size_t n,
				  uint32_t top))
{
	size_t *idx = malloc((n + 1) * sizeof(*idx));

	if (!idx)
		return;
	if (n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(c, n, sizeof(*c), cmp_cand);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a; b < n && !memcmp(c[a].key, c[b].key, sizeof(c[a].key)); b++)
			idx[b - a] = c[b].i;
		fn(d, idx, b - a, c[a].val);
	}
	free(idx);
}

static bool tcp_info_has_last_ack(const struct sock_rec *s)
{
	return s->ext &&
	       s->ext->info_len >= offsetof(struct tcp_info, tcpi_last_ack_recv) +
				       sizeof(s->ext->info.tcpi_last_ack_recv);
}

static void report_close_wait(struct doc *d, const size_t *idx, size_t n, uint32_t oldest)
{
	char who[256], ex[1024];

	if (n < d->th[TH_CLOSE_WAIT_COUNT])
		return;
	finding(
	    d, "close-wait-leak",
	    ngettext(
		"%s holds %zu socket in CLOSE_WAIT idle for over %g s (the longest %u s: %s): "
		"the peers closed but the process never called close(), a socket leak; look "
		"for a code path that drops a connection without closing it (restarting the "
		"process frees them)",
		"%s holds %zu sockets in CLOSE_WAIT idle for over %g s (the longest %u s: %s): "
		"the peers closed but the process never called close(), a socket leak; look "
		"for a code path that drops a connection without closing it (restarting the "
		"process frees them)",
		n),
	    owner_text(d, &d->set->v[idx[0]], who, sizeof(who)), n,
	    d->th[TH_CLOSE_WAIT_AGE], oldest / 1000, examples(d, idx, n, ex, sizeof(ex)));
}

/*
 * CLOSE_WAIT sockets with no file (inode 0) were never accept()ed: they still sit in a
 * listener's accept queue, so nobody could have closed them. Blaming close() there sends
 * the reader after the wrong bug; the listener stopped accepting.
 */
static void report_unaccepted(struct doc *d, const size_t *idx, size_t n, uint32_t oldest)
{
	const struct sock_rec *s = &d->set->v[idx[0]];
	char ex[1024], local[128];

	if (n < d->th[TH_CLOSE_WAIT_COUNT])
		return;
	sock_fmt_endpoint(s->family, s->laddr, s->lport, false, false, local,
			  sizeof(local));
	finding(
	    d, "close-wait-unaccepted",
	    ngettext("%zu connection to %s has sat in CLOSE_WAIT for over %g s without "
		     "ever being accepted (the longest %u s: %s): the peer gave up and "
		     "closed while it waited in the listener's accept queue; the "
		     "application listening there does not call accept() (or far too "
		     "slowly): look at what blocks its accept loop",
		     "%zu connections to %s have sat in CLOSE_WAIT for over %g s without "
		     "ever being accepted (the longest %u s: %s): the peers gave up and "
		     "closed while they waited in the listener's accept queue; the "
		     "application listening there does not call accept() (or far too "
		     "slowly): look at what blocks its accept loop",
		     n),
	    n, local, d->th[TH_CLOSE_WAIT_AGE], oldest / 1000,
	    examples(d, idx, n, ex, sizeof(ex)));
}

/* 16 key bytes for a socket without a known owner: its unit or container, else itself. */
static void unowned_key(const struct doc *d, const struct sock_rec *s, uint8_t *key)
{
	const char *what, *name = group_name(d, s, &what);
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	if (!name[0]) {
		memcpy(key, &s->inode, sizeof(s->inode));
		return;
	}
	for (const char *p = what; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	key[4] = 1; /* apart from the inode keys */
	memcpy(key + 8, &h, sizeof(h));
}

/*
 * CLOSE_WAIT lasts until the application calls close(). tcpi_last_ack_recv is the time
 * since the peer last sent anything (its FIN carried an ACK), so it never overstates how
 * long the socket has sat there.
 */
static void check_close_wait(struct doc *d, const size_t *sel, size_t n)
{
	struct cand *c = calloc(n + 1, sizeof(*c)), *u = calloc(n + 1, sizeof(*u));
	size_t k = 0, ku = 0;

	if (!c || !u) {
		free(c);
		free(u);
		return;
	}
	for (size_t j = 0; j < n; j++) {
		const struct sock_rec *s = &d->set->v[sel[j]];
		if (s->state != TS_CLOSE_WAIT)
			continue;
		if (!s->inode && tcp_info_has_last_ack(s)) {
			/* never accepted: one group per listening address and port */
			uint32_t age = s->ext->info.tcpi_last_ack_recv;
			if (age < d->th[TH_CLOSE_WAIT_AGE] * 1000)
				continue;
			u[ku].key[0] = s->family;
			memcpy(u[ku].key + 1, &s->lport, sizeof(s->lport));
			memcpy(u[ku].key + 3, s->laddr, sock_addr_len(s->family));
			u[ku].val = age;
			u[ku++].i = sel[j];
			continue;
		}
		if (!tcp_info_has_last_ack(s)) {
			d->no_info++; /* could not look: said at the end, never "fine" */
			continue;
		}
		uint32_t age = s->ext->info.tcpi_last_ack_recv;
		if (age < d->th[TH_CLOSE_WAIT_AGE] * 1000)
			continue;
		size_t no = 0;
		const struct proc_owner *const *own =
		    procs_lookup(d->procs, s->inode, &no);
		uint32_t key = no ? (uint32_t)own[0]->pid : 0;
		/* no owner known: one group per unit or container when the cgroup says
		 * which (unprivileged runs), else one per socket, so strangers are not
		 * lumped together */
		memcpy(c[k].key, &key, sizeof(key));
		if (!no)
			unowned_key(d, s, c[k].key + 4);
		c[k].val = age;
		c[k++].i = sel[j];
	}
	for_groups(d, c, k, report_close_wait);
	for_groups(d, u, ku, report_unaccepted);
	free(c);
	free(u);
}

static bool addr_any(const struct sock_rec *s)
{
	static const uint8_t zero[16];

	return !memcmp(s->laddr, zero, sock_addr_len(s->family));
}

/* How well a listener l fits a request socket r (0: not at all). */
static int listener_fit(const struct sock_rec *l, const struct sock_rec *r)
{
	if (l->lport != r->lport)
		return 0;
	if (l->family == r->family &&
	    !memcmp(l->laddr, r->laddr, sock_addr_len(l->family)))
		return 3;
	if (l->family == r->family && addr_any(l))
		return 2;
	return l->family == AF_INET6 && addr_any(l) ? 1 : 0;
}

static const char *syncookies_text(long v)
{
	/* a split literal in parentheses: clang warns of a missing comma otherwise */
	static const char *const text[] = {
	    N_("net.ipv4.tcp_syncookies=0: off, so a full SYN queue drops new connections; "
	       "turn them on"),
	    N_("net.ipv4.tcp_syncookies=1: cookies are sent once the SYN queue overflows"),
	    N_("net.ipv4.tcp_syncookies=2: cookies are always sent"),
	};

	return v >= 0 && v <= 2 ? _(text[v]) : _("net.ipv4.tcp_syncookies unknown");
}

/* SYN_RCVD piling up on a listener; and listeners whose accept queue is (nearly) full. */
static void check_listeners(struct doc *d, const size_t *sel, size_t n)
{
	size_t *lst = malloc((n + 1) * sizeof(*lst)), *syn = calloc(n + 1, sizeof(*syn));
	size_t nl = 0;
	char ep[128], who[256];

	if (!lst || !syn)
		goto out;
	for (size_t j = 0; j < n; j++)
		if (d->set->v[sel[j]].state == TS_LISTEN)
			lst[nl++] = sel[j];
	for (size_t j = 0; j < n && nl; j++) {
		const struct sock_rec *r = &d->set->v[sel[j]];
		int best = 0;
		size_t at = 0;
		if (r->state != TS_SYN_RCVD)
			continue;
		for (size_t k = 0; k < nl; k++) {
			int fit = listener_fit(&d->set->v[lst[k]], r);
			if (fit > best) {
				best = fit;
				at = k;
			}
		}
		if (best)
			syn[at]++;
	}
	for (size_t k = 0; k < nl; k++) {
		const struct sock_rec *l = &d->set->v[lst[k]];
		double backlog = l->wqueue;
		if (syn[k] >= d->th[TH_SYN_RCVD_MIN] &&
		    syn[k] >= d->th[TH_SYN_RCVD_RATIO] * backlog)
			finding(
			    d, "syn-flood",
			    ngettext(
				"listener %s (%s) has %zu connection in SYN_RCVD against a "
				"backlog of %u (%s): possibly a SYN flood, or handshakes that "
				"do not complete; look at the peers with 'tcpstate --state "
				"syn-rcvd --sport %u' and consider a larger backlog (listen(), "
				"net.core.somaxconn)",
				"listener %s (%s) has %zu connections in SYN_RCVD against a "
				"backlog of %u (%s): possibly a SYN flood, or handshakes that "
				"do not complete; look at the peers with 'tcpstate --state "
				"syn-rcvd --sport %u' and consider a larger backlog (listen(), "
				"net.core.somaxconn)",
				syn[k]),
			    endpoint(l, false, ep, sizeof(ep)),
			    owner_text(d, l, who, sizeof(who)), syn[k], l->wqueue,
			    syncookies_text(d->facts.syncookies), l->lport);
		double limit = fmax(1, ceil(d->th[TH_ACCEPT_QUEUE_RATIO] * backlog));
		if (l->rqueue >= limit)
			finding(
			    d, "accept-queue",
			    ngettext(
				"listener %s (%s) has %u connection waiting in its accept "
				"queue, backlog %u%s: the application does not call accept() "
				"fast enough and further connections are dropped or delayed "
				"(ListenOverflows in nstat); make it accept faster or give "
				"listen() a larger backlog",
				"listener %s (%s) has %u connections waiting in its accept "
				"queue, backlog %u%s: the application does not call accept() "
				"fast enough and further connections are dropped or delayed "
				"(ListenOverflows in nstat); make it accept faster or give "
				"listen() a larger backlog",
				l->rqueue),
			    endpoint(l, false, ep, sizeof(ep)),
			    owner_text(d, l, who, sizeof(who)), l->rqueue, l->wqueue,
			    l->rqueue > l->wqueue ? _(" (full)") : "");
	}
out:
	free(lst);
	free(syn);
}

static bool ephemeral(const struct doc *d, uint16_t port)
{
	return d->facts.port_lo > 0 && port >= d->facts.port_lo &&
	       port <= d->facts.port_hi;
}

static void report_port_exhaustion(struct doc *d, const size_t *idx, size_t n,
				   uint32_t top)
{
	long range = d->facts.port_hi - d->facts.port_lo + 1;
	char peer[128];

	if (n < d->th[TH_TIME_WAIT_RATIO] * (double)range)
		return;
	finding(
	    d, "port-exhaustion",
	    _("%zu sockets in TIME_WAIT towards %s hold %.0f%% of the %ld ephemeral ports "
	      "(net.ipv4.ip_local_port_range %ld %ld): connections to it are opened and "
	      "closed faster than TIME_WAIT (60 s) frees their ports, and connect() will fail "
	      "with 'Cannot assign requested address'; reuse connections (keep-alive, a "
	      "pool), widen the range or set net.ipv4.tcp_tw_reuse=1"),
	    n, endpoint(&d->set->v[idx[0]], true, peer, sizeof(peer)),
	    100.0 * (double)n / (double)range, range, d->facts.port_lo, d->facts.port_hi);
}

static void report_time_wait_bind(struct doc *d, const size_t *idx, size_t n,
				  uint32_t top)
{
	char ex[1024];
	uint16_t port = d->set->v[idx[0]].lport;

	if (n < d->th[TH_TIME_WAIT_BIND_MIN])
		return;
	finding(d, "time-wait-bind",
		ngettext(
		    "local port %u has %zu socket in TIME_WAIT (this side closed first: "
		    "%s): a server restarting on port %u fails with 'Address already in "
		    "use' for up to 60 s unless it sets SO_REUSEADDR before bind()",
		    "local port %u has %zu sockets in TIME_WAIT (this side closed first: "
		    "%s): a server restarting on port %u fails with 'Address already in "
		    "use' for up to 60 s unless it sets SO_REUSEADDR before bind()",
		    n),
		port, n, examples(d, idx, n, ex, sizeof(ex)), port);
}

/* TIME_WAIT per destination against the ephemeral range, and on server ports. */
static void check_time_wait(struct doc *d, const size_t *sel, size_t n)
{
	struct cand *dst = calloc(n + 1, sizeof(*dst)),
		    *port = calloc(n + 1, sizeof(*port));
	uint8_t *listening = calloc(65536, 1);
	size_t nd = 0, np = 0;

	if (!dst || !port || !listening)
		goto out;
	for (size_t j = 0; j < n; j++)
		if (d->set->v[sel[j]].state == TS_LISTEN)
			listening[d->set->v[sel[j]].lport] = 1;
	for (size_t j = 0; j < n; j++) {
		const struct sock_rec *s = &d->set->v[sel[j]];
		if (s->state != TS_TIME_WAIT)
			continue;
		if (ephemeral(d, s->lport)) {
			dst[nd].key[0] = s->family;
			memcpy(dst[nd].key + 1, s->raddr, 16);
			memcpy(dst[nd].key + 17, &s->rport, 2);
			dst[nd++].i = sel[j];
		}
		/* A server port: someone listens on it, or no client would get it by
		 * chance. */
		if (listening[s->lport] ||
		    (d->facts.port_lo > 0 && !ephemeral(d, s->lport))) {
			port[np].key[0] = (uint8_t)(s->lport >> 8);
			port[np].key[1] = (uint8_t)s->lport;
			port[np++].i = sel[j];
		}
	}
	if (d->facts.port_lo > 0 && d->facts.port_hi >= d->facts.port_lo)
		for_groups(d, dst, nd, report_port_exhaustion);
	for_groups(d, port, np, report_time_wait_bind);
out:
	free(dst);
	free(port);
	free(listening);
}

/* FIN_WAIT_2 without an inode: the application closed, the peer never sent its FIN. */
static void check_fin_wait_2(struct doc *d, const size_t *sel, size_t n)
{
	size_t *idx = malloc((n + 1) * sizeof(*idx)), k = 0;
	char ex[1024], t[64] = "net.ipv4.tcp_fin_timeout";

	if (!idx)
		return;
	for (size_t j = 0; j < n; j++) {
		const struct sock_rec *s = &d->set->v[sel[j]];
		if (s->state == TS_FIN_WAIT_2 && s->inode == 0)
			idx[k++] = sel[j];
	}
	if (d->facts.fin_timeout >= 0)
		snprintf(t, sizeof(t), _("net.ipv4.tcp_fin_timeout, %ld s"),
			 d->facts.fin_timeout);
	if (k && k >= d->th[TH_FIN_WAIT_2_MIN])
		finding(
		    d, "orphan-fin-wait-2",
		    ngettext(
			"%zu socket in FIN_WAIT_2 belongs to no process (%s): the "
			"application closed its end and the peer has not sent its FIN; the "
			"kernel drops such sockets after %s, but if they pile up, find out "
			"why the peer application does not close",
			"%zu sockets in FIN_WAIT_2 belong to no process (%s): the "
			"application closed its end and the peer has not sent its FIN; the "
			"kernel drops such sockets after %s, but if they pile up, find out "
			"why the peer application does not close",
			k),
		    k, examples(d, idx, k, ex, sizeof(ex)), t);
	free(idx);
}

/* The examination of every namespace the dump walked. */
struct exam {
	struct doc *d;
	size_t *sel;
	bool per_netns; /* several namespaces: each on its own, findings labelled */
};

/*
 * Inside one namespace (e NULL: the current one), run every check over its sockets, with
 * its sysctls (unknown when it could not be entered).
 */
static int examine_visit(const struct netns_ent *e, int err, void *data)
{
	struct exam *x = data;
	struct doc *d = x->d;
	size_t m = 0;

	for (size_t i = 0; i < d->set->n; i++)
		if (!x->per_netns || d->set->v[i].netns == e->ino)
			x->sel[m++] = i;
	if (x->per_netns && !m)
		return 0;
	d->ns_label = x->per_netns ? e->label : NULL;
	d->facts = (struct ns_facts){-1, -1, -1, -1};
	if (err == 0)
		read_facts(&d->facts);
	check_close_wait(d, x->sel, m);
	check_listeners(d, x->sel, m);
	check_time_wait(d, x->sel, m);
	check_fin_wait_2(d, x->sel, m);
	return 0;
}

/* One examination per namespace the dump walked. */
static int examine_all(struct doc *d, const struct netns_list *l)
{
	struct exam x = {d, malloc((d->set->n + 1) * sizeof(*x.sel)),
			 l && l->n > 1 && d->ctx->opts->all_netns};
	int back;

	if (!x.sel)
		return run_error(d->ctx, -ENOMEM, _("out of memory"));
	/* JSON speaks English in every locale: word the findings under C's messages */
	locale_t c = d->english ? newlocale(LC_ALL_MASK, "C", (locale_t)0) : (locale_t)0;
	locale_t was = c ? uselocale(c) : (locale_t)0;
	netns_for_each(l, examine_visit, &x, &back);
	if (c) {
		uselocale(was);
		freelocale(c);
	}
	free(x.sel);
	if (back < 0)
		return run_error(d->ctx, back,
				 _("cannot return to the original network namespace: %s"),
				 strerror(-back));
	return 0;
}

int view_doctor(const struct run_ctx *ctx)
{
	double th[TH_N];
	char *msg = NULL;
	struct collect c;
	int err;

	err = doctor_parse_thresholds(ctx->opts->thresholds, ctx->opts->n_thresholds, th,
				      &msg);
	if (err < 0) {
		err = run_error(ctx, err, "%s", msg ? msg : "bad --threshold");
		free(msg);
		return err;
	}
	struct output out;
	output_init(&out, ctx->out, ctx->opts, ctx->term);
	if (!output_has(&out, OUTPUT_DOCTOR))
		return run_error(ctx, -EINVAL,
				 _("'--format %s' has no form for --doctor"),
				 format_name(out.format));
	/* Every state matters here (listeners above all), whatever -a/-l say. */
	struct query q = *ctx->query;
	query_select_all(&q, false);
	q.needs = COL_NEED_INFO | COL_NEED_PROCS | COL_NEED_CGROUP;
	q.cgroups_quiet = true; /* units beside owners when it can, silence when not */
	err = collect_sockets(&q, ctx->cstate, &c);
	if (err < 0) {
		collect_done(&c);
		return err;
	}
	struct doc d = {ctx, &c.socks, c.procs, th, ctx->cstate->cgroups, NULL, {0},
			0,   NULL,     0,	0};
	d.english = out.format != FMT_TABLE;
	err = examine_all(&d, ctx->cstate->netns);
	if (err == 0)
		err = d.err;
	if (err == 0 && d.no_info)
		run_note(
		    ctx,
		    ngettext("%zu CLOSE_WAIT socket came without tcp_info (a --replay "
			     "of a dump recorded without -i): how long it has waited "
			     "is unknown, so the CLOSE_WAIT check skipped it",
			     "%zu CLOSE_WAIT sockets came without tcp_info (a --replay "
			     "of a dump recorded without -i): how long they have "
			     "waited is unknown, so the CLOSE_WAIT check skipped them",
			     d.no_info),
		    d.no_info);
	if (err == 0) {
		const struct term *t = ctx->term;
		struct report_doctor r = {.v = d.v,
					  .n = d.found,
					  .sockets = c.socks.n,
					  .quiet_ok = !t->tty,
					  .width =
					      t->tty && !ctx->opts->wide ? t->width : 0};
		err = output_doctor(&out, &r);
	}
	for (size_t i = 0; i < d.found && i < d.cap; i++)
		free(d.v[i].message);
	free(d.v);
	collect_done(&c);
	if (err == -EIO)
		return err; /* main names the write's errno */
	if (err < 0)
		return err;
	return d.found ? DOCTOR_FOUND : 0;
}
