/* cgroups.c - the cgroup v2 ID map: find the cgroup2 mount, walk it, keep ID -> path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "query/cgroups.h"

/* Deep enough for kubepods/QoS/pod/container plus a few nested scopes. */
#define CG_MAX_DEPTH 32

struct cgmap {
	char root[PATH_MAX]; /* the cgroup2 mount point */
	int err;	     /* sticky: no cgroup2 to read */
	bool loaded;
	struct cg_entry *v; /* entries; path NULL: an ID missed after a walk */
	size_t n, cap;
	size_t *slots; /* open addressing over v: index + 1, 0 empty */
	size_t mask;
	struct cgmap_stats stats;
};

int cgmap_new(struct cgmap **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

static void entry_done(struct cg_entry *e)
{
	free(e->path);
	free(e->unit);
	free(e->label);
}

static void entries_free(struct cg_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_done(&v[i]);
	free(v);
}

void cgmap_free(struct cgmap *m)
{
	if (!m)
		return;
	entries_free(m->v, m->n);
	free(m->slots);
	free(m);
}

static size_t hash_id(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id;
}

static int rehash(struct cgmap *m)
{
	size_t size = 64;

	while (size < m->n * 2 + 2)
		size *= 2;
	size_t *slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(m->slots);
	m->slots = slots;
	m->mask = size - 1;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = hash_id(m->v[i].id) & m->mask;
		while (m->slots[h])
			h = (h + 1) & m->mask;
		m->slots[h] = i + 1;
	}
	return 0;
}

static struct cg_entry *lookup(const struct cgmap *m, uint64_t id)
{
	if (!m || !m->slots)
		return NULL;
	for (size_t h = hash_id(id) & m->mask; m->slots[h]; h = (h + 1) & m->mask)
		if (m->v[m->slots[h] - 1].id == id)
			return &m->v[m->slots[h] - 1];
	return NULL;
}

/* Append an entry (path NULL: a miss); the caller rehashes. */
static int add(struct cgmap *m, uint64_t id, const char *path)
{
	struct cg_entry e = {.id = id};

	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		struct cg_entry *nv = realloc(m->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		m->v = nv;
		m->cap = nc;
	}
	if (path) {
		char buf[PATH_MAX];
		cgpath_container(path, &e.ctr);
		cgpath_container_label(&e.ctr, buf, sizeof(buf));
		e.label = strdup(buf);
		cgpath_unit(path, buf, sizeof(buf));
		e.unit = strdup(buf);
		e.path = strdup(path);
		if (!e.path || !e.unit || !e.label) {
			entry_done(&e);
			return -ENOMEM;
		}
	}
	m->v[m->n++] = e;
	return 0;
}

/* Undo the \NNN octal escapes of a mountinfo field, in place. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ =
			    (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

/* The first cgroup2 mount of /proc/self/mountinfo. Returns 0 or -ENOENT. */
static int find_mount(char *root, size_t sz)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		char *save = NULL, *fields[5] = {0}, *t, *sep;
		int i = 0;
		/* the fields after " - " are fstype, source, options */
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = '\0';
		for (t = strtok_r(line, " ", &save); t && i < 5;
		     t = strtok_r(NULL, " ", &save))
			fields[i++] = t;
		if (i < 5)
			continue;
		unescape_octal(fields[4]);
		snprintf(root, sz, "%s", fields[4]);
		err = 0;
	}
	fclose(f);
	return err;
}

struct walk {
	struct cgmap *m;
	char path[PATH_MAX]; /* relative path being walked */
	uint64_t *ids;	     /* cgmap_subtree_ids: collect here instead */
	size_t nids, max;
};

static int visit(struct walk *w, uint64_t id)
{
	if (w->ids) {
		if (w->nids >= w->max)
			return -E2BIG;
		w->ids[w->nids++] = id;
		return 0;
	}
	return add(w->m, id, w->path[0] ? w->path : "/");
}

/* Walk the directory dfd (whose path is w->path) and every directory below it. */
static int walk_dir(struct walk *w, int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	size_t len = strlen(w->path);
	int err = 0;

	if (!d) {
		close(dfd);
		return -errno;
	}
	while (!err && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (len + 1 + strlen(de->d_name) >= sizeof(w->path))
			continue;
		snprintf(w->path + len, sizeof(w->path) - len, "/%s", de->d_name);
		/* cgroupfs reports the kernfs inode, which is the cgroup ID, in d_ino */
		err = visit(w, de->d_ino);
		if (!err && depth < CG_MAX_DEPTH) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			/* a cgroup removed during the walk is not an error */
			if (sub >= 0)
				err = walk_dir(w, sub, depth + 1);
		}
		w->path[len] = '\0';
	}
	closedir(d);
	return err;
}

/* Walk root/rel (rel "" for the whole tree), its own directory included. */
static int walk_from(struct walk *w, const char *rel)
{
	char full[PATH_MAX];
	struct stat st;
	int fd;

	while (*rel == '/')
		rel++;
	snprintf(w->path, sizeof(w->path), "%s%s", rel[0] ? "/" : "", rel);
	/* "/a/b/" and "/a/b" are the same cgroup */
	for (size_t n = strlen(w->path); n > 1 && w->path[n - 1] == '/'; n--)
		w->path[n - 1] = '\0';
	if (snprintf(full, sizeof(full), "%s%s", w->m->root, w->path) >=
	    (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	int err = visit(w, st.st_ino);
	if (err) {
		close(fd);
		return err;
	}
	return walk_dir(w, fd, 0);
}

static int load_root(struct cgmap *m)
{
	if (m->err)
		return m->err;
	if (!m->root[0]) {
		m->err = find_mount(m->root, sizeof(m->root));
		if (m->err)
			m->root[0] = '\0';
	}
	return m->err;
}

/* Walk the whole tree into a fresh table; IDs missed before stay missed. */
static int refresh(struct cgmap *m)
{
	struct cg_entry *old = m->v;
	size_t old_n = m->n;
	int err = load_root(m);

	if (err)
		return err;
	m->v = NULL;
	m->n = m->cap = 0;
	struct walk w = {.m = m};
	err = walk_from(&w, "");
	if (!err)
		err = rehash(m);
	for (size_t i = 0; !err && i < old_n; i++)
		if (!old[i].path && !lookup(m, old[i].id))
			err = add(m, old[i].id, NULL);
	if (!err)
		err = rehash(m);
	entries_free(old, old_n);
	m->stats.walks++;
	m->stats.entries = 0;
	for (size_t i = 0; i < m->n; i++)
		m->stats.entries += m->v[i].path != NULL;
	m->loaded = true;
	return err;
}

int cgmap_ensure(struct cgmap *m, uint64_t id)
{
	int err;

	if (!id)
		return 0;
	if (m->err)
		return m->err;
	if (m->loaded && lookup(m, id))
		return 0;
	err = refresh(m);
	if (err < 0) {
		m->err = err;
		return err;
	}
	if (lookup(m, id))
		return 0;
	err = add(m, id, NULL);
	return err ? err : rehash(m);
}

const struct cg_entry *cgmap_find(const struct cgmap *m, uint64_t id)
{
	const struct cg_entry *e = lookup(m, id);

	return e && e->path ? e : NULL;
}

const char *cgmap_root(const struct cgmap *m)
{
	return m->root;
}

int cgmap_subtree_ids(struct cgmap *m, const char *path, uint64_t *ids, size_t max)
{
	struct walk w = {.m = m, .ids = ids, .max = max};
	int err = load_root(m);

	if (err)
		return err;
	err = walk_from(&w, path);
	return err < 0 ? err : (int)w.nids;
}

const struct cg_entry *cgmap_entry(const struct cgmap *m, size_t i, size_t *ret_n)
{
	*ret_n = m->n;
	return i < m->n ? &m->v[i] : NULL;
}

struct cgmap_stats cgmap_stats(const struct cgmap *m)
{
	return m->stats;
}

int cgmap_error(const struct cgmap *m)
{
	return m->err;
}
