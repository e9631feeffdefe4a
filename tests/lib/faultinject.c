/* faultinject.c - LD_PRELOAD shim for the fault tests: sock_diag and /proc/net/tcp
 * failures. */
/*
 * Used only by tests/integration/test_faults*.py, never by tcpstate itself. The faults
 * come from TCPSTATE_FAULT, a comma-separated list (errnos by name or number):
 *
 *   socket=E        socket(AF_NETLINK, ..., NETLINK_SOCK_DIAG) fails with E (a kernel
 *                   without sock_diag: EPROTONOSUPPORT; a sandbox: EACCES)
 *   dump_error=E@K  the K-th recv of every dump (default 1) is an NLMSG_ERROR carrying -E
 *                   (K=1 with ENOENT: a kernel without tcp_diag; K>1: failing mid-way)
 *   done_error=E    the NLMSG_DONE of every dump carries -E
 *   recv_error=E@K  the K-th recv of the first dump fails with errno E (ENOBUFS: overrun)
 *   dump_intr=N     the first message of the first N dumps has NLM_F_DUMP_INTR set
 *                   (N=-1: every dump, so tcpstate must give up)
 *   procnet=E       opening /proc/net/tcp or /proc/net/tcp6 fails with E
 */
/* Define open() and open64() as the two symbols they are, whatever meson's default. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef NETLINK_SOCK_DIAG
#define NETLINK_SOCK_DIAG 4
#endif
#ifndef NLM_F_DUMP_INTR
#define NLM_F_DUMP_INTR 0x10
#endif

#define MAX_FD 4096

static struct {
	bool parsed;
	int socket_errno;
	int dump_errno, dump_at;
	int done_errno;
	int recv_errno, recv_at;
	int intr_dumps;
	int procnet_errno;
} F;

static bool is_diag[MAX_FD];
static uint32_t last_seq;
static int dumps; /* requests sent */
static int recvs; /* recvs since the last request */

static int errno_value(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {
	    {"EPROTONOSUPPORT", EPROTONOSUPPORT},
	    {"EACCES", EACCES},
	    {"EPERM", EPERM},
	    {"ENOENT", ENOENT},
	    {"EOPNOTSUPP", EOPNOTSUPP},
	    {"ENOBUFS", ENOBUFS},
	    {"ENOMEM", ENOMEM},
	    {"EINVAL", EINVAL},
	    {"EIO", EIO},
	    {"EAFNOSUPPORT", EAFNOSUPPORT},
	    {"EMFILE", EMFILE},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(s, names[i].name, strlen(names[i].name)) == 0)
			return names[i].err;
	return atoi(s);
}

/* "E" or "E@K" */
static void errno_at(const char *v, int *err, int *at)
{
	const char *a = strchr(v, '@');

	*err = errno_value(v);
	*at = a ? atoi(a + 1) : 1;
}

static void parse_faults(void)
{
	const char *env = getenv("TCPSTATE_FAULT");
	char buf[512], *save = NULL;

	if (F.parsed)
		return;
	F.parsed = true;
	if (!env)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *v = strchr(t, '=');
		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(t, "socket") == 0)
			F.socket_errno = errno_value(v);
		else if (strcmp(t, "dump_error") == 0)
			errno_at(v, &F.dump_errno, &F.dump_at);
		else if (strcmp(t, "done_error") == 0)
			F.done_errno = errno_value(v);
		else if (strcmp(t, "recv_error") == 0)
			errno_at(v, &F.recv_errno, &F.recv_at);
		else if (strcmp(t, "dump_intr") == 0)
			F.intr_dumps = atoi(v);
		else if (strcmp(t, "procnet") == 0)
			F.procnet_errno = errno_value(v);
	}
}

/* dlsym returns an object pointer; POSIX lets it hold a function, ISO C has no cast for
 * that, so the bits are copied into a generic function pointer. */
typedef void (*any_fn)(void);

static any_fn real_fn(const char *name)
{
	void *sym = dlsym(RTLD_NEXT, name);
	any_fn fn;

	memcpy(&fn, &sym, sizeof(fn));
	return fn;
}

#define REAL(name) ((__typeof__(&name))real_fn(#name))

int socket(int domain, int type, int protocol)
{
	parse_faults();
	if (domain == AF_NETLINK && protocol == NETLINK_SOCK_DIAG && F.socket_errno) {
		errno = F.socket_errno;
		return -1;
	}
	int fd = REAL(socket)(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FD)
		is_diag[fd] = domain == AF_NETLINK && protocol == NETLINK_SOCK_DIAG;
	return fd;
}

int close(int fd)
{
	if (fd >= 0 && fd < MAX_FD)
		is_diag[fd] = false;
	return REAL(close)(fd);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, __CONST_SOCKADDR_ARG to,
	       socklen_t tolen)
{
	if (fd >= 0 && fd < MAX_FD && is_diag[fd] && len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = buf;
		last_seq = nlh->nlmsg_seq;
		dumps++;
		recvs = 0;
	}
	return REAL(sendto)(fd, buf, len, flags, to, tolen);
}

/* Write one NLMSG_ERROR carrying err, as the kernel would answer this dump. */
static ssize_t fake_error(int fd, struct msghdr *msg, int err)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;
	struct sockaddr_nl self;
	socklen_t sl = sizeof(self);

	memset(&m, 0, sizeof(m));
	memset(&self, 0, sizeof(self));
	getsockname(fd, (struct sockaddr *)&self, &sl);
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.h.nlmsg_seq = last_seq;
	m.h.nlmsg_pid = self.nl_pid;
	m.e.error = -err;
	m.e.msg.nlmsg_seq = last_seq;
	if (msg->msg_iovlen < 1 || msg->msg_iov[0].iov_len < sizeof(m)) {
		errno = ENOBUFS;
		return -1;
	}
	memcpy(msg->msg_iov[0].iov_base, &m, sizeof(m));
	if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl *from = msg->msg_name;
		memset(from, 0, sizeof(*from));
		from->nl_family = AF_NETLINK;
		msg->msg_namelen = sizeof(*from);
	}
	return (ssize_t)sizeof(m);
}

/* Change the messages of a buffer the kernel sent: DUMP_INTR on the first, DONE's error.
 */
static void rewrite(unsigned char *buf, size_t len)
{
	size_t off = 0;

	if (F.intr_dumps && recvs == 1 && (F.intr_dumps < 0 || dumps <= F.intr_dumps) &&
	    len >= sizeof(struct nlmsghdr))
		((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	while (F.done_errno && off + sizeof(struct nlmsghdr) <= len) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			break;
		if (h->nlmsg_type == NLMSG_DONE &&
		    h->nlmsg_len >= sizeof(*h) + sizeof(int)) {
			int e = -F.done_errno;
			memcpy(h + 1, &e, sizeof(e));
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (fd < 0 || fd >= MAX_FD || !is_diag[fd])
		return REAL(recvmsg)(fd, msg, flags);
	recvs++;
	if (F.recv_errno && dumps == 1 && recvs == F.recv_at) {
		errno = F.recv_errno;
		return -1;
	}
	if (F.dump_errno && recvs == F.dump_at)
		return fake_error(fd, msg, F.dump_errno);
	ssize_t n = REAL(recvmsg)(fd, msg, flags);
	if (n > 0 && msg->msg_iovlen >= 1)
		rewrite(msg->msg_iov[0].iov_base, (size_t)n);
	return n;
}

static bool is_procnet(const char *path)
{
	return path && (strncmp(path, "/proc/net/tcp", 13) == 0 ||
			strncmp(path, "/proc/self/net/tcp", 18) == 0);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	parse_faults();
	if (F.procnet_errno && is_procnet(path)) {
		errno = F.procnet_errno;
		return -1;
	}
	return REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	parse_faults();
	if (F.procnet_errno && is_procnet(path)) {
		errno = F.procnet_errno;
		return -1;
	}
	return REAL(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	parse_faults();
	if (F.procnet_errno && is_procnet(path)) {
		errno = F.procnet_errno;
		return -1;
	}
	return REAL(openat)(dirfd, path, flags, mode);
}
