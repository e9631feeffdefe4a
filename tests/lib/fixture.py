#!/usr/bin/python3
"""fixture.py - one TCP socket in every one of the 11 states, on loopback, held by "tsfixture".

Run it inside a private network namespace (harness.enter_netns(), or `unshare -n`): it uses
fixed ports and sets a netns sysctl. It builds every socket, checks each one reached its
state, prints one JSON line on stdout:

    {"pid": P, "pids": {"tsfixture": P, "tsfixture2": C, "evil": E},
     "sockets": [{"name", "state", "proto", "local", "remote", "pid", "owners"}, ...]}

where local/remote are spelled the way tcpstate prints them ("127.0.0.1:21100",
"[::1]:21110", "0.0.0.0:*"), pid is the owning process or null when the kernel reports no
inode (TIME_WAIT, request sockets, children still in an accept queue) and owners is the
list of [pid, comm] that hold the socket, sorted by pid. Then it waits until stdin reaches
EOF or SIGTERM arrives, ends its helper processes by PID, and exits 0.

Options: --no-evil leaves out the process with control characters in its name;
--name NAME renames the holder (default tsfixture).

Ports: one block of 100 per recipe (see PORTS); within a block the listener is +0 and
clients bind +1, +2, ... so the tests can match sockets by port.

The recipes (all deterministic: nothing depends on timing except bounded waits):

CLOSED       bind() without listen() or connect(). Only a dump that sets the
             bound-inactive bit (13, kernel 6.8+) shows it; /proc/net/tcp never does.
LISTEN       listen() on 127.0.0.1, 0.0.0.0, [::1] and a dual-stack [::].
SYN_SENT     listen(backlog 0) and let one client complete the handshake but never
             accept() it: sk_ack_backlog (1) > sk_max_ack_backlog (0), so the accept queue
             is full and tcp_conn_request() drops every further SYN (ListenOverflows).
             A second, non-blocking client stays in SYN_SENT while it retransmits its SYN
             (tcp_syn_retries, raised to 8 in this netns: ~4 min).
SYN_RCVD     TCP_DEFER_ACCEPT (600 s) on the listener: the client completes the handshake
             (ESTABLISHED on its side) but sends no data, so tcp_check_req() only marks
             the request sock "acked" and keeps it (kernel state NEW_SYN_RECV, reported
             as SYN_RECV) without re-sending the SYN-ACK until the deferral period ends.
             The kernel counts the deferral in SYN-ACK timeouts (1, 2, 4 ... 120 s): 600 s
             is ten of them, about 8 minutes, so a slow run (valgrind, a loaded machine)
             finds it still there; 60 s lasted only about one minute.
ESTABLISHED  connect + accept, both ends held; also over [::1] and a v4 client on a
             dual-stack [::] listener (server end is tcp6 [::ffff:127.0.0.1]).
FIN_WAIT_1   A sends into B, whose SO_RCVBUF is tiny and who never reads, until A's send
             buffer is full; then shutdown(A, SHUT_WR). The FIN is queued behind data that
             cannot be sent (B's window is closed), so it is never ACKed: A stays in
             FIN_WAIT_1 (B is ESTABLISHED). shutdown() rather than close() keeps A owned.
FIN_WAIT_2   shutdown(A, SHUT_WR), B never closes: B ACKs the FIN, A is FIN_WAIT_2 and,
CLOSE_WAIT   because A is not orphaned, tcp_fin_timeout never applies; B is CLOSE_WAIT.
CLOSING      as FIN_WAIT_1 (A's FIN stuck behind data B never reads), then
             shutdown(B, SHUT_WR): B's FIN reaches A while A's own FIN is unacknowledged,
             so A goes FIN_WAIT_1 -> CLOSING (simultaneous close); A ACKs B's FIN, so B is
             FIN_WAIT_2.
LAST_ACK     A has the tiny SO_RCVBUF and never reads; B sends into A until B's send
             buffer is full; shutdown(A, SHUT_WR) (A's FIN goes out at once: A has nothing
             queued) -> A FIN_WAIT_2, B CLOSE_WAIT; then shutdown(B, SHUT_WR): B's FIN is
             stuck behind data A's closed window refuses, so B sits in LAST_ACK.
TIME_WAIT    close(A), wait until B reads EOF, close(B): A gets B's FIN in FIN_WAIT_2 and
             becomes a TIME_WAIT mini-socket for 60 s (no inode, so no owner); B's ACK
             arrives and B is gone.
"""

import ctypes
import ipaddress
import json
import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (for proc_net_tcp and the state tables only)

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
EVIL_NAME = b"evil\x1b[31m\n\x07)"  # ESC, LF, BEL, and a ')' for naive /proc/PID/stat parsers
TINY_RCVBUF = 1024   # the kernel doubles it and clamps to SOCK_MIN_RCVBUF: a few KiB
SNDBUF = 65536
STATE_TIMEOUT = 5.0

PORTS = {
    "CLOSED": 21000, "LISTEN": 21100, "SYN_SENT": 21200, "SYN_RCVD": 21300,
    "ESTABLISHED": 21400, "FIN_WAIT_1": 21500, "FIN_WAIT_2": 21600, "CLOSING": 21800,
    "LAST_ACK": 21900, "TIME_WAIT": 22000, "SHARED": 22100, "EVIL": 22200,
}

V4, V6 = socket.AF_INET, socket.AF_INET6
LO = {V4: "127.0.0.1", V6: "::1"}

_libc = ctypes.CDLL(None, use_errno=True)


def die(msg):
    print("fixture: " + msg, file=sys.stderr)
    sys.exit(1)


def prctl(option, arg):
    if _libc.prctl(option, arg, 0, 0, 0) != 0:
        die("prctl(%d): %s" % (option, os.strerror(ctypes.get_errno())))


def set_name(name):
    prctl(PR_SET_NAME, ctypes.c_char_p(name))


def in_private_netns():
    if os.environ.get("TCPSTATE_IN_NETNS") == "1":
        return True
    try:
        return os.readlink("/proc/self/ns/net") != os.readlink("/proc/1/ns/net")
    except OSError:
        return False


def fmt_ep(fam, addr, port):
    """An endpoint the way tcpstate prints it."""
    p = "*" if port == 0 else str(port)
    return ("[%s]:%s" % (addr, p)) if fam == V6 else ("%s:%s" % (addr, p))


def any_addr(fam):
    return "::" if fam == V6 else "0.0.0.0"

# ---------------------------------------------------------------------------------------
# Socket state checks


def tcp_state(sock):
    """The kernel state of one of our sockets: tcpi_state, the first byte of tcp_info."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return harness.KERNEL_STATES.get(info[0], "UNKNOWN(%d)" % info[0])


def proc_state(fam, local, remote):
    """State of a socket we hold no fd for, from /proc/net/tcp{,6}; None when absent."""
    key = (6 if fam == V6 else 4, (ipaddress.ip_address(local[0]), local[1]),
           (ipaddress.ip_address(remote[0]), remote[1]))
    ent = harness.proc_net_tcp().get(key)
    return ent["state"] if ent else None


def wait_for(what, getter, want, timeout=STATE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        got = getter()
        if got == want:
            return
        if time.monotonic() > deadline:
            die("%s: expected %s, still %s after %.0f s" % (what, want, got, timeout))
        time.sleep(0.01)

# ---------------------------------------------------------------------------------------
# Building blocks


def listener(fam, addr, port, backlog=16, rcvbuf=None, v6only=None, defer=None):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # accepted sockets inherit
    s.bind((addr, port))
    s.listen(backlog)
    if defer:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, defer)
    return s


def client(fam, dst, sport, rcvbuf=None, blocking=True):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before SYN: window scale
    s.bind((LO[fam], sport))
    if blocking:
        s.settimeout(STATE_TIMEOUT)
        s.connect(dst)
        s.settimeout(None)
    else:
        s.setblocking(False)
        err = s.connect_ex(dst)
        if err not in (0, 115):  # EINPROGRESS
            die("connect to %r: %s" % (dst, os.strerror(err)))
    return s


def pair(fam, port, keep_listener=False, server_rcvbuf=None, client_rcvbuf=None):
    """A connected pair A (client, bound to port+1) <-> B (accepted, port)."""
    lst = listener(fam, LO[fam], port, rcvbuf=server_rcvbuf)
    a = client(fam, (LO[fam], port), port + 1, rcvbuf=client_rcvbuf)
    lst.settimeout(STATE_TIMEOUT)
    b, _ = lst.accept()
    b.settimeout(None)
    if not keep_listener:
        lst.close()
        lst = None
    return a, b, lst


def fill(sock):
    """Write into sock until its send buffer is full (the peer's window is closed)."""
    sock.setblocking(False)
    chunk = b"x" * 16384
    total = 0
    idle_since = None
    while total < (64 << 20):
        try:
            total += sock.send(chunk)
            idle_since = None
        except BlockingIOError:
            # The buffer is full; give in-flight ACKs a moment to open space, then stop.
            if idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > 0.2:
                break
            time.sleep(0.01)
    sock.setblocking(True)
    if total == 0:
        die("could not queue any data")
    return total

# ---------------------------------------------------------------------------------------
# The fixture


class Builder:
    def __init__(self, name):
        self.name = name
        self.pid = os.getpid()
        self.held = []      # every socket object we keep open
        self.sockets = []   # the manifest
        self.children = {}  # comm -> pid of helper processes
        self.checks = []    # (name, getter, state) for recheck()

    def hold(self, *socks):
        self.held.extend(s for s in socks if s is not None)

    def add(self, name, state, fam, local, remote, owners):
        """Record one socket. local/remote are (addr, port); owners [(pid, comm)]."""
        owners = sorted(owners)
        self.sockets.append({
            "name": name, "state": state, "proto": "tcp6" if fam == V6 else "tcp",
            "family": "inet6" if fam == V6 else "inet",
            "local": fmt_ep(fam, *local), "remote": fmt_ep(fam, *remote),
            "pid": owners[0][0] if owners else None,
            "owners": [[p, c] for p, c in owners],
        })

    def me(self):
        return [(self.pid, self.name)]

    def add_sock(self, name, sock, state, owners=None, remote=None):
        """Check a socket we hold is in state, and record it."""
        getter = lambda: tcp_state(sock)  # noqa: E731
        wait_for(name, getter, state)
        self.checks.append((name, getter, state))
        fam = sock.family
        local = sock.getsockname()[:2]
        if remote is None:
            try:
                remote = sock.getpeername()[:2]
            except OSError:  # not connected (or still connecting: pass remote)
                remote = (any_addr(fam), 0)
        self.add(name, state, fam, local, remote, self.me() if owners is None else owners)

    def add_orphan(self, name, fam, local, remote, state):
        """Check and record a socket no process holds (TIME_WAIT, request sock, queued)."""
        getter = lambda: proc_state(fam, local, remote)  # noqa: E731
        wait_for(name, getter, state)
        self.checks.append((name, getter, state))
        self.add(name, state, fam, local, remote, [])

    # -- helpers in other processes; forked first so they inherit no other socket --------

    def fork_holder(self, comm, sock, close=()):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                if os.getppid() != self.pid:
                    os._exit(0)
                for s in close:
                    s.close()
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1):
                    os.dup2(devnull, fd)
                set_name(comm)
                os.write(w, b"1")
                os.close(w)
                while True:
                    signal.pause()
            finally:
                os._exit(0)
        os.close(w)
        ready = os.read(r, 1)
        os.close(r)
        if ready != b"1":
            die("helper %r did not start" % comm)
        return pid

    def build_shared(self):
        port = PORTS["SHARED"]
        s = listener(V4, "127.0.0.1", port)
        pid = self.fork_holder(b"tsfixture2", s)
        self.children["tsfixture2"] = pid
        self.hold(s)
        return s, pid

    def build_evil(self, shared):
        port = PORTS["EVIL"]
        s = listener(V4, "127.0.0.1", port)
        pid = self.fork_holder(EVIL_NAME, s, close=[shared])
        self.children["evil"] = pid
        s.close()  # only the evil process holds it
        self.add("evil", "LISTEN", V4, ("127.0.0.1", port), ("0.0.0.0", 0),
                 [(pid, EVIL_NAME.decode("latin-1"))])

    # -- the recipes, one per state ------------------------------------------------------

    def build_closed(self):
        p = PORTS["CLOSED"]
        for fam, port in ((V4, p), (V6, p + 10)):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.bind((LO[fam], port))
            self.hold(s)
            self.add_sock("closed-bound-%s" % ("v6" if fam == V6 else "v4"), s, "CLOSED")

    def build_listen(self):
        p = PORTS["LISTEN"]
        for name, fam, addr, port in (("listen-v4", V4, "127.0.0.1", p),
                                      ("listen-v4-any", V4, "0.0.0.0", p + 1),
                                      ("listen-v6", V6, "::1", p + 10)):
            s = listener(fam, addr, port, v6only=1 if fam == V6 else None)
            self.hold(s)
            self.add_sock(name, s, "LISTEN")

    def build_syn_sent(self):
        p = PORTS["SYN_SENT"]
        try:  # keep the SYN_SENT client alive for minutes; per-netns sysctl
            with open("/proc/sys/net/ipv4/tcp_syn_retries", "w") as f:
                f.write("8\n")
        except OSError:
            pass
        lst = listener(V4, "127.0.0.1", p, backlog=0)
        c1 = client(V4, ("127.0.0.1", p), p + 1)
        self.hold(lst, c1)
        self.add_sock("syn-sent-listener", lst, "LISTEN")
        self.add_sock("syn-sent-filler-client", c1, "ESTABLISHED")
        # The server end waits in the accept queue: a full socket without a file.
        self.add_orphan("syn-sent-filler-queued", V4, ("127.0.0.1", p), ("127.0.0.1", p + 1),
                        "ESTABLISHED")
        c2 = client(V4, ("127.0.0.1", p), p + 2, blocking=False)
        self.hold(c2)
        time.sleep(0.05)  # the dropped SYN is processed synchronously on loopback
        self.add_sock("syn-sent", c2, "SYN_SENT", remote=("127.0.0.1", p))

    def build_syn_rcvd(self):
        p = PORTS["SYN_RCVD"]
        lst = listener(V4, "127.0.0.1", p, defer=600)
        c = client(V4, ("127.0.0.1", p), p + 1)
        self.hold(lst, c)
        self.add_sock("syn-rcvd-listener", lst, "LISTEN")
        self.add_sock("syn-rcvd-client", c, "ESTABLISHED")
        self.add_orphan("syn-rcvd", V4, ("127.0.0.1", p), ("127.0.0.1", p + 1), "SYN_RCVD")

    def build_established(self):
        p = PORTS["ESTABLISHED"]
        for tag, fam, port in (("v4", V4, p), ("v6", V6, p + 10)):
            a, b, _ = pair(fam, port)
            self.hold(a, b)
            self.add_sock("established-%s-client" % tag, a, "ESTABLISHED")
            self.add_sock("established-%s-server" % tag, b, "ESTABLISHED")
        # v4 client on a dual-stack v6 listener: the server end is v4-mapped tcp6.
        port = p + 20
        lst = listener(V6, "::", port, v6only=0)
        a = client(V4, ("127.0.0.1", port), port + 1)
        lst.settimeout(STATE_TIMEOUT)
        b, _ = lst.accept()
        self.hold(lst, a, b)
        self.add_sock("listen-dualstack", lst, "LISTEN")
        # ss and tcpstate show a dual-stack socket on [::] as *:PORT, its peer as *:*
        self.sockets[-1].update(local="*:%d" % port, remote="*:*")
        self.add_sock("established-mapped-client", a, "ESTABLISHED")
        self.add_sock("established-mapped-server", b, "ESTABLISHED")

    def build_fin_wait_1(self):
        a, b, _ = pair(V4, PORTS["FIN_WAIT_1"], server_rcvbuf=TINY_RCVBUF)
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
        self.hold(a, b)
        fill(a)
        a.shutdown(socket.SHUT_WR)
        self.add_sock("fin-wait-1", a, "FIN_WAIT_1")
        self.add_sock("fin-wait-1-peer", b, "ESTABLISHED")

    def build_fin_wait_2(self):
        a, b, _ = pair(V4, PORTS["FIN_WAIT_2"])
        self.hold(a, b)
        a.shutdown(socket.SHUT_WR)
        self.add_sock("fin-wait-2", a, "FIN_WAIT_2")
        self.add_sock("close-wait", b, "CLOSE_WAIT")

    def build_closing(self):
        a, b, _ = pair(V4, PORTS["CLOSING"], server_rcvbuf=TINY_RCVBUF)
        a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
        self.hold(a, b)
        fill(a)
        a.shutdown(socket.SHUT_WR)
        wait_for("closing (before)", lambda: tcp_state(a), "FIN_WAIT_1")
        b.shutdown(socket.SHUT_WR)
        self.add_sock("closing", a, "CLOSING")
        self.add_sock("closing-peer", b, "FIN_WAIT_2")

    def build_last_ack(self):
        a, b, _ = pair(V4, PORTS["LAST_ACK"], client_rcvbuf=TINY_RCVBUF)
        b.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
        self.hold(a, b)
        fill(b)
        a.shutdown(socket.SHUT_WR)
        wait_for("last-ack (peer)", lambda: tcp_state(a), "FIN_WAIT_2")
        wait_for("last-ack (before)", lambda: tcp_state(b), "CLOSE_WAIT")
        b.shutdown(socket.SHUT_WR)
        self.add_sock("last-ack", b, "LAST_ACK")
        self.add_sock("last-ack-peer", a, "FIN_WAIT_2")

    def build_time_wait(self):
        p = PORTS["TIME_WAIT"]
        a, b, _ = pair(V4, p)
        a.close()
        b.settimeout(STATE_TIMEOUT)
        if b.recv(1) != b"":
            die("time-wait: expected EOF")
        b.close()
        self.add_orphan("time-wait", V4, ("127.0.0.1", p + 1), ("127.0.0.1", p), "TIME_WAIT")
        wait_for("time-wait (peer gone)",
                 lambda: proc_state(V4, ("127.0.0.1", p), ("127.0.0.1", p + 1)), None)

    def build(self, evil=True):
        shared, pid2 = self.build_shared()
        if evil:
            self.build_evil(shared)
        self.add_sock("shared-listener", shared, "LISTEN",
                      owners=self.me() + [(pid2, "tsfixture2")])
        self.build_closed()
        self.build_listen()
        self.build_syn_sent()
        self.build_syn_rcvd()
        self.build_established()
        self.build_fin_wait_1()
        self.build_fin_wait_2()
        self.build_closing()
        self.build_last_ack()
        self.build_time_wait()
        # Nothing may have moved on while we built the rest.
        self.recheck()

    def recheck(self):
        """Every socket is still in its state now that all of them exist."""
        for name, getter, want in self.checks:
            got = getter()
            if got != want:
                die("%s: was %s, moved on to %s while the fixture was built" %
                    (name, want, got))

    def stop_children(self):
        for pid in self.children.values():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for pid in self.children.values():
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    break
                time.sleep(0.01)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass

    def close_all(self):
        for s in self.held:
            try:
                s.close()
            except OSError:
                pass
        self.held = []


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop()


def main(argv):
    evil = "--no-evil" not in argv
    name = b"tsfixture"
    if "--name" in argv:
        name = argv[argv.index("--name") + 1].encode()
    if not in_private_netns():
        die("refusing to run outside a private network namespace (use unshare -n, "
            "or set TCPSTATE_IN_NETNS=1 inside one)")
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # the test died: clean up too
    set_name(name)
    b = Builder(name.decode())
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        try:
            b.build(evil=evil)
        except OSError as e:
            die("building the fixture: %s" % e)
        doc = {"pid": b.pid, "pids": dict(b.children, **{b.name: b.pid}),
               "sockets": b.sockets}
        sys.stdout.write(json.dumps(doc) + "\n")
        sys.stdout.flush()
        while True:  # until stdin reaches EOF
            r, _, _ = select.select([sys.stdin.buffer], [], [])
            if r and not os.read(sys.stdin.fileno(), 4096):
                break
    except (_Stop, BrokenPipeError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        b.stop_children()
        b.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
