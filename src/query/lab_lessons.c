/* lab_lessons.c - the --lab lessons: each step is a few system calls the holder makes on
 * loopback, with the states it waits for (what is shown comes from the kernel). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "query/lab.h"
#include "query/lab_sock.h"

enum { TINY_RCVBUF = 1024, DEFER_SECS = 600 };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define S(x) TS_##x
/* expectations per role: client, server, listener */
#define E(c, s, l)                                                                       \
	{                                                                                \
		c, s, l                                                                  \
	}
#define ANY LAB_ANY
#define GONE LAB_GONE

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- steps shared by several lessons ------------------------------------- */

static int setup_pair(struct lab_fds *f, int srv_rcvbuf, bool reuse, bool keep_listener)
{
	f->lst = lab_listener(LAB_SERVER_PORT, 8, srv_rcvbuf, 0, reuse);
	if (f->lst < 0)
		return f->lst;
	f->cli = lab_connect(LAB_CLIENT_PORT, LAB_SERVER_PORT, 0, false);
	if (f->cli < 0)
		return f->cli;
	f->srv = lab_accept(f->lst);
	if (f->srv < 0)
		return f->srv;
	if (!keep_listener)
		close_fd(&f->lst);
	return 0;
}

static int st_setup(struct lab_fds *f)
{
	return setup_pair(f, 0, false, false);
}

static int st_client_close(struct lab_fds *f)
{
	close_fd(&f->cli);
	return 0;
}

static int st_server_close(struct lab_fds *f)
{
	close_fd(&f->srv);
	return 0;
}

static int st_server_eof(struct lab_fds *f)
{
	long n = lab_drain(f->srv);
	return n < 0 ? (int)n : 0;
}

static int st_client_shut(struct lab_fds *f)
{
	return shutdown(f->cli, SHUT_WR) < 0 ? -errno : 0;
}

static int st_server_shut(struct lab_fds *f)
{
	return shutdown(f->srv, SHUT_WR) < 0 ? -errno : 0;
}

/* ---- handshake ----------------------------------------------------------- */

static int hs_listen(struct lab_fds *f)
{
	f->lst = lab_listener(LAB_SERVER_PORT, 8, 0, DEFER_SECS, false);
	return f->lst < 0 ? f->lst : 0;
}

static int hs_connect(struct lab_fds *f)
{
	f->cli = lab_connect(LAB_CLIENT_PORT, LAB_SERVER_PORT, 0, false);
	return f->cli < 0 ? f->cli : 0;
}

static int hs_send(struct lab_fds *f)
{
	return send(f->cli, "GET /", 5, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int hs_accept(struct lab_fds *f)
{
	f->srv = lab_accept(f->lst);
	return f->srv < 0 ? f->srv : 0;
}

static const struct lab_step handshake[] = {
    {"server", "socket(), bind(127.0.0.1:8080), listen(); TCP_DEFER_ACCEPT",
     "A passive open sends nothing: the listener just waits in LISTEN. (Deferring accept "
     "until data arrives lets us catch the server half-way.)",
     false, E(ANY, ANY, S(LISTEN)), hs_listen},
    {"client", "socket(), bind(127.0.0.1:40000), connect(127.0.0.1:8080)",
     "SYN, SYN+ACK, ACK: connect() returns once the client has the SYN+ACK, so the client "
     "is ESTABLISHED while the server still holds a request in SYN_RCVD.",
     false, E(S(ESTABLISHED), S(SYN_RCVD), S(LISTEN)), hs_connect},
    {"client", "send('GET /')",
     "The first data completes the server's side: the connection is ESTABLISHED and waits "
     "in the listener's accept queue, owned by no process yet.",
     false, E(S(ESTABLISHED), S(ESTABLISHED), S(LISTEN)), hs_send},
    {"server", "accept()",
     "accept() only hands over a connection the kernel already finished: no segment flows.",
     false, E(S(ESTABLISHED), S(ESTABLISHED), S(LISTEN)), hs_accept},
};

/* ---- close --------------------------------------------------------------- */

static const struct lab_step close_steps[] = {
    {"both", "listen(), connect(), accept(); close() the listener",
     "A connection to close: both ends ESTABLISHED.", false,
     E(S(ESTABLISHED), S(ESTABLISHED), GONE), st_setup},
    {"client", "close()",
     "The active closer sends FIN and goes through FIN_WAIT_1; the server's kernel ACKs "
     "at once, so the client waits in FIN_WAIT_2 and the server in CLOSE_WAIT.",
     false, E(S(FIN_WAIT_2), S(CLOSE_WAIT), GONE), st_client_close},
    {"server", "recv() returns 0 (end of file)",
     "The application learns of the FIN only when it reads: nothing flows, and CLOSE_WAIT "
     "lasts until it calls close().",
     false, E(S(FIN_WAIT_2), S(CLOSE_WAIT), GONE), st_server_eof},
    {"server", "close()",
     "The second FIN and its ACK: the server passes LAST_ACK and is gone; the client, "
     "which closed first, keeps the connection in TIME_WAIT for 60 s.",
     false, E(S(TIME_WAIT), GONE, GONE), st_server_close},
};

/* ---- simultaneous close -------------------------------------------------- */

static int sc_setup(struct lab_fds *f)
{
	return setup_pair(f, TINY_RCVBUF, false, false);
}

static int sc_fill(struct lab_fds *f)
{
	long n = lab_fill(f->cli);
	return n < 0 ? (int)n : 0;
}

static const struct lab_step simultaneous[] = {
    {"both", "listen() with a tiny SO_RCVBUF, connect(), accept()",
     "The server's small receive buffer lets us hold the client's FIN back.", false,
     E(S(ESTABLISHED), S(ESTABLISHED), GONE), sc_setup},
    {"client", "send() until the server's window is closed (the server does not read)",
     "Data fills the server's receive buffer; the rest waits in the client's send queue.",
     true, E(S(ESTABLISHED), S(ESTABLISHED), GONE), sc_fill},
    {"client", "shutdown(SHUT_WR)",
     "The client's FIN is queued behind the unsent data: the client is in FIN_WAIT_1, "
     "but nothing has reached the server.",
     false, E(S(FIN_WAIT_1), S(ESTABLISHED), GONE), st_client_shut},
    {"server", "shutdown(SHUT_WR)",
     "The server's FIN crosses the client's: a FIN arrives in FIN_WAIT_1, so the client "
     "goes to CLOSING; it ACKs, and the server waits in FIN_WAIT_2.",
     false, E(S(CLOSING), S(FIN_WAIT_2), GONE), st_server_shut},
    {"server", "recv() until end of file",
     "The window opens, the data and the client's FIN flow; both sides closed actively, "
     "so both end in TIME_WAIT.",
     true, E(S(TIME_WAIT), S(TIME_WAIT), GONE), st_server_eof},
};

/* ---- rst ----------------------------------------------------------------- */

static int rst_refused(struct lab_fds *f)
{
	int fd = lab_connect(LAB_CLIENT_PORT, LAB_SERVER_PORT, 0, false);

	if (fd >= 0) {
		close(fd);
		return -EPROTO; /* somebody listens: not the lesson */
	}
	f->result = -fd;
	return fd == -ECONNREFUSED ? 0 : fd;
}

static int rst_abort(struct lab_fds *f)
{
	struct linger lg = {1, 0};

	if (setsockopt(f->cli, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		return -errno;
	close_fd(&f->cli);
	return 0;
}

static int rst_reset(struct lab_fds *f)
{
	char c;

	if (recv(f->srv, &c, 1, 0) < 0)
		f->result = errno;
	close_fd(&f->srv);
	return 0;
}

/* TCP_REPAIR makes close() silent (no FIN, no RST): the server forgets the connection
 * the way a host that restarted has, and the client does not know. */
static int rst_forget(struct lab_fds *f)
{
	int one = 1;

	if (setsockopt(f->srv, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)) < 0)
		return -errno;
	close_fd(&f->srv);
	return 0;
}

static int rst_half_open(struct lab_fds *f)
{
	struct pollfd p = {f->cli, POLLIN, 0};
	char c;

	if (send(f->cli, "ping", 4, MSG_NOSIGNAL) < 0)
		return -errno;
	if (poll(&p, 1, 5000) <= 0)
		return -ETIMEDOUT;
	if (recv(f->cli, &c, 1, MSG_DONTWAIT) < 0)
		f->result = errno;
	close_fd(&f->cli);
	return 0;
}

static const struct lab_step rst[] = {
    {"client", "socket(), bind(127.0.0.1:40000), connect(127.0.0.1:8080); close()",
     "Nobody listens on 8080: the kernel answers the SYN with RST+ACK, and connect() "
     "fails with ECONNREFUSED.",
     false, E(GONE, GONE, GONE), rst_refused},
    {"both", "listen(), connect(), accept(); close() the listener",
     "A connection to abort.", false, E(S(ESTABLISHED), S(ESTABLISHED), GONE), st_setup},
    {"client", "setsockopt(SO_LINGER, {on, 0 s}), close()",
     "A zero linger time makes close() an abort: one RST instead of FIN, no TIME_WAIT, "
     "and the server's end is gone at once.",
     false, E(GONE, GONE, GONE), rst_abort},
    {"server", "recv(), close()",
     "The server learns of the reset on its next call: recv() fails with ECONNRESET.",
     false, E(GONE, GONE, GONE), rst_reset},
    {"both", "listen(), connect(), accept(); close() the listener",
     "A new connection, to be left half-open.", false,
     E(S(ESTABLISHED), S(ESTABLISHED), GONE), st_setup},
    {"server", "setsockopt(TCP_REPAIR), close(): the server's host restarts",
     "Nothing is sent: the server has forgotten the connection, the client still "
     "believes it is ESTABLISHED. The connection is half-open.",
     false, E(S(ESTABLISHED), GONE, GONE), rst_forget},
    {"client", "send('ping'), recv()",
     "The server's kernel has no connection for the data and answers RST; the client's "
     "recv() fails with ECONNRESET.",
     false, E(GONE, GONE, GONE), rst_half_open},
};

/* ---- half-close ---------------------------------------------------------- */

static int hc_reply(struct lab_fds *f)
{
	long n = lab_drain(f->srv);

	if (n < 0)
		return (int)n;
	return send(f->srv, "reply", 5, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int hc_read(struct lab_fds *f)
{
	char buf[16];
	ssize_t n = recv(f->cli, buf, sizeof(buf), 0);
	return n < 0 ? -errno : 0;
}

static const struct lab_step half_close[] = {
    {"both", "listen(), connect(), accept(); close() the listener",
     "A connection to half-close.", false, E(S(ESTABLISHED), S(ESTABLISHED), GONE),
     st_setup},
    {"client", "shutdown(SHUT_WR)",
     "The client says it will send no more: FIN, ACK. It can still receive.", false,
     E(S(FIN_WAIT_2), S(CLOSE_WAIT), GONE), st_client_shut},
    {"server", "recv() returns 0 (end of file); send('reply')",
     "Data still flows from server to client over the half-closed connection.", false,
     E(S(FIN_WAIT_2), S(CLOSE_WAIT), GONE), hc_reply},
    {"client", "recv() gets 'reply'", "Reading sends nothing: the ACK went out already.",
     false, E(S(FIN_WAIT_2), S(CLOSE_WAIT), GONE), hc_read},
    {"server", "close()",
     "The server's FIN ends the other direction; the client keeps TIME_WAIT.", false,
     E(S(TIME_WAIT), GONE, GONE), st_server_close},
};

/* ---- reuseaddr ----------------------------------------------------------- */

static int ra_setup(struct lab_fds *f)
{
	return setup_pair(f, 0, true, true);
}

static int ra_server_exit(struct lab_fds *f)
{
	close_fd(&f->srv);
	close_fd(&f->lst);
	return 0;
}

static int ra_bind(struct lab_fds *f, bool reuse)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	a.sin_port = htons(LAB_SERVER_PORT);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		f->result = errno;
	else if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		f->result = errno;
	else if (reuse && listen(fd, 8) < 0)
		f->result = errno;
	if (f->result || !reuse) {
		close(fd);
		return 0;
	}
	f->lst = fd;
	return 0;
}

static int ra_plain(struct lab_fds *f)
{
	return ra_bind(f, false);
}

static int ra_reuse(struct lab_fds *f)
{
	return ra_bind(f, true);
}

static const struct lab_step reuseaddr[] = {
    {"both",
     "server: setsockopt(SO_REUSEADDR), bind(127.0.0.1:8080), listen(); "
     "client: connect(); server: accept()",
     "A server with a client; its listener keeps listening.", false,
     E(S(ESTABLISHED), S(ESTABLISHED), S(LISTEN)), ra_setup},
    {"server", "close() the connection and the listener (the server stops)",
     "The server closes first, so the server's side will hold the TIME_WAIT.", false,
     E(S(CLOSE_WAIT), S(FIN_WAIT_2), GONE), ra_server_exit},
    {"client", "close()",
     "The client's FIN: the server's old connection on port 8080 is now in TIME_WAIT.",
     false, E(GONE, S(TIME_WAIT), GONE), st_client_close},
    {"server", "socket(), bind(127.0.0.1:8080)",
     "The restarted server cannot bind: the TIME_WAIT still holds port 8080, and "
     "bind() fails with EADDRINUSE.",
     false, E(GONE, S(TIME_WAIT), GONE), ra_plain},
    {"server", "socket(), setsockopt(SO_REUSEADDR), bind(127.0.0.1:8080), listen()",
     "With SO_REUSEADDR on both the old and the new socket, bind() succeeds next to the "
     "TIME_WAIT: LISTEN again.",
     false, E(GONE, S(TIME_WAIT), S(LISTEN)), ra_reuse},
};

const struct lab_lesson lab_lessons[] = {
    {"handshake", "The three-way handshake", "three-way", handshake,
     ARRAY_SIZE(handshake)},
    {"close", "The four-way close", "four-way", close_steps, ARRAY_SIZE(close_steps)},
    {"simultaneous-close", "Both ends close at once", "simultaneous", simultaneous,
     ARRAY_SIZE(simultaneous)},
    {"rst", "Resets: a closed port, an abortive close, a half-open connection", "rst",
     rst, ARRAY_SIZE(rst)},
    {"half-close", "Half-close with shutdown()", "half-close", half_close,
     ARRAY_SIZE(half_close)},
    {"reuseaddr", "Restarting a server: TIME_WAIT and SO_REUSEADDR", "reuseaddr",
     reuseaddr, ARRAY_SIZE(reuseaddr)},
    {NULL, NULL, NULL, NULL, 0},
};

const struct lab_lesson *lab_lesson_find(const char *name)
{
	for (const struct lab_lesson *l = lab_lessons; l->name; l++)
		if (!strcasecmp(l->name, name))
			return l;
	return NULL;
}

enum lab_role lab_role_of(uint16_t lport, uint16_t rport)
{
	if (lport == LAB_CLIENT_PORT)
		return LAB_ROLE_CLIENT;
	if (lport == LAB_SERVER_PORT)
		return rport == 0 ? LAB_ROLE_LISTENER : LAB_ROLE_SERVER;
	return LAB_ROLE_OTHER;
}

const char *lab_role_name(enum lab_role r)
{
	static const char *const names[] = {"client", "server", "listener", "other"};
	return (unsigned)r <= LAB_ROLE_OTHER ? names[r] : "other";
}
