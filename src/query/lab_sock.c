/* lab_sock.c - --lab's socket building blocks on 127.0.0.1: listen, connect, accept,
 * wait for a state, fill a peer's window, read to end of file. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "query/lab_sock.h"

enum {
	LAB_WAIT_MS = 5000, /* the longest any state change may take on loopback */
	LAB_SNDBUF = 65536,
};

static void lo_addr(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int fail_close(int fd)
{
	int err = -errno;

	close(fd);
	return err;
}

int lab_listener(uint16_t port, int backlog, int rcvbuf, int defer, bool reuse)
{
	struct sockaddr_in a;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	lo_addr(&a, port);
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return fail_close(fd);
	/* accepted sockets inherit the listener's buffer size */
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		return fail_close(fd);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, backlog) < 0)
		return fail_close(fd);
	if (defer &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer)) < 0)
		return fail_close(fd);
	return fd;
}

int lab_connect(uint16_t sport, uint16_t dport, int rcvbuf, bool nonblock)
{
	struct sockaddr_in a;
	int one = 1;
	int fd = socket(AF_INET,
			SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -errno;
	lo_addr(&a, sport);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* before the SYN, so the window scale it announces fits the tiny buffer */
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		return fail_close(fd);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail_close(fd);
	lo_addr(&a, dport);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		return fail_close(fd);
	return fd;
}

int lab_accept(int lst)
{
	struct pollfd p = {lst, POLLIN, 0};
	int fd;

	if (poll(&p, 1, LAB_WAIT_MS) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int kstate_of(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -errno;
	return ti.tcpi_state;
}

int lab_wait_kstate(int fd, int kstate)
{
	long long deadline = now_ms() + LAB_WAIT_MS;
	const struct timespec tick = {0, 1000000};

	while (kstate_of(fd) != kstate) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL); /* a poll with a deadline: loopback is fast */
	}
	return 0;
}

long lab_fill(int fd)
{
	static const char chunk[16384];
	int sndbuf = LAB_SNDBUF;
	long total = 0;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (;;) {
		ssize_t n = send(fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		/* Full: ACKs in flight may still open room; stop when none does. */
		struct pollfd p = {fd, POLLOUT, 0};
		if (poll(&p, 1, 100) <= 0)
			break;
	}
	return total > 0 ? total : -ENOBUFS;
}

long lab_drain(int fd)
{
	char buf[16384];
	long long deadline = now_ms() + LAB_WAIT_MS;
	long total = 0;

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return total;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n > 0)
			total += n;
	}
}
