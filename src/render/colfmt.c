/* colfmt.c - the cells of the listing's columns: the base columns here, the -e/-o/-i/-m
 * ones in colfmt_tcp.c, and the one table that maps each column to its formatter. */
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "base/strutil.h"
#include "base/escape.h"
#include "base/numfmt.h"
#include "query/netns.h"
#include "query/procs.h"
#include "render/colfmt.h"
#include "render/colfmt_cg.h"
#include "render/colfmt_tcp.h"

static bool addr_is_any(uint8_t family, const uint8_t *addr)
{
	static const uint8_t zero[16];

	return memcmp(addr, zero, sock_addr_len(family)) == 0;
}

/* -r: names from the resolver, with a tiny cache because peers repeat. */
static void resolve_host(uint8_t family, const uint8_t *addr, char *buf, size_t sz)
{
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	socklen_t len;

	memset(&sa, 0, sizeof(sa));
	if (family == AF_INET) {
		sa.v4.sin_family = AF_INET;
		memcpy(&sa.v4.sin_addr, addr, 4);
		len = sizeof(sa.v4);
	} else {
		sa.v6.sin6_family = AF_INET6;
		memcpy(&sa.v6.sin6_addr, addr, 16);
		len = sizeof(sa.v6);
	}
	if (getnameinfo((struct sockaddr *)&sa, len, buf, (socklen_t)sz, NULL, 0, 0) != 0)
		sock_fmt_addr(family, addr, buf, sz);
}

/* Copy a string, truncated to fit and NUL-terminated. Returns the length copied. */
static size_t put_str(char *buf, size_t sz, const char *str)
{
	return strutil_copy(buf, sz, str, strlen(str));
}

static size_t put_u64(char *buf, size_t sz, uint64_t v);

/* The endpoint, with an interface scope inside the brackets ("[fe80::1%lo]:22") when
 * scope is not NULL, or "*" for the host of a dual-stack socket on the any address. Not
 * inlined: its name buffers (5 KiB) would give the numeric path below stack probes and a
 * canary on every call. */
static __attribute__((noinline)) size_t
fmt_endpoint_slow(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
		  bool resolve, const char *scope, bool dual, char *buf, size_t sz)
{
	char host[NI_MAXHOST], esc[NI_MAXHOST * 4], serv[64];
	const char *h = host;
	bool v6 = family == AF_INET6;

	if (dual) {
		snprintf(host, sizeof(host), "*");
		v6 = false;
	} else if (resolve && !addr_is_any(family, addr)) {
		resolve_host(family, addr, host, sizeof(host));
		escape_name(host, esc, sizeof(esc));
		h = esc;
		v6 = v6 && strchr(esc, ':'); /* brackets only around numeric IPv6 */
	} else {
		sock_fmt_addr(family, addr, host, sizeof(host));
	}
	if (peer && port == 0 && addr_is_any(family, addr))
		snprintf(serv, sizeof(serv), "*");
	else if (resolve) {
		struct servent *se = getservbyport(htons(port), "tcp");
		if (se)
			escape_name(se->s_name, serv, sizeof(serv));
		else
			snprintf(serv, sizeof(serv), "%u", port);
	} else {
		numfmt_u64(port, serv, sizeof(serv)); /* fast path: no snprintf */
	}
	/* snprintf was a fifth of the listing's time on 100k sockets: plain copies */
	size_t o = 0;
	if (v6)
		o = put_str(buf, sz, "[");
	o += put_str(buf + o, sz - o, h);
	if (scope) {
		o += put_str(buf + o, sz - o, "%");
		o += put_str(buf + o, sz - o, scope);
	}
	o += put_str(buf + o, sz - o, v6 ? "]:" : ":");
	o += put_str(buf + o, sz - o, serv);
	return o;
}

/* The common case, a numeric endpoint with no scope, written straight into buf. */
static size_t fmt_endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
			   bool resolve, const char *scope, bool dual, char *buf,
			   size_t sz)
{
	/* "[" address "]:" port NUL */
	if (resolve || scope || dual || sz < INET6_ADDRSTRLEN + 3 + NUMFMT_MAX + 1 ||
	    (peer && port == 0 && addr_is_any(family, addr)))
		return fmt_endpoint_slow(family, addr, port, peer, resolve, scope, dual,
					 buf, sz);
	bool v6 = family == AF_INET6;
	size_t o = 0;
	if (v6)
		buf[o++] = '[';
	o += sock_fmt_addr(family, addr, buf + o, INET6_ADDRSTRLEN);
	if (v6)
		buf[o++] = ']';
	buf[o++] = ':';
	return o + numfmt_u64(port, buf + o, NUMFMT_MAX + 1);
}

size_t sock_fmt_endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
			 bool resolve, char *buf, size_t sz)
{
	return fmt_endpoint(family, addr, port, peer, resolve, NULL, false, buf, sz);
}

/* IPv6 link-local unicast (fe80::/10) and multicast (ff02::/16) addresses mean nothing
 * without their interface: two listeners on fe80::1%lo and fe80::1%eth0 differ. */
static bool needs_scope(uint8_t family, const uint8_t *a)
{
	return family == AF_INET6 && ((a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
				      (a[0] == 0xff && a[1] == 0x02));
}

/*
 * if_indextoname() asks the kernel each time (a socket and an ioctl): a memo of its
 * answers, as for user names. Indexes from another namespace (-N, --all-netns) mean
 * nothing here: those stay numbers, which is valid scope syntax too ("fe80::1%2").
 */
size_t sock_fmt_ifname(uint32_t ifindex, bool numeric, char *buf, size_t sz)
{
	static struct {
		uint32_t ifindex;
		char name[IF_NAMESIZE * 4];
	} memo[16];
	static unsigned next;
	char raw[IF_NAMESIZE];

	if (numeric)
		return put_u64(buf, sz, ifindex);
	for (unsigned i = 0; i < sizeof(memo) / sizeof(memo[0]); i++)
		if (memo[i].ifindex == ifindex && ifindex)
			return put_str(buf, sz, memo[i].name);
	if (!if_indextoname(ifindex, raw))
		return put_u64(buf, sz, ifindex); /* gone meanwhile */
	unsigned slot = next++ % (sizeof(memo) / sizeof(memo[0]));
	memo[slot].ifindex = ifindex;
	escape_name(raw, memo[slot].name, sizeof(memo[slot].name));
	return put_str(buf, sz, memo[slot].name);
}

size_t sock_fmt_sock_endpoint(const struct sock_rec *s, bool peer, bool resolve,
			      bool numeric_scope, char *buf, size_t sz)
{
	const uint8_t *addr = peer ? s->raddr : s->laddr;
	char scope[IF_NAMESIZE * 4];
	bool scoped = s->ifindex && needs_scope(s->family, addr);

	if (scoped)
		sock_fmt_ifname(s->ifindex, numeric_scope, scope, sizeof(scope));
	return fmt_endpoint(s->family, addr, peer ? s->rport : s->lport, peer, resolve,
			    scoped ? scope : NULL,
			    sock_dual_stack(s) && addr_is_any(s->family, addr), buf, sz);
}

static size_t put_u64(char *buf, size_t sz, uint64_t v)
{
	return numfmt_u64(v, buf, sz);
}

static size_t fmt_proto(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_str(buf, sz, s->family == AF_INET6 ? "tcp6" : "tcp");
}

static size_t fmt_recvq(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_u64(buf, sz, s->rqueue);
}

static size_t fmt_sendq(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_u64(buf, sz, s->wqueue);
}

static size_t fmt_local(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return sock_fmt_sock_endpoint(s, false, c->resolve, c->netns != NULL, buf, sz);
}

static size_t fmt_foreign(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			  size_t sz)
{
	return sock_fmt_sock_endpoint(s, true, c->resolve, c->netns != NULL, buf, sz);
}

/* The device the socket is bound to (SO_BINDTODEVICE, or a link-local bind's scope). */
static size_t fmt_iface(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	if (!s->ifindex)
		return put_str(buf, sz, "-");
	return sock_fmt_ifname(s->ifindex, c->netns != NULL, buf, sz);
}

/* yes, no or - (the JSON form maps them to true, false and null) */
static size_t fmt_v6only(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			 size_t sz)
{
	static const char *const words[] = {[SOCK_V6ONLY_UNKNOWN] = "-",
					    [SOCK_V6ONLY_NO] = "no",
					    [SOCK_V6ONLY_YES] = "yes"};

	return put_str(buf, sz, words[s->v6only <= SOCK_V6ONLY_YES ? s->v6only : 0]);
}

static size_t fmt_state(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	if (s->state == TS_UNKNOWN)
		return (size_t)snprintf(buf, sz, "UNKNOWN(%u)", s->kstate);
	return put_str(buf, sz, state_name((enum ts_state)s->state));
}

static size_t fmt_owners(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			 size_t sz)
{
	size_t n, o = 0;
	const struct proc_owner *const *own = procs_lookup(c->procs, s->inode, &n);

	if (!n)
		return put_str(buf, sz, "-");
	/* "pid/comm" joined by commas, without snprintf (a thousand instructions a socket
	 * at 100k sockets); a cell too small for the next owner ends before it */
	for (size_t i = 0; i < n; i++) {
		if (o + 1 + NUMFMT_MAX + 2 > sz) /* ",pid/" and a NUL */
			break;
		if (i)
			buf[o++] = ',';
		o += numfmt_u64((uint64_t)own[i]->pid, buf + o, sz - o);
		buf[o++] = '/';
		o += escape_name(own[i]->comm, buf + o, sz - o);
	}
	buf[o] = '\0';
	return o;
}

static size_t fmt_laddr(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return sock_fmt_addr(s->family, s->laddr, buf, sz);
}

static size_t fmt_lport(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_u64(buf, sz, s->lport);
}

static size_t fmt_raddr(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return sock_fmt_addr(s->family, s->raddr, buf, sz);
}

static size_t fmt_rport(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_u64(buf, sz, s->rport);
}

static size_t fmt_uid(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz)
{
	if (!sock_has_owner(s))
		return put_str(buf, sz, "-"); /* not root's: nobody's */
	return put_u64(buf, sz, s->uid);
}

static size_t fmt_inode(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	return put_u64(buf, sz, s->inode);
}

static size_t fmt_cookie(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			 size_t sz)
{
	return (size_t)snprintf(buf, sz, "%llx", (unsigned long long)s->cookie);
}

/* Labels are made terminal-safe when the namespaces are listed (netns.c). */
static size_t fmt_netns(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz)
{
	const char *label = netns_label(c->netns, s->netns);

	if (label)
		return (size_t)snprintf(buf, sz, "%s", label);
	if (!s->netns)
		return (size_t)snprintf(buf, sz, "-");
	return put_u64(buf, sz, s->netns);
}

/* The formatter of every column, indexed like column_table. */
const colfmt_fn colfmt_cells[COLUMN_N] = {
    [COLUMN_PROTO] = fmt_proto,
    [COLUMN_RECVQ] = fmt_recvq,
    [COLUMN_SENDQ] = fmt_sendq,
    [COLUMN_LOCAL] = fmt_local,
    [COLUMN_FOREIGN] = fmt_foreign,
    [COLUMN_LADDR] = fmt_laddr,
    [COLUMN_LPORT] = fmt_lport,
    [COLUMN_RADDR] = fmt_raddr,
    [COLUMN_RPORT] = fmt_rport,
    [COLUMN_STATE] = fmt_state,
    [COLUMN_OWNERS] = fmt_owners,
    [COLUMN_USER] = colfmt_user,
    [COLUMN_UID] = fmt_uid,
    [COLUMN_INODE] = fmt_inode,
    [COLUMN_COOKIE] = fmt_cookie,
    [COLUMN_IFACE] = fmt_iface,
    [COLUMN_V6ONLY] = fmt_v6only,
    [COLUMN_NETNS] = fmt_netns,
    [COLUMN_TIMER] = colfmt_timer,
    [COLUMN_EXPIRES] = colfmt_expires,
    [COLUMN_RTT] = colfmt_rtt,
    [COLUMN_RTTVAR] = colfmt_rttvar,
    [COLUMN_RTO] = colfmt_rto,
    [COLUMN_CWND] = colfmt_cwnd,
    [COLUMN_SSTHRESH] = colfmt_ssthresh,
    [COLUMN_RETRANS] = colfmt_retrans,
    [COLUMN_BYTES_ACKED] = colfmt_bytes_acked,
    [COLUMN_BYTES_RECEIVED] = colfmt_bytes_received,
    [COLUMN_DELIVERY_RATE] = colfmt_delivery_rate,
    [COLUMN_CC] = colfmt_cc,
    [COLUMN_LAST_SEND] = colfmt_last_send,
    [COLUMN_LAST_RECV] = colfmt_last_recv,
    [COLUMN_RMEM] = colfmt_rmem,
    [COLUMN_RCVBUF] = colfmt_rcvbuf,
    [COLUMN_WMEM] = colfmt_wmem,
    [COLUMN_SNDBUF] = colfmt_sndbuf,
    [COLUMN_DROPS] = colfmt_drops,
    [COLUMN_CGROUP] = colfmt_cgroup,
    [COLUMN_UNIT] = colfmt_unit,
    [COLUMN_CONTAINER] = colfmt_container,
    [COLUMN_CMDLINE] = colfmt_cmdline,
    [COLUMN_MARK] = colfmt_mark,
    [COLUMN_TOS] = colfmt_tos,
};

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_json_number(const char *p, size_t len)
{
	const char *end = p + len;

	if (p < end && *p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return false;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		if (++p == end || *p < '0' || *p > '9')
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p == end;
}

size_t colfmt_json_number(const struct column *col, const struct sock_rec *s,
			  const struct col_ctx *c, char *buf, size_t sz)
{
	size_t n;

	n = colfmt_cell(col, s, c, buf, sz);
	if (n >= sz)
		n = sz ? sz - 1 : 0;
	if (col->type == COL_BOOL && (!strcmp(buf, "yes") || !strcmp(buf, "no")))
		return (size_t)snprintf(buf, sz, "%s", buf[0] == 'y' ? "true" : "false");
	if (col->type != COL_BOOL && is_json_number(buf, n))
		return n;
	return (size_t)snprintf(buf, sz, "null");
}

double colfmt_number(const struct column *col, const struct sock_rec *s,
		     const struct col_ctx *c)
{
	char buf[64];
	size_t n = colfmt_json_number(col, s, c, buf, sizeof(buf));

	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	return strcmp(buf, "null") == 0 ? NAN : strtod(buf, NULL);
}
