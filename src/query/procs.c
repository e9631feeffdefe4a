/* procs.c - map socket inodes to owning processes by walking /proc/PID/fd. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/bigmem.h"
#include "query/procs.h"

/*
 * Open addressing, sized to twice the number of inodes asked for: ss uses a fixed
 * 256-bucket chained hash, which is why `ss -tanp` takes seconds on 100k sockets.
 */
struct slot {
	uint32_t inode; /* 0 = empty */
	uint32_t n_owners;
	union {
		const struct proc_owner *one;	/* n_owners == 1: nearly every socket */
		const struct proc_owner **many; /* n_owners > 1, room for a power of 2 */
	};
};

/* The slot's owners as an array of n_owners. */
static const struct proc_owner *const *slot_owners(const struct slot *s)
{
	return s->n_owners == 1 ? &s->one : (const struct proc_owner *const *)s->many;
}

struct procs {
	struct slot *slots;
	size_t mask;
	size_t used;		 /* inodes in slots */
	bool grow;		 /* procs_scan_select: every socket found goes in */
	struct proc_owner **all; /* every owner record, for freeing */
	size_t n_all, cap_all;
};

static inline size_t hash_inode(uint32_t ino, size_t mask)
{
	return (size_t)((ino * 2654435761u) & mask);
}

static struct slot *find_slot(const struct procs *p, uint32_t ino)
{
	size_t i = hash_inode(ino, p->mask);

	while (p->slots[i].inode) {
		if (p->slots[i].inode == ino)
			return &p->slots[i];
		i = (i + 1) & p->mask;
	}
	return NULL;
}

static struct slot *insert_inode(struct procs *p, uint32_t ino)
{
	size_t i = hash_inode(ino, p->mask);

	while (p->slots[i].inode) {
		if (p->slots[i].inode == ino)
			return &p->slots[i];
		i = (i + 1) & p->mask;
	}
	p->slots[i].inode = ino;
	p->used++;
	return &p->slots[i];
}

/* Insert into a table that grows (kept at most half full). NULL: out of memory. */
static struct slot *add_inode(struct procs *p, uint32_t ino)
{
	if ((p->used + 1) * 2 > p->mask + 1) {
		size_t size = (p->mask + 1) * 2;
		struct slot *old = p->slots, *v = calloc(size, sizeof(*v));
		if (!v)
			return NULL;
		size_t old_size = p->mask + 1;
		p->slots = v;
		p->mask = size - 1;
		for (size_t i = 0; i < old_size; i++) {
			if (!old[i].inode)
				continue;
			size_t k = hash_inode(old[i].inode, p->mask);
			while (v[k].inode)
				k = (k + 1) & p->mask;
			v[k] = old[i];
		}
		free(old);
	}
	return insert_inode(p, ino);
}

/* Out of descriptors or memory: the process may well own sockets, we cannot tell. */
static bool out_of_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM;
}

/* A new owner record, remembered for procs_free. Returns 0 or -ENOMEM. */
static int keep_owner(struct procs *p, pid_t pid, uint32_t uid, const char *comm,
		      size_t len, struct proc_owner **ret)
{
	struct proc_owner *o;

	if (p->n_all == p->cap_all) {
		size_t cap = p->cap_all ? p->cap_all * 2 : 64;
		struct proc_owner **a = realloc(p->all, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		p->all = a;
		p->cap_all = cap;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	p->all[p->n_all++] = o;
	o->pid = pid;
	o->uid = uid;
	memcpy(o->comm, comm, len);
	o->comm[len] = '\0';
	*ret = o;
	return 0;
}

/*
 * Read /proc/PID/comm (and the owner's uid) into a new owner record. Returns 0, -ENOMEM,
 * -EMFILE or -ENFILE when comm could not be opened, or -ESRCH when the process exited
 * after we read its fd table: it owns nothing any more, and an owner without a name would
 * print as "1234/".
 */
static int new_owner(struct procs *p, int pid_dir, pid_t pid, struct proc_owner **ret)
{
	char comm[PROCS_COMM_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd;

	fd = openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0 && out_of_resources(errno))
		return -errno; /* not gone: we could not look */
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
	}
	if (n <= 0)
		return -ESRCH;
	if (comm[n - 1] == '\n')
		n--; /* the kernel's terminator, not part of the name */
	comm[n] = '\0';
	if (fstat(pid_dir, &st) < 0)
		st.st_uid = 0;
	return keep_owner(p, pid, st.st_uid, comm, (size_t)n, ret);
}

/* Add o to the slot's owners: 1, 0 when it is there already, or -ENOMEM. The first owner
 * is kept in the slot: a malloc per socket was a tenth of -anp's user time. */
static int add_owner(struct slot *s, const struct proc_owner *o)
{
	const struct proc_owner *const *have = slot_owners(s);

	for (uint32_t i = 0; i < s->n_owners; i++)
		if (have[i] == o || have[i]->pid == o->pid)
			return 0; /* the same process holds it on two fds */
	if (s->n_owners == 0) {
		s->one = o;
	} else if (s->n_owners == 1) {
		const struct proc_owner **v = malloc(2 * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = s->one;
		v[1] = o;
		s->many = v;
	} else {
		uint32_t n = s->n_owners;
		if ((n & (n - 1)) == 0) { /* full: n is a power of 2 */
			const struct proc_owner **v =
			    realloc(s->many, 2 * n * sizeof(*v));
			if (!v)
				return -ENOMEM;
			s->many = v;
		}
		s->many[n] = o;
	}
	s->n_owners++;
	return 1;
}

/* Parse "socket:[12345]" without sscanf: this runs once per open fd on the host (a
 * hundred instructions each when it was a byte loop with a check per digit). */
uint32_t procs_socket_inode(const char *link, ssize_t len)
{
	static const char prefix[8] = {'s', 'o', 'c', 'k', 'e', 't', ':', '['};
	uint64_t head, want, v = 0;

	/* at most 20 digits: more could wrap v below UINT32_MAX */
	if (len < 10 || len > 8 + 20 + 1 || link[len - 1] != ']')
		return 0;
	memcpy(&head, link, 8);
	memcpy(&want, prefix, 8);
	if (head != want)
		return 0;
	for (ssize_t i = 8; i < len - 1; i++) {
		unsigned d = (unsigned)(unsigned char)link[i] - '0';
		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	return v > UINT32_MAX || len - 1 - 8 > 10 ? 0 : (uint32_t)v;
}

/* Count a process we could not look into; true when it was for lack of resources. */
static bool count_failure(struct procs_stats *st, int e)
{
	if (!out_of_resources(e))
		return false;
	st->failed++;
	st->fail_errno = e;
	return true;
}

static int scan_pid(struct procs *p, int proc_dir, const char *name,
		    struct procs_stats *st)
{
	struct proc_owner *owner = NULL;
	struct dirent *de;
	char link[64];
	int pid_dir, fd_dir, ret = 0;
	DIR *d;

	pid_dir = openat(proc_dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pid_dir < 0) {
		if (!count_failure(st, errno))
			st->vanished++;
		return 0;
	}
	fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_dir < 0) {
		if (errno == EACCES || errno == EPERM)
			st->denied++;
		else if (!count_failure(st, errno))
			st->vanished++;
		close(pid_dir);
		return 0;
	}
	d = fdopendir(fd_dir);
	if (!d) {
		count_failure(st, errno);
		close(fd_dir);
		close(pid_dir);
		return 0;
	}
	st->scanned++;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		ssize_t n = readlinkat(fd_dir, de->d_name, link, sizeof(link));
		if (n <= 0)
			continue; /* closed meanwhile */
		uint32_t ino = procs_socket_inode(link, n);
		if (!ino)
			continue;
		struct slot *s = find_slot(p, ino);
		if (!s && p->grow && !(s = add_inode(p, ino))) {
			ret = -ENOMEM;
			break;
		}
		if (!s)
			continue;
		if (!owner) {
			ret = new_owner(p, pid_dir, (pid_t)atoi(name), &owner);
			if (ret == -ESRCH) {
				st->vanished++; /* exited meanwhile: not an error */
				ret = 0;
				break;
			}
			if (ret < 0 && ret != -ENOMEM && count_failure(st, -ret)) {
				ret = 0;
				break;
			}
			if (ret < 0)
				break;
		}
		int r = add_owner(s, owner);
		if (r < 0) {
			ret = r;
			break;
		}
		if (r > 0 && s->n_owners == 1)
			st->found++;
	}
	closedir(d);
	close(pid_dir);
	return ret;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct proc_owner *x = *(const struct proc_owner *const *)a;
	const struct proc_owner *y = *(const struct proc_owner *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct procs *procs_new(size_t size)
{
	struct procs *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->slots = calloc(size, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	bigmem_advise(p->slots, size * sizeof(*p->slots));
	p->mask = size - 1;
	return p;
}

/* A table sized for n inodes holding each non-zero one of them; NULL: out of memory. */
static struct procs *procs_for_inodes(const uint32_t *inodes, size_t n)
{
	size_t size = 16;

	while (size < n * 2)
		size <<= 1;
	struct procs *p = procs_new(size);
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (inodes[i])
			insert_inode(p, inodes[i]);
	return p;
}

static void sort_owners(struct procs *p)
{
	for (size_t i = 0; i <= p->mask; i++)
		if (p->slots[i].n_owners > 1)
			qsort(p->slots[i].many, p->slots[i].n_owners, sizeof(void *),
			      cmp_owner);
}

/* Does the process pass sel's test on its name? Its comm is read for that. */
static bool comm_ok(int proc_dir, const char *name, const struct procs_select *sel)
{
	char path[64], comm[PROCS_COMM_MAX];
	ssize_t n = -1;

	if (snprintf(path, sizeof(path), "%s/comm", name) >= (int)sizeof(path))
		return false;
	int fd = openat(proc_dir, path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
	}
	if (n <= 0)
		return false; /* gone */
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
	return sel->ok(sel->data, (pid_t)atoi(name), comm);
}

/*
 * Read the fd directories: of the processes sel names, or of those whose name passes
 * sel's test, or of every process. Every process is scanned, even once each inode has
 * an owner: a socket shared after fork() has several owners and the operator asked to
 * see them all.
 */
static int walk(struct procs *p, int proc_dir, const struct procs_select *sel,
		struct procs_stats *st)
{
	struct dirent *de;
	int err = 0;

	if (sel && sel->n_pids && !sel->ok) {
		for (int i = 0; err == 0 && i < sel->n_pids; i++) {
			char name[24];
			snprintf(name, sizeof(name), "%d", (int)sel->pids[i]);
			err = scan_pid(p, proc_dir, name, st);
		}
		close(proc_dir);
		return err;
	}
	DIR *d = fdopendir(proc_dir);
	if (!d) {
		err = -errno;
		close(proc_dir);
		return err;
	}
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (sel && sel->ok && !comm_ok(proc_dir, de->d_name, sel))
			continue;
		err = scan_pid(p, proc_dir, de->d_name, st);
		if (err < 0)
			break;
	}
	closedir(d);
	return err;
}

static int scan(const char *proc_root, struct procs *p, const struct procs_select *sel,
		struct procs_stats *st)
{
	int proc_dir = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (proc_dir < 0)
		return -errno;
	int err = walk(p, proc_dir, sel, st);
	sort_owners(p);
	return err;
}

int procs_scan(const char *proc_root, const uint32_t *inodes, size_t n,
	       struct procs **ret, struct procs_stats *ret_stats)
{
	struct procs_stats dummy;

	if (!ret_stats)
		ret_stats = &dummy;
	memset(ret_stats, 0, sizeof(*ret_stats));
	struct procs *p = procs_for_inodes(inodes, n);
	*ret = p;
	if (!p)
		return -ENOMEM;
	if (!p->used)
		return 0;
	return scan(proc_root, p, NULL, ret_stats);
}

int procs_scan_select(const char *proc_root, const struct procs_select *sel,
		      struct procs **ret, struct procs_stats *ret_stats)
{
	struct procs_stats dummy;

	if (!ret_stats)
		ret_stats = &dummy;
	memset(ret_stats, 0, sizeof(*ret_stats));
	struct procs *p = procs_new(1024);
	*ret = p;
	if (!p)
		return -ENOMEM;
	p->grow = true;
	return scan(proc_root, p, sel, ret_stats);
}

const struct proc_owner *const *procs_lookup(const struct procs *p, uint32_t inode,
					     size_t *ret_n)
{
	const struct slot *s;

	*ret_n = 0;
	if (!p || !inode)
		return NULL;
	s = find_slot(p, inode);
	if (!s || !s->n_owners)
		return NULL;
	*ret_n = s->n_owners;
	return slot_owners(s);
}

#define CMDLINE_MAX 4096

static int read_cmdline(const char *proc_root, struct proc_owner *o)
{
	char path[PATH_MAX], *buf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, (int)o->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	buf = malloc(CMDLINE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, CMDLINE_MAX);
	close(fd);
	if (n <= 0) {
		free(buf);
		return 0;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	buf[n] = '\0';
	o->cmdline = buf;
	o->cmdline_len = (size_t)n;
	return 0;
}

int procs_read_cmdlines(struct procs *p, const char *proc_root)
{
	if (!p)
		return 0;
	for (size_t i = 0; i <= p->mask; i++) {
		struct slot *s = &p->slots[i];
		if (!s->n_owners || slot_owners(s)[0]->cmdline)
			continue;
		/* the owner records are the scan's own, shared between inodes */
		int err = read_cmdline(proc_root, (struct proc_owner *)slot_owners(s)[0]);
		if (err < 0)
			return err;
	}
	return 0;
}

void procs_free(struct procs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i <= p->mask; i++)
		if (p->slots[i].n_owners > 1)
			free(p->slots[i].many);
	for (size_t i = 0; i < p->n_all; i++) {
		free(p->all[i]->cmdline);
		free(p->all[i]);
	}
	free(p->all);
	free(p->slots);
	free(p);
}

int procs_from_pairs(const uint32_t *inodes, size_t n, const struct bpfown_pair *v,
		     size_t nv, struct procs **ret, struct procs_stats *ret_stats)
{
	struct proc_owner *owner = NULL;
	struct procs_stats dummy;
	pid_t last = -1;
	int err;

	if (!ret_stats)
		ret_stats = &dummy;
	memset(ret_stats, 0, sizeof(*ret_stats));
	struct procs *p = procs_for_inodes(inodes, n);
	*ret = p;
	if (!p)
		return -ENOMEM;
	/* The iterator reports a process's descriptors one after another. */
	for (size_t i = 0; p->used && i < nv; i++) {
		if ((pid_t)v[i].pid != last) {
			ret_stats->scanned++;
			last = (pid_t)v[i].pid;
			owner = NULL;
		}
		struct slot *s =
		    v[i].inode <= UINT32_MAX ? find_slot(p, (uint32_t)v[i].inode) : NULL;
		if (!s)
			continue;
		if (!owner) {
			err = keep_owner(p, (pid_t)v[i].pid, v[i].uid, v[i].comm,
					 strnlen(v[i].comm, sizeof(v[i].comm)), &owner);
			if (err < 0)
				return err;
		}
		int r = add_owner(s, owner);
		if (r < 0)
			return r;
		if (r > 0 && s->n_owners == 1)
			ret_stats->found++;
	}
	sort_owners(p);
	return 0;
}

#define PROCS_BPF_MIN 4096

int procs_find(enum owners_source src, const uint32_t *inodes, size_t n,
	       struct procs **ret, struct procs_stats *ret_stats, const char **ret_why,
	       enum owners_source *ret_used)
{
	struct bpfown_pair *v = NULL;
	size_t nv = 0;
	int err;

	*ret_why = NULL;
	*ret_used = OWNSRC_PROC;
	/*
	 * Loading the iterator costs about 18 ms; the walk costs about 5 us per socket
	 * descriptor on the host (measured at 20,000 and 200,000 sockets: 98 ms and 1.27
	 * s against 67 ms and 474 ms with the iterator). Below a few thousand sockets the
	 * walk is as fast or faster, so auto only uses the iterator above that.
	 */
	if (src == OWNSRC_AUTO && n < PROCS_BPF_MIN)
		src = OWNSRC_PROC;
	if (src != OWNSRC_PROC) {
		const char *why;
		err = bpfown_collect(&v, &nv, &why);
		if (err == 0) {
			*ret_used = OWNSRC_BPF;
			err = procs_from_pairs(inodes, n, v, nv, ret, ret_stats);
			free(v);
			return err;
		}
		if (src == OWNSRC_BPF) {
			*ret = NULL;
			*ret_why = why;
			return err == -EINVAL ? -EOPNOTSUPP : err; /* not a usage error */
		}
	}
	return procs_scan("/proc", inodes, n, ret, ret_stats);
}
