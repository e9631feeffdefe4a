/* diagmon.h - sock_diag destroy notifications: the TCP sockets the kernel frees, as it
 * does. */
#ifndef TCPSTATE_DIAGMON_H
#define TCPSTATE_DIAGMON_H

#include <stdint.h>

#include "query/diag.h"

/* A NETLINK_SOCK_DIAG socket in the TCP destroy groups of the current namespace. */
struct diagmon;

/*
 * Open a socket in SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY. Each full TCP
 * socket the kernel frees is then reported once, with its addresses, cookie, last state
 * and tcp_info (not its inode or uid). Returns 0 or a negative errno: -EPERM without
 * CAP_NET_ADMIN in the namespace (sock_diag_bind), -EPROTONOSUPPORT without sock_diag.
 */
int diagmon_open(struct diagmon **ret);

/* The descriptor to poll for readability. */
int diagmon_fd(const struct diagmon *m);

/*
 * Read every queued notification without blocking and call fn for each socket (s->ext
 * valid only during the call). Returns the number of sockets reported, or a negative
 * errno from fn or recv. Notifications the kernel dropped because we were slow are
 * counted in *lost (added to), not treated as an error.
 */
int diagmon_drain(struct diagmon *m, diag_sock_fn fn, void *data, uint64_t *lost);

/* Close. Accepts NULL. */
void diagmon_close(struct diagmon *m);

#endif
