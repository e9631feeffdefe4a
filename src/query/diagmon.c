/* diagmon.c - sock_diag destroy notifications: each TCP socket the kernel frees, as it
 * does. */
#include <errno.h>
#include <stdlib.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "query/diagmon.h"

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG NETLINK_INET_DIAG
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
/* Room for a burst of closes between two drains: each notification is about 400 bytes of
 * payload but costs a whole skb (~1 KiB) of receive buffer. */
#define DIAGMON_RCVBUF (4 << 20)

struct diagmon {
	struct mnl_socket *nl;
};

int diagmon_open(struct diagmon **ret)
{
	static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY};
	struct diagmon *m = calloc(1, sizeof(*m));
	int rcvbuf = DIAGMON_RCVBUF;
	int err;

	if (!m)
		return -ENOMEM;
	m->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!m->nl)
		goto fail;
	if (mnl_socket_bind(m->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP,
					  (void *)&groups[i], sizeof(groups[i])) < 0)
			goto fail;
	/* Joining the groups needs no privilege; forcing past rmem_max needs
	 * CAP_NET_ADMIN, else the plain request (capped at rmem_max) is what we get. */
	if (setsockopt(mnl_socket_get_fd(m->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(m->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	*ret = m;
	return 0;
fail:
	err = errno ? -errno : -EIO;
	diagmon_close(m);
	return err;
}

int diagmon_fd(const struct diagmon *m)
{
	return mnl_socket_get_fd(m->nl);
}

struct drain_ctx {
	diag_sock_fn fn;
	void *data;
	int count;
};

static int count_one(const struct sock_rec *s, void *data)
{
	struct drain_ctx *d = data;

	if (!s) /* only dumps restart; a notification never does */
		return 0;
	d->count++;
	return d->fn(s, d->data);
}

int diagmon_drain(struct diagmon *m, diag_sock_fn fn, void *data, uint64_t *lost)
{
	/* a notification is far smaller; recv returns one per call */
	static char buf[8192 * 4] __attribute__((aligned(8)));
	struct drain_ctx d = {fn, data, 0};

	for (;;) {
		ssize_t n =
		    recv(mnl_socket_get_fd(m->nl), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* the kernel dropped some: go on with the rest */
				(*lost)++;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return d.count;
			return -errno;
		}
		/* seq and portid 0: multicast messages carry neither. A malformed one is
		 * skipped rather than ending the stream. */
		int err = diag_parse_buffer(buf, (size_t)n, 0, 0, count_one, &d, NULL);
		if (err < 0 && err != -EBADMSG)
			return err;
	}
}

void diagmon_close(struct diagmon *m)
{
	if (!m)
		return;
	if (m->nl)
		mnl_socket_close(m->nl);
	free(m);
}
