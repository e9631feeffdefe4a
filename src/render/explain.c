/* explain.c - --explain: the 11 states, the handshake and the close, in words. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/states.h"
#include "render/explain.h"
#include "render/explain_topics.h"

#define EXPLAIN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	EXPLAIN_DEFAULT_WIDTH = 80,
	EXPLAIN_MIN_WIDTH = 40,
	EXPLAIN_MAX_WIDTH = 100,   /* prose wider than this is hard to read */
	EXPLAIN_FIELD_INDENT = 14, /* "  Many means: " */
};

/* clang-format off */
/*
 * Durations are Linux defaults: RTO starts at 1 s and doubles; TIME_WAIT is the
 * compiled-in TCP_TIMEWAIT_LEN (60 s), which no sysctl changes.
 */
static const struct explain_state_text explain_table[TS_NSTATES] = {
	[TS_CLOSED] = {
		.netstat = "CLOSE",
		.kernel = "TCP_CLOSE",
		.meaning = "No connection: where every socket starts and where every "
			"connection ends. The kernel only lists a CLOSED socket when it "
			"holds a local port: bound with bind() but neither listening nor "
			"connecting, or explicitly bound and its connection over while "
			"the descriptor is still open. Linux reports these only since "
			"6.8 (tcpstate -a asks for them).",
		.side = "Either side, before the connection exists and after it is gone.",
		.moved_on_by = "listen() moves it to LISTEN (passive open). connect() "
			"sends a SYN and moves it to SYN_SENT (active open). Every path "
			"ends here: the final ACK in LAST_ACK, the end of TIME_WAIT, an "
			"RST in any state, or retransmissions giving up.",
		.duration = "Until the application uses the socket or closes it; the "
			"kernel never times it out.",
		.many_means = "An application binds ports it never uses, or leaks "
			"sockets after failed connections. Each one keeps its port, so a "
			"later bind() to it fails with \"Address already in use\". Look "
			"at the owning process (-p).",
	},
	[TS_LISTEN] = {
		.netstat = "LISTEN",
		.kernel = "TCP_LISTEN",
		.meaning = "A server socket waiting for connection requests on its port. "
			"It never carries data itself: each completed handshake becomes "
			"a new socket that accept() hands out, and the listener stays in "
			"LISTEN. Its Recv-Q is the number of connections waiting for "
			"accept(), its Send-Q the backlog limit.",
		.side = "Passive opener: the server, after socket(), bind() and "
			"listen().",
		.moved_on_by = "An incoming SYN does not move the listener: the kernel "
			"answers SYN,ACK and tracks the new connection separately in "
			"SYN_RCVD. close() moves the listener to CLOSED. (RFC 793 also "
			"lets a send() move LISTEN to SYN_SENT; Linux does not.)",
		.duration = "As long as the server runs. The backlog passed to listen() "
			"is capped by net.core.somaxconn (default 4096).",
		.many_means = "Many services, or one service using SO_REUSEPORT with one "
			"listener per worker. A listener whose Recv-Q stays at its "
			"Send-Q is not calling accept() fast enough: new handshakes are "
			"dropped, or answered with SYN cookies.",
	},
	[TS_SYN_SENT] = {
		.netstat = "SYN_SENT",
		.kernel = "TCP_SYN_SENT",
		.meaning = "The application called connect(); the kernel has sent a SYN "
			"and waits for the peer's SYN,ACK.",
		.side = "Active opener: the client.",
		.moved_on_by = "rcv SYN,ACK / snd ACK: to ESTABLISHED, and connect() "
			"returns. rcv SYN alone (simultaneous open) / snd SYN,ACK: to "
			"SYN_RCVD. rcv RST (nothing listens on that port): to CLOSED, "
			"connect() fails with ECONNREFUSED. No answer at all: the SYN is "
			"resent, then connect() fails with ETIMEDOUT.",
		.duration = "One round trip. With no answer the SYN is resent "
			"net.ipv4.tcp_syn_retries times (default 6) with a doubling "
			"timeout, so connect() gives up after about 130 s (127 s before "
			"Linux 6.5; 131 s since, where tcp_syn_linear_timeouts adds 4 "
			"quick retries 1 s apart).",
		.many_means = "Peers that do not answer: a firewall silently dropping "
			"SYNs, a host that is down, or a routing problem. Group them by "
			"remote address to see which destination is unreachable.",
	},
	[TS_SYN_RCVD] = {
		.netstat = "SYN_RECV",
		.kernel = "TCP_SYN_RECV (request sockets: TCP_NEW_SYN_RECV)",
		.meaning = "A SYN has arrived and been answered with SYN,ACK; the kernel "
			"waits for the ACK that completes the three-way handshake. On "
			"Linux these half-open connections are small request entries "
			"hanging off the listener, not full sockets, so no process owns "
			"them yet.",
		.side = "Passive opener: the server. Also both sides of a simultaneous "
			"open.",
		.moved_on_by = "rcv ACK: to ESTABLISHED, and the connection joins the "
			"listener's accept queue. rcv RST: dropped. No ACK: the SYN,ACK "
			"is resent, then the entry is dropped.",
		.duration = "One round trip. With no ACK the SYN,ACK is resent "
			"net.ipv4.tcp_synack_retries times (default 5): about 63 s in "
			"all.",
		.many_means = "A SYN flood (forged SYNs whose ACK never comes), clients "
			"on a slow or lossy path, or a full accept queue, which makes "
			"the kernel ignore the final ACK. net.ipv4.tcp_syncookies "
			"(default 1) lets the server answer a flood without keeping "
			"state; net.ipv4.tcp_max_syn_backlog bounds the half-open "
			"entries.",
	},
	[TS_ESTABLISHED] = {
		.netstat = "ESTABLISHED",
		.kernel = "TCP_ESTABLISHED",
		.meaning = "The handshake is complete and data flows both ways. A "
			"connection spends nearly all its life here.",
		.side = "Both sides.",
		.moved_on_by = "close() or shutdown(SHUT_WR) / snd FIN: to FIN_WAIT_1, "
			"and this side is the active closer. rcv FIN / snd ACK: to "
			"CLOSE_WAIT, and this side is the passive closer. rcv RST, or "
			"retransmissions giving up: to CLOSED, and the application gets "
			"ECONNRESET or ETIMEDOUT.",
		.duration = "As long as both applications keep the connection: a "
			"fraction of a second for one request, days for a database pool. "
			"Unacknowledged data is resent net.ipv4.tcp_retries2 times "
			"(default 15, about 15 minutes) before the connection is "
			"dropped. An idle connection to a vanished peer stays forever "
			"unless SO_KEEPALIVE is set (first probe after "
			"net.ipv4.tcp_keepalive_time, default 7200 s).",
		.many_means = "Usually just load. Compare with what you expect: a count "
			"that keeps climbing while traffic is flat means a client or "
			"pool that opens connections and never closes them; many to one "
			"peer may mean connection reuse is missing.",
	},
	[TS_FIN_WAIT_1] = {
		.netstat = "FIN_WAIT1",
		.kernel = "TCP_FIN_WAIT1",
		.meaning = "This side has closed its sending direction: the application "
			"called close() or shutdown(SHUT_WR), and the kernel has queued "
			"a FIN behind any data still unsent. It waits for the peer to "
			"acknowledge that FIN.",
		.side = "Active closer: whichever side closes first, client or server.",
		.moved_on_by = "rcv ACK of the FIN: to FIN_WAIT_2. rcv FIN / snd ACK: to "
			"CLOSING (both sides closed at once). rcv FIN with the ACK in "
			"the same segment / snd ACK: straight to TIME_WAIT. rcv RST, or "
			"retransmissions giving up: to CLOSED.",
		.duration = "One round trip, or longer while unsent data is still queued "
			"ahead of the FIN. If the application has already closed the "
			"socket (an orphan), the FIN is resent "
			"net.ipv4.tcp_orphan_retries times (default 0, which means 8) "
			"before the socket is dropped; otherwise up to tcp_retries2.",
		.many_means = "The peer is not acknowledging: it is gone or unreachable, "
			"or it stopped reading and advertises a zero window with our "
			"data still queued. Orphans count against "
			"net.ipv4.tcp_max_orphans; beyond it the kernel resets them and "
			"logs \"too many orphaned sockets\".",
	},
	[TS_FIN_WAIT_2] = {
		.netstat = "FIN_WAIT2",
		.kernel = "TCP_FIN_WAIT2",
		.meaning = "Our FIN has been acknowledged: our direction is finished and "
			"we wait for the peer's FIN. The connection is half-closed: data "
			"from the peer can still arrive.",
		.side = "Active closer.",
		.moved_on_by = "rcv FIN / snd ACK: to TIME_WAIT. For an orphan (the "
			"application has closed the socket), a timer removes it if the "
			"FIN never comes.",
		.duration = "Until the peer closes. An orphan is removed after "
			"net.ipv4.tcp_fin_timeout (default 60 s); a socket the "
			"application still holds after shutdown(SHUT_WR) waits as long "
			"as the peer does.",
		.many_means = "The peer does not close its end: its application ignores "
			"the end of the stream (its socket sits in CLOSE_WAIT), or the "
			"peer vanished after acknowledging our FIN. Also normal for a "
			"moment in protocols that half-close with shutdown(SHUT_WR) and "
			"then read the answer.",
	},
	[TS_CLOSE_WAIT] = {
		.netstat = "CLOSE_WAIT",
		.kernel = "TCP_CLOSE_WAIT",
		.meaning = "The peer has finished sending: its FIN arrived and the "
			"kernel acknowledged it. Now the kernel waits for our "
			"application to close too. Reads return end-of-file (0); writes "
			"still work.",
		.side = "Passive closer: the side that received the first FIN.",
		.moved_on_by = "close() or shutdown(SHUT_WR) / snd FIN: to LAST_ACK. rcv "
			"RST: to CLOSED. Nothing else: no timer ever ends it.",
		.duration = "As long as the application takes to see read() return 0 and "
			"call close(); normally milliseconds. There is no timeout.",
		.many_means = "The application is not calling close(): a descriptor "
			"leak, a read loop that ignores end-of-file, or threads stuck "
			"elsewhere. See which process owns them (-p); they go away only "
			"when it closes them or exits.",
	},
	[TS_CLOSING] = {
		.netstat = "CLOSING",
		.kernel = "TCP_CLOSING",
		.meaning = "Both sides closed at about the same time: we sent a FIN, and "
			"before its ACK came back the peer's FIN arrived, which we "
			"acknowledged. We wait for the ACK of our own FIN.",
		.side = "Both sides of a simultaneous close; each is an active closer.",
		.moved_on_by = "rcv ACK: to TIME_WAIT. rcv RST, or retransmissions "
			"giving up: to CLOSED.",
		.duration = "One round trip; rare and brief. Our FIN is resent under the "
			"same rules as in FIN_WAIT_1 (tcp_orphan_retries for an orphan).",
		.many_means = "Simultaneous closes on a path that loses segments, or "
			"peers that disappear right after sending their FIN.",
	},
	[TS_LAST_ACK] = {
		.netstat = "LAST_ACK",
		.kernel = "TCP_LAST_ACK",
		.meaning = "The passive closer has closed too and sent its FIN; it waits "
			"for the ACK of that FIN. When it comes the socket is gone at "
			"once: this side has no TIME_WAIT.",
		.side = "Passive closer.",
		.moved_on_by = "rcv ACK: to CLOSED. rcv RST, or retransmissions giving "
			"up: to CLOSED.",
		.duration = "One round trip. Without an ACK the FIN is resent "
			"net.ipv4.tcp_orphan_retries times (default 0, which means 8) "
			"before the socket is dropped.",
		.many_means = "The final ACKs are lost, or the active closer is gone "
			"(reset, rebooted, or behind a firewall that drops packets once "
			"it has seen a FIN).",
	},
	[TS_TIME_WAIT] = {
		.netstat = "TIME_WAIT",
		.kernel = "TCP_TIME_WAIT",
		.meaning = "The active closer has acknowledged the peer's FIN and "
			"lingers, so that it can acknowledge the FIN again if its last "
			"ACK was lost, and so that stray segments of this connection die "
			"out before the same addresses and ports can be used again. No "
			"process owns it any more.",
		.side = "Active closer only: whichever side called close() first. The "
			"passive closer goes from LAST_ACK straight to CLOSED.",
		.moved_on_by = "The 2MSL timer: to CLOSED. A new SYN for the same "
			"addresses and ports may take it over early.",
		.duration = "60 s on Linux, fixed in the kernel (TCP_TIMEWAIT_LEN); "
			"net.ipv4.tcp_fin_timeout does not change it, whatever folklore "
			"says.",
		.many_means = "This side closes first and opens many short connections "
			"(one request per connection, health checks). Thousands are "
			"harmless, but each one holds its address and port pair for 60 "
			"s: a client making many connections to one server port can run "
			"out of ephemeral ports (net.ipv4.ip_local_port_range, default "
			"32768-60999) and connect() fails with EADDRNOTAVAIL. Remedies: "
			"reuse connections (keep-alive, pools), let the peer close "
			"first, widen the port range, net.ipv4.tcp_tw_reuse (default 2: "
			"loopback only; 1: all outgoing connections). On a server, "
			"TIME_WAIT left on the listening port is why a restarted server "
			"gets \"Address already in use\" from bind() unless it sets "
			"SO_REUSEADDR before bind().",
	},
};

/* The labelled paragraphs of a state, in the order they are printed. */
static const struct explain_field {
	const char *label;
	size_t offset;
} explain_fields[] = {
	{ "Meaning", offsetof(struct explain_state_text, meaning) },
	{ "Side", offsetof(struct explain_state_text, side) },
	{ "Moves on", offsetof(struct explain_state_text, moved_on_by) },
	{ "Lasts", offsetof(struct explain_state_text, duration) },
	{ "Many means", offsetof(struct explain_state_text, many_means) },
};

/* One row of a ladder diagram: each side's new state and the segment between them. */
struct explain_rung {
	const char *left;  /* state the left side enters, "" when unchanged */
	int dir;           /* +1 left to right, -1 right to left, 0 label is a remark */
	const char *label; /* segment, e.g. "SYN seq=x", or the remark */
	const char *right; /* state the right side enters, "" when unchanged */
};

struct explain_walk {
	const char *name;
	const char *title;
	const char *left_title[2], *right_title[2];
	const struct explain_rung *rungs;
	size_t n_rungs;
	const char *const *steps; /* numbered paragraphs, NULL-terminated */
	const char *const *notes; /* bulleted paragraphs, NULL-terminated */
};

static const struct explain_rung handshake_rungs[] = {
	{ "CLOSED", 0, "", "CLOSED" },
	{ "", 0, "listen()", "LISTEN" },
	{ "SYN_SENT", +1, "SYN seq=x", "SYN_RCVD" },
	{ "ESTABLISHED", -1, "SYN,ACK seq=y ack=x+1", "" },
	{ "", +1, "ACK ack=y+1", "ESTABLISHED" },
};

static const char *const handshake_steps[] = {
	"The server calls socket(), bind() and listen(): its socket goes from CLOSED to "
	"LISTEN. This is the passive open; nothing is sent.",
	"The client calls connect(), the active open: its kernel picks an ephemeral "
	"port, sends a SYN carrying its initial sequence number x, and the socket enters "
	"SYN_SENT.",
	"The SYN reaches the listener. The server's kernel records a half-open "
	"connection in SYN_RCVD and answers with one segment that both acknowledges the "
	"client's SYN (ack x+1) and carries its own SYN (seq y). The listener itself "
	"stays in LISTEN. If nothing listens on that port the answer is an RST, and "
	"connect() fails with ECONNREFUSED.",
	"The client receives the SYN,ACK, sends an ACK (ack y+1) and enters ESTABLISHED; "
	"connect() returns and the client may send data at once.",
	"The server receives that ACK: its side enters ESTABLISHED too and the "
	"connection waits in the listener's accept queue until accept() returns it as a "
	"new socket.",
	NULL,
};

static const char *const handshake_notes[] = {
	"Three segments, not four, because the server's ACK and its own SYN travel "
	"together. The third segment proves to the server that the client really saw its "
	"SYN,ACK, so an old duplicate SYN cannot open a connection on its own.",
	"Losses: the client resends a lost SYN (net.ipv4.tcp_syn_retries, default 6: "
	"connect() gives up after about 130 s); the server resends its SYN,ACK when the "
	"final ACK does not come (net.ipv4.tcp_synack_retries, default 5: about 63 s).",
	"Simultaneous open: when both sides send a SYN at the same time, each goes from "
	"SYN_SENT to SYN_RCVD and then to ESTABLISHED. Rare in practice.",
	"In the listing: SYN_SENT piling up means destinations that do not answer; "
	"SYN_RCVD piling up means clients that never finish the handshake (a SYN flood, "
	"a lossy path) or a listener whose accept queue is full.",
	NULL,
};

static const struct explain_rung close_rungs[] = {
	{ "ESTABLISHED", 0, "", "ESTABLISHED" },
	{ "FIN_WAIT_1", +1, "FIN", "CLOSE_WAIT" },
	{ "FIN_WAIT_2", -1, "ACK", "" },
	{ "", -1, "data (half-close)", "" },
	{ "TIME_WAIT", -1, "FIN", "LAST_ACK" },
	{ "", +1, "ACK", "CLOSED" },
	{ "CLOSED", 0, "(60 s later)", "" },
};

static const char *const close_steps[] = {
	"Either side may close first; the one that does is the active closer. Its "
	"application calls close() or shutdown(SHUT_WR): the kernel sends a FIN behind "
	"any data still queued, and the socket enters FIN_WAIT_1.",
	"The peer's kernel acknowledges the FIN at once and its socket enters "
	"CLOSE_WAIT, the passive close. Its application now reads end-of-file: read() "
	"returns 0.",
	"The ACK reaches the active closer: FIN_WAIT_1 becomes FIN_WAIT_2. The "
	"connection is half-closed: one direction is finished, while the passive closer "
	"can still send data the other way.",
	"When the passive closer's application calls close(), its kernel sends its own "
	"FIN and the socket enters LAST_ACK.",
	"The active closer receives that FIN, acknowledges it and enters TIME_WAIT.",
	"The passive closer receives the ACK and its socket is gone (CLOSED). The active "
	"closer stays in TIME_WAIT for 2MSL, 60 s on Linux, and then it is gone too.",
	NULL,
};

static const char *const close_notes[] = {
	"Four segments because each direction is closed on its own: the kernel "
	"acknowledges the first FIN at once, but the second FIN waits for the other "
	"application. When that application closes at once, its FIN can carry the ACK as "
	"well, and FIN_WAIT_1 goes straight to TIME_WAIT.",
	"TIME_WAIT exists so that the active closer can acknowledge the FIN again if its "
	"last ACK was lost (the passive closer resends its FIN from LAST_ACK), and so "
	"that old segments of this connection expire before a new connection with the "
	"same addresses and ports begins.",
	"\"Address already in use\": a server that closes first leaves TIME_WAIT "
	"connections on its listening port. Restarted within 60 s, its bind() fails with "
	"EADDRINUSE unless it sets SO_REUSEADDR on the listening socket before bind().",
	"Simultaneous close: when both FINs cross, each side goes from FIN_WAIT_1 to "
	"CLOSING (rcv FIN / snd ACK) and then to TIME_WAIT (rcv ACK); both end in "
	"TIME_WAIT.",
	"Half-close on purpose: shutdown(fd, SHUT_WR) sends the FIN but keeps the socket "
	"open for reading, so the closer waits in FIN_WAIT_2 and the peer in CLOSE_WAIT "
	"while the peer still sends its answer. close() gives up both directions.",
	"Abort: close() with unread data still in the receive queue, or with SO_LINGER "
	"set to a zero timeout, sends an RST instead of a FIN. Both sides go straight to "
	"CLOSED without TIME_WAIT, and the peer's next call fails with ECONNRESET. An "
	"RST also answers any segment for a connection that does not exist.",
	"What ends stuck closes: net.ipv4.tcp_fin_timeout (default 60 s) for an orphaned "
	"FIN_WAIT_2; net.ipv4.tcp_orphan_retries (default 0, which means 8) for FIN "
	"retransmissions in FIN_WAIT_1, CLOSING and LAST_ACK once no process holds the "
	"socket; net.ipv4.tcp_max_orphans caps such sockets. CLOSE_WAIT has no timer at "
	"all: only the application can end it.",
	NULL,
};

static const struct explain_walk explain_walks[] = {
	{
		.name = "handshake",
		.title = "The three-way handshake: opening a connection",
		.left_title = { "client", "(active opener)" },
		.right_title = { "server", "(passive opener)" },
		.rungs = handshake_rungs,
		.n_rungs = EXPLAIN_ARRAY_SIZE(handshake_rungs),
		.steps = handshake_steps,
		.notes = handshake_notes,
	},
	{
		.name = "close",
		.title = "The four-way close: ending a connection",
		.left_title = { "active closer", "(closes first)" },
		.right_title = { "passive closer", "(closes second)" },
		.rungs = close_rungs,
		.n_rungs = EXPLAIN_ARRAY_SIZE(close_rungs),
		.steps = close_steps,
		.notes = close_notes,
	},
};

/* Kernel settings behind the durations above, with defaults of current kernels. */
static const struct explain_sysctl {
	const char *name;
	const char *def;
	const char *what;
} explain_sysctls[] = {
	{ "net.ipv4.tcp_syn_retries", "6",
	  "SYN retransmissions before connect() fails with ETIMEDOUT (SYN_SENT): about "
	  "130 s. Since Linux 6.5 net.ipv4.tcp_syn_linear_timeouts (default 4) adds that "
	  "many retransmissions 1 s apart before the doubling starts." },
	{ "net.ipv4.tcp_synack_retries", "5",
	  "SYN,ACK retransmissions before a half-open connection is dropped (SYN_RCVD): "
	  "about 63 s." },
	{ "net.ipv4.tcp_syncookies", "1",
	  "Answer with SYN cookies when the half-open queue overflows, so a SYN flood "
	  "does not lock out real clients." },
	{ "net.core.somaxconn", "4096",
	  "Upper limit on the backlog a listener asks for in listen() (LISTEN)." },
	{ "net.ipv4.tcp_fin_timeout", "60",
	  "Seconds an orphaned FIN_WAIT_2 socket waits for the peer's FIN. It does not "
	  "set the length of TIME_WAIT, which is fixed at 60 s." },
	{ "net.ipv4.tcp_orphan_retries", "0 (means 8)",
	  "Retransmissions for a socket no process holds any more (FIN_WAIT_1, CLOSING, "
	  "LAST_ACK) before it is dropped." },
	{ "net.ipv4.tcp_max_orphans", "set from memory size at boot",
	  "Most sockets that no process holds; beyond it the kernel resets them and logs "
	  "\"too many orphaned sockets\"." },
	{ "net.ipv4.tcp_tw_reuse", "2",
	  "Lets a new outgoing connection take over a TIME_WAIT address and port pair "
	  "when TCP timestamps make it safe: 0 never, 1 always, 2 for loopback only." },
	{ "net.ipv4.tcp_max_tw_buckets", "set from memory size at boot",
	  "Most TIME_WAIT sockets at once; beyond it closing connections skip TIME_WAIT "
	  "and the kernel logs \"time wait bucket table overflow\"." },
	{ "net.ipv4.ip_local_port_range", "32768 60999",
	  "Ephemeral ports connect() picks from; TIME_WAIT sockets keep theirs busy "
	  "towards the same peer address and port." },
	{ "net.ipv4.tcp_retries2", "15",
	  "Retransmissions of unacknowledged data before an ESTABLISHED connection is "
	  "dropped: about 15 minutes." },
	{ "net.ipv4.tcp_keepalive_time", "7200",
	  "Idle seconds before the first keepalive probe on a socket with "
	  "SO_KEEPALIVE." },
};

/* clang-format on */

const struct explain_state_text *explain_state(enum ts_state s)
{
	if ((unsigned)s >= TS_NSTATES)
		return NULL;
	return &explain_table[s];
}

/*
 * Write text as words wrapped to width columns: the first line starts with lead padded
 * to indent columns, the others with indent spaces. A word longer than a whole line is
 * cut, so no line is ever wider than width.
 */
static void explain_wrap(FILE *out, const char *lead, int indent, const char *text,
			 int width)
{
	int avail = width - indent, col = 0;
	const char *p = text;

	if (avail < 1)
		avail = 1;
	fprintf(out, "%-*s", indent, lead);
	for (;;) {
		size_t len;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " ");
		if (col > 0 && col + 1 + (int)len > avail) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		while (len > 0) {
			size_t take = len;

			if (col == avail) {
				fprintf(out, "\n%*s", indent, "");
				col = 0;
			}
			if (take > (size_t)(avail - col))
				take = (size_t)(avail - col);
			fwrite(p, 1, take, out);
			col += (int)take;
			p += take;
			len -= take;
		}
	}
	fputc('\n', out);
}

static void explain_one_state(FILE *out, enum ts_state s, int width)
{
	const struct explain_state_text *t = &explain_table[s];
	const char *ss = state_table[s].ss_name;
	char buf[160];
	size_t i;

	fprintf(out, "%s\n", state_name(s));
	snprintf(buf, sizeof(buf), "netstat %s, ss %s, kernel %s", t->netstat,
		 ss ? ss : "?", t->kernel);
	explain_wrap(out, "  Spelled:", EXPLAIN_FIELD_INDENT, buf, width);
	for (i = 0; i < EXPLAIN_ARRAY_SIZE(explain_fields); i++) {
		const char *text =
		    *(const char *const *)((const char *)t + explain_fields[i].offset);

		snprintf(buf, sizeof(buf), "  %s:", explain_fields[i].label);
		explain_wrap(out, buf, EXPLAIN_FIELD_INDENT, text, width);
	}
}

static void explain_states(FILE *out, state_set set, int width)
{
	bool first = true;
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		if (!(set & STATE_BIT(s)))
			continue;
		if (!first)
			fputc('\n', out);
		first = false;
		explain_one_state(out, (enum ts_state)s, width);
	}
}

enum {
	RUNG_STATE_W = 13, /* widest state name plus room */
	RUNG_ARROW_W = 32,
	RUNG_MARGIN = 2,
};

/* Width of the ladder: margin, left state, arrow, right state (or right title). */
static int explain_ladder_width(const struct explain_walk *w)
{
	int right = 0, n;
	size_t i;

	for (i = 0; i < 2; i++) {
		n = (int)strlen(w->right_title[i]);
		right = n > right ? n : right;
	}
	for (i = 0; i < w->n_rungs; i++) {
		n = (int)strlen(w->rungs[i].right);
		right = n > right ? n : right;
	}
	return RUNG_MARGIN + RUNG_STATE_W + 1 + RUNG_ARROW_W + 2 + right;
}

/* One rung: "  LEFT   ---- LABEL ------>  RIGHT", without trailing blanks. */
static void explain_rung(FILE *out, const struct explain_rung *r)
{
	char arrow[RUNG_ARROW_W + 1];
	char line[RUNG_MARGIN + RUNG_STATE_W + 1 + RUNG_ARROW_W + 2 + 64];
	size_t len;

	memset(arrow, r->dir ? '-' : ' ', RUNG_ARROW_W);
	arrow[RUNG_ARROW_W] = '\0';
	if (r->dir) {
		/* "<--- LABEL ----" or "---- LABEL --->", label cut to fit */
		int n = snprintf(arrow + 5, RUNG_ARROW_W - 6, "%s", r->label);

		if (n > RUNG_ARROW_W - 7)
			n = RUNG_ARROW_W - 7;
		arrow[4] = ' ';
		arrow[5 + n] = ' ';
		if (r->dir < 0)
			arrow[0] = '<';
		else
			arrow[RUNG_ARROW_W - 1] = '>';
	} else {
		size_t n = strlen(r->label);

		if (n > RUNG_ARROW_W - 4)
			n = RUNG_ARROW_W - 4;
		memcpy(arrow + 4, r->label, n);
	}
	snprintf(line, sizeof(line), "%*s%-*s %s  %s", RUNG_MARGIN, "", RUNG_STATE_W,
		 r->left, arrow, r->right);
	len = strlen(line);
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	fprintf(out, "%s\n", line);
}

static void explain_ladder(FILE *out, const struct explain_walk *w)
{
	size_t i;

	for (i = 0; i < 2; i++)
		fprintf(out, "%*s%-*s%s\n", RUNG_MARGIN, "",
			RUNG_STATE_W + 1 + RUNG_ARROW_W + 2, w->left_title[i],
			w->right_title[i]);
	for (i = 0; i < w->n_rungs; i++)
		explain_rung(out, &w->rungs[i]);
}

static void explain_walkthrough(FILE *out, const struct explain_walk *w, int width)
{
	char num[24];
	size_t i;

	explain_wrap(out, "", 0, w->title, width);
	fputc('\n', out);
	/* the ladder is only a picture: left out when too wide, the steps say it all */
	if (explain_ladder_width(w) <= width) {
		explain_ladder(out, w);
		fputc('\n', out);
	}
	for (i = 0; w->steps[i]; i++) {
		snprintf(num, sizeof(num), "  %zu.", i + 1);
		explain_wrap(out, num, 6, w->steps[i], width);
	}
	fputc('\n', out);
	for (i = 0; w->notes[i]; i++) {
		if (i > 0)
			fputc('\n', out);
		explain_wrap(out, "  *", 4, w->notes[i], width);
	}
}

static void explain_topic(FILE *out, const struct explain_topic *t, int width)
{
	explain_wrap(out, "", 0, t->title, width);
	for (size_t i = 0; t->paras[i]; i++) {
		fputc('\n', out);
		explain_wrap(out, "  ", 2, t->paras[i], width);
	}
}

/* "More: ..." naming every topic that is not a state. */
static void explain_more(FILE *out, int width)
{
	char buf[512];
	size_t n = 0, i;

	n += (size_t)snprintf(buf, sizeof(buf),
			      "More: tcpstate --explain TOPIC, TOPIC one "
			      "of");
	for (i = 0; i < EXPLAIN_ARRAY_SIZE(explain_walks) && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s,",
				      explain_walks[i].name);
	for (i = 0; explain_topic_table[i].name && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s,",
				      explain_topic_table[i].name);
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n,
			 " sysctl. See them happen: tcpstate "
			 "--lab.");
	explain_wrap(out, "", 0, buf, width);
}

static void explain_sysctl_list(FILE *out, int width)
{
	char lead[128];
	size_t i;

	explain_wrap(out, "", 0,
		     "Kernel settings that govern how long sockets stay in each state "
		     "(sysctl NAME shows the current value; the defaults are those of "
		     "current kernels):",
		     width);
	for (i = 0; i < EXPLAIN_ARRAY_SIZE(explain_sysctls); i++) {
		const struct explain_sysctl *c = &explain_sysctls[i];

		fputc('\n', out);
		snprintf(lead, sizeof(lead), "%s, default %s", c->name, c->def);
		explain_wrap(out, "  ", 2, lead, width);
		explain_wrap(out, "", 6, c->what, width);
	}
	fputc('\n', out);
	explain_wrap(out, "", 0,
		     "TIME_WAIT itself lasts a fixed 60 s (TCP_TIMEWAIT_LEN); no sysctl "
		     "changes it.",
		     width);
}

int explain_write(FILE *out, const char *topic, int width)
{
	state_set set;
	size_t i;

	if (width <= 0)
		width = EXPLAIN_DEFAULT_WIDTH;
	if (width < EXPLAIN_MIN_WIDTH)
		width = EXPLAIN_MIN_WIDTH;
	if (width > EXPLAIN_MAX_WIDTH)
		width = EXPLAIN_MAX_WIDTH;

	if (!topic || !*topic) {
		explain_states(out, STATE_SET_ALL, width);
		fputc('\n', out);
		explain_more(out, width);
	} else if (!strcasecmp(topic, "sysctl")) {
		explain_sysctl_list(out, width);
	} else if (explain_topic_find(topic)) {
		explain_topic(out, explain_topic_find(topic), width);
	} else {
		for (i = 0; i < EXPLAIN_ARRAY_SIZE(explain_walks); i++)
			if (!strcasecmp(topic, explain_walks[i].name))
				break;
		if (i < EXPLAIN_ARRAY_SIZE(explain_walks)) {
			explain_walkthrough(out, &explain_walks[i], width);
		} else {
			if (state_parse(topic, &set) < 0 || !(set & STATE_SET_ALL))
				return -ENOENT;
			explain_states(out, set, width);
		}
	}
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

const char *const *explain_topics(void)
{
	static const char *topics[TS_NSTATES + EXPLAIN_ARRAY_SIZE(explain_walks) + 16];
	size_t n = 0, i;

	if (topics[0])
		return topics;
	for (i = 0; i < TS_NSTATES; i++)
		topics[n++] = state_name((enum ts_state)i);
	for (i = 0; i < EXPLAIN_ARRAY_SIZE(explain_walks); i++)
		topics[n++] = explain_walks[i].name;
	for (i = 0; explain_topic_table[i].name && n < 14 + TS_NSTATES; i++)
		topics[n++] = explain_topic_table[i].name;
	topics[n++] = "sysctl";
	topics[n] = NULL;
	return topics;
}
