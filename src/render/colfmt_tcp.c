/* colfmt_tcp.c - cells of the -e/-o/-i/-m columns: user, timers, tcp_info, skmem. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <linux/sock_diag.h>

#include "base/escape.h"
#include "base/numfmt.h"
#include "render/colfmt_tcp.h"

/* The kernel's "no slow start threshold yet" value (include/net/tcp.h). */
#define TCP_INFINITE_SSTHRESH 0x7fffffffu

static size_t put_text(char *buf, size_t sz, const char *s)
{
	return numfmt_str(s, buf, sz);
}

static size_t put_u64(char *buf, size_t sz, uint64_t v)
{
	return numfmt_u64(v, buf, sz);
}

static size_t absent(char *buf, size_t sz)
{
	return put_text(buf, sz, "-");
}

size_t colfmt_duration(uint32_t ms, char *buf, size_t sz)
{
	char tmp[32];
	size_t n;

	if (ms < 1000) {
		n = numfmt_u64(ms, tmp, sizeof(tmp));
		memcpy(tmp + n, "ms", 3);
	} else if (ms < 100000) { /* tenths: enough to watch a countdown move */
		n = numfmt_fixed(ms / 100, 1, false, tmp, sizeof(tmp));
		memcpy(tmp + n, "s", 2);
	} else if (ms < 10000000) {
		n = numfmt_u64(ms / 1000, tmp, sizeof(tmp));
		memcpy(tmp + n, "s", 2);
	} else {
		unsigned m = ms / 60000 % 60;
		n = numfmt_u64(ms / 3600000, tmp, sizeof(tmp));
		tmp[n++] = 'h';
		tmp[n++] = (char)('0' + m / 10);
		tmp[n++] = (char)('0' + m % 10);
		memcpy(tmp + n, "m", 2);
	}
	return put_text(buf, sz, tmp);
}

/* idiag_timer values (net/ipv4/inet_diag.c), and whether idiag_retrans means anything. */
static const struct {
	const char *name;
	int has_count;
} timer_names[] = {
    [0] = {"off", 0},
    [1] = {"retrans", 1},   /* retransmit, loss probe or reordering timer */
    [2] = {"keepalive", 1}, /* sk_timer: keepalive, or FIN_WAIT_2 of an orphan */
    [3] = {"timewait", 0},  /* the 2MSL countdown of a TIME_WAIT socket */
    [4] = {"probe", 1},	    /* zero-window probe */
};

size_t colfmt_timer_text(uint8_t timer, uint32_t expires_ms, uint8_t count, char *buf,
			 size_t sz)
{
	char tmp[96];
	size_t n;
	bool with_count = true;

	if (timer == 0)
		return put_text(buf, sz, "off");
	if (timer < sizeof(timer_names) / sizeof(timer_names[0])) {
		n = numfmt_str(timer_names[timer].name, tmp, sizeof(tmp));
		with_count = timer_names[timer].has_count;
	} else {
		n = numfmt_str("timer", tmp, sizeof(tmp));
		n += numfmt_u64(timer, tmp + n, sizeof(tmp) - n);
	}
	tmp[n++] = ' ';
	tmp[n++] = '(';
	n += colfmt_duration(expires_ms, tmp + n, 32);
	if (with_count) {
		tmp[n++] = '/';
		n += numfmt_u64(count, tmp + n, sizeof(tmp) - n);
	}
	tmp[n++] = ')';
	tmp[n] = '\0';
	return put_text(buf, sz, tmp);
}

size_t colfmt_usec_as_ms(uint64_t usec, char *buf, size_t sz)
{
	return numfmt_fixed(usec, 3, true, buf, sz);
}

/*
 * getpwuid() rereads /etc/passwd (or asks NSS) on every call, which 100k rows formatted
 * twice cannot afford. This is a memo of its answers, not state any stage depends on.
 */
#define USER_MEMO 64

static const char *user_name(uint32_t uid)
{
	static struct {
		uint32_t uid;
		int used;
		char name[64];
	} memo[USER_MEMO];
	static unsigned next;
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	for (unsigned i = 0; i < USER_MEMO; i++)
		if (memo[i].used && memo[i].uid == uid)
			return memo[i].name;
	unsigned slot = next++ % USER_MEMO;
	memo[slot].uid = uid;
	memo[slot].used = 1;
	if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
		escape_name(res->pw_name, memo[slot].name, sizeof(memo[slot].name));
	else
		numfmt_u64(uid, memo[slot].name, sizeof(memo[slot].name));
	return memo[slot].name;
}

size_t colfmt_user(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz)
{
	/* TIME_WAIT and request sockets have no owner: the kernel reports uid 0 for them.
	 */
	if (s->kstate == KTCP_TIME_WAIT || s->kstate == KTCP_NEW_SYN_RECV)
		return absent(buf, sz);
	return put_text(buf, sz, user_name(s->uid));
}

size_t colfmt_timer(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		    size_t sz)
{
	return colfmt_timer_text(s->timer, s->expires, s->retrans, buf, sz);
}

size_t colfmt_expires(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz)
{
	return s->timer ? put_u64(buf, sz, s->expires) : absent(buf, sz);
}

/*
 * For a listener the kernel fills little of tcp_info (tcp_get_info returns early with the
 * accept queue in aliased fields): its rtt, rto, byte counts... are zeros that mean
 * nothing, so only the columns made with listen_ok (cwnd) show them.
 */
#define INFO_FMT_IF(fn, field, listen_ok, expr)                                          \
	size_t fn(const struct sock_rec *s, const struct col_ctx *c, char *buf,          \
		  size_t sz)                                                             \
	{                                                                                \
		if (!COLFMT_HAS_INFO(s->ext, field) ||                                   \
		    (!(listen_ok) && s->kstate == KTCP_LISTEN))                          \
			return absent(buf, sz);                                          \
		const struct tcp_info *ti = &s->ext->info;                               \
		return expr;                                                             \
	}
#define INFO_FMT(fn, field, expr) INFO_FMT_IF(fn, field, false, expr)

INFO_FMT(colfmt_rtt, tcpi_rtt, colfmt_usec_as_ms(ti->tcpi_rtt, buf, sz))
INFO_FMT(colfmt_rttvar, tcpi_rttvar, colfmt_usec_as_ms(ti->tcpi_rttvar, buf, sz))
INFO_FMT(colfmt_rto, tcpi_rto, colfmt_usec_as_ms(ti->tcpi_rto, buf, sz))
INFO_FMT_IF(colfmt_cwnd, tcpi_snd_cwnd, true, put_u64(buf, sz, ti->tcpi_snd_cwnd))
INFO_FMT(colfmt_ssthresh, tcpi_snd_ssthresh,
	 ti->tcpi_snd_ssthresh >= TCP_INFINITE_SSTHRESH
	     ? absent(buf, sz)
	     : put_u64(buf, sz, ti->tcpi_snd_ssthresh))
INFO_FMT(colfmt_retrans, tcpi_total_retrans, put_u64(buf, sz, ti->tcpi_total_retrans))
INFO_FMT(colfmt_bytes_acked, tcpi_bytes_acked, put_u64(buf, sz, ti->tcpi_bytes_acked))
INFO_FMT(colfmt_bytes_received, tcpi_bytes_received,
	 put_u64(buf, sz, ti->tcpi_bytes_received))
/* The kernel reports bytes per second; rates are read in bits per second. */
INFO_FMT(colfmt_delivery_rate, tcpi_delivery_rate,
	 put_u64(buf, sz, (uint64_t)ti->tcpi_delivery_rate * 8))
INFO_FMT(colfmt_last_send, tcpi_last_data_sent, put_u64(buf, sz, ti->tcpi_last_data_sent))
INFO_FMT(colfmt_last_recv, tcpi_last_data_recv, put_u64(buf, sz, ti->tcpi_last_data_recv))

size_t colfmt_cc(const struct sock_rec *s, const struct col_ctx *c, char *buf, size_t sz)
{
	char esc[sizeof(s->ext->cong) * 4];

	if (!s->ext || !s->ext->cong[0])
		return absent(buf, sz);
	escape_name(s->ext->cong, esc, sizeof(esc));
	return put_text(buf, sz, esc);
}

static size_t skmem(const struct sock_rec *s, int idx, char *buf, size_t sz)
{
	if (!s->ext || !s->ext->have_skmem)
		return absent(buf, sz);
	return put_u64(buf, sz, s->ext->skmem[idx]);
}

size_t colfmt_rmem(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz)
{
	return skmem(s, SK_MEMINFO_RMEM_ALLOC, buf, sz);
}

size_t colfmt_rcvbuf(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz)
{
	return skmem(s, SK_MEMINFO_RCVBUF, buf, sz);
}

size_t colfmt_wmem(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz)
{
	return skmem(s, SK_MEMINFO_WMEM_QUEUED, buf, sz);
}

size_t colfmt_sndbuf(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz)
{
	return skmem(s, SK_MEMINFO_SNDBUF, buf, sz);
}

size_t colfmt_drops(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		    size_t sz)
{
	return skmem(s, SK_MEMINFO_DROPS, buf, sz);
}
