/* colfmt_cg.h - cells of the cgroup, unit, container, cmdline, mark and tos columns. */
#ifndef TCPSTATE_COLFMT_CG_H
#define TCPSTATE_COLFMT_CG_H

#include <stddef.h>

#include "model/columns.h"
#include "model/sock.h"

/* The cgroup path below the cgroup2 mount; "-" when the socket has none or it is gone.
 * Returns the length (every colfmt_* here). */
size_t colfmt_cgroup(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz);

/* The systemd unit; "-" when none. */
size_t colfmt_unit(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);

/* The container: runtime:ID12[/pod:UID]; "-" when none. */
size_t colfmt_container(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz);

/* The first owner's command line, arguments joined by spaces, each escaped (a space
 * inside an argument as \x20); "-" when unknown. */
size_t colfmt_cmdline(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz);

/* The mark as 0x%x; "-" when the kernel sent none (no CAP_NET_ADMIN, TIME_WAIT). */
size_t colfmt_mark(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);

/* TOS or traffic class as 0x%02x; "-" when none. */
size_t colfmt_tos(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		  size_t sz);

#endif
