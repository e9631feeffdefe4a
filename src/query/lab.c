/* lab.c - --lab: a private network namespace, the holder process and its recipes for a
 * socket in each of the 11 TCP states. Builds sockets; never prints. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "query/lab.h"
#include "query/lab_sock.h"

enum {
	LAB_TINY_RCVBUF = 1024, /* doubled and clamped to SOCK_MIN_RCVBUF by the kernel */
	LAB_DEFER_SECS = 600,	/* how long SYN_RCVD is held (TCP_DEFER_ACCEPT) */
	LAB_SYN_RETRIES = 30,	/* SYN_SENT for about 45 minutes instead of 2 */
	LAB_MAX_HELD = 32,
};

/* What the parent asks the holder and what it answers. */
enum { LAB_CMD_BUILD = 1, LAB_CMD_STEP };

struct lab_cmd {
	int op, lesson, step;
};

struct lab_reply {
	int ret;    /* 0 or a negative errno */
	int result; /* lab_fds.result of a step */
	int what;   /* the recipe that failed */
};

struct lab {
	pid_t pid;
	int cmd_fd, rep_fd;
};

/* ---- the namespace ------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Map our uid and gid to themselves, so owners and -e show the real user. */
static int map_ids(uid_t uid, gid_t gid)
{
	char buf[64];
	int err;

	err = write_file("/proc/self/setgroups", "deny");
	if (err < 0 && err != -ENOENT)
		return err;
	snprintf(buf, sizeof(buf), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((err = write_file("/proc/self/uid_map", buf)) < 0)
		return err;
	snprintf(buf, sizeof(buf), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", buf);
}

static int loopback_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

int lab_netns_new(enum lab_ns_kind *ret_kind)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int err;

	*ret_kind = LAB_NS_NET;
	if (unshare(CLONE_NEWNET) < 0) {
		if (errno != EPERM)
			return -errno;
		/* Not privileged here: a user namespace gives us CAP_SYS_ADMIN over a
		 * network namespace of our own, when the kernel allows one. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			return errno == EINVAL || errno == ENOSPC || errno == EUSERS
				   ? -EPERM
				   : -errno;
		*ret_kind = LAB_NS_USER;
		if ((err = map_ids(uid, gid)) < 0)
			return err;
	}
	return loopback_up();
}

static void lo_addr(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* ---- the 11 states ------------------------------------------------------- */

struct held {
	int fd[LAB_MAX_HELD];
	int n;
};

static int hold(struct held *h, int fd)
{
	if (fd < 0)
		return fd;
	if (h->n == LAB_MAX_HELD) {
		close(fd);
		return -ENOBUFS;
	}
	h->fd[h->n++] = fd;
	return fd;
}

/* A connected pair: client port+1 <-> server port; the listener is closed. */
static int pair(struct held *h, uint16_t port, int srv_rcvbuf, int cli_rcvbuf, int *ret_c,
		int *ret_s)
{
	int l = lab_listener(port, 8, srv_rcvbuf, 0, true);
	if (l < 0)
		return l;
	*ret_c = hold(h, lab_connect(port + 1, port, cli_rcvbuf, false));
	*ret_s = *ret_c < 0 ? *ret_c : hold(h, lab_accept(l));
	close(l);
	return *ret_s < 0 ? *ret_s : 0;
}

static int build_closed(struct held *h)
{
	struct sockaddr_in a;
	int fd = hold(h, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));

	if (fd < 0)
		return fd < -1 ? fd : -errno;
	lo_addr(&a, 7000);
	return bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
}

static int build_listen(struct held *h)
{
	int fd = hold(h, lab_listener(7100, 16, 0, 0, true));
	return fd < 0 ? fd : 0;
}

/*
 * backlog 0: the first connection completes and waits in the accept queue, which is then
 * full (1 > 0), so the listener drops every later SYN and the second client stays in
 * SYN_SENT, retransmitting, for as long as tcp_syn_retries lets it.
 */
static int build_syn_sent(struct held *h)
{
	char n[8];
	int l, c;

	snprintf(n, sizeof(n), "%d\n", LAB_SYN_RETRIES);
	write_file("/proc/sys/net/ipv4/tcp_syn_retries", n); /* per namespace */
	if ((l = hold(h, lab_listener(7200, 0, 0, 0, true))) < 0)
		return l;
	if ((c = hold(h, lab_connect(7201, 7200, 0, false))) < 0)
		return c;
	if ((c = hold(h, lab_connect(7202, 7200, 0, true))) < 0)
		return c;
	return lab_wait_kstate(c, TCP_SYN_SENT);
}

/* TCP_DEFER_ACCEPT: the client's ACK carries no data, so the server keeps the request
 * in SYN_RCVD instead of completing it. */
static int build_syn_rcvd(struct held *h)
{
	int l = hold(h, lab_listener(7300, 8, 0, LAB_DEFER_SECS, true));
	if (l < 0)
		return l;
	int c = hold(h, lab_connect(7301, 7300, 0, false));
	return c < 0 ? c : lab_wait_kstate(c, TCP_ESTABLISHED);
}

static int build_established(struct held *h)
{
	int c, s;
	return pair(h, 7400, 0, 0, &c, &s);
}

/* The FIN waits behind data the peer's closed window refuses: never sent, never ACKed. */
static int build_fin_wait_1(struct held *h)
{
	int c, s, err;
	long n;

	if ((err = pair(h, 7500, LAB_TINY_RCVBUF, 0, &c, &s)) < 0)
		return err;
	if ((n = lab_fill(c)) < 0)
		return (int)n;
	shutdown(c, SHUT_WR);
	return lab_wait_kstate(c, TCP_FIN_WAIT1);
}

/* shutdown() rather than close(): the socket keeps its owner, so tcp_fin_timeout never
 * ends FIN_WAIT_2. */
static int build_fin_wait_2(struct held *h)
{
	int c, s, err;

	if ((err = pair(h, 7600, 0, 0, &c, &s)) < 0)
		return err;
	shutdown(c, SHUT_WR);
	if ((err = lab_wait_kstate(c, TCP_FIN_WAIT2)) < 0)
		return err;
	return lab_wait_kstate(s, TCP_CLOSE_WAIT);
}

/* As FIN_WAIT_1, then the peer's own FIN arrives: both closed at once. */
static int build_closing(struct held *h)
{
	int c, s, err;
	long n;

	if ((err = pair(h, 7700, LAB_TINY_RCVBUF, 0, &c, &s)) < 0)
		return err;
	if ((n = lab_fill(c)) < 0)
		return (int)n;
	shutdown(c, SHUT_WR);
	if ((err = lab_wait_kstate(c, TCP_FIN_WAIT1)) < 0)
		return err;
	shutdown(s, SHUT_WR);
	return lab_wait_kstate(c, TCP_CLOSING);
}

/* The client's tiny window holds the server's data, and the server's FIN behind it. */
static int build_last_ack(struct held *h)
{
	int c, s, err;
	long n;

	if ((err = pair(h, 7800, 0, LAB_TINY_RCVBUF, &c, &s)) < 0)
		return err;
	if ((n = lab_fill(s)) < 0)
		return (int)n;
	shutdown(c, SHUT_WR);
	if ((err = lab_wait_kstate(s, TCP_CLOSE_WAIT)) < 0)
		return err;
	shutdown(s, SHUT_WR);
	return lab_wait_kstate(s, TCP_LAST_ACK);
}

/* The client closes first and so keeps the TIME_WAIT (a mini-socket with no owner). */
static int build_time_wait(struct held *h)
{
	int c, s, err;
	long n;

	if ((err = pair(h, 7900, 0, 0, &c, &s)) < 0)
		return err;
	h->n -= 2; /* both are closed here */
	close(c);
	n = lab_drain(s);
	close(s);
	return n < 0 ? (int)n : 0;
}

static const struct {
	const char *what;
	int (*build)(struct held *h);
} recipes[] = {
    {"CLOSED (bind)", build_closed},
    {"LISTEN (listen)", build_listen},
    {"SYN_SENT (backlog 0)", build_syn_sent},
    {"SYN_RCVD (TCP_DEFER_ACCEPT)", build_syn_rcvd},
    {"ESTABLISHED (connect, accept)", build_established},
    {"FIN_WAIT_1 (FIN behind unread data)", build_fin_wait_1},
    {"FIN_WAIT_2 and CLOSE_WAIT (shutdown)", build_fin_wait_2},
    {"CLOSING (FIN behind unread data, then the peer's FIN)", build_closing},
    {"LAST_ACK (FIN behind unread data)", build_last_ack},
    {"TIME_WAIT (close first)", build_time_wait},
};

/* ---- the holder ---------------------------------------------------------- */

static int run_step(struct lab_fds *f, const struct lab_cmd *c)
{
	const struct lab_lesson *ls;
	int i;

	for (i = 0; lab_lessons[i].name && i < c->lesson; i++)
		;
	ls = &lab_lessons[i];
	if (!ls->name || c->step < 0 || (size_t)c->step >= ls->n_steps)
		return -EINVAL;
	f->result = 0;
	return ls->steps[c->step].run(f);
}

static void holder_serve(int cmd_fd, int rep_fd)
{
	struct lab_fds f = {-1, -1, -1, -1, 0};
	struct held h = {.n = 0};
	struct lab_cmd c;

	while (read(cmd_fd, &c, sizeof(c)) == (ssize_t)sizeof(c)) {
		struct lab_reply r = {0, 0, -1};

		if (c.op == LAB_CMD_BUILD) {
			for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]);
			     i++) {
				if ((r.ret = recipes[i].build(&h)) < 0) {
					r.what = (int)i;
					break;
				}
			}
		} else {
			r.ret = run_step(&f, &c);
			r.result = f.result;
		}
		if (write(rep_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
	}
}

static void holder_main(pid_t parent, int cmd_fd, int rep_fd)
{
	sigset_t none;
	int null;

	/* We die with tcpstate however it ends; Ctrl-C is the parent's to handle. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "tcpstate-lab");
	/* Hold none of the user's terminal or pipes. */
	null = open("/dev/null", O_RDWR);
	for (int fd = 0; null >= 0 && fd <= 2; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	holder_serve(cmd_fd, rep_fd);
	_exit(0);
}

int lab_start(struct lab **ret)
{
	int cmd[2], rep[2];
	pid_t parent = getpid(), pid;
	struct lab *l = calloc(1, sizeof(*l));

	*ret = NULL;
	if (!l)
		return -ENOMEM;
	if (pipe2(cmd, O_CLOEXEC) < 0) {
		free(l);
		return -errno;
	}
	if (pipe2(rep, O_CLOEXEC) < 0) {
		int err = -errno;
		close(cmd[0]);
		close(cmd[1]);
		free(l);
		return err;
	}
	pid = fork();
	if (pid == 0) {
		close(cmd[1]);
		close(rep[0]);
		holder_main(parent, cmd[0], rep[1]);
	}
	close(cmd[0]);
	close(rep[1]);
	if (pid < 0) {
		int err = -errno;
		close(cmd[1]);
		close(rep[0]);
		free(l);
		return err;
	}
	l->pid = pid;
	l->cmd_fd = cmd[1];
	l->rep_fd = rep[0];
	*ret = l;
	return 0;
}

pid_t lab_pid(const struct lab *l)
{
	return l->pid;
}

static int ask(struct lab *l, const struct lab_cmd *c, struct lab_reply *r)
{
	ssize_t n;

	if (write(l->cmd_fd, c, sizeof(*c)) != (ssize_t)sizeof(*c))
		return -EPIPE;
	do
		n = read(l->rep_fd, r, sizeof(*r));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*r) ? 0 : -ECHILD;
}

int lab_build_all(struct lab *l, const char **ret_what)
{
	struct lab_cmd c = {LAB_CMD_BUILD, 0, 0};
	struct lab_reply r;
	int err = ask(l, &c, &r);

	*ret_what = NULL;
	if (err < 0)
		return err;
	if (r.ret < 0 && r.what >= 0 &&
	    (size_t)r.what < sizeof(recipes) / sizeof(recipes[0]))
		*ret_what = recipes[r.what].what;
	return r.ret;
}

int lab_step(struct lab *l, const struct lab_lesson *ls, size_t i, int *ret_result)
{
	struct lab_cmd c = {LAB_CMD_STEP, (int)(ls - lab_lessons), (int)i};
	struct lab_reply r;
	int err = ask(l, &c, &r);

	*ret_result = 0;
	if (err < 0)
		return err;
	*ret_result = r.result;
	return r.ret;
}

void lab_stop(struct lab *l)
{
	if (!l)
		return;
	close(l->cmd_fd);
	close(l->rep_fd);
	kill(l->pid, SIGKILL);
	while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(l);
}
