/* test_replay_files.c - the parser on crafted buffers and on the recorded dumps in
 * tests/data. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "check.h"
#include "query/diag.h"
#include "query/nlsock.h"

#ifndef NLM_F_DUMP_INTR
#define NLM_F_DUMP_INTR 0x10
#endif

/* What the callback saw. */
struct seen {
	int socks;    /* since the last restart */
	int restarts; /* fn(NULL) calls */
	uint16_t last_lport;
	uint32_t info_len;
	uint32_t rtt;
	char cong[16];
};

static int count_cb(const struct sock_rec *s, void *data)
{
	struct seen *seen = data;

	if (!s) {
		seen->socks = 0;
		seen->restarts++;
		return 0;
	}
	seen->socks++;
	seen->last_lport = s->lport;
	if (s->ext) {
		seen->info_len = s->ext->info_len;
		seen->rtt = s->ext->info.tcpi_rtt;
		memcpy(seen->cong, s->ext->cong, sizeof(seen->cong));
	}
	return 0;
}

static int refuse_cb(const struct sock_rec *s, void *data)
{
	(*(int *)data)++;
	return -ENOSPC;
}

/* A buffer being built: messages appended one after another, 4-byte aligned. */
struct msgbuf {
	unsigned char b[8192] __attribute__((aligned(8)));
	size_t len;
};

static struct nlmsghdr *put_msg(struct msgbuf *m, uint16_t type, uint16_t flags,
				const void *payload, size_t plen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->b + m->len);

	memset(nlh, 0, NLMSG_ALIGN(sizeof(*nlh) + plen));
	nlh->nlmsg_len = (uint32_t)(sizeof(*nlh) + plen);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	if (plen)
		memcpy(nlh + 1, payload, plen);
	m->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

static void make_diag_msg(struct inet_diag_msg *d, uint8_t family, uint16_t lport)
{
	memset(d, 0, sizeof(*d));
	d->idiag_family = family;
	d->idiag_state = 1; /* ESTABLISHED */
	d->id.idiag_sport = htons(lport);
	d->id.idiag_dport = htons(80);
	d->id.idiag_src[0] = htonl(0x7f000001);
	d->id.idiag_dst[0] = htonl(0x7f000001);
	d->idiag_inode = 1000 + lport;
}

static struct nlmsghdr *put_sock(struct msgbuf *m, uint8_t family, uint16_t lport)
{
	struct inet_diag_msg d;

	make_diag_msg(&d, family, lport);
	return put_msg(m, TCPDIAG_GETSOCK, NLM_F_MULTI, &d, sizeof(d));
}

static void put_done(struct msgbuf *m, int err)
{
	put_msg(m, NLMSG_DONE, NLM_F_MULTI, &err, sizeof(err));
}

static void put_error(struct msgbuf *m, int err)
{
	struct nlmsgerr e = {.error = err};

	put_msg(m, NLMSG_ERROR, 0, &e, sizeof(e));
}

/*
 * Parse exactly len bytes from a heap copy of that size, so AddressSanitizer catches any
 * read past the end (the stack buffer would hide it).
 */
static int parse(const struct msgbuf *m, size_t len, struct seen *seen)
{
	unsigned char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, m->b, len);
	memset(seen, 0, sizeof(*seen));
	ret = diag_parse_buffer(copy, len, 0, 0, count_cb, seen, NULL);
	free(copy);
	return ret;
}

static void test_valid(void)
{
	struct msgbuf m = {.len = 0};
	struct seen seen;

	put_sock(&m, AF_INET, 1);
	put_sock(&m, AF_INET6, 2);
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1, "a valid dump with NLMSG_DONE returns 1");
	CHECK(seen.socks == 2, "two sockets, got %d", seen.socks);

	m.len = 0;
	put_sock(&m, AF_INET, 1);
	CHECK(parse(&m, m.len, &seen) == 0,
	      "a buffer without NLMSG_DONE returns 0 (more)");
	CHECK(seen.socks == 1, "one socket, got %d", seen.socks);

	/* An attribute type we do not know (a newer kernel) is skipped. */
	struct {
		struct inet_diag_msg d;
		struct nlattr a;
		uint32_t v;
	} u;
	make_diag_msg(&u.d, AF_INET, 3);
	u.a.nla_len = sizeof(u.a) + sizeof(u.v);
	u.a.nla_type = 200;
	u.v = 7;
	m.len = 0;
	put_msg(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, &u, sizeof(u));
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1 && seen.socks == 1,
	      "an unknown attribute type is ignored");
}

static void test_tcp_info_lengths(void)
{
	struct msgbuf m = {.len = 0};
	struct seen seen;
	struct {
		struct inet_diag_msg d;
		struct nlattr a;
		unsigned char info[sizeof(struct tcp_info) + 64];
	} u;

	/* Longer than our struct tcp_info (a newer kernel): copied up to our size. */
	memset(&u, 0, sizeof(u));
	make_diag_msg(&u.d, AF_INET, 4);
	u.a.nla_type = INET_DIAG_INFO;
	u.a.nla_len = sizeof(u.a) + sizeof(u.info);
	struct tcp_info ti = {.tcpi_rtt = 1234};
	memcpy(u.info, &ti, sizeof(ti));
	memset(u.info + sizeof(ti), 0xee, 64);
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u));
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1, "long tcp_info parses");
	CHECK(seen.info_len == sizeof(u.info) && seen.rtt == 1234,
	      "long tcp_info: info_len %u rtt %u", seen.info_len, seen.rtt);

	/* Shorter (an older kernel): only what came is copied, the rest stays zero. */
	m.len = 0;
	u.a.nla_len = sizeof(u.a) + 8;
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u.d) + sizeof(u.a) + 8);
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1, "short tcp_info parses");
	CHECK(seen.info_len == 8 && seen.rtt == 0, "short tcp_info: info_len %u rtt %u",
	      seen.info_len, seen.rtt);

	/* A congestion name without its NUL, longer than our buffer: cut and terminated.
	 */
	struct {
		struct inet_diag_msg d;
		struct nlattr a;
		char name[20];
	} c;
	make_diag_msg(&c.d, AF_INET, 5);
	c.a.nla_type = INET_DIAG_CONG;
	c.a.nla_len = sizeof(c.a) + sizeof(c.name);
	memset(c.name, 'x', sizeof(c.name));
	m.len = 0;
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &c, sizeof(c));
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1, "long congestion name parses");
	CHECK(strlen(seen.cong) == sizeof(seen.cong) - 1, "congestion name cut to %zu",
	      sizeof(seen.cong) - 1);
}

/* Each of these must give -EBADMSG and nothing worse. */
static void test_malformed(void)
{
	struct msgbuf m = {.len = 0};
	struct seen seen;
	struct nlmsghdr *nlh;

	/* header length beyond the buffer */
	put_sock(&m, AF_INET, 1);
	put_done(&m, 0);
	CHECK(parse(&m, m.len - 4, &seen) == -EBADMSG, "buffer cut inside NLMSG_DONE");
	nlh = (struct nlmsghdr *)m.b;
	nlh->nlmsg_len = 4000;
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "first header longer than the buffer");
	nlh->nlmsg_len = 8;
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "header length below the header size");

	m.len = 0;
	put_sock(&m, AF_INET, 1);
	nlh = put_sock(&m, AF_INET, 2);
	nlh->nlmsg_len = 4000;
	CHECK(parse(&m, m.len, &seen) == -EBADMSG,
	      "second header longer than the buffer");
	CHECK(seen.socks == 0, "a buffer with bad framing delivers nothing (%d)",
	      seen.socks);
	/* libmnl casts nlmsg_len to int: 2 GiB and more passed its check (fuzz_diag) */
	nlh->nlmsg_len = 0x80000000u;
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "second header 2 GiB long");
	nlh->nlmsg_len = 0xfffffff0u;
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "second header 4 GiB long");

	/* less than a header, or trailing bytes after the last message */
	m.len = 0;
	put_sock(&m, AF_INET, 1);
	CHECK(parse(&m, 10, &seen) == -EBADMSG, "10 bytes: less than one header");
	CHECK(parse(&m, 0, &seen) == -EBADMSG, "an empty buffer");
	memset(m.b + m.len, 0, 8);
	CHECK(parse(&m, m.len + 8, &seen) == -EBADMSG, "8 trailing bytes");

	/* payload shorter than inet_diag_msg */
	m.len = 0;
	struct inet_diag_msg d;
	make_diag_msg(&d, AF_INET, 1);
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &d, sizeof(d) - 8);
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "payload shorter than inet_diag_msg");
	CHECK(seen.socks == 0, "no socket from a short message");

	/* bad attribute lengths */
	struct {
		struct inet_diag_msg d;
		struct nlattr a;
		uint32_t v;
	} u;
	make_diag_msg(&u.d, AF_INET, 1);
	u.a.nla_type = INET_DIAG_SHUTDOWN;
	const uint16_t bad_lens[] = {0, 2, sizeof(u.a) + sizeof(u.v) + 4, 0xffff};
	for (size_t i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		m.len = 0;
		u.a.nla_len = bad_lens[i];
		put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u));
		put_done(&m, 0);
		CHECK(parse(&m, m.len, &seen) == -EBADMSG, "nla_len %u", bad_lens[i]);
	}
	/* 2 bytes of attribute space: too short for an attribute header */
	m.len = 0;
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u.d) + 2);
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "2 bytes after inet_diag_msg");

	/* A last message whose unaligned length ends the buffer: an attribute that fits
	 * is fine, and nothing past the buffer may be read (ASan checks the heap copy).
	 */
	m.len = 0;
	u.a.nla_len = sizeof(u.a) + 1;
	u.a.nla_type = INET_DIAG_SHUTDOWN;
	u.v = 3;
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u.d) + sizeof(u.a) + 1);
	CHECK(parse(&m, sizeof(struct nlmsghdr) + sizeof(u.d) + sizeof(u.a) + 1, &seen) ==
		  0,
	      "unaligned last message with a 1-byte attribute");
	CHECK(seen.socks == 1, "its socket was delivered");
	/* One stray byte after inet_diag_msg, at the very end of the buffer: libmnl's
	 * walk to the aligned tail would read 3 bytes past it. */
	m.len = 0;
	put_msg(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, &u, sizeof(u.d) + 1);
	CHECK(parse(&m, sizeof(struct nlmsghdr) + sizeof(u.d) + 1, &seen) == -EBADMSG,
	      "1 stray byte after inet_diag_msg");

	/* unknown nlmsg_type, data and control */
	const uint16_t bad_types[] = {0, 5, 15, 16, 99, 0xffff};
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		m.len = 0;
		put_sock(&m, AF_INET, 1);
		nlh = put_sock(&m, AF_INET, 2);
		nlh->nlmsg_type = bad_types[i];
		put_done(&m, 0);
		CHECK(parse(&m, m.len, &seen) == -EBADMSG, "nlmsg_type %u", bad_types[i]);
	}

	/* wrong family */
	const uint8_t bad_fams[] = {AF_UNSPEC, AF_UNIX, AF_NETLINK, 255};
	for (size_t i = 0; i < sizeof(bad_fams); i++) {
		m.len = 0;
		put_sock(&m, bad_fams[i], 1);
		put_done(&m, 0);
		CHECK(parse(&m, m.len, &seen) == -EBADMSG, "family %u", bad_fams[i]);
	}

	/* NLMSG_ERROR too short for struct nlmsgerr; errors no kernel sends */
	m.len = 0;
	put_msg(&m, NLMSG_ERROR, 0, "\xf4\xff", 2);
	CHECK(parse(&m, m.len, &seen) == -EBADMSG, "short NLMSG_ERROR");
	const int bad_errs[] = {INT_MIN, -4096, 4096, INT_MAX};
	for (size_t i = 0; i < ARRAY_SIZE(bad_errs); i++) {
		m.len = 0;
		put_error(&m, bad_errs[i]);
		CHECK(parse(&m, m.len, &seen) == -EBADMSG, "NLMSG_ERROR %d", bad_errs[i]);
		m.len = 0;
		put_done(&m, bad_errs[i]);
		int ret = parse(&m, m.len, &seen);
		CHECK(ret == -EBADMSG || (bad_errs[i] > 0 && ret == 1),
		      "NLMSG_DONE %d gave %d", bad_errs[i], ret);
	}

	/* wrong seq or port id on a live socket */
	m.len = 0;
	nlh = put_sock(&m, AF_INET, 1);
	nlh->nlmsg_seq = 5;
	nlh->nlmsg_pid = 77;
	put_done(&m, 0);
	CHECK(diag_parse_buffer(m.b, m.len, 6, 77, count_cb, &seen, NULL) == -EBADMSG,
	      "wrong seq");
	CHECK(diag_parse_buffer(m.b, m.len, 5, 78, count_cb, &seen, NULL) == -EBADMSG,
	      "wrong port id");
}

static void test_errors(void)
{
	struct msgbuf m = {.len = 0};
	struct seen seen;

	/* An error mid-way reaches the caller, after the sockets before it. */
	put_sock(&m, AF_INET, 1);
	put_error(&m, -ENOMEM);
	CHECK(parse(&m, m.len, &seen) == -ENOMEM, "NLMSG_ERROR -ENOMEM");
	CHECK(seen.socks == 1, "the socket before the error was delivered");
	m.len = 0;
	put_error(&m, EACCES); /* positive: some old code paths */
	CHECK(parse(&m, m.len, &seen) == -EACCES, "NLMSG_ERROR +EACCES");

	/* An error carried in NLMSG_DONE is not lost. */
	m.len = 0;
	put_sock(&m, AF_INET, 1);
	put_done(&m, -EINVAL);
	CHECK(parse(&m, m.len, &seen) == -EINVAL, "NLMSG_DONE carrying -EINVAL");

	/* An ACK ends the dump. */
	m.len = 0;
	put_error(&m, 0);
	CHECK(parse(&m, m.len, &seen) == 1, "an ACK ends it");

	/* NLM_F_DUMP_INTR */
	m.len = 0;
	put_sock(&m, AF_INET, 1);
	struct nlmsghdr *nlh = put_sock(&m, AF_INET, 2);
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	put_done(&m, 0);
	CHECK(parse(&m, m.len, &seen) == -EINTR, "NLM_F_DUMP_INTR gives -EINTR");

	/* The callback's own error aborts the dump with that error. */
	m.len = 0;
	put_sock(&m, AF_INET, 1);
	put_sock(&m, AF_INET, 2);
	put_done(&m, 0);
	int calls = 0;
	CHECK(diag_parse_buffer(m.b, m.len, 0, 0, refuse_cb, &calls, NULL) == -ENOSPC,
	      "the callback's -ENOSPC comes back");
	CHECK(calls == 1, "no call after the callback failed (%d)", calls);
}

/* An NLMSG_ERROR (or NLMSG_DONE) with extended-ack attributes after skip bytes of payload
 * past the error itself. */
static void put_ext_ack(struct msgbuf *m, uint16_t type, uint16_t flags, int err,
			size_t echoed, const char *text, uint16_t bad_len)
{
	unsigned char p[512] = {0};
	size_t head = type == NLMSG_ERROR ? sizeof(struct nlmsgerr) : sizeof(int);
	size_t at = NLMSG_ALIGN(head + echoed), tlen = strlen(text) + 1;
	struct nlattr a = {.nla_len = bad_len ? bad_len : (uint16_t)(NLA_HDRLEN + tlen),
			   .nla_type = NLMSGERR_ATTR_MSG};

	if (type == NLMSG_ERROR) {
		struct nlmsgerr e = {.error = err};
		e.msg.nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) + echoed);
		memcpy(p, &e, sizeof(e));
	} else {
		memcpy(p, &err, sizeof(err));
	}
	memcpy(p + at, &a, sizeof(a));
	memcpy(p + at + NLA_HDRLEN, text, tlen);
	put_msg(m, type, flags | NLM_F_ACK_TLVS, p, at + NLA_HDRLEN + tlen);
}

/* The kernel's extended-ack text comes back with the error (NETLINK_EXT_ACK). */
static void test_ext_ack(void)
{
	struct msgbuf m = {.len = 0};
	char text[NLSOCK_EXT_MSG_MAX];
	int ret;

	put_ext_ack(&m, NLMSG_ERROR, NLM_F_CAPPED, -EINVAL, 0, "bad bytecode", 0);
	ret = nlsock_run(m.b, m.len, 0, 0, NULL, NULL, text, sizeof(text));
	CHECK(ret == -EINVAL && !strcmp(text, "bad bytecode"), "capped error: %d '%s'",
	      ret, text);

	m.len = 0; /* the request echoed before the attributes */
	put_ext_ack(&m, NLMSG_ERROR, 0, -EPERM, 24, "no\x01way", 0);
	ret = nlsock_run(m.b, m.len, 0, 0, NULL, NULL, text, sizeof(text));
	CHECK(ret == -EPERM && !strcmp(text, "no?way"), "echoed error: %d '%s'", ret,
	      text);

	m.len = 0;
	put_sock(&m, AF_INET, 1);
	put_ext_ack(&m, NLMSG_DONE, NLM_F_MULTI, -EINVAL, 0, "late", 0);
	ret = nlsock_run(m.b, m.len, 0, 0, NULL, NULL, text, sizeof(text));
	CHECK(ret == -EINVAL && !strcmp(text, "late"), "done error: %d '%s'", ret, text);

	m.len = 0; /* an attribute longer than the message: no text, same error */
	put_ext_ack(&m, NLMSG_ERROR, NLM_F_CAPPED, -EINVAL, 0, "cut", 200);
	ret = nlsock_run(m.b, m.len, 0, 0, NULL, NULL, text, sizeof(text));
	CHECK(ret == -EINVAL && !text[0], "bad attribute: %d '%s'", ret, text);

	m.len = 0; /* a message too long for the buffer is cut, still terminated */
	put_ext_ack(&m, NLMSG_ERROR, NLM_F_CAPPED, -EINVAL, 0, "0123456789", 0);
	ret = nlsock_run(m.b, m.len, 0, 0, NULL, NULL, text, 5);
	CHECK(ret == -EINVAL && !strcmp(text, "0123"), "short buffer: '%s'", text);
}

/* Replay of a file made in memory: records of (length, bytes). */
static int replay_mem(const void *data, size_t len, struct seen *seen,
		      struct diag_stats *st)
{
	FILE *f = fmemopen((void *)data, len, "rb");
	int ret;

	if (!f) {
		check_fail(__FILE__, __LINE__, "fmemopen: %s", strerror(errno));
		return -errno;
	}
	memset(seen, 0, sizeof(*seen));
	memset(st, 0, sizeof(*st));
	ret = diag_replay(f, true, count_cb, seen, st);
	fclose(f);
	return ret;
}

static size_t put_record(unsigned char *file, size_t off, const struct msgbuf *m)
{
	uint32_t n = (uint32_t)m->len;
	unsigned char le[4] = {n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24};

	memcpy(file + off, le, 4);
	memcpy(file + off + 4, m->b, m->len);
	return off + 4 + m->len;
}

static void test_replay_mem(void)
{
	static unsigned char file[65536];
	struct msgbuf a = {.len = 0}, intr = {.len = 0}, b = {.len = 0};
	struct diag_stats st;
	struct seen seen;
	size_t len;

	put_sock(&a, AF_INET, 1);
	put_sock(&a, AF_INET, 2);
	put_sock(&b, AF_INET, 3);
	put_done(&b, 0);
	put_sock(&intr, AF_INET, 1);
	put_sock(&intr, AF_INET, 2)->nlmsg_flags |= NLM_F_DUMP_INTR;

	len = put_record(file, 0, &a);
	len = put_record(file, len, &b);
	CHECK(replay_mem(file, len, &seen, &st) == 0, "two records");
	CHECK(seen.socks == 3 && st.recvs == 2 && st.socks == 3, "3 sockets in 2 recvs");

	/* missing NLMSG_DONE */
	len = put_record(file, 0, &a);
	CHECK(replay_mem(file, len, &seen, &st) == -EBADMSG, "no NLMSG_DONE");
	/* a record cut short, a length prefix cut short, a zero-length record */
	len = put_record(file, 0, &a);
	len = put_record(file, len, &b);
	CHECK(replay_mem(file, len - 1, &seen, &st) == -EBADMSG, "last record cut by 1");
	len = put_record(file, 0, &a);
	CHECK(replay_mem(file, len + 2, &seen, &st) == -EBADMSG, "2-byte length prefix");
	memset(file + len, 0, 4);
	CHECK(replay_mem(file, len + 4, &seen, &st) == -EBADMSG, "zero-length record");
	memcpy(file + len, "\xff\xff\xff\x7f", 4);
	CHECK(replay_mem(file, len + 4, &seen, &st) == -EBADMSG, "2 GiB record");
	CHECK(replay_mem(file, 0, &seen, &st) == -EBADMSG, "an empty file");

	/* interrupted once, then the restarted dump: the consumer forgets, ends complete
	 */
	len = put_record(file, 0, &intr);
	len = put_record(file, len, &a);
	len = put_record(file, len, &b);
	CHECK(replay_mem(file, len, &seen, &st) == 0, "interrupted once, then complete");
	CHECK(seen.restarts == 1 && seen.socks == 3 && st.restarts == 1,
	      "one restart (%d), 3 sockets after it (%d)", seen.restarts, seen.socks);

	/* interrupted forever: bounded */
	len = 0;
	for (int i = 0; i < 50; i++)
		len = put_record(file, len, &intr);
	len = put_record(file, len, &b);
	CHECK(replay_mem(file, len, &seen, &st) == -EINTR, "interrupted 50 times");
	CHECK(seen.restarts == 5 && st.restarts == 5, "gave up after 5 restarts (%d)",
	      seen.restarts);
}

static int errno_by_name(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {
	    {"0", 0},		{"EBADMSG", EBADMSG}, {"EINTR", EINTR},
	    {"ENOMEM", ENOMEM}, {"EINVAL", EINVAL},   {"ENOBUFS", ENOBUFS},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].err;
	return -1;
}

/* Every dump listed in tests/data/dumps.txt (the working directory) replays as stated. */
static void test_data_files(void)
{
	FILE *list = fopen("dumps.txt", "r");
	char line[512], name[256], want[32];
	int n_files = 0;

	if (!list) {
		check_fail(__FILE__, __LINE__, "cannot open dumps.txt in tests/data: %s",
			   strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), list)) {
		int socks, restarts;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%255s %31s %d %d", name, want, &socks, &restarts) !=
		    4) {
			CHECK(0, "dumps.txt: bad line: %s", line);
			continue;
		}
		int err = errno_by_name(want);
		CHECK(err >= 0, "dumps.txt: unknown result %s", want);
		FILE *f = fopen(name, "rb");
		if (!f) {
			CHECK(0, "cannot open %s: %s", name, strerror(errno));
			continue;
		}
		struct seen seen = {0};
		struct diag_stats st = {0};
		int ret = diag_replay(f, true, count_cb, &seen, &st);
		fclose(f);
		CHECK(ret == -err, "%s: diag_replay gave %d (%s), want %s", name, ret,
		      strerror(-ret), want);
		CHECK(seen.socks == socks, "%s: %d sockets, want %d", name, seen.socks,
		      socks);
		CHECK(seen.restarts == restarts && (int)st.restarts == restarts,
		      "%s: %d restarts, want %d", name, seen.restarts, restarts);
		n_files++;
	}
	fclose(list);
	CHECK(n_files >= 10, "only %d dumps listed in dumps.txt", n_files);
}

int main(void)
{
	test_valid();
	test_tcp_info_lengths();
	test_malformed();
	test_errors();
	test_ext_ack();
	test_replay_mem();
	test_data_files();
	return check_finish("test_replay_files");
}
