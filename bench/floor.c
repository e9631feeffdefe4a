/* floor.c - benchmark "kernel floor": one TCP sock_diag dump, counted, nothing rendered.
 */

/*
 * This is the least work any netlink-based lister can do: one legacy TCPDIAG_GETSOCK
 * request for every state of both families, received into a 32 KiB buffer, each message
 * counted and otherwise ignored. bench/run divides tcpstate's time by this one's.
 *
 *   floor [-e EXT]   EXT: idiag_ext bit mask to request (default 0, no extensions)
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif
#define RECV_BUF_SIZE 32768

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned long *)data)++;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	static char buf[RECV_BUF_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct inet_diag_req *req;
	unsigned long count = 0, ext = 0;
	unsigned int seq = time(NULL), portid;
	int opt, ret;

	while ((opt = getopt(argc, argv, "e:")) != -1) {
		if (opt != 'e') {
			fputs("usage: floor [-e EXT]\n", stderr);
			return 2;
		}
		ext = strtoul(optarg, NULL, 0);
	}

	nl = mnl_socket_open(NETLINK_INET_DIAG);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("floor: netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = TCPDIAG_GETSOCK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->idiag_family = AF_UNSPEC;
	req->idiag_states = 0xfff;
	req->idiag_ext = ext;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("floor: send");
		return 1;
	}
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			perror("floor: recv");
			return 1;
		}
		ret = mnl_cb_run(buf, n, seq, portid, count_cb, &count);
	} while (ret > 0);
	if (ret < 0) {
		perror("floor: dump");
		return 1;
	}
	mnl_socket_close(nl);
	printf("%lu\n", count);
	return 0;
}
