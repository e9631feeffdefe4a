/* diag_destroy.h - SOCK_DESTROY: ask the kernel to abort sockets, each identified
 * exactly. */
#ifndef TCPSTATE_DIAG_DESTROY_H
#define TCPSTATE_DIAG_DESTROY_H

#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"

/* A NETLINK_SOCK_DIAG socket for destroy requests, bound in the current namespace. */
struct diag_destroyer;

/* Open one in the namespace this thread is in. Returns 0 or a negative errno. */
int diag_destroyer_open(struct diag_destroyer **ret);

/* Close it. Accepts NULL. */
void diag_destroyer_close(struct diag_destroyer *d);

/*
 * Encode the SOCK_DESTROY request for s: an inet_diag_req_v2 with s's exact id
 * (addresses, ports, interface and cookie) and NLM_F_REQUEST | NLM_F_ACK. Returns the
 * length written or -ENOSPC when buf is too small.
 */
int diag_build_destroy(const struct sock_rec *s, uint32_t seq, void *buf, size_t bufsz);

/*
 * Destroy one socket and read the kernel's answer. Returns 0 when the kernel destroyed
 * it, or its negative errno: -EOPNOTSUPP (no CONFIG_INET_DIAG_DESTROY), -EPERM (no
 * CAP_NET_ADMIN), -ENOENT (the socket is gone) or -ESTALE (its cookie no longer matches).
 */
int diag_destroy(struct diag_destroyer *d, const struct sock_rec *s);

/* The kernel's extended-ack text for the last failed diag_destroy on d; "" when it sent
 * none. Valid until the next request. */
const char *diag_destroyer_error_text(const struct diag_destroyer *d);

/* Words for an error of diag_destroy, e.g. "CAP_NET_ADMIN is missing". Never NULL. */
const char *diag_destroy_strerror(int err);

#endif
