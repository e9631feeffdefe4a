/* test_ownercache.c - -E -p's owner cache over a fake /proc: only new or changed
 * processes are read, exits and rereads drop old owners, the tables grow. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"
#include "query/ownercache.h"

static char root[64];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ASSERT(f, "create %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* A process PID named comm whose fd directory (fd_name under it) holds the socket
 * inodes. */
static void make_proc(int pid, const char *comm, const char *fd_name,
		      const unsigned *inodes, size_t n)
{
	char path[256], link[64];

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/comm", root, pid);
	put_file(path, comm);
	snprintf(path, sizeof(path), "%s/%d/%s", root, pid, fd_name);
	ASSERT(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		char fd[300];
		snprintf(fd, sizeof(fd), "%s/%zu", path, i + 3);
		snprintf(link, sizeof(link), "socket:[%u]", inodes[i]);
		ASSERT(symlink(link, fd) == 0, "symlink %s: %s", fd, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/%d/notes", root, pid);
	put_file(path, "not a descriptor\n"); /* not a number: skipped */
}

static void remove_tree(const char *path)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	CHECK(system(cmd) == 0, "rm -rf %s", path);
}

/* The pids owning inode, as "100,200". */
static const char *owners(const struct owner_cache *c, unsigned inode)
{
	static char buf[256];
	const struct proc_owner *own[8];
	size_t n = owner_cache_lookup(c, inode, own, 8), at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 8; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%d/%s",
				       i ? "," : "", (int)own[i]->pid, own[i]->comm);
	return buf;
}

static unsigned update(struct owner_cache *c)
{
	struct procs_stats st;

	ASSERT(owner_cache_update(c, root, &st) == 0, "update");
	return st.scanned;
}

int main(void)
{
	static const unsigned a[] = {1001}, b[] = {2001, 1001}, c3[] = {3001},
			      b2[] = {2002};
	static unsigned many[5000];
	struct owner_cache *c;
	char path[256], from[256];

	snprintf(root, sizeof(root), "/tmp/test_ownercache.XXXXXX");
	ASSERT(mkdtemp(root), "mkdtemp");
	make_proc(100, "alpha\n", "fd", a, 1);
	make_proc(200, "beta\n", "fd", b, 2);
	ASSERT(owner_cache_new(&c) == 0, "new");

	CHECK(update(c) == 2, "the first update reads every process");
	CHECK_STR(owners(c, 1001), "100/alpha,200/beta",
		  "a shared socket, sorted by pid");
	CHECK_STR(owners(c, 2001), "200/beta", "one owner");
	CHECK_STR(owners(c, 4242), "", "unknown inode");

	CHECK(update(c) == 0, "nothing changed: nothing is read");
	make_proc(300, "gamma\n", "fd", c3, 1);
	CHECK(update(c) == 1, "a new process alone is read");
	CHECK_STR(owners(c, 3001), "300/gamma", "the new process's socket");
	CHECK_STR(owners(c, 1001), "100/alpha,200/beta", "the others are kept");

	snprintf(path, sizeof(path), "%s/100", root);
	remove_tree(path);
	CHECK(update(c) == 0, "an exit reads nothing");
	CHECK_STR(owners(c, 1001), "200/beta", "an exited process owns nothing");

	/* process 200's fd table changes: a new fd directory (another inode) */
	make_proc(200, "beta\n", "fd.new", b2, 1);
	snprintf(path, sizeof(path), "%s/200/fd", root);
	snprintf(from, sizeof(from), "%s/200/fd.new", root);
	remove_tree(path);
	ASSERT(rename(from, path) == 0, "rename: %s", strerror(errno));
	CHECK(update(c) == 1, "a changed process alone is read again");
	CHECK_STR(owners(c, 2002), "200/beta", "its new socket");
	CHECK_STR(owners(c, 2001), "", "its closed socket has no owner any more");
	CHECK_STR(owners(c, 1001), "", "nor the one it shared");

	/* enough sockets to grow and rebuild the tables */
	for (size_t i = 0; i < 5000; i++)
		many[i] = 100000 + (unsigned)i;
	make_proc(400, "delta\n", "fd", many, 5000);
	CHECK(update(c) == 1, "the big process is read");
	size_t found = 0;
	for (size_t i = 0; i < 5000; i++)
		found += strcmp(owners(c, many[i]), "400/delta") == 0;
	CHECK(found == 5000, "every socket of the big process: %zu", found);
	CHECK_STR(owners(c, 2002), "200/beta", "the rest survive a rebuild");
	CHECK_STR(owners(c, 3001), "300/gamma", "the rest survive a rebuild");

	owner_cache_free(c);
	remove_tree(root);
	return check_finish("test_ownercache");
}
