/* sock.h - the socket model: one record per TCP socket, as the rest of the pipeline sees
 * it. */
#ifndef TCPSTATE_SOCK_H
#define TCPSTATE_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/tcp.h>

#include "model/states.h"

/* Optional per-socket data, present only when a view asked the kernel for it. */
struct sock_ext {
	struct tcp_info info; /* zeroed, then copied by length */
	uint32_t info_len;    /* bytes the kernel sent; 0 = no tcp_info */
	uint32_t skmem[9];    /* SK_MEMINFO_* values; valid when have_skmem */
	uint8_t have_skmem;
	uint8_t shutdown; /* INET_DIAG_SHUTDOWN bits; valid when have_shutdown */
	uint8_t have_shutdown;
	char cong[16]; /* congestion control name, "" when absent */
};

/* IPV6_V6ONLY of an AF_INET6 socket, as INET_DIAG_SKV6ONLY says (full sockets only). */
enum sock_v6only {
	SOCK_V6ONLY_UNKNOWN = 0, /* AF_INET, or the kernel did not say */
	SOCK_V6ONLY_NO,		 /* dual-stack: [::] also takes IPv4 */
	SOCK_V6ONLY_YES,
};

/* Optional attributes the kernel sent (sock_rec.have). */
enum {
	SOCK_HAVE_MARK = 1 << 0,
	SOCK_HAVE_TOS = 1 << 1,
};

struct sock_rec {
	uint8_t family;	 /* AF_INET or AF_INET6 */
	uint8_t state;	 /* enum ts_state */
	uint8_t kstate;	 /* the raw kernel code */
	uint8_t timer;	 /* idiag_timer: 0 none, 1 retransmit, 2 keepalive, 3 timewait, 4
			    probe */
	uint8_t retrans; /* idiag_retrans */
	uint8_t v6only;	 /* enum sock_v6only: INET_DIAG_SKV6ONLY of an AF_INET6 socket */
	uint8_t tos;	 /* INET_DIAG_TOS (IPv4) or INET_DIAG_TCLASS (IPv6) */
	uint8_t have;	 /* SOCK_HAVE_*: which optional attributes came */
	uint16_t lport;	 /* host byte order */
	uint16_t rport;
	uint8_t laddr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t raddr[16];
	uint32_t rqueue;
	uint32_t wqueue;
	uint32_t uid;
	uint32_t inode;
	uint32_t expires; /* ms until the timer fires */
	uint32_t ifindex;
	uint32_t mark; /* INET_DIAG_MARK (only for CAP_NET_ADMIN), in ifindex's padding */
	uint64_t cookie;
	uint64_t netns; /* network namespace inode; 0 when only one namespace is shown */
	uint64_t cgroup_id;   /* INET_DIAG_CGROUP_ID; 0: none (TIME_WAIT, requests) */
	struct sock_ext *ext; /* NULL unless extensions were requested */
};

/* Extensions are kept in blocks that never move (sorting moves records, not these), and
 * a cleared set reuses them: a malloc and a free per socket were a tenth of -ani. */
#define SOCK_EXT_BLOCK 512
struct sock_ext_block {
	struct sock_ext_block *next;
	size_t used;
	struct sock_ext v[SOCK_EXT_BLOCK];
};

/* A growable array of sockets; ext pointers point into the set's blocks. */
struct sock_set {
	struct sock_rec *v;
	size_t n;
	size_t cap;
	struct sock_ext_block *ext_head, *ext_cur;
};

/* Append a copy of *s (and of its ext). Returns 0 or -ENOMEM. */
int sock_set_add(struct sock_set *set, const struct sock_rec *s);

/* Drop every socket but keep the allocation. */
void sock_set_clear(struct sock_set *set);

/* Free everything the set holds; the struct itself is not freed. Accepts NULL. */
void sock_set_done(struct sock_set *set);

/* Length of an address of this family in bytes (4 or 16). */
size_t sock_addr_len(uint8_t family);

/*
 * False for the sockets no process or user owns: TIME_WAIT mini-sockets and request
 * sockets (SYN_RCVD before accept), for which the kernel reports uid 0 and inode 0. A
 * request socket arrives as kernel state 3 (TCP_SYN_RECV, inet_req_diag_fill), not 12;
 * a full SYN_RCVD socket (a Fast Open child) keeps its listener's uid.
 */
bool sock_has_owner(const struct sock_rec *s);

/* True for an AF_INET6 socket on the any address that also takes IPv4 (ss's "*"). */
bool sock_dual_stack(const struct sock_rec *s);

/* True when a 16-byte IPv6 address is v4-mapped (::ffff:a.b.c.d). */
int sock_addr_is_v4mapped(const uint8_t addr[16]);

/* Write just an address ("1.2.3.4" or "::1", no brackets); sz must hold INET6_ADDRSTRLEN.
 * Returns the length (0 when sz is too small). */
size_t sock_fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t sz);

#endif
