/* test_replay.c - a live dump recorded to a file replays through the same callbacks,
 * equal. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "check.h"
#include "model/sock.h"
#include "model/states.h"
#include "query/diag.h"

#define SKIP 77

static int keep_cb(const struct sock_rec *s, void *data)
{
	struct sock_set *set = data;

	if (!s) {
		sock_set_clear(set);
		return 0;
	}
	return sock_set_add(set, s);
}

/*
 * A private network namespace with lo up, so the sockets we make touch nothing else.
 * Returns false when we may not create one (then we only read the current one).
 */
static bool enter_netns(void)
{
	struct ifreq ifr = {0};
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return true;
}

/* A listener, a connected pair over IPv4 and one over IPv6, a bound-only socket. */
static int make_sockets(int *fds, int max)
{
	int n = 0;
	const int families[] = {AF_INET, AF_INET6};

	for (size_t f = 0; f < 2 && n + 4 <= max; f++) {
		struct sockaddr_storage ss = {0};
		socklen_t sl;
		int lfd = socket(families[f], SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfd < 0)
			continue;
		if (families[f] == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			a->sin_family = AF_INET;
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			sl = sizeof(*a);
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			a->sin6_family = AF_INET6;
			a->sin6_addr = in6addr_loopback;
			sl = sizeof(*a);
		}
		if (bind(lfd, (struct sockaddr *)&ss, sl) < 0 || listen(lfd, 8) < 0 ||
		    getsockname(lfd, (struct sockaddr *)&ss, &sl) < 0) {
			close(lfd);
			continue;
		}
		fds[n++] = lfd;
		int cfd = socket(families[f], SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cfd >= 0 && connect(cfd, (struct sockaddr *)&ss, sl) == 0) {
			fds[n++] = cfd;
			int afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (afd >= 0)
				fds[n++] = afd;
		} else if (cfd >= 0) {
			close(cfd);
		}
		int bfd = socket(families[f], SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (bfd >= 0) {
			if (families[f] == AF_INET)
				((struct sockaddr_in *)&ss)->sin_port = 0;
			else
				((struct sockaddr_in6 *)&ss)->sin6_port = 0;
			bind(bfd, (struct sockaddr *)&ss, sl);
			fds[n++] = bfd;
		}
	}
	return n;
}

static bool same_sock(const struct sock_rec *a, const struct sock_rec *b)
{
	if (a->family != b->family || a->state != b->state || a->kstate != b->kstate ||
	    a->lport != b->lport || a->rport != b->rport || a->inode != b->inode ||
	    a->cookie != b->cookie || a->uid != b->uid || a->rqueue != b->rqueue ||
	    a->wqueue != b->wqueue || a->timer != b->timer || a->expires != b->expires ||
	    memcmp(a->laddr, b->laddr, 16) != 0 || memcmp(a->raddr, b->raddr, 16) != 0)
		return false;
	if (!a->ext != !b->ext)
		return false;
	return !a->ext || memcmp(a->ext, b->ext, sizeof(*a->ext)) == 0;
}

/* One live dump (with ext), recorded; its replay must give the same sockets and counts.
 */
static void compare(const struct diag_query *q, const char *what, bool own_netns)
{
	struct sock_set live = {0}, replayed = {0};
	struct diag_stats lst = {0}, rst = {0};
	struct diag_sock *ds;
	FILE *rec = tmpfile();
	int err;

	if (!rec) {
		CHECK(0, "tmpfile: %s", strerror(errno));
		return;
	}
	err = diag_sock_open(&ds);
	CHECK(err == 0, "%s: diag_sock_open: %s", what, strerror(-err));
	if (err < 0) {
		fclose(rec);
		return;
	}
	err = diag_dump(ds, q, keep_cb, &live, &lst, rec);
	diag_sock_close(ds);
	CHECK(err == 0, "%s: live dump: %s", what, strerror(-err));
	CHECK(fflush(rec) == 0, "%s: fflush", what);
	rewind(rec);
	err = diag_replay(rec, true, keep_cb, &replayed, &rst);
	fclose(rec);
	CHECK(err == 0, "%s: replay: %s", what, strerror(-err));

	CHECK(live.n == replayed.n, "%s: live %zu sockets, replayed %zu", what, live.n,
	      replayed.n);
	CHECK(lst.socks == rst.socks && lst.msgs == rst.msgs && lst.bytes == rst.bytes &&
		  lst.recvs == rst.recvs,
	      "%s: stats differ: live %llu/%llu/%llu/%u replay %llu/%llu/%llu/%u", what,
	      (unsigned long long)lst.socks, (unsigned long long)lst.msgs,
	      (unsigned long long)lst.bytes, lst.recvs, (unsigned long long)rst.socks,
	      (unsigned long long)rst.msgs, (unsigned long long)rst.bytes, rst.recvs);
	for (size_t i = 0; i < live.n && i < replayed.n; i++)
		CHECK(same_sock(&live.v[i], &replayed.v[i]), "%s: socket %zu differs",
		      what, i);
	if (own_netns && q->family == AF_UNSPEC) {
		/* Our own sockets must be in it: 2 listeners, 4 connected, 2 bound. */
		CHECK(live.n >= 6, "%s: only %zu sockets in our namespace", what, live.n);
		if (q->ext) {
			size_t with_info = 0;
			for (size_t i = 0; i < live.n; i++)
				if (live.v[i].ext && live.v[i].ext->info_len)
					with_info++;
			CHECK(with_info >= 4, "%s: only %zu sockets carry tcp_info", what,
			      with_info);
		}
	}
	printf("%s: %zu sockets, %u recv buffers, %llu bytes: live == replay\n", what,
	       live.n, lst.recvs, (unsigned long long)lst.bytes);
	sock_set_done(&live);
	sock_set_done(&replayed);
}

int main(void)
{
	struct diag_sock *ds;
	int fds[16], n = 0, err;
	bool own = enter_netns();

	if (own)
		n = make_sockets(fds, 16);
	else
		printf(
		    "# cannot create a network namespace: replaying the current one\n");
	err = diag_sock_open(&ds);
	if (err < 0) {
		printf("SKIP: cannot open a sock_diag socket: %s\n", strerror(-err));
		return SKIP;
	}
	diag_sock_close(ds);

	struct diag_query q = {.family = AF_UNSPEC};
	q.kstates = state_set_to_kernel(STATE_SET_ALL, true);
	compare(&q, "plain", own);
	q.ext = (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_INFO - 1)) |
		(1 << (INET_DIAG_CONG - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1));
	compare(&q, "with tcp_info, cong, skmeminfo", own);
	q.family = AF_INET6;
	compare(&q, "IPv6 only", own);

	for (int i = 0; i < n; i++)
		close(fds[i]);
	return check_finish("test_replay");
}
