/* test_faults_procfs.c - the /proc/net/tcp fallback parser on crafted files in a temp
 * tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "check.h"
#include "model/sock.h"
#include "model/states.h"
#include "query/procfs_fallback.h"

static const char header4[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";
static const char header6[] =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/* As the kernel prints them (get_tcp4_sock, get_timewait4_sock, get_openreq4, tcp6). */
static const char tcp4[] =
    "   0: 0100007F:0016 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0   "
    "     0 4242 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:0016 0200007F:D431 01 00000010:00000020 02:0000012C 00000002  1000   "
    "     0 4343 2 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:A000 0100007F:0016 06 00000000:00000000 03:00000BB8 00000000     0   "
    "     0 0 3 0000000000000000\n"
    "   3: 0100007F:0016 0300007F:C000 03 00000000:00000000 01:00000064 00000001  1000   "
    "     0 0 2 0000000000000000\n";
static const char tcp6[] =
    "   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 "
    "0 10 0\n"
    "   1: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000100007F:E000 01 "
    "00000000:00000000 00:00000000 00000000     0        0 5252 1 0000000000000000 20 4 "
    "30 10 -1\n";

static char root[64];

static void write_file(const char *name, const char *a, const char *b)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", root, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(a, f);
	fputs(b, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/net/%s", root, name);
	unlink(path);
}

struct got {
	struct sock_rec v[16];
	int n;
	int resets;
};

static int keep_cb(const struct sock_rec *s, void *data)
{
	struct got *g = data;

	if (!s) {
		g->n = 0;
		g->resets++;
		return 0;
	}
	if (g->n < 16)
		g->v[g->n++] = *s;
	return 0;
}

static int dump(const struct diag_query *q, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return procfs_dump(root, q, keep_cb, g, NULL);
}

static void test_fields(void)
{
	struct diag_query q = {.family = AF_UNSPEC, .kstates = ~0u};
	struct got g;
	uint8_t lo[4] = {127, 0, 0, 1}, peer[4] = {127, 0, 0, 2};
	uint8_t v6lo[16] = {[15] = 1};
	uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1};

	CHECK(dump(&q, &g) == 0, "dump");
	CHECK(g.n == 6, "6 sockets, got %d", g.n);
	if (g.n != 6)
		return;
	/* listener: backlog in rx_queue */
	CHECK(g.v[0].family == AF_INET && g.v[0].state == TS_LISTEN &&
		  g.v[0].lport == 22 && g.v[0].rport == 0 &&
		  memcmp(g.v[0].laddr, lo, 4) == 0 && g.v[0].rqueue == 3 &&
		  g.v[0].inode == 4242,
	      "listener fields");
	/* established: queues, keepalive timer of 300 ticks = 3000 ms, retrans, uid */
	CHECK(g.v[1].state == TS_ESTABLISHED && g.v[1].rport == 0xd431 &&
		  memcmp(g.v[1].raddr, peer, 4) == 0 && g.v[1].wqueue == 16 &&
		  g.v[1].rqueue == 32 && g.v[1].timer == 2 &&
		  g.v[1].expires == 300 * 1000 / sysconf(_SC_CLK_TCK) &&
		  g.v[1].retrans == 2 && g.v[1].uid == 1000 && g.v[1].inode == 4343,
	      "established fields: timer %u expires %u retrans %u uid %u", g.v[1].timer,
	      g.v[1].expires, g.v[1].retrans, g.v[1].uid);
	CHECK(g.v[2].state == TS_TIME_WAIT && g.v[2].timer == 3 && g.v[2].inode == 0,
	      "time-wait fields");
	CHECK(g.v[3].state == TS_SYN_RCVD && g.v[3].uid == 1000, "request socket fields");
	CHECK(g.v[4].family == AF_INET6 && g.v[4].state == TS_LISTEN &&
		  g.v[4].lport == 631 && memcmp(g.v[4].laddr, v6lo, 16) == 0 &&
		  g.v[4].inode == 5151,
	      "IPv6 listener on ::1");
	CHECK(memcmp(g.v[5].laddr, mapped, 16) == 0 && g.v[5].lport == 80,
	      "v4-mapped address");
}

static void test_selection(void)
{
	struct diag_query q = {.family = AF_INET6, .kstates = ~0u};
	struct got g;

	CHECK(dump(&q, &g) == 0 && g.n == 2, "-6: 2 sockets, got %d", g.n);
	q.family = AF_INET;
	CHECK(dump(&q, &g) == 0 && g.n == 4, "-4: 4 sockets, got %d", g.n);
	q.family = AF_UNSPEC;
	q.kstates = 1u << 10; /* TCP_LISTEN */
	CHECK(dump(&q, &g) == 0 && g.n == 2, "LISTEN: 2 sockets, got %d", g.n);
	q.kstates = ~0u;
	q.sport = 22;
	CHECK(dump(&q, &g) == 0 && g.n == 3, "sport 22: 3 sockets, got %d", g.n);
	q.sport = 0;
	q.dport = 0xe000;
	CHECK(dump(&q, &g) == 0 && g.n == 1, "dport: 1 socket, got %d", g.n);

	struct diag_query ext = {.ext = 2};
	CHECK(!procfs_can_answer(&ext), "tcp_info cannot come from /proc/net/tcp");
	CHECK(procfs_can_answer(&q), "a plain query can");
}

static void test_broken(void)
{
	struct diag_query q = {.family = AF_UNSPEC, .kstates = ~0u};
	struct got g;
	static const char *const bad[] = {
	    "   0: 0100007F:0016\n",
	    "   0: 0100007G:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	    "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0\n",
	    "   0: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
	    "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	    "garbage\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file("tcp", header4, bad[i]);
		CHECK(dump(&q, &g) == -EBADMSG, "bad line %zu gives -EBADMSG", i);
	}
	/* a line longer than the read buffer */
	char *huge = malloc(200000);
	memset(huge, '1', 199998);
	huge[199998] = '\n';
	huge[199999] = '\0';
	write_file("tcp", header4, huge);
	free(huge);
	CHECK(dump(&q, &g) == -EBADMSG, "a 200 kB line gives -EBADMSG");

	/* no IPv6 in the kernel: tcp6 missing is fine */
	write_file("tcp", header4, tcp4);
	remove_file("tcp6");
	CHECK(dump(&q, &g) == 0 && g.n == 4, "without tcp6: 4 sockets, got %d", g.n);
	remove_file("tcp");
	CHECK(dump(&q, &g) == -ENOENT, "neither file: -ENOENT");
	/* only the header: no sockets, no error */
	write_file("tcp", header4, "");
	CHECK(dump(&q, &g) == 0 && g.n == 0, "header only");
	/* many lines across read() boundaries */
	FILE *f;
	char path[128];
	snprintf(path, sizeof(path), "%s/net/tcp", root);
	f = fopen(path, "w");
	fputs(header4, f);
	for (int i = 0; i < 5000; i++)
		fprintf(
		    f,
		    "%4d: 0100007F:%04X 0100007F:0016 01 00000000:00000000 00:00000000 "
		    "00000000     0        0 %d 1 0000000000000000 20 4 30 10 -1\n",
		    i, 10000 + i, 100000 + i);
	fclose(f);
	int count = 0;
	struct diag_stats st = {0};
	CHECK(procfs_dump(root, &q, keep_cb, &g, &st) == 0, "5000 lines");
	count = (int)st.socks;
	CHECK(count == 5000, "5000 sockets, got %d", count);
}

int main(void)
{
	char net[96];

	snprintf(root, sizeof(root), "/tmp/tcpstate-procfs-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(net, sizeof(net), "%s/net", root);
	mkdir(net, 0700);
	write_file("tcp", header4, tcp4);
	write_file("tcp6", header6, tcp6);
	test_fields();
	test_selection();
	test_broken();
	remove_file("tcp");
	remove_file("tcp6");
	rmdir(net);
	rmdir(root);
	return check_finish("test_faults_procfs");
}
