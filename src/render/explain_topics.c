/* explain_topics.c - --explain's lessons: why the handshake has three segments and the
 * close four, half-close, 2MSL, resets, half-open connections, SO_REUSEADDR and
 * simultaneous open and close. */
#include <stddef.h>
#include <strings.h>

#include "render/explain_topics.h"

/* clang-format off */
static const char *const three_way[] = {
	"Each side of a TCP connection numbers its bytes from a starting point it picks "
	"itself, the initial sequence number (ISN). Before any data can flow, each side "
	"has to tell the other its ISN and hear back that it arrived. That is two "
	"announcements and two acknowledgements: SYN from the client, ACK of it from the "
	"server, SYN from the server, ACK of that from the client. The server sends its "
	"ACK and its own SYN in one segment, SYN+ACK, so four messages travel in three "
	"segments.",
	"Why not two? With two segments the server would have to treat the first SYN it "
	"sees as a live connection. A SYN delayed in the network from an earlier, "
	"abandoned attempt would then open a connection nobody asked for and tie up "
	"memory on the server. The third segment is the client confirming that the "
	"server's SYN+ACK answers a SYN it really sent now; a client that sent nothing "
	"answers an unexpected SYN+ACK with RST instead, and the stale attempt dies.",
	"On Linux the client's connect() returns as soon as the SYN+ACK arrives and the "
	"ACK is sent: the client is ESTABLISHED one half round trip before the server. "
	"The server's kernel finishes the handshake without the application, parks the "
	"connection in the listener's accept queue, and accept() later just hands it "
	"over. A listener whose queue is full drops SYNs, so clients sit in SYN_SENT and "
	"retransmit: that is what a long queue of SYN_SENT on a client usually means.",
	"Watch it: tcpstate --lab handshake (the server defers accept, so SYN_RCVD stays "
	"visible); the ladder: tcpstate --explain handshake.",
	NULL,
};

static const char *const four_way[] = {
	"A TCP connection is two independent byte streams, one in each direction, and "
	"each is closed on its own. Closing a direction takes a FIN from the sender and "
	"an ACK from the receiver: two directions, four segments.",
	"The handshake could merge the server's ACK and SYN because the server's kernel "
	"answers a SYN by itself. At the close it cannot merge the ACK of the first FIN "
	"with its own FIN: the ACK is the kernel's business and goes out at once, but "
	"the second FIN is the application's decision. It is sent only when the "
	"application calls close() or shutdown(), which may be much later, after it has "
	"sent everything it still had to say. Between the two, the side that closed "
	"first sits in FIN_WAIT_2 and the other in CLOSE_WAIT.",
	"When the application closes at once, the second FIN can ride on the ACK and "
	"a capture shows three segments; the states are the same. Many sockets in "
	"CLOSE_WAIT never mean a network problem: the local application has read the "
	"end of file and not called close().",
	"Watch it: tcpstate --lab close; the ladder: tcpstate --explain close.",
	NULL,
};

static const char *const half_close[] = {
	"shutdown(fd, SHUT_WR) closes only the sending direction: the kernel sends FIN "
	"after any queued data, the peer reads end of file, and the socket can still "
	"receive. close() gives up both directions and the descriptor with them.",
	"Half-close is how a client says \"that was my whole request\" without hanging "
	"up: the server reads until end of file, then sends its answer over the "
	"direction that is still open, and closes when it is done. The closing side "
	"sits in FIN_WAIT_2 and the peer in CLOSE_WAIT for as long as the answer takes, "
	"and that is normal. Because the socket is still open, Linux does not apply "
	"tcp_fin_timeout to it; that timer only limits FIN_WAIT_2 for sockets already "
	"closed.",
	"A peer that calls close() while data is still arriving discards that data and "
	"answers it with RST, so a protocol that expects a reply after its own end of "
	"data must use shutdown(), not close().",
	"Watch it: tcpstate --lab half-close.",
	NULL,
};

static const char *const two_msl[] = {
	"MSL, the maximum segment lifetime, is the longest a segment can wander in a "
	"network before it is dropped. The side that closes first stays in TIME_WAIT for "
	"twice that long before the connection is forgotten. Linux does not measure "
	"MSL: TIME_WAIT lasts a fixed 60 seconds.",
	"The first reason is the last ACK. The side in TIME_WAIT sent the final ACK of "
	"the close, and nothing acknowledges an ACK. If it is lost, the peer, still in "
	"LAST_ACK, retransmits its FIN. Only a side that still remembers the connection "
	"can answer that FIN with another ACK; a side that had forgotten it would "
	"answer with RST, and the peer would report an error for a connection that "
	"closed cleanly. One MSL for the lost ACK, one for the retransmitted FIN: two.",
	"The second reason is old duplicates. A segment of this connection that was "
	"delayed in the network must not be accepted by a new connection between the "
	"same two addresses and ports. Waiting until every such segment has expired "
	"makes sure it never is.",
	"TIME_WAIT is cheap on Linux: a small record without a socket buffer or an "
	"owner. Thousands of them on a busy client are normal. They only hurt when a "
	"client opens so many connections to one server address and port that it runs "
	"out of local ports (net.ipv4.tcp_tw_reuse lets connect() reuse them safely); "
	"on a server the fix for \"Address already in use\" is SO_REUSEADDR, see "
	"tcpstate --explain reuseaddr.",
	"Watch it: tcpstate --lab close, then tcpstate --lab -o for the countdown.",
	NULL,
};

static const char *const rst[] = {
	"RST aborts a connection at once: no FIN, no waiting, no TIME_WAIT, and the "
	"receiver drops whatever it still had queued. Nothing acknowledges an RST. The "
	"receiver's next call fails: connect() with ECONNREFUSED, recv() or send() with "
	"ECONNRESET, or EPIPE on a later write.",
	"A kernel sends RST when a segment arrives for a connection it does not have. "
	"The common case is a SYN to a port where nothing listens: the answer is RST "
	"(with ACK), and the client sees \"Connection refused\". A firewall that drops "
	"instead of rejecting gives the client a timeout in SYN_SENT instead.",
	"An application makes one on purpose by closing with SO_LINGER set to on and a "
	"time of zero: close() then discards the send queue and sends RST instead of "
	"FIN, and the socket skips TIME_WAIT. Closing a socket that still has unread "
	"received data does the same, because the data the peer sent is known to be "
	"lost and the peer must not believe it was delivered.",
	"A half-open connection ends with RST too: when one side has lost its state, "
	"the first segment the other side sends is answered with RST. See tcpstate "
	"--explain half-open.",
	"Watch it: tcpstate --lab rst.",
	NULL,
};

static const char *const half_open[] = {
	"A connection is half-open when one side still has it ESTABLISHED and the "
	"other side no longer knows it: the peer's host crashed or rebooted, a NAT or "
	"firewall in the middle forgot the mapping, or a cable was pulled. Nothing is "
	"sent when that happens, so the surviving side has no way to notice until it "
	"sends something itself.",
	"If the peer host came back, its kernel receives a segment for a connection it "
	"does not have and answers RST; the survivor's next read or write fails with "
	"ECONNRESET. If the peer is gone entirely, the survivor's data is "
	"retransmitted until net.ipv4.tcp_retries2 gives up, about 15 minutes by "
	"default, and the call fails with ETIMEDOUT.",
	"A side that only reads and never writes would wait for ever. TCP keepalive "
	"(SO_KEEPALIVE, after net.ipv4.tcp_keepalive_time, two hours by default) or an "
	"application-level heartbeat sends a probe on an idle connection so that the "
	"RST or the timeout comes. A pile of old ESTABLISHED sockets with idle peers on "
	"a server is often this; tcpstate -o shows which have a keepalive timer.",
	"Watch it: tcpstate --lab rst (its last three steps make one and end it).",
	NULL,
};

static const char *const reuseaddr[] = {
	"A server that is stopped while clients are connected closes those connections "
	"first, so the server's side of each keeps TIME_WAIT, on the server's own "
	"listening port, for 60 seconds. Restart the server within that time and its "
	"bind() fails with EADDRINUSE, \"Address already in use\", although nothing is "
	"listening.",
	"SO_REUSEADDR, set before bind(), tells the kernel that a TIME_WAIT on the "
	"address does not count as using it: bind() succeeds and the new listener works "
	"beside the old connections, which finish their wait undisturbed. On Linux the "
	"option must be set on both sockets, the one that left the TIME_WAIT behind and "
	"the new one, which is why servers set it on every listening socket before "
	"bind(). It does not let two listeners share a port; that is SO_REUSEPORT.",
	"The alternative some guides give, shortening TIME_WAIT or recycling it, "
	"weakens the protection TIME_WAIT exists for (see tcpstate --explain 2msl) and "
	"is not possible on current Linux anyway.",
	"Watch it: tcpstate --lab reuseaddr (bind() fails with EADDRINUSE, then works "
	"with SO_REUSEADDR).",
	NULL,
};

static const char *const simultaneous[] = {
	"Simultaneous close: both sides send FIN before either has received the other's. "
	"Each is in FIN_WAIT_1 when the peer's FIN arrives instead of the ACK it was "
	"waiting for. It acknowledges that FIN and moves to CLOSING, where it waits only "
	"for the ACK of its own FIN. When that ACK comes it goes to TIME_WAIT. Both "
	"sides closed actively, so both sides keep TIME_WAIT. CLOSING therefore lasts "
	"one round trip and is rarely seen; many sockets in CLOSING usually mean the "
	"peer's ACKs are lost, or that a FIN is stuck behind data the peer's closed "
	"window will not take.",
	"Simultaneous open: both sides call connect() to each other's address and port "
	"at the same time, and both SYNs cross. Each side goes from SYN_SENT to "
	"SYN_RCVD on receiving the other's SYN, answers with SYN+ACK, and both become "
	"ESTABLISHED: one connection, made by four segments and without a listener. It "
	"is legal TCP and used by some peer-to-peer programs to get through NATs, but "
	"it needs both sides to know the other's port in advance.",
	"Watch it: tcpstate --lab simultaneous-close (the lab holds the client's FIN "
	"back so the crossing can be seen).",
	NULL,
};
/* clang-format on */

const struct explain_topic explain_topic_table[] = {
    {"three-way", "Why the handshake takes three segments", three_way},
    {"four-way", "Why the close takes four segments", four_way},
    {"half-close", "Half-close: shutdown(SHUT_WR)", half_close},
    {"2msl", "Why TIME_WAIT waits 2MSL", two_msl},
    {"rst", "RST: aborting a connection", rst},
    {"half-open", "Half-open connections", half_open},
    {"reuseaddr", "Restarting a server: EADDRINUSE and SO_REUSEADDR", reuseaddr},
    {"simultaneous", "Simultaneous close and simultaneous open", simultaneous},
    {NULL, NULL, NULL},
};

const struct explain_topic *explain_topic_find(const char *name)
{
	for (const struct explain_topic *t = explain_topic_table; t->name; t++)
		if (!strcasecmp(t->name, name))
			return t;
	return NULL;
}
