/* colfmt_tcp.h - cells of the -e/-o/-i/-m columns: user, timers, tcp_info, skmem. */
#ifndef TCPSTATE_COLFMT_TCP_H
#define TCPSTATE_COLFMT_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "model/columns.h"
#include "model/sock.h"

/*
 * True when the kernel sent tcp_info up to and including field: kernels send longer or
 * shorter structs than our header, and a field past info_len was zero-filled, not sent.
 */
#define COLFMT_HAS_INFO(ext, field)                                                      \
	((ext) && (ext)->info_len >= __builtin_offsetof(struct tcp_info, field) +        \
					 sizeof(((struct tcp_info *)0)->field))

/*
 * Write a duration in milliseconds the way the timer column shows it: "204ms", "51.2s",
 * "7199s", "3h20m". Returns the length (always NUL-terminated when sz > 0).
 */
size_t colfmt_duration(uint32_t ms, char *buf, size_t sz);

/*
 * Write the timer cell from the inet_diag fields: "off", "timewait (51.2s)",
 * "retrans (204ms/1)", "keepalive (7199s/0)", "probe (1.2s/3)". Returns the length.
 */
size_t colfmt_timer_text(uint8_t timer, uint32_t expires_ms, uint8_t count, char *buf,
			 size_t sz);

/* Write microseconds as milliseconds with up to 3 decimals, trailing zeros dropped:
 * 52 -> "0.052", 204000 -> "204". Returns the length. */
size_t colfmt_usec_as_ms(uint64_t usec, char *buf, size_t sz);

/* The column formatters (colfmt_cells in colfmt.c). Each writes "-" when the kernel
 * did not send the value (TIME_WAIT and request sockets carry no tcp_info or skmem). */
size_t colfmt_user(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);
size_t colfmt_timer(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		    size_t sz);
size_t colfmt_expires(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz);
size_t colfmt_rtt(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		  size_t sz);
size_t colfmt_rttvar(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz);
size_t colfmt_rto(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		  size_t sz);
size_t colfmt_cwnd(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);
size_t colfmt_ssthresh(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		       size_t sz);
size_t colfmt_retrans(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz);
size_t colfmt_bytes_acked(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			  size_t sz);
size_t colfmt_bytes_received(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			     size_t sz);
size_t colfmt_delivery_rate(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			    size_t sz);
size_t colfmt_cc(const struct sock_rec *s, const struct col_ctx *c, char *buf, size_t sz);
size_t colfmt_last_send(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz);
size_t colfmt_last_recv(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			size_t sz);
size_t colfmt_rmem(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);
size_t colfmt_rcvbuf(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz);
size_t colfmt_wmem(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		   size_t sz);
size_t colfmt_sndbuf(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		     size_t sz);
size_t colfmt_drops(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		    size_t sz);

#endif
