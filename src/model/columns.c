/* columns.c - the column table that drives the header, --columns, --list-columns and JSON
 * keys. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "base/escape.h"
#include "cli/cli.h"
#include "model/columns.h"
#include "query/netns.h"
#include "query/procs.h"
#include "render/colfmt_tcp.h"

/* inet_ntop is measurably slow on 100k rows; IPv4 is the common case. */
static size_t fmt_ipv4(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + (v / 10) % 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t sock_fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t sz)
{
	if (sz < INET6_ADDRSTRLEN)
		return 0;
	if (family == AF_INET)
		return fmt_ipv4(addr, buf);
	if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)sz))
		buf[0] = '\0';
	return strlen(buf);
}

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

static size_t put_u64(char *buf, size_t sz, uint64_t v);

/* Copy a string, truncated to fit and NUL-terminated (sz > 0). Returns the length copied.
 */
static size_t put_str(char *buf, size_t sz, const char *str)
{
	size_t n = strlen(str);

	if (!sz)
		return 0;
	if (n >= sz)
		n = sz - 1;
	memcpy(buf, str, n);
	buf[n] = '\0';
	return n;
}

/* The endpoint, with an interface scope inside the brackets ("[fe80::1%lo]:22") when
 * scope is not NULL, or "*" for the host of a dual-stack socket on the any address. */
static size_t fmt_endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
			   bool resolve, const char *scope, bool dual, char *buf,
			   size_t sz)
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
		/* fast path: no snprintf for the number */
		char tmp[8], *p = tmp + sizeof(tmp);
		unsigned v = port;
		*--p = '\0';
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		memcpy(serv, p, (size_t)(tmp + sizeof(tmp) - p));
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

	if (s->ifindex && needs_scope(s->family, addr))
		sock_fmt_ifname(s->ifindex, numeric_scope, scope, sizeof(scope));
	return fmt_endpoint(s->family, addr, peer ? s->rport : s->lport, peer, resolve,
			    s->ifindex && needs_scope(s->family, addr) ? scope : NULL,
			    sock_dual_stack(s) && addr_is_any(s->family, addr), buf, sz);
}

static size_t put_u64(char *buf, size_t sz, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return put_str(buf, sz, p);
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

static size_t fmt_v6only(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			 size_t sz)
{
	static const char *const words[] = {[SOCK_V6ONLY_UNKNOWN] = "-",
					    [SOCK_V6ONLY_NO] = "no",
					    [SOCK_V6ONLY_YES] = "yes"};

	return put_str(buf, sz, words[s->v6only <= SOCK_V6ONLY_YES ? s->v6only : 0]);
}

static size_t json_v6only(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			  size_t sz)
{
	static const char *const words[] = {[SOCK_V6ONLY_UNKNOWN] = "null",
					    [SOCK_V6ONLY_NO] = "false",
					    [SOCK_V6ONLY_YES] = "true"};

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
	char esc[PROCS_COMM_MAX * 4];

	if (!n)
		return (size_t)snprintf(buf, sz, "-");
	for (size_t i = 0; i < n && o + 1 < sz; i++) {
		escape_name(own[i]->comm, esc, sizeof(esc));
		int w = snprintf(buf + o, sz - o, "%s%d/%s", i ? "," : "",
				 (int)own[i]->pid, esc);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return o < sz ? o : sz - 1;
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
		return (size_t)snprintf(buf, sz, "-"); /* not root's: nobody's */
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

const struct column column_table[] = {
    {"proto", "Proto", false, COL_STRING, 0, "tcp or tcp6", fmt_proto},
    {"recvq", "Recv-Q", true, COL_NUMBER, 0,
     "bytes not yet read by the application (LISTEN: connections waiting in accept)",
     fmt_recvq},
    {"sendq", "Send-Q", true, COL_NUMBER, 0,
     "bytes not yet acknowledged by the peer (LISTEN: the backlog)", fmt_sendq},
    {"local", "Local Address", false, COL_STRING, 0, "local address:port", fmt_local},
    {"foreign", "Foreign Address", false, COL_STRING, 0, "peer address:port",
     fmt_foreign},
    {"laddr", "Local IP", false, COL_STRING, 0, "local address, numeric", fmt_laddr},
    {"lport", "Port", true, COL_NUMBER, 0, "local port", fmt_lport},
    {"raddr", "Peer IP", false, COL_STRING, 0, "peer address, numeric", fmt_raddr},
    {"rport", "Port", true, COL_NUMBER, 0, "peer port (0 when unconnected)", fmt_rport},
    {"state", "State", false, COL_STRING, 0, "TCP state", fmt_state},
    {"owners", "PID/Program name", false, COL_OWNERS, COL_NEED_PROCS,
     "every process holding the socket, pid/name", fmt_owners},
    {"user", "User", false, COL_STRING, 0,
     "owning user name (- for TIME_WAIT and requests)", colfmt_user},
    {"uid", "UID", true, COL_NUMBER, 0, "owning user id (- for TIME_WAIT and requests)",
     fmt_uid},
    {"inode", "Inode", true, COL_NUMBER, 0, "socket inode (0: no file, e.g. TIME_WAIT)",
     fmt_inode},
    {"cookie", "Cookie", false, COL_STRING, 0, "kernel socket cookie (hex)", fmt_cookie},
    {"iface", "Interface", false, COL_STRING, 0,
     "the device the socket is bound to (- when none), the scope of a link-local address",
     fmt_iface},
    {"v6only", "V6only", false, COL_BOOL, 0,
     "IPv6 only (yes) or dual-stack, IPv4 too (no); - for IPv4 and sockets the kernel "
     "does not say for",
     fmt_v6only, json_v6only},
    {"netns", "Netns", false, COL_STRING, 0,
     "network namespace: its name in /run/netns, else inode(container or PID/comm)",
     fmt_netns},
    /* -o: timers (inet_diag_msg) */
    {"timer", "Timer", false, COL_STRING, 0,
     "running timer, time left and retransmit or probe count", colfmt_timer},
    {"expires", "Expires", true, COL_NUMBER, 0, "ms until the running timer fires",
     colfmt_expires},
    /* -i: tcp_info, parsed by length; - when the kernel sent none (TIME_WAIT, requests)
     */
    {"rtt", "RTT", true, COL_NUMBER, COL_NEED_INFO, "smoothed round-trip time, ms",
     colfmt_rtt},
    {"rttvar", "RTTvar", true, COL_NUMBER, COL_NEED_INFO, "round-trip time variance, ms",
     colfmt_rttvar},
    {"rto", "RTO", true, COL_NUMBER, COL_NEED_INFO, "retransmission timeout, ms",
     colfmt_rto},
    {"cwnd", "Cwnd", true, COL_NUMBER, COL_NEED_INFO, "congestion window, segments",
     colfmt_cwnd},
    {"ssthresh", "Ssthresh", true, COL_NUMBER, COL_NEED_INFO,
     "slow start threshold, segments (- while unset)", colfmt_ssthresh},
    {"retrans", "Retrans", true, COL_NUMBER, COL_NEED_INFO,
     "segments retransmitted over the connection's life", colfmt_retrans},
    {"bytes_acked", "Acked", true, COL_NUMBER, COL_NEED_INFO,
     "bytes sent and acknowledged by the peer", colfmt_bytes_acked},
    {"bytes_received", "Received", true, COL_NUMBER, COL_NEED_INFO, "bytes received",
     colfmt_bytes_received},
    {"delivery_rate", "Rate", true, COL_NUMBER, COL_NEED_INFO,
     "recent delivery rate, bit/s", colfmt_delivery_rate},
    {"cc", "CC", false, COL_STRING, COL_NEED_INFO, "congestion control algorithm",
     colfmt_cc},
    {"last_send", "LastSnd", true, COL_NUMBER, COL_NEED_INFO,
     "ms since data was last sent", colfmt_last_send},
    {"last_recv", "LastRcv", true, COL_NUMBER, COL_NEED_INFO,
     "ms since data was last received", colfmt_last_recv},
    /* -m: INET_DIAG_SKMEMINFO */
    {"rmem", "Rmem", true, COL_NUMBER, COL_NEED_MEM,
     "receive buffer memory in use, bytes", colfmt_rmem},
    {"rcvbuf", "Rcvbuf", true, COL_NUMBER, COL_NEED_MEM, "receive buffer size, bytes",
     colfmt_rcvbuf},
    {"wmem", "Wmem", true, COL_NUMBER, COL_NEED_MEM,
     "send buffer memory in use (queued), bytes", colfmt_wmem},
    {"sndbuf", "Sndbuf", true, COL_NUMBER, COL_NEED_MEM, "send buffer size, bytes",
     colfmt_sndbuf},
    {"drops", "Drops", true, COL_NUMBER, COL_NEED_MEM,
     "packets dropped before reaching the socket", colfmt_drops},
    {NULL, NULL, false, COL_STRING, 0, NULL, NULL},
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

size_t column_json_number(const struct column *col, const struct sock_rec *s,
			  const struct col_ctx *c, char *buf, size_t sz)
{
	size_t n;

	if (col->json)
		return col->json(s, c, buf, sz);
	n = col->fmt(s, c, buf, sz);
	if (n >= sz)
		n = sz ? sz - 1 : 0;
	if (is_json_number(buf, n))
		return n;
	return (size_t)snprintf(buf, sz, "null");
}

const char *column_type_name(enum col_type t)
{
	static const char *const names[] = {[COL_STRING] = "string",
					    [COL_NUMBER] = "number",
					    [COL_OWNERS] = "owners",
					    [COL_BOOL] = "boolean"};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "string";
}

const struct column *column_find(const char *name)
{
	for (int i = 0; column_table[i].name; i++)
		if (strcmp(column_table[i].name, name) == 0)
			return &column_table[i];
	return NULL;
}

static int list_add(struct column_list *l, const char *name)
{
	const struct column *c = column_find(name);

	if (!c)
		return -EINVAL;
	for (int i = 0; i < l->n; i++)
		if (l->v[i] == c)
			return 0;
	if (l->n >= COLUMNS_MAX)
		return -E2BIG;
	l->v[l->n++] = c;
	return 0;
}

/* The columns the -e/-o/-i/-m flags add to the defaults, in display order. */
static const struct {
	size_t flag; /* offset of the int flag in struct opts */
	const char *cols[16];
} groups[] = {
    {offsetof(struct opts, extended), {"user", "uid", "inode", "cookie", NULL}},
    {offsetof(struct opts, timers), {"timer", NULL}},
    {offsetof(struct opts, info),
     {"rtt", "rttvar", "rto", "cwnd", "ssthresh", "retrans", "bytes_acked",
      "bytes_received", "delivery_rate", "cc", "last_send", "last_recv", NULL}},
    {offsetof(struct opts, memory), {"rmem", "rcvbuf", "wmem", "sndbuf", "drops", NULL}},
};

int column_list_build(const struct opts *o, bool multi_netns, struct column_list *ret,
		      const char **ret_bad)
{
	static char bad[64];
	static const char *const defaults[] = {"proto",	  "recvq", "sendq", "local",
					       "foreign", "state", NULL};
	const char *spec = o ? o->columns : NULL;
	bool replace = spec && spec[0] != '+';

	ret->n = 0;
	if (!replace) {
		for (int i = 0; defaults[i]; i++)
			list_add(ret, defaults[i]);
		if (o && o->processes)
			list_add(ret, "owners");
		for (size_t g = 0; o && g < sizeof(groups) / sizeof(groups[0]); g++) {
			if (!*(const int *)((const char *)o + groups[g].flag))
				continue;
			for (int i = 0; groups[g].cols[i]; i++)
				list_add(ret, groups[g].cols[i]);
		}
		if (multi_netns)
			list_add(ret, "netns");
	}
	if (spec) {
		char *copy = strdup(spec[0] == '+' ? spec + 1 : spec), *save = NULL;
		if (!copy)
			return -ENOMEM;
		int count = 0, first = ret->n;
		for (char *t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			const struct column *c = column_find(t);
			int err = 0;
			for (int i = first; c && i < ret->n; i++)
				if (ret->v[i] == c)
					err = -EEXIST; /* "--columns pid,pid" */
			if (err == 0)
				err = list_add(ret, t);
			if (err < 0) {
				snprintf(bad, sizeof(bad), "%s", t);
				*ret_bad = bad;
				free(copy);
				return err;
			}
			count++;
		}
		free(copy);
		if (!count) {
			snprintf(bad, sizeof(bad), "%s", spec);
			*ret_bad = bad;
			return -EINVAL;
		}
	}
	return 0;
}

unsigned column_list_needs(const struct column_list *l)
{
	unsigned needs = 0;

	for (int i = 0; i < l->n; i++)
		needs |= l->v[i]->needs;
	return needs;
}
