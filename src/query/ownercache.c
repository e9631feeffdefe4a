/* ownercache.c - socket owners kept across polls; only new or changed processes are
 * read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "query/ownercache.h"

/*
 * -E -p used to walk every /proc/PID/fd on each poll that saw a new socket: on a host
 * with 200k descriptors that took seconds and events came late. Here a poll lists /proc
 * and stats each fd directory; Linux (6.2 and later) reports the number of open fds as
 * that directory's size, so a process whose count and directory inode did not change
 * keeps the sockets it had. Each process's socket inodes go into one inode table; an
 * entry names the process and the generation of the read that found it, so reading a
 * process again (or its exit) invalidates its old entries without a search.
 */
struct oc_proc {
	struct proc_owner own;
	uint64_t fd_ino;  /* the fd directory's inode and size when last read */
	int64_t fd_size;  /* 0: the kernel reports no count, read it every time */
	uint32_t gen;	  /* bumped on every read of the fd directory */
	uint32_t pass;	  /* the last update that listed the process */
	uint32_t n_socks; /* socket fds found by the last read */
	bool dead;	  /* gone from /proc: its entries are invalid */
};

struct oc_ref {
	uint32_t proc; /* index into procs */
	uint32_t gen;  /* valid while procs[proc].gen is the same */
};

struct oc_ino {
	uint32_t inode; /* 0 = empty */
	uint32_t n, cap;
	struct oc_ref *refs;
};

struct owner_cache {
	struct oc_proc *procs;
	size_t n_procs, cap_procs; /* every pid ever seen: pids are reused, not many */
	int32_t *pid_slots;	   /* index into procs, -1 = empty */
	size_t pid_mask;
	struct oc_ino *inos;
	size_t ino_mask, ino_used;
	uint32_t pass;
	bool counts; /* some fd directory had a size: the kernel reports fd counts (a
		      * kernel thread's is 0 either way) */
};

static inline size_t hash32(uint32_t v, size_t mask)
{
	return (size_t)((v * 2654435761u) & mask);
}

int owner_cache_new(struct owner_cache **ret)
{
	struct owner_cache *c = calloc(1, sizeof(*c));

	*ret = c;
	if (!c)
		return -ENOMEM;
	c->pid_mask = 255;
	c->ino_mask = 1023;
	c->pid_slots = malloc((c->pid_mask + 1) * sizeof(*c->pid_slots));
	c->inos = calloc(c->ino_mask + 1, sizeof(*c->inos));
	if (!c->pid_slots || !c->inos) {
		owner_cache_free(c);
		*ret = NULL;
		return -ENOMEM;
	}
	memset(c->pid_slots, 0xff, (c->pid_mask + 1) * sizeof(*c->pid_slots));
	return 0;
}

void owner_cache_free(struct owner_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->inos && i <= c->ino_mask; i++)
		free(c->inos[i].refs);
	free(c->inos);
	free(c->pid_slots);
	free(c->procs);
	free(c);
}

static int32_t *pid_slot(const struct owner_cache *c, pid_t pid)
{
	size_t i = hash32((uint32_t)pid, c->pid_mask);

	while (c->pid_slots[i] >= 0 && c->procs[c->pid_slots[i]].own.pid != pid)
		i = (i + 1) & c->pid_mask;
	return &c->pid_slots[i];
}

static int pid_rehash(struct owner_cache *c, size_t size)
{
	int32_t *slots = malloc(size * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, size * sizeof(*slots));
	free(c->pid_slots);
	c->pid_slots = slots;
	c->pid_mask = size - 1;
	for (size_t k = 0; k < c->n_procs; k++)
		*pid_slot(c, c->procs[k].own.pid) = (int32_t)k;
	return 0;
}

/* The record of pid, made (empty, never read) when there is none. NULL: no memory. */
static struct oc_proc *proc_get(struct owner_cache *c, pid_t pid)
{
	int32_t *slot = pid_slot(c, pid);

	if (*slot >= 0)
		return &c->procs[*slot];
	if ((c->n_procs + 1) * 2 > c->pid_mask + 1) {
		if (pid_rehash(c, (c->pid_mask + 1) * 2) < 0)
			return NULL;
		slot = pid_slot(c, pid);
	}
	if (c->n_procs == c->cap_procs) {
		size_t cap = c->cap_procs ? c->cap_procs * 2 : 256;
		struct oc_proc *v = realloc(c->procs, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->procs = v;
		c->cap_procs = cap;
	}
	struct oc_proc *p = &c->procs[c->n_procs];
	*p = (struct oc_proc){.own.pid = pid, .dead = true};
	*slot = (int32_t)c->n_procs++;
	return p;
}

static bool ref_valid(const struct owner_cache *c, const struct oc_ref *r)
{
	const struct oc_proc *p = &c->procs[r->proc];

	return !p->dead && p->gen == r->gen;
}

static struct oc_ino *ino_slot(const struct owner_cache *c, uint32_t inode)
{
	size_t i = hash32(inode, c->ino_mask);

	while (c->inos[i].inode && c->inos[i].inode != inode)
		i = (i + 1) & c->ino_mask;
	return &c->inos[i];
}

/*
 * A new inode table of the given size holding only the valid entries: the table grows
 * with every socket ever seen otherwise (inodes are not reused).
 */
static int ino_rebuild(struct owner_cache *c)
{
	struct owner_cache nc = *c;
	size_t valid = 0, size = 1024;

	for (size_t i = 0; i <= c->ino_mask; i++)
		for (uint32_t k = 0; k < c->inos[i].n; k++)
			if (ref_valid(c, &c->inos[i].refs[k])) {
				valid++;
				break;
			}
	while (size < (valid + 1) * 4)
		size <<= 1;
	nc.inos = calloc(size, sizeof(*nc.inos));
	if (!nc.inos)
		return -ENOMEM;
	nc.ino_mask = size - 1;
	nc.ino_used = 0;
	for (size_t i = 0; i <= c->ino_mask; i++) {
		struct oc_ino *old = &c->inos[i];
		uint32_t keep = 0;
		for (uint32_t k = 0; k < old->n; k++)
			if (ref_valid(c, &old->refs[k]))
				old->refs[keep++] = old->refs[k];
		if (!keep) {
			free(old->refs);
			continue;
		}
		old->n = keep;
		*ino_slot(&nc, old->inode) = *old;
		nc.ino_used++;
	}
	free(c->inos);
	c->inos = nc.inos;
	c->ino_mask = nc.ino_mask;
	c->ino_used = nc.ino_used;
	return 0;
}

static int add_ref(struct owner_cache *c, uint32_t inode, uint32_t proc)
{
	struct oc_ino *e = ino_slot(c, inode);

	if (!e->inode) {
		if ((c->ino_used + 1) * 2 > c->ino_mask + 1) {
			int err = ino_rebuild(c);
			if (err < 0)
				return err;
			e = ino_slot(c, inode);
		}
		if (!e->inode) {
			e->inode = inode;
			c->ino_used++;
		}
	}
	struct oc_ref *free_ref = NULL;
	for (uint32_t k = 0; k < e->n; k++) {
		if (e->refs[k].proc == proc) {
			e->refs[k].gen =
			    c->procs[proc].gen; /* the same process, read again */
			return 0;
		}
		if (!free_ref && !ref_valid(c, &e->refs[k]))
			free_ref = &e->refs[k];
	}
	if (!free_ref) {
		if (e->n == e->cap) {
			uint32_t cap = e->cap ? e->cap * 2 : 1;
			struct oc_ref *v = realloc(e->refs, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			e->refs = v;
			e->cap = cap;
		}
		free_ref = &e->refs[e->n++];
	}
	*free_ref = (struct oc_ref){.proc = proc, .gen = c->procs[proc].gen};
	return 0;
}

/* comm (raw bytes, see proc_owner) and the real uid of the process. */
static void read_identity(int pid_dir, struct proc_owner *own)
{
	struct stat st;
	ssize_t n = -1;
	int fd = openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, own->comm, sizeof(own->comm) - 1);
		close(fd);
	}
	if (n < 0)
		n = 0;
	if (n > 0 && own->comm[n - 1] == '\n')
		n--; /* the kernel's terminator, not part of the name */
	own->comm[n] = '\0';
	if (fstat(pid_dir, &st) == 0)
		own->uid = st.st_uid;
}

/* Read the fd directory of p (its entries so far become invalid). */
static int read_proc(struct owner_cache *c, int proc_dir, const char *name,
		     struct oc_proc *p, struct procs_stats *st)
{
	uint32_t idx = (uint32_t)(p - c->procs);
	char link[64];
	struct dirent *de;
	int err = 0;

	p->gen++;
	p->n_socks = 0;
	int pid_dir = openat(proc_dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd_dir =
	    pid_dir < 0 ? -1 : openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd_dir < 0 ? NULL : fdopendir(fd_dir);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			st->denied++;
		else
			st->vanished++;
		if (fd_dir >= 0)
			close(fd_dir);
		if (pid_dir >= 0)
			close(pid_dir);
		return 0; /* tried again when its fd directory changes */
	}
	st->scanned++;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		ssize_t n = readlinkat(fd_dir, de->d_name, link, sizeof(link));
		uint32_t ino = n > 0 ? procs_socket_inode(link, n) : 0;
		if (!ino)
			continue;
		err = add_ref(c, ino, idx);
		if (err < 0)
			break;
		p->n_socks++;
	}
	closedir(d);
	if (p->n_socks)
		read_identity(pid_dir, &p->own);
	close(pid_dir);
	return err;
}

/* Has the fd directory of p changed since it was read? Records what it is now. */
static bool fd_dir_changed(struct owner_cache *c, int proc_dir, const char *name,
			   struct oc_proc *p)
{
	char path[32];
	struct stat st;
	size_t len = strlen(name);

	if (len + 4 > sizeof(path))
		return true;
	memcpy(path, name, len);
	memcpy(path + len, "/fd", 4);
	if (fstatat(proc_dir, path, &st, 0) < 0)
		return true; /* let the read count it as denied or vanished */
	if (st.st_size > 0)
		c->counts = true;
	bool same = !p->dead && c->counts && (int64_t)st.st_size == p->fd_size &&
		    (uint64_t)st.st_ino == p->fd_ino;
	p->fd_size = (int64_t)st.st_size;
	p->fd_ino = (uint64_t)st.st_ino;
	return !same;
}

static int visit(struct owner_cache *c, int proc_dir, const char *name,
		 struct procs_stats *st)
{
	char *end;
	long pid = strtol(name, &end, 10);

	if (*end || pid <= 0)
		return 0;
	struct oc_proc *p = proc_get(c, (pid_t)pid);
	if (!p)
		return -ENOMEM;
	p->pass = c->pass;
	if (!fd_dir_changed(c, proc_dir, name, p))
		return 0;
	p->dead = false; /* before the read: a rebuild during it keeps what it added */
	return read_proc(c, proc_dir, name, p, st);
}

/* Processes the listing did not show have exited: their entries become invalid. */
static void bury(struct owner_cache *c)
{
	for (size_t i = 0; i < c->n_procs; i++) {
		struct oc_proc *p = &c->procs[i];
		if (p->dead || p->pass == c->pass)
			continue;
		p->dead = true;
		p->n_socks = 0;
	}
}

int owner_cache_update(struct owner_cache *c, const char *proc_root,
		       struct procs_stats *ret_stats)
{
	struct procs_stats dummy;
	struct dirent *de;
	int err = 0;

	if (!ret_stats)
		ret_stats = &dummy;
	memset(ret_stats, 0, sizeof(*ret_stats));
	int proc_dir = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_dir < 0)
		return -errno;
	DIR *d = fdopendir(proc_dir);
	if (!d) {
		err = -errno;
		close(proc_dir);
		return err;
	}
	c->pass++;
	while (err == 0 && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			err = visit(c, proc_dir, de->d_name, ret_stats);
	closedir(d);
	if (err == 0)
		bury(c);
	return err;
}

size_t owner_cache_lookup(const struct owner_cache *c, uint32_t inode,
			  const struct proc_owner **ret, size_t max)
{
	size_t n = 0;

	if (!inode)
		return 0;
	const struct oc_ino *e = ino_slot(c, inode);
	for (uint32_t k = 0; k < e->n; k++) {
		if (!ref_valid(c, &e->refs[k]))
			continue;
		const struct proc_owner *o = &c->procs[e->refs[k].proc].own;
		if (n < max) { /* insertion by pid: a socket has few owners */
			size_t at = n;
			while (at > 0 && ret[at - 1]->pid > o->pid) {
				ret[at] = ret[at - 1];
				at--;
			}
			ret[at] = o;
		}
		n++;
	}
	return n;
}
