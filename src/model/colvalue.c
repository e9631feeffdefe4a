/* colvalue.c - each column's value as a filter compares it: typed, in base units. */
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>

#include "model/columns.h"
#include "model/colvalue.h"

/* The kernel's "no slow start threshold yet" value (include/net/tcp.h). */
#define TCP_INFINITE_SSTHRESH 0x7fffffffu

/* Kernels send longer or shorter tcp_info than our header: a field past info_len was
 * zero-filled, not sent. */
#define HAS_INFO(ext, field)                                                             \
	((ext) && (ext)->info_len >= __builtin_offsetof(struct tcp_info, field) +        \
					 sizeof(((struct tcp_info *)0)->field))

static bool put(char *buf, size_t sz, const char *s)
{
	snprintf(buf, sz, "%s", s);
	return true;
}

static bool v_recvq(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->rqueue;
	return true;
}

static bool v_sendq(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->wqueue;
	return true;
}

static bool v_lport(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->lport;
	return true;
}

static bool v_rport(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->rport;
	return true;
}

static bool v_uid(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->uid;
	/* TIME_WAIT and request sockets have no owner: the kernel reports uid 0. */
	return s->kstate != KTCP_TIME_WAIT && s->kstate != KTCP_NEW_SYN_RECV;
}

static bool v_inode(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->inode;
	return true;
}

/* Milliseconds, held as microseconds like every duration. */
static bool v_expires(const struct sock_rec *s, uint64_t *ret)
{
	*ret = (uint64_t)s->expires * 1000;
	return s->timer != 0;
}

/*
 * A listener's tcp_info is mostly aliased fields and zeros (tcp_get_info returns early),
 * so only cwnd counts as a value there, as in the listing (colfmt_tcp.c).
 */
#define INFO_VALUE(fn, field, listen_ok, expr)                                           \
	static bool fn(const struct sock_rec *s, uint64_t *ret)                          \
	{                                                                                \
		if (!HAS_INFO(s->ext, field) ||                                          \
		    (!(listen_ok) && s->kstate == KTCP_LISTEN))                          \
			return false;                                                    \
		const struct tcp_info *ti = &s->ext->info;                               \
		*ret = (expr);                                                           \
		return true;                                                             \
	}

INFO_VALUE(v_rtt, tcpi_rtt, false, ti->tcpi_rtt)
INFO_VALUE(v_rttvar, tcpi_rttvar, false, ti->tcpi_rttvar)
INFO_VALUE(v_rto, tcpi_rto, false, ti->tcpi_rto)
INFO_VALUE(v_cwnd, tcpi_snd_cwnd, true, ti->tcpi_snd_cwnd)
INFO_VALUE(v_retrans, tcpi_total_retrans, false, ti->tcpi_total_retrans)
INFO_VALUE(v_bytes_acked, tcpi_bytes_acked, false, ti->tcpi_bytes_acked)
INFO_VALUE(v_bytes_received, tcpi_bytes_received, false, ti->tcpi_bytes_received)
INFO_VALUE(v_delivery_rate, tcpi_delivery_rate, false,
	   (uint64_t)ti->tcpi_delivery_rate * 8)
INFO_VALUE(v_last_send, tcpi_last_data_sent, false,
	   (uint64_t)ti->tcpi_last_data_sent * 1000)
INFO_VALUE(v_last_recv, tcpi_last_data_recv, false,
	   (uint64_t)ti->tcpi_last_data_recv * 1000)

static bool v_ssthresh(const struct sock_rec *s, uint64_t *ret)
{
	if (!HAS_INFO(s->ext, tcpi_snd_ssthresh) || s->kstate == KTCP_LISTEN ||
	    s->ext->info.tcpi_snd_ssthresh >= TCP_INFINITE_SSTHRESH)
		return false;
	*ret = s->ext->info.tcpi_snd_ssthresh;
	return true;
}

#define SKMEM_VALUE(fn, idx)                                                             \
	static bool fn(const struct sock_rec *s, uint64_t *ret)                          \
	{                                                                                \
		if (!s->ext || !s->ext->have_skmem)                                      \
			return false;                                                    \
		*ret = s->ext->skmem[idx];                                               \
		return true;                                                             \
	}

SKMEM_VALUE(v_rmem, SK_MEMINFO_RMEM_ALLOC)
SKMEM_VALUE(v_rcvbuf, SK_MEMINFO_RCVBUF)
SKMEM_VALUE(v_wmem, SK_MEMINFO_WMEM_QUEUED)
SKMEM_VALUE(v_sndbuf, SK_MEMINFO_SNDBUF)
SKMEM_VALUE(v_drops, SK_MEMINFO_DROPS)

static bool v_mark(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->mark;
	return (s->have & SOCK_HAVE_MARK) != 0; /* sent only to CAP_NET_ADMIN */
}

static bool v_tos(const struct sock_rec *s, uint64_t *ret)
{
	*ret = s->tos;
	return (s->have & SOCK_HAVE_TOS) != 0;
}

static bool t_proto(const struct sock_rec *s, char *buf, size_t sz)
{
	return put(buf, sz, s->family == AF_INET6 ? "tcp6" : "tcp");
}

/* "1.2.3.4:80", "[::1]:631", "0.0.0.0:*", numeric, as the listing shows them. */
static bool endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
		     char *buf, size_t sz)
{
	static const uint8_t zero[16];
	char host[64];
	bool any = memcmp(addr, zero, family == AF_INET6 ? 16 : 4) == 0;

	sock_fmt_addr(family, addr, host, sizeof(host));
	if (peer && port == 0 && any)
		snprintf(buf, sz, family == AF_INET6 ? "[%s]:*" : "%s:*", host);
	else
		snprintf(buf, sz, family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return true;
}

static bool t_local(const struct sock_rec *s, char *buf, size_t sz)
{
	return endpoint(s->family, s->laddr, s->lport, false, buf, sz);
}

static bool t_foreign(const struct sock_rec *s, char *buf, size_t sz)
{
	return endpoint(s->family, s->raddr, s->rport, true, buf, sz);
}

static bool t_laddr(const struct sock_rec *s, char *buf, size_t sz)
{
	sock_fmt_addr(s->family, s->laddr, buf, sz);
	return true;
}

static bool t_raddr(const struct sock_rec *s, char *buf, size_t sz)
{
	sock_fmt_addr(s->family, s->raddr, buf, sz);
	return true;
}

static bool t_state(const struct sock_rec *s, char *buf, size_t sz)
{
	if (s->state >= TS_NSTATES)
		return false;
	return put(buf, sz, state_name((enum ts_state)s->state));
}

/* The last answer is kept: sockets of one user come in runs, and NSS is slow. */
static bool t_user(const struct sock_rec *s, char *buf, size_t sz)
{
	static uint32_t last_uid = UINT32_MAX;
	static char last_name[64];
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	if (s->kstate == KTCP_TIME_WAIT || s->kstate == KTCP_NEW_SYN_RECV)
		return false;
	if (s->uid != last_uid) {
		if (getpwuid_r((uid_t)s->uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 &&
		    res)
			snprintf(last_name, sizeof(last_name), "%s", res->pw_name);
		else
			snprintf(last_name, sizeof(last_name), "%u", s->uid);
		last_uid = s->uid;
	}
	return put(buf, sz, last_name);
}

static bool t_cookie(const struct sock_rec *s, char *buf, size_t sz)
{
	snprintf(buf, sz, "%llx", (unsigned long long)s->cookie);
	return true;
}

static bool t_netns(const struct sock_rec *s, char *buf, size_t sz)
{
	snprintf(buf, sz, "%llu", (unsigned long long)s->netns);
	return s->netns != 0;
}

/* The device a socket is bound to, by name as this namespace knows it; none: no value. */
static bool t_iface(const struct sock_rec *s, char *buf, size_t sz)
{
	char name[IF_NAMESIZE];

	if (!s->ifindex)
		return false;
	if (if_indextoname(s->ifindex, name))
		return put(buf, sz, name);
	snprintf(buf, sz, "%u", s->ifindex);
	return true;
}

/* "yes" or "no" for an IPv6 listener; no value where the kernel did not say. */
static bool t_v6only(const struct sock_rec *s, char *buf, size_t sz)
{
	if (s->v6only == SOCK_V6ONLY_NO)
		return put(buf, sz, "no");
	if (s->v6only == SOCK_V6ONLY_YES)
		return put(buf, sz, "yes");
	return false;
}

/* The timer's name alone, so "timer == keepalive" needs no glob. */
static bool t_timer(const struct sock_rec *s, char *buf, size_t sz)
{
	static const char *const names[] = {"off", "retrans", "keepalive", "timewait",
					    "probe"};

	if (s->timer < sizeof(names) / sizeof(names[0]))
		return put(buf, sz, names[s->timer]);
	snprintf(buf, sz, "timer%u", s->timer);
	return true;
}

static bool t_cc(const struct sock_rec *s, char *buf, size_t sz)
{
	if (!s->ext || !s->ext->cong[0])
		return false;
	return put(buf, sz, s->ext->cong);
}

#define NUM(n, u, fn)                                                                    \
	{                                                                                \
		.name = n, .unit = u, .num = fn                                          \
	}
#define TXT(n, fn)                                                                       \
	{                                                                                \
		.name = n, .unit = CU_TEXT, .text = fn                                   \
	}

const struct col_value colvalue_table[] = {
    TXT("proto", t_proto),
    NUM("recvq", CU_BYTES, v_recvq),
    NUM("sendq", CU_BYTES, v_sendq),
    TXT("local", t_local),
    TXT("foreign", t_foreign),
    TXT("laddr", t_laddr),
    NUM("lport", CU_COUNT, v_lport),
    TXT("raddr", t_raddr),
    NUM("rport", CU_COUNT, v_rport),
    {.name = "state", .unit = CU_TEXT, .fold = true, .text = t_state},
    TXT("user", t_user),
    NUM("uid", CU_COUNT, v_uid),
    NUM("inode", CU_COUNT, v_inode),
    TXT("cookie", t_cookie),
    TXT("netns", t_netns),
    TXT("iface", t_iface),
    TXT("v6only", t_v6only),
    TXT("timer", t_timer),
    NUM("expires", CU_DURATION, v_expires),
    NUM("rtt", CU_DURATION, v_rtt),
    NUM("rttvar", CU_DURATION, v_rttvar),
    NUM("rto", CU_DURATION, v_rto),
    NUM("cwnd", CU_COUNT, v_cwnd),
    NUM("ssthresh", CU_COUNT, v_ssthresh),
    NUM("retrans", CU_COUNT, v_retrans),
    NUM("bytes_acked", CU_BYTES, v_bytes_acked),
    NUM("bytes_received", CU_BYTES, v_bytes_received),
    NUM("delivery_rate", CU_RATE, v_delivery_rate),
    TXT("cc", t_cc),
    NUM("last_send", CU_DURATION, v_last_send),
    NUM("last_recv", CU_DURATION, v_last_recv),
    NUM("rmem", CU_BYTES, v_rmem),
    NUM("rcvbuf", CU_BYTES, v_rcvbuf),
    NUM("wmem", CU_BYTES, v_wmem),
    NUM("sndbuf", CU_BYTES, v_sndbuf),
    NUM("drops", CU_COUNT, v_drops),
    NUM("mark", CU_COUNT, v_mark),
    NUM("tos", CU_COUNT, v_tos),
    {.name = NULL},
};

const struct col_value *colvalue_find(const char *name)
{
	for (int i = 0; colvalue_table[i].name; i++)
		if (strcmp(colvalue_table[i].name, name) == 0)
			return &colvalue_table[i];
	return NULL;
}

#define KI 1024ull
#define SI 1000ull

/* Sizes: k and K alike, as people type them; "kb" and "mb" are refused (bits?). */
static const struct col_suffix bytes_suffixes[] = {
    {"", 1},
    {"B", 1},
    {"k", KI},
    {"K", KI},
    {"KB", KI},
    {"KiB", KI},
    {"M", KI *KI},
    {"MB", KI *KI},
    {"MiB", KI *KI},
    {"G", KI *KI *KI},
    {"GB", KI *KI *KI},
    {"GiB", KI *KI *KI},
    {"T", KI *KI *KI *KI},
    {"TB", KI *KI *KI *KI},
    {"TiB", KI *KI *KI *KI},
    {NULL, 0},
};

static const struct col_suffix duration_suffixes[] = {
    {"", SI}, /* a plain number is in milliseconds, as the columns show them */
    {"us", 1},
    {"ms", SI},
    {"s", SI *SI},
    {"m", 60 * SI *SI},
    {"min", 60 * SI *SI},
    {"h", 3600 * SI *SI},
    {"d", 86400 * SI *SI},
    {NULL, 0},
};

static const struct col_suffix rate_suffixes[] = {
    {"", 1},	  {"k", SI},	    {"M", SI *SI},	  {"G", SI *SI *SI},
    {"kbit", SI}, {"Mbit", SI *SI}, {"Gbit", SI *SI *SI}, {NULL, 0},
};

static const struct col_suffix plain_suffixes[] = {
    {"", 1},
    {NULL, 0},
};

static const struct {
	const char *name;
	const struct col_suffix *suffixes;
	const char *hint;
	const char *example;
} units[CU_NUNITS] = {
    [CU_TEXT] = {"text", plain_suffixes, "a plain word", "bbr"},
    [CU_COUNT] = {"count", plain_suffixes, "a plain whole number", "3"},
    [CU_BYTES] = {"size", bytes_suffixes, "try k, M, G", "64k"},
    [CU_DURATION] = {"duration", duration_suffixes, "try ms, s, m, h", "100ms"},
    [CU_RATE] = {"rate", rate_suffixes, "bit/s; try k, M, G", "10M"},
};

const char *colvalue_unit_of(const char *column)
{
	const struct col_value *v = colvalue_find(column);

	return v ? colvalue_unit_name(v->unit) : NULL;
}

const char *colvalue_example(enum col_unit u)
{
	return (unsigned)u < CU_NUNITS ? units[u].example : "";
}

const char *colvalue_unit_name(enum col_unit u)
{
	return (unsigned)u < CU_NUNITS ? units[u].name : "text";
}

const struct col_suffix *colvalue_suffixes(enum col_unit u)
{
	return (unsigned)u < CU_NUNITS ? units[u].suffixes : plain_suffixes;
}

const char *colvalue_suffix_hint(enum col_unit u)
{
	return (unsigned)u < CU_NUNITS ? units[u].hint : "";
}
