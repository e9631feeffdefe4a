/* procfs_fallback.h - TCP sockets from /proc/net/tcp{,6} when the kernel has no
 * sock_diag. */
#ifndef TCPSTATE_PROCFS_FALLBACK_H
#define TCPSTATE_PROCFS_FALLBACK_H

#include <stdbool.h>

#include "query/diag.h"

/*
 * True when /proc/net/tcp can answer q: it has no tcp_info, memory or congestion data, so
 * a query that asks for extensions cannot be answered. The bytecode is ignored (callers
 * re-check the filter in user space). /proc/net/tcp never lists bound-only (CLOSED)
 * sockets and has no socket cookies; a LISTEN socket's Send-Q (its backlog) reads 0.
 */
bool procfs_can_answer(const struct diag_query *q);

/*
 * Read proc_root/net/tcp and proc_root/net/tcp6 (normally proc_root is "/proc") and call
 * fn for each socket that q's family, kernel states and exact ports select, as diag_dump
 * would. A missing tcp6 (no IPv6) is not an error. Returns 0, -ENOENT when neither file
 * can be opened (or the errno of the failure), -EBADMSG for a line it cannot parse, or
 * fn's error. stats, when not NULL, counts bytes, lines and sockets.
 */
int procfs_dump(const char *proc_root, const struct diag_query *q, diag_sock_fn fn,
		void *data, struct diag_stats *stats);

#endif
