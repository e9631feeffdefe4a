/* lab_capture.c - the TCP segments on the lab's loopback, read with a packet socket. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "query/lab_capture.h"

int lab_capture_open(void)
{
	struct sockaddr_ll sll = {0};
	int fd =
	    socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));

	if (fd < 0)
		return -errno;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int err = errno ? -errno : -ENODEV;
		close(fd);
		return err;
	}
	return fd;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An IPv4 packet carrying TCP -> the segment; false for anything else. cap bytes were
 * captured of a packet wire bytes long. */
static bool parse(const uint8_t *p, size_t cap, size_t wire, struct lab_segment *s)
{
	size_t ihl, total, doff;

	if (cap < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_TCP)
		return false;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = get16(p + 2);
	if (ihl < 20 || total > wire || total < ihl + 20 || cap < ihl + 20)
		return false;
	p += ihl;
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > total)
		return false;
	s->sport = get16(p);
	s->dport = get16(p + 2);
	s->seq = get32(p + 4);
	s->ack = get32(p + 8);
	s->flags = p[13] & 0x1f;
	s->win = get16(p + 14);
	s->len = (uint16_t)(total - ihl - doff);
	return true;
}

int lab_capture_next(int fd, int timeout_ms, struct lab_segment *ret)
{
	uint8_t buf[128]; /* headers only: the payload length comes from the IP header */

	for (;;) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &flen);

		if (n < 0) {
			struct pollfd p = {fd, POLLIN, 0};
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			if (errno == EINTR)
				continue;
			int r = poll(&p, 1, timeout_ms);
			if (r < 0 && errno != EINTR)
				return -errno;
			if (r == 0)
				return 0;
			continue;
		}
		/* lo shows each packet twice, leaving (OUTGOING) and arriving (HOST).
		 * Leaving is the moment the sender's state changed: a step's last
		 * segment is in before the states it caused can be seen. */
		if (from.sll_pkttype != PACKET_OUTGOING ||
		    from.sll_protocol != htons(ETH_P_IP))
			continue;
		size_t cap = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf);
		if (parse(buf, cap, (size_t)n, ret))
			return 1;
	}
}
