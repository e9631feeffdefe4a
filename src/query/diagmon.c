/* diagmon.c - sock_diag destroy notifications: each TCP socket the kernel frees, as it
 * does. */
#include <errno.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "query/diagmon.h"
#include "query/nlsock.h"

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG NETLINK_INET_DIAG
#endif
/* Room for a burst of closes between two drains: each notification is about 400 bytes of
 * payload but costs a whole skb (~1 KiB) of receive buffer. */
#define DIAGMON_RCVBUF (4 << 20)

struct diagmon {
	struct nlsock nls;
};

int diagmon_open(struct diagmon **ret)
{
	static const unsigned int groups[] = {SKNLGRP_INET_TCP_DESTROY,
					      SKNLGRP_INET6_TCP_DESTROY};
	struct diagmon *m = calloc(1, sizeof(*m));
	int rcvbuf = DIAGMON_RCVBUF;
	int err;

	if (!m)
		return -ENOMEM;
	err = nlsock_init(&m->nls, NETLINK_SOCK_DIAG, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (err < 0) {
		free(m);
		return err;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]) && err == 0; i++)
		err = nlsock_join(&m->nls, groups[i]);
	if (err < 0) {
		diagmon_close(m);
		return err;
	}
	/* Forcing past rmem_max needs CAP_NET_ADMIN, which joining the groups needed too.
	 */
	if (setsockopt(nlsock_fd(&m->nls), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(nlsock_fd(&m->nls), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	*ret = m;
	return 0;
}

int diagmon_fd(const struct diagmon *m)
{
	return nlsock_fd(&m->nls);
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
		ssize_t n = nlsock_recv(&m->nls, buf, sizeof(buf));
		if (n == -ENOBUFS) {
			/* the kernel dropped some: go on with the rest */
			(*lost)++;
			continue;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return d.count;
		/* -ENOSPC: a notification too big for buf (gone); like a malformed one it
		 * is skipped rather than ending the stream. */
		if (n == -ENOSPC)
			continue;
		if (n < 0)
			return (int)n;
		/* seq and portid 0: multicast messages carry neither. */
		int err = diag_parse_buffer(buf, (size_t)n, 0, 0, count_one, &d, NULL);
		if (err < 0 && err != -EBADMSG)
			return err;
	}
}

void diagmon_close(struct diagmon *m)
{
	if (!m)
		return;
	nlsock_done(&m->nls);
	free(m);
}
