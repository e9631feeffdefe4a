/* nlsock.h - the one netlink socket module: open, bind, join, send, receive, run the
 * messages through libmnl with every control type handled, acks and extended acks. */
#ifndef TCPSTATE_NLSOCK_H
#define TCPSTATE_NLSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>

/* Room for the kernel's extended-ack text (NLMSGERR_ATTR_MSG); longer ones are cut. */
#define NLSOCK_EXT_MSG_MAX 128

/* A bound netlink socket and the sequence number of its last request. */
struct nlsock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/* The kernel's extended-ack text for the last error nlsock_process_ack or the
	 * caller's nlsock_run saw; "" when it sent none. */
	char ext_msg[NLSOCK_EXT_MSG_MAX];
};

/*
 * Open a socket of protocol bus (NETLINK_SOCK_DIAG...) with the socket flags in
 * type_flags (SOCK_NONBLOCK, SOCK_CLOEXEC, or 0), bind it with a kernel-chosen port id
 * and ask for extended acks. Returns 0 or a negative errno (-EPROTONOSUPPORT: no such
 * netlink protocol). Undo with nlsock_done.
 */
int nlsock_init(struct nlsock *nls, int bus, int type_flags);

/* Close. Accepts a zeroed or already closed nls. */
void nlsock_done(struct nlsock *nls);

/* Join a multicast group. Returns 0 or a negative errno (-EPERM: the group needs
 * CAP_NET_ADMIN). */
int nlsock_join(struct nlsock *nls, unsigned int group);

/* The descriptor, to poll or set socket options on. */
int nlsock_fd(const struct nlsock *nls);

/* Give the request the next sequence number (nls->seq) and send it. Returns 0 or a
 * negative errno. */
int nlsock_send(struct nlsock *nls, struct nlmsghdr *nlh);

/*
 * Receive one buffer, as many messages as the kernel put in it; a signal does not
 * interrupt it. Returns the length, or a negative errno: -EAGAIN when a non-blocking
 * socket has nothing, -ENOBUFS when the kernel dropped messages, -ENOSPC when the buffer
 * was too small (the datagram is gone).
 */
ssize_t nlsock_recv(struct nlsock *nls, void *buf, size_t sz);

/* The state of one nlsock_run, which its callbacks share. */
struct nlsock_run {
	void *data; /* the caller's, for its data callback */
	int err;    /* the first error: the kernel's, the caller's, a malformed stream */
	char *ext_msg;
	size_t ext_sz;
};

/*
 * Called for each data message (type >= NLMSG_MIN_TYPE) with the run (void *, as libmnl
 * calls it: a struct nlsock_run whose data is the caller's). Returns MNL_CB_OK to go on,
 * or nlsock_fail() to stop. A plain libmnl callback, so a dump costs no extra call per
 * message.
 */
typedef mnl_cb_t nlsock_data_fn;

/* Stop the run with err (a negative errno): `return nlsock_fail(run, -EBADMSG);`. */
static inline int nlsock_fail(struct nlsock_run *run, int err)
{
	run->err = err;
	return MNL_CB_ERROR;
}

/*
 * Run one received buffer through fn (NULL: ignore data messages), which gets a struct
 * nlsock_run whose data is data. seq and portid are
 * checked when non-zero (0 for multicast and replays). The buffer's framing is checked
 * before anything runs. An error the kernel sends (NLMSG_ERROR, or NLMSG_DONE carrying
 * one) leaves its extended-ack text in ext_msg (when not NULL; "" when none). Returns 1
 * when the answer is complete (NLMSG_DONE or an ACK), 0 when more buffers follow, or a
 * negative errno: the kernel's, fn's, -EINTR for NLM_F_DUMP_INTR, -ENOBUFS for
 * NLMSG_OVERRUN, -EBADMSG for a malformed buffer, an unknown control type or a wrong
 * seq/portid.
 */
int nlsock_run(const void *buf, size_t len, uint32_t seq, uint32_t portid,
	       nlsock_data_fn fn, void *data, char *ext_msg, size_t ext_sz);

/*
 * Read the answers to the last request sent until its ACK, in buf (sz bytes). Returns 0
 * for the ACK, or the negative errno of the kernel's error (text in nls->ext_msg) or of
 * recv.
 */
int nlsock_process_ack(struct nlsock *nls, void *buf, size_t sz);

#endif
