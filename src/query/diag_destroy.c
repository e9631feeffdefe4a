/* diag_destroy.c - SOCK_DESTROY requests: one per socket, each answered by an ACK. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "query/diag_destroy.h"
#include "query/nlsock.h"

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG NETLINK_INET_DIAG
#endif
#ifndef SOCK_DESTROY
#define SOCK_DESTROY 21
#endif

struct diag_destroyer {
	struct nlsock nls;
};

int diag_destroyer_open(struct diag_destroyer **ret)
{
	struct diag_destroyer *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	err = nlsock_init(&d->nls, NETLINK_SOCK_DIAG, 0);
	if (err < 0) {
		free(d);
		return err;
	}
	*ret = d;
	return 0;
}

void diag_destroyer_close(struct diag_destroyer *d)
{
	if (!d)
		return;
	nlsock_done(&d->nls);
	free(d);
}

int diag_build_destroy(const struct sock_rec *s, uint32_t seq, void *buf, size_t bufsz)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	size_t need = MNL_ALIGN(sizeof(struct nlmsghdr)) + MNL_ALIGN(sizeof(*req));

	if (bufsz < need)
		return -ENOSPC;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = s->family;
	req->sdiag_protocol = IPPROTO_TCP;
	/* The kernel looks the socket up by its id alone; the cookie makes sure it is
	 * still the socket we listed and not a new one on the same four-tuple. */
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(s->lport);
	req->id.idiag_dport = htons(s->rport);
	memcpy(req->id.idiag_src, s->laddr, sock_addr_len(s->family));
	memcpy(req->id.idiag_dst, s->raddr, sock_addr_len(s->family));
	req->id.idiag_if = s->ifindex;
	req->id.idiag_cookie[0] = (uint32_t)s->cookie;
	req->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	return (int)nlh->nlmsg_len;
}

int diag_destroy(struct diag_destroyer *d, const struct sock_rec *s)
{
	/* room for an ACK, or an error echoing the request with extended-ack text */
	char buf[8192] __attribute__((aligned(8)));
	int len, err;

	len = diag_build_destroy(s, 0, buf, sizeof(buf));
	if (len < 0)
		return len;
	err = nlsock_send(&d->nls, (struct nlmsghdr *)buf);
	if (err < 0)
		return err;
	return nlsock_process_ack(&d->nls, buf, sizeof(buf));
}

const char *diag_destroyer_error_text(const struct diag_destroyer *d)
{
	return d->nls.ext_msg;
}

static const struct {
	int err;
	const char *why;
} destroy_errors[] = {
    {EOPNOTSUPP, "the kernel lacks CONFIG_INET_DIAG_DESTROY"},
    {EPERM, "CAP_NET_ADMIN is missing"},
    {EACCES, "CAP_NET_ADMIN is missing"},
    {ENOENT, "the socket is already gone"},
    {ESTALE, "the socket is already gone (a new one has its addresses)"},
};

const char *diag_destroy_strerror(int err)
{
	for (size_t i = 0; i < sizeof(destroy_errors) / sizeof(destroy_errors[0]); i++)
		if (destroy_errors[i].err == -err)
			return destroy_errors[i].why;
	return strerror(-err);
}
