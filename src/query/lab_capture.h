/* lab_capture.h - the TCP segments on the lab's loopback, read with a packet socket. */
#ifndef TCPSTATE_LAB_CAPTURE_H
#define TCPSTATE_LAB_CAPTURE_H

#include <stdint.h>

/* TCP header flag bits, as on the wire. */
enum {
	LAB_FIN = 0x01,
	LAB_SYN = 0x02,
	LAB_RST = 0x04,
	LAB_PSH = 0x08,
	LAB_ACK = 0x10,
};

/* One TCP segment over IPv4, numbers in host order. */
struct lab_segment {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* LAB_FIN... */
	uint16_t len;  /* payload bytes */
	uint16_t win;  /* the window field, unscaled */
};

/*
 * Open a non-blocking AF_PACKET socket on "lo" of the current namespace (CAP_NET_RAW
 * there, which the lab has). Returns the descriptor or a negative errno.
 */
int lab_capture_open(void);

/*
 * The next TCP segment sent over the loopback (each is seen once, as it leaves), waiting
 * up to timeout_ms. Returns 1 with *ret filled, 0 when none came in time, or a negative
 * errno.
 */
int lab_capture_next(int fd, int timeout_ms, struct lab_segment *ret);

#endif
