/* render_fixture.h - a hand-built socket set and a fake /proc tree for the renderer
 * tests. */
#ifndef TCPSTATE_TEST_RENDER_FIXTURE_H
#define TCPSTATE_TEST_RENDER_FIXTURE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model/sock.h"
#include "model/states.h"
#include "query/procs.h"

/* Print s as a C string literal (GOLDEN_DUMP=1 regenerates the goldens). */
static void dump_literal(const char *what, const char *s)
{
	printf("/* %s */\n\t\"", what);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '\n')
			printf(p[1] ? "\\n\"\n\t\"" : "\\n");
		else if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\%03o", *p);
		else
			putchar(*p);
	}
	printf("\"\n");
}

/* Compare with a golden string; print both, visibly, when they differ. */
#define CHECK_GOLDEN(got, want, what)                                                    \
	do {                                                                             \
		const char *g_ = (got), *w_ = (want);                                    \
		if (getenv("GOLDEN_DUMP"))                                               \
			dump_literal(what, g_);                                          \
		if (!g_ || strcmp(g_, w_) != 0) {                                        \
			fprintf(                                                         \
			    stderr,                                                      \
			    "FAIL %s:%d: %s differs\n--- got:\n%s--- want:\n%s---\n",    \
			    __FILE__, __LINE__, what, g_ ? g_ : "(null)\n", w_);         \
			check_failures++;                                                \
		}                                                                        \
	} while (0)

/* The evil process name: quote, backslash, comma, newline, ESC and a byte not UTF-8. */
#define EVIL_COMM "ev\"il\\,\n\x1b\xff"

static void fx_sock(struct sock_set *set, int family, const char *laddr, int lport,
		    const char *raddr, int rport, enum ts_state st, unsigned rq,
		    unsigned wq, unsigned inode)
{
	struct sock_rec s;

	memset(&s, 0, sizeof(s));
	s.family = (uint8_t)family;
	s.state = (uint8_t)st;
	s.kstate = state_table[st].kernel_code;
	s.lport = (uint16_t)lport;
	s.rport = (uint16_t)rport;
	inet_pton(family, laddr, s.laddr);
	inet_pton(family, raddr, s.raddr);
	s.rqueue = rq;
	s.wqueue = wq;
	s.inode = inode;
	if (sock_set_add(set, &s) < 0)
		abort();
}

/*
 * Six sockets:
 *   tcp  127.0.0.1:22          0.0.0.0:*          LISTEN      0/128 inode 1001 sshd(100)
 *   tcp  127.0.0.1:40000       127.0.0.1:22       ESTABLISHED 0/0   inode 1002 evil(200)
 *   tcp6 [::1]:8080            [::1]:50000        CLOSE_WAIT  5/0   inode 1003
 * evil(200,201) tcp  10.0.0.1:443          192.0.2.7:51000    TIME_WAIT   0/0   no inode
 *   tcp  10.0.0.1:443          192.0.2.9:51001    TIME_WAIT   0/0   no inode
 *   tcp  10.0.0.1:443          192.0.2.7:51002    ESTABLISHED 0/1448 inode 1004 sshd(100)
 */
static void fx_set(struct sock_set *set)
{
	memset(set, 0, sizeof(*set));
	fx_sock(set, AF_INET, "127.0.0.1", 22, "0.0.0.0", 0, TS_LISTEN, 0, 128, 1001);
	fx_sock(set, AF_INET, "127.0.0.1", 40000, "127.0.0.1", 22, TS_ESTABLISHED, 0, 0,
		1002);
	fx_sock(set, AF_INET6, "::1", 8080, "::1", 50000, TS_CLOSE_WAIT, 5, 0, 1003);
	fx_sock(set, AF_INET, "10.0.0.1", 443, "192.0.2.7", 51000, TS_TIME_WAIT, 0, 0, 0);
	fx_sock(set, AF_INET, "10.0.0.1", 443, "192.0.2.9", 51001, TS_TIME_WAIT, 0, 0, 0);
	fx_sock(set, AF_INET, "10.0.0.1", 443, "192.0.2.7", 51002, TS_ESTABLISHED, 0,
		1448, 1004);
}

static void fx_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void fx_proc(const char *root, int pid, const char *comm, const unsigned *inodes)
{
	char path[512], target[64];

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/comm", root, pid);
	fx_write(path, comm);
	for (int i = 0; inodes[i]; i++) {
		snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, i + 3);
		snprintf(target, sizeof(target), "socket:[%u]", inodes[i]);
		if (symlink(target, path) < 0) {
			perror(path);
			exit(1);
		}
	}
}

/* A fake /proc with sshd (100) and two processes with the evil name (200, 201). */
static struct procs *fx_procs(const struct sock_set *set)
{
	static const unsigned sshd[] = {1001, 1004, 0}, evil[] = {1002, 1003, 0},
			      evil2[] = {1003, 0};
	char root[] = "/tmp/tcpstate-render-XXXXXX", cmd[128];
	uint32_t inodes[16];
	struct procs *p = NULL;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	fx_proc(root, 100, "sshd\n", sshd);
	fx_proc(root, 200, EVIL_COMM "\n", evil);
	fx_proc(root, 201, EVIL_COMM "\n", evil2);
	for (size_t i = 0; i < set->n; i++)
		inodes[i] = set->v[i].inode;
	if (procs_scan(root, inodes, set->n, &p, NULL) < 0) {
		fprintf(stderr, "procs_scan failed\n");
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", root);
	return p;
}

/* Run a renderer into a malloc'd string. */
#define CAPTURE(ret_str, call)                                                           \
	do {                                                                             \
		size_t len_;                                                             \
		FILE *out = open_memstream(&(ret_str), &len_);                           \
		if (!out)                                                                \
			abort();                                                         \
		CHECK((call) == 0, "%s failed", #call);                                  \
		fclose(out);                                                             \
	} while (0)

#endif
