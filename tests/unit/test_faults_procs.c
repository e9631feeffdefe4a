/* test_faults_procs.c - procs_scan while processes exit and close fds under it: no error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "query/procs.h"

#define MAX_SCANS 20000
#define SECONDS 1.5 /* of scanning, at least 3 scans */
#define CHURNERS 3

static uint32_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Forks children that hold copies of the shared sockets and exit at once, forever. */
static void fork_churn(void)
{
	for (;;) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

/* Closes and re-creates its copies of the shared sockets, and opens new ones, forever. */
static void fd_churn(const int *fds, int n)
{
	for (unsigned i = 0;; i++) {
		int copy[8];
		for (int k = 0; k < n; k++)
			copy[k] = dup(fds[k]);
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0) {
			close(sp[0]);
			close(sp[1]);
		}
		for (int k = 0; k < n; k++)
			close(copy[k]);
		if (i % 64 == 0)
			for (int k = 0; k < n; k++)
				close(dup2(fds[k], 100 + k));
	}
}

/*
 * Scan a /proc of our own: a new PID namespace (we are its init) with proc mounted on a
 * private directory, so the scan sees only the churn and not a busy host (a host with
 * 100k-descriptor processes makes every scan take seconds). Returns the proc root, or
 * "/proc" when we may not (then the scans are bounded by time).
 */
static const char *private_proc(char *dir, size_t sz)
{
	int status;

	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
		return "/proc";
	pid_t init = fork();
	if (init < 0)
		return "/proc";
	if (init > 0) {
		/* the parent only waits for the test, which runs as the namespace's init
		 */
		waitpid(init, &status, 0);
		/* _exit: once the namespace's init is gone nothing can be forked into it,
		 * not even LeakSanitizer's tracer (ENOMEM); the leak check ran in the
		 * test */
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	snprintf(dir, sz, "/tmp/tcpstate-proc-XXXXXX");
	/* the type is ignored for MS_PRIVATE, but valgrind checks the pointer */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir) ||
	    mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		fprintf(stderr, "cannot mount a private /proc: %s\n", strerror(errno));
		exit(1);
	}
	return dir;
}

int main(void)
{
	static char dir[64];
	const char *proc = private_proc(dir, sizeof(dir));
	int shared[4], stable[2];
	uint32_t inodes[6];
	pid_t kids[CHURNERS];
	struct timespec t0, t1;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, shared) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, shared + 2) < 0) {
		perror("socketpair");
		return 1;
	}
	for (int k = 0; k < 4; k++)
		inodes[2 + k] = inode_of(shared[k]);
	for (int i = 0; i < CHURNERS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			if (i == 0)
				fork_churn();
			fd_churn(shared, 4);
		}
		if (kids[i] < 0) {
			perror("fork");
			return 1;
		}
	}

	/* made after the forks: the stable pair is ours alone */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, stable) < 0) {
		perror("socketpair");
		return 1;
	}
	inodes[0] = inode_of(stable[0]);
	inodes[1] = inode_of(stable[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint32_t vanished = 0, shared_seen = 0;
	int n;
	/* A host with processes holding 100k descriptors makes one scan take seconds. */
	for (n = 0; n < MAX_SCANS; n++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double took =
		    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (n >= 3 && took >= SECONDS)
			break;
		struct procs *p = NULL;
		struct procs_stats st;
		int err = procs_scan(proc, inodes, 6, &p, &st);
		CHECK(err == 0, "scan %d: %s", n, strerror(-err));
		size_t no;
		const struct proc_owner *const *own = procs_lookup(p, inodes[0], &no);
		CHECK(no == 1 && own && own[0]->pid == getpid(),
		      "scan %d: the stable socket has %zu owners, want only us", n, no);
		for (int k = 2; k < 6; k++) {
			own = procs_lookup(p, inodes[k], &no);
			for (size_t i = 0; i < no; i++)
				CHECK(own[i]->pid > 0 && own[i]->comm[0],
				      "scan %d: bad owner", n);
			if (no)
				shared_seen++;
		}
		vanished += st.vanished;
		procs_free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < CHURNERS; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	if (proc == dir) {
		umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
	printf(
	    "%s: %d scans in %.1f s under churn: %u processes vanished mid-scan, shared "
	    "sockets seen %u times\n",
	    proc == dir ? "private /proc" : "/proc", n,
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, vanished,
	    shared_seen);
	CHECK(shared_seen > 0, "the churners' sockets were never seen with an owner");
	return check_finish("test_faults_procs");
}
