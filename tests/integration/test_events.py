#!/usr/bin/python3
"""test_events.py - -E: one connection's whole life, in order, plus the ones between polls.

(The poll source, --events-source poll; test_events_bpf.py checks the tracepoint.)

Inside a private network namespace, `tcpstate -E --format jsonl --interval 0.05 port P`
and a table-format `tcpstate -E -p` run while this script steps one connection through
its life with pauses longer than the polling interval:

  listen; connect (three-way handshake); data both ways; the client shuts down its side
  (active close: FIN_WAIT_1/FIN_WAIT_2, the server CLOSE_WAIT); the server fills the
  client's tiny receive window and shuts down too, so its FIN is stuck behind data the
  client does not read (the server sits in LAST_ACK); the client reads everything (the
  FIN arrives: client TIME_WAIT, server gone).

The stream must report, in order, the active closer ESTABLISHED -> FIN_WAIT_1/FIN_WAIT_2
-> TIME_WAIT and the passive side ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> GONE, with the
time spent in each state. Then three connections open, move a few bytes and close within
a millisecond, between two polls: the sock_diag destroy notifications must still report
them ("brief"), with their final bytes and RTT. Filters apply (other ports are not
reported), the table form shows the owner with -p, --count stops, SIGINT exits 0.
"""

import atexit
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

PORT = 23700
OTHER = 23710   # a connection the filter must leave out
PAUSE = 1.0     # each state lasts at least this long once both streams reported it
DEADLINE = 180  # seconds for any one condition: -p scans every process of a busy host
ENV = {"LC_ALL": "C", "NO_COLOR": "1"}


def start(args):
    env = dict(os.environ, **ENV)
    env.pop("TCPSTATE_IN_NETNS", None)
    # the poll source: what this test checks (test_events_bpf.py covers the tracepoint)
    args = ["--events-source", "poll"] + args
    return h.track(subprocess.Popen([h.binary()] + args, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))


class Stream:
    """The output of one -E process so far, read without blocking."""

    def __init__(self, p):
        self.p = p
        self.buf = b""
        os.set_blocking(p.stdout.fileno(), False)

    def text(self):
        try:
            chunk = self.p.stdout.read()
        except (OSError, ValueError):
            chunk = None
        if chunk:
            self.buf += chunk
        return self.buf.decode("utf-8", "surrogateescape")

    def events(self):
        """The complete JSON lines so far, but the overrun notes (a slow poll on a loaded
        machine) that are no socket's events."""
        evs = [json.loads(x) for x in self.text().split("\n")[:-1] if x]
        return [e for e in evs if e.get("event") != "overrun"]


def wait_for(what, cond, timeout=DEADLINE):
    """Poll cond() until it holds (the polls of a busy machine come seconds apart)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            h.fail("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(0.05)


def saw(js, local, peer, event, new=None, old=None):
    return lambda: any(e["local"] == local and e["peer"] == peer and e["event"] == event
                       and (new is None or e["new"] == new)
                       and (old is None or e["old"] == old) for e in js.events())


def stop(p, what):
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        h.fail("%s did not end on SIGINT" % what)
    h.check_eq(p.returncode, 0, "%s: SIGINT exits 0" % what, err.decode())
    return out.decode("utf-8", "surrogateescape"), err.decode()


def baseline(js, tb):
    """Both streams took their first reading: each reports a connection made after it (a
    probe made before is in the baseline and silent: try again with a new one). Returns
    the listener and the probe's sockets, to keep until the end."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT))
    lst.listen()
    held, probes = [], []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        c = socket.create_connection(("127.0.0.1", PORT))
        held += [c, lst.accept()[0]]
        probes.append("127.0.0.1:%d" % c.getsockname()[1])
        end = time.monotonic() + 2
        while time.monotonic() < end:
            # each stream is past its baseline once it reported any probe (with -p
            # the table one is slower: it scans every process of the host first)
            if (any(e["local"] in probes or e["peer"] in probes for e in js.events())
                    and any(p in tb.text() for p in probes)):
                return lst, held
            time.sleep(0.05)
    h.fail("the -E streams reported no probe connection in %d s" % DEADLINE,
           *["%s: %s%s" % (what, st.text()[-1500:],
                           "" if st.p.poll() is None else
                           "\nexited %d: %s" % (st.p.returncode, st.p.stderr.read()))
             for what, st in (("jsonl", js), ("table", tb))])


def lifecycle(js, tb, lst):
    """Step one connection through its life, each state held until both streams saw it.
    Returns the client's port and how long CLOSE_WAIT and LAST_ACK lasted at most."""
    other_l = socket.socket()
    other_l.bind(("127.0.0.1", OTHER))
    other_l.listen()
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # tiny window, see below
    c.connect(("127.0.0.1", PORT))
    a, _ = lst.accept()
    other = socket.create_connection(("127.0.0.1", OTHER))
    cli, srv = "127.0.0.1:%d" % c.getsockname()[1], "127.0.0.1:%d" % PORT
    wait_for("NEW ESTABLISHED", saw(js, srv, cli, "new", "ESTABLISHED"))
    wait_for("the table's NEW ESTABLISHED", lambda: re.search(
        r"NEW ESTABLISHED\s+%s\s+%s" % (re.escape(srv), re.escape(cli)), tb.text()))
    time.sleep(PAUSE)
    c.sendall(b"hello")
    h.check_eq(a.recv(5), b"hello", "data arrives")
    time.sleep(PAUSE)
    t_close_wait = time.monotonic()
    c.shutdown(socket.SHUT_WR)  # active close
    h.check_eq(a.recv(5), b"", "the server reads the FIN")
    wait_for("CLOSE_WAIT", saw(js, srv, cli, "change", "CLOSE_WAIT"))
    wait_for("the table's CLOSE_WAIT", lambda: "ESTABLISHED -> CLOSE_WAIT" in tb.text())
    time.sleep(PAUSE)
    a.setblocking(False)
    try:
        while True:  # until the client's closed window stops us
            a.send(b"y" * 65536)
    except BlockingIOError:
        pass
    t_last_ack = time.monotonic()
    a.shutdown(socket.SHUT_WR)  # CLOSE_WAIT -> LAST_ACK; the FIN waits behind the data
    wait_for("LAST_ACK", saw(js, srv, cli, "change", "LAST_ACK"))
    most = {"CLOSE_WAIT": time.monotonic() - t_close_wait}
    wait_for("the table's LAST_ACK", lambda: "CLOSE_WAIT -> LAST_ACK" in tb.text())
    time.sleep(PAUSE)
    while c.recv(65536):  # open the window: data, then the FIN, flow
        pass
    wait_for("server GONE", saw(js, srv, cli, "gone"))
    most["LAST_ACK"] = time.monotonic() - t_last_ack
    wait_for("client TIME_WAIT", saw(js, cli, srv, "change", "TIME_WAIT"))
    wait_for("the table's TIME_WAIT and GONE", lambda: "-> TIME_WAIT" in tb.text() and
             "LAST_ACK -> GONE" in tb.text())
    port = c.getsockname()[1]
    c.close()
    a.close()
    other.close()
    return port, most


def brief(lst, n=3):
    """n connections that open, move 3 bytes and close between two polls."""
    ports = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", PORT))
        a, _ = lst.accept()
        c.sendall(b"abc")
        got = b""
        while len(got) < 3:
            got += a.recv(3)
        ports.append(c.getsockname()[1])
        a.close()  # the server closes first: it keeps a TIME_WAIT
        c.close()
        time.sleep(PAUSE / 2)
    return ports


def path(events, local, peer):
    """The states one socket went through, from its events in order."""
    evs = [e for e in events if e["local"] == local and e["peer"] == peer]
    states = []
    for e in evs:
        if e["event"] == "new":
            states.append(e["new"])
        elif e["event"] == "change":
            if not states or states[-1] != e["old"]:
                states.append(e["old"])
            states.append(e["new"])
        else:
            states.append("GONE")
    return states, evs


def check_lifecycle(events, cport, most):
    cli, srv = "127.0.0.1:%d" % cport, "127.0.0.1:%d" % PORT
    active, aev = path(events, cli, srv)
    passive, pev = path(events, srv, cli)
    # a poll may catch the handshake on a busy machine: the client in SYN_SENT, the
    # server's request socket (SYN_RCVD, gone when the full socket takes over)
    if active[:1] == ["SYN_SENT"]:
        active = active[1:]
    if passive[:2] == ["SYN_RCVD", "GONE"]:
        passive = passive[2:]
    detail = "\n".join(json.dumps(e) for e in events)
    h.check(active in (["ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"],
                       ["ESTABLISHED", "FIN_WAIT_2", "TIME_WAIT"]),
            "active closer: ESTABLISHED -> FIN_WAIT_1/2 -> TIME_WAIT, got %r" % active, detail)
    h.check_eq(passive[-4:], ["ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "GONE"],
               "passive side: ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> GONE", detail)
    h.check_eq(len(passive), 4, "passive side has no other events", detail)
    for evs in (aev, pev):
        times = [e["time"] for e in evs]
        h.check(times == sorted(times), "events in time order", detail)
    # time in state: CLOSE_WAIT and LAST_ACK were held at least a pause after both
    # streams saw them, and at most from the step that entered them to the moment the
    # stream reported the step that left them
    for e in pev:
        if e["old"] in ("CLOSE_WAIT", "LAST_ACK"):
            ms, hi = e["in_state_ms"], most[e["old"]] * 1000 + 100
            h.check(ms is not None and PAUSE * 1000 * 0.9 <= ms <= hi,
                    "%s lasted %.1f-%.1f s: %r ms" % (e["old"], PAUSE, hi / 1000, ms),
                    json.dumps(e))
    h.ok("active closer %s; passive %s" % (" -> ".join(active), " -> ".join(passive)))


def check_brief(events, ports):
    detail = "\n".join(json.dumps(e) for e in events)
    seen = 0
    for p in ports:
        local = "127.0.0.1:%d" % p
        evs = [e for e in events if e["local"] == local]
        h.check(evs, "connection from port %d reported" % p, detail)
        b = [e for e in evs if e["brief"]]
        if not b:
            continue  # a poll happened to catch it open (a 1 ms window in 50)
        seen += 1
        e = b[0]
        h.check(e["event"] == "gone" and e["old"] is None and e["new"] is None,
                "a brief connection is one 'gone' event", json.dumps(e))
        h.check(e["bytes_acked"] >= 3 and e["bytes_received"] >= 1 and e["rtt_ms"] > 0,
                "its final bytes and RTT from tcp_info", json.dumps(e))
    h.check(seen >= 2, "at least 2 of 3 connections reported through destroy messages",
            detail)
    tw = [e for e in events if e["event"] == "new" and e["new"] == "TIME_WAIT" and
          e["local"] == "127.0.0.1:%d" % PORT and int(e["peer"].split(":")[1]) in ports]
    # A destroy notification can arrive just after the poll that first sees the server's
    # TIME_WAIT; that one then has no numbers. One of three must carry them.
    h.check(tw and any("bytes_acked" in e for e in tw),
            "the servers' TIME_WAIT sockets carry the final numbers", detail)
    h.ok("%d of %d connections between polls reported with bytes and RTT" % (seen,
                                                                              len(ports)))


def check_table(out, cport):
    lines = out.rstrip("\n").split("\n")
    h.check(re.match(r"^Time\s+Event\s+Local Address\s+Foreign Address\s+In state\s+"
                     r"PID/Program name\s+Details$", lines[0]), "table header", lines[0])
    me = "%d/" % os.getpid()
    want = [
        r"ESTABLISHED -> CLOSE_WAIT\s+127\.0\.0\.1:%d\s+127\.0\.0\.1:%d\s+\d+\.\d{3}s\s+%s"
        % (PORT, cport, me),
        r"CLOSE_WAIT -> LAST_ACK\s+127\.0\.0\.1:%d\s+127\.0\.0\.1:%d\s+\d+\.\d{3}s\s+%s"
        % (PORT, cport, me),
        r"LAST_ACK -> GONE\s+127\.0\.0\.1:%d\s+127\.0\.0\.1:%d\s+\d+\.\d{3}s\s+%s"
        % (PORT, cport, me),
        r"FIN_WAIT_2 -> TIME_WAIT\s+127\.0\.0\.1:%d\s+127\.0\.0\.1:%d\s+\d+\.\d{3}s\s+%s"
        % (cport, PORT, me),
    ]
    for w in want:
        h.check(any(re.match(r"^\d\d:\d\d:\d\d\.\d{3}  " + w, ln) for ln in lines),
                "table line /%s/" % w, out)
    h.check(any(("127.0.0.1:%d" % OTHER) in ln for ln in lines),
            "without a filter the other connection is reported", out)
    h.ok("table form with owners (-p)")


def check_count():
    p = start(["-E", "--count", "2", "--format", "jsonl", "--interval", "0.05",
               "port", str(PORT + 1)])
    lst = socket.socket()
    lst.bind(("127.0.0.1", PORT + 1))
    lst.listen()
    held = []
    deadline = time.monotonic() + DEADLINE
    while p.poll() is None and time.monotonic() < deadline:  # until 2 events came
        c = socket.create_connection(("127.0.0.1", PORT + 1))
        held += [c, lst.accept()[0]]
        time.sleep(0.2)
    try:
        out, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        h.fail("--count 2 did not stop after 2 events")
    h.check_eq(p.returncode, 0, "--count exits 0", err.decode())
    h.check_eq(len(out.decode().splitlines()), 2, "--count 2 prints 2 events", out.decode())
    for s in held + [lst]:
        s.close()
    h.ok("--count stops the stream")


def check_terminal():
    """On a terminal the lines appear as the events happen, not when the stream ends."""
    if not shutil.which("tmux"):
        print("tmux not found: the terminal part is not tested")
        return
    name = "tcpstate-test-events-%d" % os.getpid()
    tmpdir = tempfile.mkdtemp(prefix="tcpstate-tmux-")  # the server's socket goes here
    env = dict(os.environ, TMUX_TMPDIR=tmpdir)

    def tmux(*args):
        return subprocess.run(["tmux", "-L", name] + list(args), capture_output=True,
                              text=True, timeout=h.RUN_TIMEOUT, env=env).stdout

    atexit.register(shutil.rmtree, tmpdir, True)
    atexit.register(lambda: tmux("kill-server"))
    port = PORT + 2
    tmux("new-session", "-d", "-s", "e", "-x", "150", "-y", "20",
         "env LC_ALL=C NO_COLOR=1 %s -E --events-source poll --interval 0.05 port %d; sleep 60"
         % (shlex.quote(h.binary()), port))
    lst = socket.socket()
    lst.bind(("127.0.0.1", port))
    lst.listen()
    held = []
    end = time.monotonic() + DEADLINE
    pane = ""
    while time.monotonic() < end:  # a connection made before the baseline is no event
        if not held or time.monotonic() > last + 2:
            c = socket.create_connection(("127.0.0.1", port))
            held += [c, lst.accept()[0]]
            last = time.monotonic()
        pane = tmux("capture-pane", "-p", "-t", "e")
        # NEW ESTABLISHED, or SYN_SENT -> ESTABLISHED when a poll caught the handshake
        if len(re.findall(r"(NEW|->) ESTABLISHED", pane)) >= 2:
            break
        time.sleep(0.05)
    h.check(len(re.findall(r"(NEW|->) ESTABLISHED", pane)) >= 2,
            "events show on the terminal as they happen", pane)
    h.check(pane.startswith("Time "), "the header comes first", pane)
    tmux("kill-server")
    for s in held + [lst]:
        s.close()
    h.ok("terminal: events appear live")


def main():
    h.enter_netns()
    jp = start(["-E", "--format", "jsonl", "--interval", "0.05", "port", str(PORT)])
    tp = start(["-E", "-p", "--interval", "0.05"])
    js, tb = Stream(jp), Stream(tp)
    lst, probes = baseline(js, tb)
    cport, most = lifecycle(js, tb, lst)
    ports = brief(lst)
    wait_for("the brief connections' events", lambda: all(
        any(e["local"] == "127.0.0.1:%d" % p for e in js.events()) for p in ports))
    out, err = stop(jp, "tcpstate -E --format jsonl")
    out = js.buf.decode("utf-8", "surrogateescape") + out
    tout, terr = stop(tp, "tcpstate -E -p")
    tout = tb.buf.decode("utf-8", "surrogateescape") + tout

    events = []
    for line in out.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            h.fail("not one JSON object per line: %r" % line, out)
        if e.get("event") != "overrun":  # a slow poll on a loaded machine (see -E)
            events.append(e)
    h.check(events, "events were reported", err)
    h.check(all(str(OTHER) not in e["local"] + e["peer"] for e in events),
            "the filter leaves out other ports", out)
    check_lifecycle(events, cport, most)
    check_table(tout, cport)
    check_count()
    check_terminal()
    if "CAP_NET_ADMIN" in err or "destroy notifications" in err:
        h.skip("no destroy notifications here (%s): the between-polls part is not tested"
               % err.strip())
    check_brief(events, ports)


if __name__ == "__main__":
    main()
