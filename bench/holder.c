/* holder.c - benchmark helper: holds N established loopback TCP pairs, listeners,
 * TIME_WAITs. */

/*
 * Run inside a private network namespace only (bench/run does that); every address it
 * uses is in 127.0.0.0/8. Holder number H (-i) uses its own addresses so several holders
 * can share the same listener ports without SO_REUSEPORT stealing each other's
 * connections:
 *
 *   127.1.H.1     listeners on BASE..BASE+NPORTS-1 for the established pairs
 *   127.2.H.1-50  client source addresses of the pairs
 *   127.3.H.1     the -l extra listeners, ports 30000 and up
 *   127.4.H.1     listeners on 40000..40009 that the TIME_WAIT connections go through
 *   127.5.H.1-50  client source addresses of the TIME_WAIT connections
 *
 * Pair number k (counted from -o OFFSET across all holders) goes to port
 * BASE + k % NPORTS, so with 100 ports a filter on one port matches 1% of the pairs.
 *
 * Once everything exists it prints "ready ..." on stdout and waits for SIGTERM, SIGINT,
 * SIGHUP or EOF on stdin. TIME_WAIT lasts 60 s in Linux, and the timer wheel fires that
 * timer up to 4 s late; to keep the count steady through a long measurement the holder
 * remembers one socket (by cookie) of each batch it made and, from 60 s on, asks the
 * kernel whether it still exists, replacing the batch as soon as it does not.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>

#define N_SRC_ADDRS 50
#define TW_BASE_PORT 40000
#define TW_NPORTS 10
#define EXTRA_BASE_PORT 30000
#define TW_BATCH 64
/* TCP_TIMEWAIT_LEN: a TIME_WAIT socket never goes away sooner than this. */
#define TW_LIFETIME_NS (60LL * 1000 * 1000 * 1000)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("holder: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static long num_arg(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "holder: bad number '%s' (want %ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static struct sockaddr_in addr4(int a, int b, int c, int d, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	sa.sin_addr.s_addr =
	    htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
	return sa;
}

static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static int listen_on(struct sockaddr_in sa)
{
	int fd = tcp_socket(), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind %s:%d", inet_ntoa(sa.sin_addr), ntohs(sa.sin_port));
	if (listen(fd, 4096) < 0)
		die("listen");
	return fd;
}

/* Connect from src (port picked at connect time, so 4-tuples, not ports, must be unique).
 */
static int connect_from(struct sockaddr_in src, struct sockaddr_in dst)
{
	int fd = tcp_socket(), one = 1;

	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) < 0)
		die("IP_BIND_ADDRESS_NO_PORT");
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind %s", inet_ntoa(src.sin_addr));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("connect %s:%d", inet_ntoa(dst.sin_addr), ntohs(dst.sin_port));
	return fd;
}

static int accept_one(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		die("accept");
	return fd;
}

static void make_pairs(int h, long n, long offset, int base, int nports)
{
	int *lfd = calloc(nports, sizeof(*lfd));
	long i;

	if (!lfd)
		die("calloc");
	for (i = 0; i < nports; i++)
		lfd[i] = listen_on(addr4(127, 1, h, 1, base + i));
	for (i = 0; i < n; i++) {
		int p = (offset + i) % nports;

		connect_from(addr4(127, 2, h, 1 + i % N_SRC_ADDRS, 0),
			     addr4(127, 1, h, 1, base + p));
		accept_one(lfd[p]);
	}
	free(lfd);
}

/* One socket of a TIME_WAIT batch, to ask the kernel whether the batch has expired. */
struct tw_probe {
	struct sockaddr_in src, dst;
	uint64_t cookie;
};

/* Client closes first, so the client end ends in TIME_WAIT (the server end in CLOSED). */
static void make_timewait(int h, const int *tw_lfd, long n, struct tw_probe *ret_probe)
{
	static unsigned long k;
	long i;

	for (i = 0; i < n; i++, k++) {
		int p = k % TW_NPORTS;
		struct sockaddr_in dst = addr4(127, 4, h, 1, TW_BASE_PORT + p);
		int c = connect_from(addr4(127, 5, h, 1 + k / TW_NPORTS % N_SRC_ADDRS, 0),
				     dst);
		int s = accept_one(tw_lfd[p]);
		socklen_t len = sizeof(ret_probe->src);
		char b;

		if (i == n - 1) {
			ret_probe->dst = dst;
			len = sizeof(ret_probe->cookie);
			if (getsockopt(c, SOL_SOCKET, SO_COOKIE, &ret_probe->cookie,
				       &len) < 0)
				die("SO_COOKIE");
			len = sizeof(ret_probe->src);
			if (getsockname(c, (struct sockaddr *)&ret_probe->src, &len) < 0)
				die("getsockname");
		}
		close(c);
		/* Wait for the client's FIN, then close: the client gets our FIN in
		 * FIN_WAIT2. */
		if (read(s, &b, 1) < 0)
			die("read");
		close(s);
	}
}

/* Whether the probe's socket still exists: one exact sock_diag lookup, no dump. */
static int tw_alive(int nl, const struct tw_probe *pr)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
	    .nlh = {.nlmsg_len = sizeof(msg),
		    .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST},
	    .req = {.sdiag_family = AF_INET,
		    .sdiag_protocol = IPPROTO_TCP,
		    .idiag_states = ~0u},
	};
	char buf[4096];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	ssize_t n;

	msg.req.id.idiag_sport = pr->src.sin_port;
	msg.req.id.idiag_dport = pr->dst.sin_port;
	msg.req.id.idiag_src[0] = pr->src.sin_addr.s_addr;
	msg.req.id.idiag_dst[0] = pr->dst.sin_addr.s_addr;
	/* The cookie tells our socket from a newer one that reuses its 4-tuple. */
	msg.req.id.idiag_cookie[0] = (uint32_t)pr->cookie;
	msg.req.id.idiag_cookie[1] = (uint32_t)(pr->cookie >> 32);
	if (send(nl, &msg, sizeof(msg), 0) < 0)
		die("sock_diag send");
	n = recv(nl, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*nlh))
		die("sock_diag recv");
	return nlh->nlmsg_type != NLMSG_ERROR;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A FIFO of TIME_WAIT batches, oldest first, each with its creation time and probe. */
struct tw_ring {
	int64_t *t;
	long *n;
	struct tw_probe *probe;
	long cap, head, len;
};

static void tw_add(struct tw_ring *r, int h, const int *tw_lfd, long n)
{
	long i = (r->head + r->len) % r->cap;

	make_timewait(h, tw_lfd, n, &r->probe[i]);
	r->t[i] = now_ns();
	r->n[i] = n;
	r->len++;
}

/* Replace the batches the kernel has expired. Returns ms until the next check (-1: none).
 */
static int tw_refresh(struct tw_ring *r, int nl, int h, const int *tw_lfd)
{
	int64_t now = now_ns();
	long gone = 0, todo = 0, i;

	/* Probe every expired batch before making any: new sockets may reuse old
	 * 4-tuples. */
	while (gone < r->len) {
		i = (r->head + gone) % r->cap;
		if (now - r->t[i] < TW_LIFETIME_NS || tw_alive(nl, &r->probe[i]))
			break;
		todo += r->n[i];
		gone++;
	}
	r->head = (r->head + gone) % r->cap;
	r->len -= gone;
	for (; todo > 0; todo -= TW_BATCH)
		tw_add(r, h, tw_lfd, todo < TW_BATCH ? todo : TW_BATCH);
	if (!r->len)
		return -1;
	now = now_ns() - r->t[r->head];
	/* Poll often only once the oldest batch may have expired. */
	return now >= TW_LIFETIME_NS ? 10 : (int)((TW_LIFETIME_NS - now) / 1000000) + 1;
}

static void raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)need > rl.rlim_cur) {
		fprintf(stderr,
			"holder: need %ld fds, RLIMIT_NOFILE hard limit is %llu\n", need,
			(unsigned long long)rl.rlim_cur);
		exit(1);
	}
}

static void usage(void)
{
	fputs(
	    "usage: holder [-i HOLDER] [-n PAIRS] [-o OFFSET] [-b BASEPORT] [-P NPORTS]\n"
	    "              [-l LISTENERS] [-t TIMEWAIT] [-S]\n"
	    "  -S  ignore stdin (otherwise EOF on stdin ends the holder)\n",
	    stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 0, offset = 0, n_listen = 0, n_tw = 0, i;
	int h = 0, base = 20000, nports = 100, watch_stdin = 1, opt;
	int tw_lfd[TW_NPORTS], nl = -1, timeout = -1;
	struct tw_ring ring = {0};
	struct sigaction sa = {.sa_handler = on_signal};

	while ((opt = getopt(argc, argv, "i:n:o:b:P:l:t:S")) != -1) {
		switch (opt) {
		case 'i':
			h = num_arg(optarg, 0, 253);
			break;
		case 'n':
			n = num_arg(optarg, 0, 10000000);
			break;
		case 'o':
			offset = num_arg(optarg, 0, 1000000000);
			break;
		case 'b':
			base = num_arg(optarg, 1, 65535);
			break;
		case 'P':
			nports = num_arg(optarg, 1, 1000);
			break;
		case 'l':
			n_listen = num_arg(optarg, 0, 65535 - EXTRA_BASE_PORT);
			break;
		case 't':
			n_tw = num_arg(optarg, 0, 10000000);
			break;
		case 'S':
			watch_stdin = 0;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || base + nports > 65536)
		usage();

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(2 * n + (n ? nports : 0) + n_listen + 3 * TW_NPORTS + 16);

	if (n)
		make_pairs(h, n, offset, base, nports);
	for (i = 0; i < n_listen; i++)
		listen_on(addr4(127, 3, h, 1, EXTRA_BASE_PORT + i));
	if (n_tw) {
		for (i = 0; i < TW_NPORTS; i++)
			tw_lfd[i] = listen_on(addr4(127, 4, h, 1, TW_BASE_PORT + i));
		nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (nl < 0)
			die("netlink socket");
		ring.cap = n_tw / TW_BATCH + 2;
		ring.t = calloc(ring.cap, sizeof(*ring.t));
		ring.n = calloc(ring.cap, sizeof(*ring.n));
		ring.probe = calloc(ring.cap, sizeof(*ring.probe));
		if (!ring.t || !ring.n || !ring.probe)
			die("calloc");
		for (i = 0; i < n_tw; i += TW_BATCH)
			tw_add(&ring, h, tw_lfd,
			       n_tw - i < TW_BATCH ? n_tw - i : TW_BATCH);
		timeout = tw_refresh(&ring, nl, h, tw_lfd);
	}

	printf("ready holder=%d pairs=%ld listeners=%ld timewait=%ld\n", h, n,
	       (n ? nports : 0) + n_listen, n_tw);
	fflush(stdout);

	while (!stop) {
		struct pollfd pfd = {.fd = 0, .events = POLLIN};
		char buf[256];
		int r = poll(&pfd, watch_stdin ? 1 : 0, timeout);

		if (r < 0 && errno != EINTR)
			die("poll");
		if (r > 0 && pfd.revents) {
			ssize_t got = read(0, buf, sizeof(buf));

			if (got <= 0 && !(got < 0 && errno == EINTR))
				break; /* EOF or error on stdin: whoever started us is
					  gone */
		}
		if (n_tw)
			timeout = tw_refresh(&ring, nl, h, tw_lfd);
	}
	/* Exit closes everything; the namespace's teardown takes care of what remains. */
	return 0;
}
