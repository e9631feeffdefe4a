/* diag.h - sock_diag dumps: build the request, run the dump, parse messages, replay. */
#ifndef TCPSTATE_DIAG_H
#define TCPSTATE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/sock.h"
#include "query/nlsock.h"

/* What to ask the kernel. */
struct diag_query {
	int family;	  /* AF_UNSPEC (both, one walk), AF_INET or AF_INET6 */
	uint32_t kstates; /* kernel idiag_states mask (state_set_to_kernel) */
	uint8_t ext;	  /* idiag_ext bits: 1 << (INET_DIAG_INFO - 1) etc. */
	uint16_t sport;	  /* exact local port in the request id (host order), 0 = any */
	uint16_t dport;	  /* exact remote port, 0 = any */
	const void *bytecode; /* INET_DIAG_REQ_BYTECODE, NULL for none */
	size_t bytecode_len;
	bool small_attrs; /* read cgroup ID, mark and TOS into each record */
};

/* Counters of one dump, for --stats and the kernel-filter test. */
struct diag_stats {
	uint64_t bytes;	   /* netlink bytes received */
	uint64_t msgs;	   /* netlink messages */
	uint64_t socks;	   /* sockets parsed */
	uint32_t recvs;	   /* recv() calls */
	uint32_t restarts; /* dumps restarted after NLM_F_DUMP_INTR */
};

/*
 * Called once per socket. s == NULL means "the dump restarts: forget what you have".
 * s->ext (if any) points to scratch memory valid only during the call. Return 0 to go
 * on or a negative errno to abort the dump with that error.
 */
typedef int (*diag_sock_fn)(const struct sock_rec *s, void *data);

/* An open sock_diag netlink socket. */
struct diag_sock;

/* Open a NETLINK_SOCK_DIAG socket. Returns 0 or a negative errno (-EPROTONOSUPPORT when
 * the kernel has no sock_diag, -EACCES/-EPERM when denied). */
int diag_sock_open(struct diag_sock **ret);

/* Close it. Accepts NULL. */
void diag_sock_close(struct diag_sock *ds);

/* Room for diag_sock_error_text. */
#define DIAG_ERROR_TEXT_MAX NLSOCK_EXT_MSG_MAX

/* Copy the kernel's extended-ack text for the last error of a dump on ds ("" when it sent
 * none) into buf. */
void diag_sock_error_text(const struct diag_sock *ds, char *buf, size_t sz);

/*
 * Run one TCP dump. Each recv()'d buffer is appended to record (if not NULL) in the
 * replay format. Returns 0, or a negative errno from the kernel (carried in NLMSG_ERROR
 * or NLMSG_DONE), from recv, or from fn. -EINTR after too many interrupted dumps.
 */
int diag_dump(struct diag_sock *ds, const struct diag_query *q, diag_sock_fn fn,
	      void *data, struct diag_stats *stats, FILE *record);

/*
 * Parse one buffer of netlink messages exactly as recv() returned it, calling fn per
 * socket. seq and portid are checked when non-zero (0 in replay). Returns 1 when the dump
 * is done (NLMSG_DONE), 0 when more buffers follow, or a negative errno: -EBADMSG for a
 * truncated or malformed message, -EINTR for NLM_F_DUMP_INTR, the kernel's error
 * otherwise.
 */
int diag_parse_buffer(const void *buf, size_t len, uint32_t seq, uint32_t portid,
		      diag_sock_fn fn, void *data, struct diag_stats *stats);

/*
 * Feed a recorded dump file through diag_parse_buffer (cgroup ID, mark and TOS read
 * into each record only when small_attrs, as diag_query's flag). A buffer flagged
 * NLM_F_DUMP_INTR restarts the dump as diag_dump does (fn(NULL), then the dump recorded
 * after it), with the same bound. Returns 0, -EBADMSG when the file is malformed or ends
 * before NLMSG_DONE, -EINTR after too many restarts, or another negative errno.
 */
int diag_replay(FILE *in, bool small_attrs, diag_sock_fn fn, void *data,
		struct diag_stats *stats);

/* Encode a query as the netlink request it sends (for tests). Returns the length written
 * or -ENOSPC when buf is too small. */
int diag_build_request(const struct diag_query *q, uint32_t seq, void *buf, size_t bufsz);

#endif
