/* nlsock.c - the one netlink socket module: open, bind, join, send, receive, run the
 * messages through libmnl with every control type handled, acks and extended acks. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "query/nlsock.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

int nlsock_init(struct nlsock *nls, int bus, int type_flags)
{
	static const int one = 1;
	int err;

	memset(nls, 0, sizeof(*nls));
	errno = 0;
	nls->nl = mnl_socket_open2(bus, type_flags);
	if (!nls->nl)
		goto fail;
	if (mnl_socket_bind(nls->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* The kernel's words for an error; kernels before 4.12 lack them: not fatal. */
	mnl_socket_setsockopt(nls->nl, NETLINK_EXT_ACK, (void *)&one, sizeof(one));
	nls->portid = mnl_socket_get_portid(nls->nl);
	nls->seq = (uint32_t)time(NULL);
	return 0;
fail:
	err = errno ? -errno : -EIO;
	nlsock_done(nls);
	return err;
}

void nlsock_done(struct nlsock *nls)
{
	if (nls->nl)
		mnl_socket_close(nls->nl);
	nls->nl = NULL;
}

int nlsock_join(struct nlsock *nls, unsigned int group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(nls->nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int nlsock_fd(const struct nlsock *nls)
{
	return mnl_socket_get_fd(nls->nl);
}

int nlsock_send(struct nlsock *nls, struct nlmsghdr *nlh)
{
	nlh->nlmsg_seq = ++nls->seq;
	nls->ext_msg[0] = '\0';
	if (mnl_socket_sendto(nls->nl, nlh, nlh->nlmsg_len) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

ssize_t nlsock_recv(struct nlsock *nls, void *buf, size_t sz)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nls->nl, buf, sz);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return errno ? -errno : -EIO;
	}
}

/*
 * Copy the NLMSGERR_ATTR_MSG text that follows offset bytes of nlh's payload, when the
 * kernel flagged extended-ack attributes. The walk stays within nlmsg_len (framing_ok
 * checked it against the buffer); bytes that are not printable ASCII become '?'.
 */
static void ext_ack_text(const struct nlmsghdr *nlh, size_t offset, struct nlsock_run *rs)
{
	const char *p, *end = (const char *)nlh + nlh->nlmsg_len;

	if (!rs->ext_msg || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	p = (const char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(offset);
	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const void *)p;
		if (a->nla_len < sizeof(*a) || a->nla_len > (size_t)(end - p))
			return;
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) {
			const char *s = mnl_attr_get_payload(a);
			size_t n = mnl_attr_get_payload_len(a), i;
			for (i = 0; i < n && i + 1 < rs->ext_sz && s[i]; i++)
				rs->ext_msg[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
			rs->ext_msg[i] = '\0';
			return;
		}
		p += MNL_ALIGN(a->nla_len);
	}
}

/* An errno as the kernel sends it (negative): anything outside 1..4095 is not one, and
 * negating INT_MIN later would overflow. */
static int kernel_errno(int e)
{
	if (e <= -4096 || e >= 4096)
		return -EBADMSG;
	return e < 0 ? e : -e;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlsock_run *rs = data;
	const struct nlmsgerr *e;
	size_t offset = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		rs->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	e = mnl_nlmsg_get_payload(nlh);
	if (e->error == 0)
		return MNL_CB_STOP; /* an ACK */
	/* The request is echoed after the header unless the kernel capped it. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof(e->msg))
		offset += e->msg.nlmsg_len - sizeof(e->msg);
	ext_ack_text(nlh, offset, rs);
	rs->err = kernel_errno(e->error);
	return MNL_CB_ERROR;
}

/* NLMSG_DONE may carry an error (for instance a bytecode the kernel rejected late). */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlsock_run *rs = data;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int e = *(const int *)mnl_nlmsg_get_payload(nlh);
		if (e < 0) {
			ext_ack_text(nlh, sizeof(int), rs);
			rs->err = kernel_errno(e);
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

/* A control type (below NLMSG_MIN_TYPE) that netlink does not define: libmnl would skip
 * it silently, but it means the stream is not what we think it is. */
static int bad_type_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlsock_run *rs = data;

	rs->err = -EBADMSG;
	return MNL_CB_ERROR;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlsock_run *rs = data;

	rs->err = -ENOBUFS;
	return MNL_CB_ERROR;
}

/*
 * True when buf is a whole number of messages, each header within it. libmnl would stop
 * silently at a message that claims more than the buffer holds (a truncated dump would
 * look short but valid), and its mnl_nlmsg_ok() casts nlmsg_len to int, so a length of
 * 2 GiB or more passes as negative and the walk runs off the buffer (found by fuzz_diag).
 */
static bool framing_ok(const void *buf, size_t len)
{
	size_t off = 0;

	if (len < sizeof(struct nlmsghdr) || len > INT32_MAX)
		return false;
	while (off < len) {
		const struct nlmsghdr *h = (const void *)((const char *)buf + off);
		if (len - off < sizeof(*h) || h->nlmsg_len < sizeof(*h) ||
		    h->nlmsg_len > len - off)
			return false;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return true;
}

int nlsock_run(const void *buf, size_t len, uint32_t seq, uint32_t portid,
	       nlsock_data_fn fn, void *data, char *ext_msg, size_t ext_sz)
{
	/* Every control type has its callback, so an error carried in NLMSG_DONE is not
	 * lost. Not const: mnl_cb_run2 takes a non-const array. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
	    [0] = bad_type_cb,
	    [NLMSG_NOOP] = noop_cb,
	    [NLMSG_ERROR] = error_cb,
	    [NLMSG_DONE] = done_cb,
	    [NLMSG_OVERRUN] = overrun_cb,
	    /* the reserved control types up to NLMSG_MIN_TYPE (ISO C has no ranges) */
	    [5] = bad_type_cb,
	    [6] = bad_type_cb,
	    [7] = bad_type_cb,
	    [8] = bad_type_cb,
	    [9] = bad_type_cb,
	    [10] = bad_type_cb,
	    [11] = bad_type_cb,
	    [12] = bad_type_cb,
	    [13] = bad_type_cb,
	    [14] = bad_type_cb,
	    [15] = bad_type_cb,
	};
	_Static_assert(NLMSG_OVERRUN == 4 && NLMSG_MIN_TYPE == 16,
		       "ctl[] names every control type");
	struct nlsock_run rs = {data, 0, ext_msg, ext_msg ? ext_sz : 0};
	int ret;

	if (ext_msg && ext_sz)
		ext_msg[0] = '\0';
	/* Check the framing of the whole buffer before any callback runs. */
	if (!framing_ok(buf, len))
		return -EBADMSG;
	errno = 0;
	ret = mnl_cb_run2(buf, len, seq, portid, fn, &rs, ctl, NLMSG_MIN_TYPE);
	if (ret == MNL_CB_STOP)
		return rs.err < 0 ? rs.err : 1;
	if (ret == MNL_CB_ERROR) {
		if (rs.err < 0)
			return rs.err;
		if (errno == EINTR) /* libmnl's report of NLM_F_DUMP_INTR */
			return -EINTR;
		if (errno == ESRCH || errno == EPROTO)
			return -EBADMSG; /* wrong seq/portid or a message libmnl could not
					    walk */
		return errno ? -errno : -EBADMSG;
	}
	return 0;
}

int nlsock_process_ack(struct nlsock *nls, void *buf, size_t sz)
{
	for (;;) {
		ssize_t n = nlsock_recv(nls, buf, sz);
		int ret;

		if (n < 0)
			return (int)n;
		ret = nlsock_run(buf, (size_t)n, nls->seq, nls->portid, NULL, NULL,
				 nls->ext_msg, sizeof(nls->ext_msg));
		if (ret != 0)
			return ret < 0 ? ret : 0;
		/* no answer in this buffer yet */
	}
}
