/* cgpath.h - what a cgroup v2 path says: the systemd unit and the container it belongs
 * to.
 */
#ifndef TCPSTATE_CGPATH_H
#define TCPSTATE_CGPATH_H

#include <stddef.h>

#define CGPATH_ID_MAX 65 /* a container ID: 64 hex digits */
#define CGPATH_POD_MAX 40

/* A container named by a cgroup path. */
struct cgpath_container {
	const char *runtime;	/* "docker", "containerd", "crio", "podman"; NULL: none */
	char id[CGPATH_ID_MAX]; /* the full ID */
	char pod[CGPATH_POD_MAX]; /* the Kubernetes pod UID ("" outside kubepods) */
};

/*
 * The systemd unit of a cgroup path ("/system.slice/nginx.service" -> "nginx.service"):
 * the innermost component ending in .service, .scope or .socket, else the innermost
 * .slice; a unit below user@UID.service is shown as "user@UID.service/UNIT". Writes ""
 * when the path names none. Returns the length written.
 */
size_t cgpath_unit(const char *path, char *buf, size_t sz);

/*
 * The container of a cgroup path: docker-ID.scope, cri-containerd-ID.scope,
 * crio-ID.scope, libpod-ID.scope (and the cgroupfs driver's /docker/ID,
 * /kubepods/.../podUID/ID forms), and the pod UID under kubepods. Returns 1 when the path
 * names a container or a pod, 0 when not (ret->runtime NULL, ret->pod "").
 */
int cgpath_container(const char *path, struct cgpath_container *ret);

/*
 * The container column's text: "docker:0123456789ab" (runtime and 12-digit ID), with
 * "/pod:UID" after it under kubepods, "pod:UID" for a pod's own cgroup; "" for none.
 * Returns the length written.
 */
size_t cgpath_container_label(const struct cgpath_container *c, char *buf, size_t sz);

#endif
