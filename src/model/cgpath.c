/* cgpath.c - systemd units and container IDs read from cgroup v2 paths. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "model/cgpath.h"

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* The unit suffixes, innermost first wins; a slice only when nothing else matched. */
static const char *const unit_suffixes[] = {".service", ".scope", ".socket"};

static bool is_unit(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++)
		if (ends_with(s, n, unit_suffixes[i]))
			return true;
	return false;
}

size_t cgpath_unit(const char *path, char *buf, size_t sz)
{
	const char *unit = NULL, *slice = NULL, *user = NULL;
	size_t unit_n = 0, slice_n = 0, user_n = 0;

	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (is_unit(p, n)) {
			/* user@1000.service/app.slice/x.service: keep the manager too */
			if (strncmp(p, "user@", 5) == 0 && ends_with(p, n, ".service")) {
				user = p;
				user_n = n;
			}
			unit = p;
			unit_n = n;
		} else if (ends_with(p, n, ".slice")) {
			slice = p;
			slice_n = n;
		}
		p += n;
	}
	if (!unit) {
		return slice ? strutil_copy(buf, sz, slice, slice_n)
			     : strutil_copy(buf, sz, "", 0);
	}
	if (user && user != unit) {
		int w =
		    snprintf(buf, sz, "%.*s/%.*s", (int)user_n, user, (int)unit_n, unit);
		return w < 0 ? 0 : ((size_t)w < sz ? (size_t)w : sz - 1);
	}
	return strutil_copy(buf, sz, unit, unit_n);
}

/* How runtimes name their scopes (systemd driver) and what we call them. */
static const struct {
	const char *prefix;
	const char *runtime;
} scope_prefixes[] = {
    {"docker-", "docker"}, {"cri-containerd-", "containerd"}, {"crio-", "crio"},
    {"libpod-", "podman"}, {"nerdctl-", "containerd"},
};

static bool all_hex(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* One path component: a container scope or a bare ID under a runtime's directory. */
static void component_container(const char *p, size_t n, const char *parent,
				struct cgpath_container *ret)
{
	size_t core = n;

	if (ends_with(p, n, ".scope"))
		core = n - strlen(".scope");
	for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
		size_t k = strlen(scope_prefixes[i].prefix);
		if (core > k && strncmp(p, scope_prefixes[i].prefix, k) == 0 &&
		    all_hex(p + k, core - k)) {
			ret->runtime = scope_prefixes[i].runtime;
			strutil_copy(ret->id, sizeof(ret->id), p + k, core - k);
			return;
		}
	}
	/* cgroupfs driver: /docker/ID, /kubepods/besteffort/podUID/ID */
	if (all_hex(p, n) && parent) {
		ret->runtime = strcmp(parent, "docker") == 0 ? "docker" : "container";
		strutil_copy(ret->id, sizeof(ret->id), p, n);
	}
}

/* A pod component: kubepods-besteffort-pod1a2b_3c.slice or pod1a2b-3c. */
static void component_pod(const char *p, size_t n, struct cgpath_container *ret)
{
	const char *pod = NULL;
	size_t k = 0;

	for (size_t i = 0; i + 3 < n; i++)
		if (memcmp(p + i, "pod", 3) == 0 && (i == 0 || p[i - 1] == '-'))
			pod = p + i + 3;
	if (!pod)
		return;
	k = (size_t)(p + n - pod);
	if (ends_with(p, n, ".slice"))
		k -= strlen(".slice");
	if (k == 0 || k >= sizeof(ret->pod))
		return;
	for (size_t i = 0; i < k; i++) /* systemd writes the UID's dashes as '_' */
		ret->pod[i] = pod[i] == '_' ? '-' : pod[i];
	ret->pod[k] = '\0';
}

int cgpath_container(const char *path, struct cgpath_container *ret)
{
	char parent[32] = "";
	bool kube = false;

	memset(ret, 0, sizeof(*ret));
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (kube && !ret->runtime)
			component_pod(p, n, ret);
		if (strncmp(p, "kubepods", 8) == 0)
			kube = true;
		if (!ret->runtime)
			component_container(p, n, parent[0] ? parent : NULL, ret);
		strutil_copy(parent, sizeof(parent), p, n);
		p += n;
	}
	return ret->runtime || ret->pod[0];
}

size_t cgpath_container_label(const struct cgpath_container *c, char *buf, size_t sz)
{
	int w;

	if (c->runtime && c->pod[0])
		w = snprintf(buf, sz, "%s:%.12s/pod:%s", c->runtime, c->id, c->pod);
	else if (c->runtime)
		w = snprintf(buf, sz, "%s:%.12s", c->runtime, c->id);
	else if (c->pod[0])
		w = snprintf(buf, sz, "pod:%s", c->pod);
	else
		w = snprintf(buf, sz, "%s", "");
	if (w < 0 || !sz)
		return 0;
	return (size_t)w < sz ? (size_t)w : sz - 1;
}
