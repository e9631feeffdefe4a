/* bcmodel.h - a model of the kernel's inet_diag bytecode audit and run, for the fuzzers.
 */
#ifndef TCPSTATE_BCMODEL_H
#define TCPSTATE_BCMODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/sock.h"

/*
 * What inet_diag_bc_audit() (net/ipv4/inet_diag.c) would say of this bytecode: 0 when the
 * kernel accepts it, -EINVAL when it refuses the dump. MARK_COND and CGROUP_COND are
 * accepted as the kernel does for a privileged caller.
 */
int bcmodel_audit(const void *bc, size_t len);

/* bcmodel_audit for a caller with or without CAP_NET_ADMIN: without it, MARK_COND is
 * refused with -EPERM (the kernel's net_admin check). */
int bcmodel_audit_as(const void *bc, size_t len, bool net_admin);

/*
 * What inet_diag_bc_run() decides for socket s: true when the kernel would report it.
 * Only for bytecode bcmodel_audit() accepted. AUTO (ephemeral port) counts as true; the
 * bound interface is s->ifindex, the cgroup s->cgroup_id (0 for TIME_WAIT and requests,
 * as in the kernel's entry), the mark s->mark when the dump carried one (else matching),
 * so the model never rejects a socket the kernel could report.
 */
bool bcmodel_run(const void *bc, size_t len, const struct sock_rec *s);

#endif
