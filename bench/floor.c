/* floor.c - benchmark "kernel floor": one TCP sock_diag dump, counted, nothing rendered.
 */

/*
 * This is the least work any netlink-based lister can do: one legacy TCPDIAG_GETSOCK
 * request for both families, received into a 32 KiB buffer, each message counted and
 * otherwise ignored. bench/run divides tcpstate's time by this one's, asking for exactly
 * what tcpstate asks for (strace shows it: `tcpstate -a` sends states 0x3ffe, that is
 * 1-11, NEW_SYN_RECV and the bound-inactive bit 13; -i ext 0xa, -m ext 0x40).
 *
 *   floor [-s STATES] [-e EXT] [-w]
 *     STATES  idiag_states mask (default 0x3ffe, as tcpstate -a)
 *     EXT     idiag_ext bit mask to request (default 0, no extensions)
 *     -w      then readlink every /proc/PID/fd/N: the least an owner lookup can do
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
#include <dirent.h>
#include <fcntl.h>
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

/* readlink every fd of every process; returns how many links were read. */
static unsigned long walk_proc(void)
{
	unsigned long links = 0;
	char link[64];
	struct dirent *p, *f;
	DIR *proc = opendir("/proc");

	while (proc && (p = readdir(proc))) {
		char path[300];
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		DIR *fds = opendir(path);
		while (fds && (f = readdir(fds)))
			if (f->d_name[0] != '.' &&
			    readlinkat(dirfd(fds), f->d_name, link, sizeof(link)) > 0)
				links++;
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return links;
}

int main(int argc, char **argv)
{
	static char buf[RECV_BUF_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct inet_diag_req *req;
	unsigned long count = 0, ext = 0, states = 0x3ffe;
	int walk = 0;
	unsigned int seq = time(NULL), portid;
	int opt, ret;

	while ((opt = getopt(argc, argv, "e:s:w")) != -1) {
		if (opt == 'e') {
			ext = strtoul(optarg, NULL, 0);
		} else if (opt == 's') {
			states = strtoul(optarg, NULL, 0);
		} else if (opt == 'w') {
			walk = 1;
		} else {
			fputs("usage: floor [-s STATES] [-e EXT] [-w]\n", stderr);
			return 2;
		}
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
	req->idiag_states = states;
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
	if (walk)
		walk_proc();
	printf("%lu\n", count);
	return 0;
}
