/* netns.c - network namespaces: -N TARGET, discovery for --all-netns, setns and back. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>

#include "base/escape.h"
#include "query/netns.h"

#define SELF_NETNS "/proc/self/ns/net"

/* cgroup path components that name a container, and the runtime they belong to. A
 * component that starts with prefix names the container in the rest of it; with next set,
 * a component equal to prefix (cgroup v1 layouts: /docker/ID) names it in the next one.
 */
static const struct {
	const char *prefix;
	bool next;
	const char *kind;
} container_cgroups[] = {
    {"docker-", false, "docker"},
    {"libpod-", false, "podman"},
    {"cri-containerd-", false, "containerd"},
    {"crio-", false, "cri-o"},
    {"lxc.payload.", false, "lxc"},
    {"machine-", false, "machine"},
    {"docker", true, "docker"},
    {"lxc", true, "lxc"},
};

/* Container ids are long hex strings; this many characters tell them apart. */
#define CONTAINER_ID_SHOWN 12

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int list_add(struct netns_list *l, const struct stat *st, const char *path,
		    const char *label)
{
	struct netns_ent *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n].ino = st->st_ino;
	v[l->n].dev = st->st_dev;
	v[l->n].path = strdup(path);
	v[l->n].label = strdup(label);
	if (!v[l->n].path || !v[l->n].label) {
		free(v[l->n].path);
		free(v[l->n].label);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static bool list_has(const struct netns_list *l, const struct stat *st)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].ino == (uint64_t)st->st_ino &&
		    l->v[i].dev == (uint64_t)st->st_dev)
			return true;
	return false;
}

/* Is the open file a network namespace? nsfs answers NS_GET_NSTYPE, nothing else does. */
static int check_netns_fd(int fd)
{
	int type = ioctl(fd, NS_GET_NSTYPE);

	if (type < 0)
		return errno == ENOTTY || errno == EINVAL ? -EINVAL : -errno;
	return type == CLONE_NEWNET ? 0 : -EINVAL;
}

int netns_resolve(const char *target, const char *run_dir, const char *proc_root,
		  struct netns_list **ret)
{
	struct netns_list *l;
	char path[4096];
	char label[4096 * 4];
	struct stat st;
	int fd, err;

	*ret = NULL;
	if (!target || !*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return -EINVAL;
	if (strchr(target, '/'))
		snprintf(path, sizeof(path), "%s", target);
	else if (all_digits(target))
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc_root, target);
	else
		snprintf(path, sizeof(path), "%s/%s", run_dir, target);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) < 0 ? -errno : check_netns_fd(fd);
	close(fd);
	if (err < 0)
		return err;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	escape_name(target, label, sizeof(label));
	err = list_add(l, &st, path, label);
	if (err < 0) {
		netns_list_free(l);
		return err;
	}
	*ret = l;
	return 0;
}

/* "docker:0123456789ab" from a cgroup path, or false when it names no container. */
static bool container_hint(const char *cgpath, char *buf, size_t sz)
{
	char copy[4096], *save = NULL;
	const char *prev = NULL;

	snprintf(copy, sizeof(copy), "%s", cgpath);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		for (size_t i = 0;
		     i < sizeof(container_cgroups) / sizeof(container_cgroups[0]); i++) {
			const char *p = container_cgroups[i].prefix;
			const char *id = NULL;
			if (container_cgroups[i].next) {
				if (prev && !strcmp(prev, p))
					id = c;
			} else if (!strncmp(c, p, strlen(p))) {
				id = c + strlen(p);
			}
			if (!id)
				continue;
			size_t n = strcspn(id, ".");
			if (n > CONTAINER_ID_SHOWN)
				n = CONTAINER_ID_SHOWN;
			if (!n)
				continue;
			snprintf(buf, sz, "%s:%.*s", container_cgroups[i].kind, (int)n,
				 id);
			return true;
		}
		prev = c;
	}
	return false;
}

/* Read the first line of a small file into buf without its newline. */
static bool read_line(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)sz, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* The hint for a namespace whose first process is pid: its container, else PID/comm. */
static void process_hint(const char *proc_root, const char *pid, char *buf, size_t sz)
{
	char path[512], line[4096], esc[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/cgroup", proc_root, pid);
	f = fopen(path, "re");
	if (f) {
		bool found = false;
		while (!found && fgets(line, sizeof(line), f)) {
			char *p = strchr(line, ':');
			p = p ? strchr(p + 1, ':') : NULL;
			if (!p)
				continue;
			p[1 + strcspn(p + 1, "\n")] = '\0';
			found = container_hint(p + 1, buf, sz);
		}
		fclose(f);
		if (found) {
			/* The id came from the kernel but the directory name from whoever
			 * made it. */
			escape_name(buf, esc, sizeof(esc));
			snprintf(buf, sz, "%s", esc);
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/%s/comm", proc_root, pid);
	if (!read_line(path, line, sizeof(line)))
		line[0] = '\0';
	escape_name(line, esc, 64); /* comm is at most 15 bytes: 60 escaped */
	snprintf(buf, sz, "%.20s/%.63s", pid, esc);
}

/* Named namespaces first, so the name wins over the inode. */
static int scan_run_dir(struct netns_list *l, const char *run_dir,
			const struct stat *self)
{
	struct dirent **names = NULL;
	int n = scandir(run_dir, &names, NULL, alphasort);
	int err = 0;

	if (n < 0)
		return errno == ENOENT || errno == EACCES || errno == ENOTDIR ? 0
									      : -errno;
	for (int i = 0; i < n; i++) {
		char path[4096], label[1024];
		struct stat st;
		const char *name = names[i]->d_name;
		if (err == 0 && name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", run_dir, name);
			/* A file left behind by a failed `ip netns add` is not on nsfs.
			 */
			if (stat(path, &st) == 0 && st.st_dev == self->st_dev &&
			    !list_has(l, &st)) {
				escape_name(name, label, sizeof(label));
				err = list_add(l, &st, path, label);
			}
		}
		free(names[i]);
	}
	free(names);
	return err;
}

static int scan_procs(struct netns_list *l, const char *proc_root)
{
	struct dirent **pids = NULL;
	int n, err = 0;

	/* versionsort puts the numeric names in pid order: the first process is the
	 * lowest. */
	n = scandir(proc_root, &pids, NULL, versionsort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char path[512], hint[512], label[600];
		struct stat st;
		const char *pid = pids[i]->d_name;
		if (err == 0 && all_digits(pid)) {
			snprintf(path, sizeof(path), "%s/%s/ns/net", proc_root, pid);
			if (stat(path, &st) < 0) {
				if (errno == EACCES || errno == EPERM)
					l->denied++;
			} else if (!list_has(l, &st)) {
				process_hint(proc_root, pid, hint, sizeof(hint));
				snprintf(label, sizeof(label), "%llu(%s)",
					 (unsigned long long)st.st_ino, hint);
				err = list_add(l, &st, path, label);
			}
		}
		free(pids[i]);
	}
	free(pids);
	return err;
}

static int cmp_ino(const void *a, const void *b)
{
	const struct netns_ent *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int netns_discover(const char *run_dir, const char *proc_root, struct netns_list **ret)
{
	struct netns_list *l;
	struct stat self;
	int err;

	*ret = NULL;
	if (stat(SELF_NETNS, &self) < 0)
		return -errno;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	err = scan_run_dir(l, run_dir, &self);
	if (err == 0)
		err = scan_procs(l, proc_root);
	if (err < 0) {
		netns_list_free(l);
		return err;
	}
	if (l->n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(l->v, l->n, sizeof(*l->v), cmp_ino);
	*ret = l;
	return 0;
}

void netns_list_free(struct netns_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].label);
	}
	free(l->v);
	free(l);
}

const struct netns_ent *netns_find(const struct netns_list *l, uint64_t ino)
{
	size_t lo = 0, hi;

	if (!l)
		return NULL;
	/* Sorted by inode unless it came from netns_resolve, which holds one. */
	hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].ino == ino)
			return &l->v[mid];
		if (l->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *netns_label(const struct netns_list *l, uint64_t ino)
{
	const struct netns_ent *e = netns_find(l, ino);

	return e ? e->label : NULL;
}

int netns_enter(const struct netns_ent *e, int *ret_saved)
{
	struct stat st, self;
	int fd, saved, err;

	*ret_saved = -1;
	fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || stat(SELF_NETNS, &self) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/* A /proc/PID path may now belong to another process in another namespace. */
	if ((uint64_t)st.st_ino != e->ino || (uint64_t)st.st_dev != e->dev) {
		close(fd);
		return -ENOENT;
	}
	if (st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
		close(fd); /* already there: works without privileges */
		return 0;
	}
	saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
	if (saved < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(fd);
		close(saved);
		return err;
	}
	close(fd);
	*ret_saved = saved;
	return 0;
}

int netns_return(int saved)
{
	int err = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET) < 0)
		err = -errno;
	close(saved);
	return err;
}

int netns_for_each(const struct netns_list *l, netns_visit_fn fn, void *data,
		   int *ret_back_err)
{
	*ret_back_err = 0;
	if (!l)
		return fn(NULL, 0, data);
	for (size_t i = 0; i < l->n; i++) {
		int saved, ret, back;
		int err = netns_enter(&l->v[i], &saved);
		ret = fn(&l->v[i], err, data);
		back = err < 0 ? 0 : netns_return(saved);
		if (back < 0) {
			*ret_back_err = back;
			return back;
		}
		if (ret != 0)
			return ret;
	}
	return 0;
}

static const struct {
	int err;
	const char *why;
} netns_errors[] = {
    {EPERM,
     "permission denied: entering a network namespace (setns) needs CAP_SYS_ADMIN"},
    {EACCES, "permission denied: another user's process needs root or CAP_SYS_PTRACE"},
    {ENOENT, "no such namespace name, file or process"},
    {EINVAL, "not a network namespace"},
};

const char *netns_strerror(int err)
{
	for (size_t i = 0; i < sizeof(netns_errors) / sizeof(netns_errors[0]); i++)
		if (netns_errors[i].err == -err || netns_errors[i].err == err)
			return netns_errors[i].why;
	return strerror(err < 0 ? -err : err);
}
