#!/usr/bin/python3
"""test_events_bpf.py - -E --events-source bpf: every transition, fleeting ones included.

Inside a private network namespace, `tcpstate -E --format jsonl --events-source bpf -a`
runs while this script makes loopback connections:

  one with a half-close: the client shuts down its side and keeps reading, the server
  sends after that and closes (client ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 ->
  TIME_WAIT; server ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED);
  one reset: SO_LINGER 0 and close (both ends ESTABLISHED -> CLOSED).

Each socket's events, grouped by cookie, must chain (every old state is the previous
new one) and be exactly the expected path, from CLOSED -> SYN_SENT and LISTEN ->
SYN_RCVD on: no phantom and no missing event. The time in state is in microseconds,
connect() names this process, every event carries this namespace's inode and none from
elsewhere leaks in (the tracepoint fires for every namespace on the host, and other
tests run at the same time). With -p, a socket that existed at the start shows its owner
from the start's snapshot even for a change made by a packet, and a new one the task that
moved it. --events-source auto uses the tracepoint (or, where it cannot load, polls with
a one-line note); without CAP_BPF and CAP_PERFMON (capsh) bpf fails in one line and auto
polls with a note saying so. The kernel never runs a BPF program nested in itself on one
CPU; tcpstate reports the transitions it missed that way, and the scenario then runs
again (at most three times). Exits 77 where the eBPF program cannot load.
"""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fixture as fx  # noqa: E402
import harness as h  # noqa: E402

PORT = 23800
PRE = 23805    # a connection made before the stream starts
PORT6 = 23806  # an IPv6 connection
PROBE = 23810  # connections that show the stream is live (and, at the end, drained)
DEADLINE = 20.0


def events_of(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    evs = []
    for line in text.splitlines():
        try:
            evs.append(json.loads(line))
        except ValueError:
            h.fail("not one JSON object per line: %r" % line, text)
    return evs


def port_of(ep):
    port = ep.rsplit(":", 1)[1]
    return 0 if port == "*" else int(port)


AUTO = 23815   # the default source, --events-source auto


def check_auto(bpf_ok):
    """--events-source auto (the default): the tracepoint where it loads (JSON lines
    carry in_state_us), else polling with a one-line note saying why."""
    env = dict(os.environ, LC_ALL="C")
    p = h.track(subprocess.Popen([h.binary(), "-E", "--format", "jsonl", "--count", "1",
                                  "--interval", "0.05", "port", str(AUTO)],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env))
    lst = fx.listener(socket.AF_INET, "127.0.0.1", AUTO)
    end = time.monotonic() + DEADLINE
    while p.poll() is None and time.monotonic() < end:  # until it has seen one
        c = socket.create_connection(("127.0.0.1", AUTO))
        a, _ = lst.accept()
        time.sleep(0.2)
        a.close()
        c.close()
    try:
        out, err = p.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        h.fail("--events-source auto: no event within %.0f s" % DEADLINE)
    lst.close()
    h.check_eq(p.returncode, 0, "--events-source auto exits 0", err.decode())
    ev = json.loads(out.decode().splitlines()[0])
    if bpf_ok:
        h.check("in_state_us" in ev and err.decode() == "",
                "auto uses the tracepoint, silently", out.decode() + err.decode())
    else:
        h.check("in_state_us" not in ev and "polling instead" in err.decode() and
                len(err.decode().strip().splitlines()) == 1,
                "auto polls, with a one-line note", out.decode() + err.decode())
    h.ok("--events-source auto: %s" % ("the tracepoint" if bpf_ok else
                                        "polls: " + err.decode().strip()))


def check_no_caps():
    """Without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: --events-source bpf fails with one
    line saying so (exit 1), auto polls with a note, --owners-source bpf fails too."""
    if not shutil.which("capsh"):
        print("capsh not found: the missing-privilege part is not tested")
        return
    drop = ["capsh", "--drop=cap_bpf,cap_perfmon,cap_sys_admin", "--", "-c",
            'exec "$0" "$@"', h.binary()]

    def run(args, **kw):
        return subprocess.run(drop + args, capture_output=True, text=True,
                              timeout=h.RUN_TIMEOUT, **kw)

    r = run(["-E", "--events-source", "bpf"], stdin=subprocess.DEVNULL)
    h.check(r.returncode == 1 and r.stdout == "" and "needs CAP_BPF and CAP_PERFMON" in
            r.stderr and len(r.stderr.splitlines()) == 1,
            "--events-source bpf without the capabilities: exit 1, one line", repr(r))
    p = h.track(subprocess.Popen(drop + ["-E", "--interval", "0.05", "--format", "jsonl"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True))
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=10)
    h.check(p.returncode == 0 and "eBPF events unavailable (loading eBPF programs needs "
            "CAP_BPF and CAP_PERFMON (or root)): polling instead" in err,
            "auto without the capabilities: polls, with a note", err)
    r = run(["-anp", "--owners-source", "bpf"])
    h.check(r.returncode == 1 and "cannot use --owners-source bpf: loading eBPF programs "
            "needs CAP_BPF" in r.stderr, "--owners-source bpf without the capabilities",
            repr(r))
    h.ok("without CAP_BPF/CAP_PERFMON: bpf fails in one line, auto polls with a note")


def probe(runs):
    """Open and close a connection on PROBE until each run's output shows it."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        for proc, out, err in runs:
            if proc.poll() is not None:
                with open(err) as f:
                    msg = f.read().strip()
                if "cannot use --events-source bpf" in msg:
                    check_auto(False)
                    h.skip("eBPF cannot load here: " + msg)
                h.fail("tcpstate -E ended early (status %d)" % proc.returncode, msg)
        lst = fx.listener(socket.AF_INET, "127.0.0.1", PROBE)
        c = socket.create_connection(("127.0.0.1", PROBE))
        a, _ = lst.accept()
        mine = ":%d " % c.getsockname()[1]
        for s in (c, a, lst):
            s.close()
        time.sleep(0.05)
        seen = 0
        for _, out, _ in runs:
            with open(out, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read().replace('"', " ")
            seen += mine in text
        if seen == len(runs):
            return
    h.fail("no events from the probe connection within %.0f s" % DEADLINE)


def half_close(lst):
    c = socket.create_connection(("127.0.0.1", PORT))
    a, _ = lst.accept()
    c.sendall(b"hello")
    h.check_eq(a.recv(5), b"hello", "data arrives")
    c.shutdown(socket.SHUT_WR)  # half-close: FIN_WAIT_1, then FIN_WAIT_2 on its ACK
    h.check_eq(a.recv(5), b"", "the server reads the FIN")
    fx.wait_for("client after its FIN is acked", lambda: fx.tcp_state(c), "FIN_WAIT_2")
    a.sendall(b"late")  # the half-closed client still reads
    h.check_eq(c.recv(4), b"late", "data after the half-close")
    a.close()  # LAST_ACK; the client's ACK closes it, the client goes to TIME_WAIT
    # the full socket closes; a timewait socket carries on for it
    fx.wait_for("client after the server's FIN", lambda: fx.tcp_state(c), "CLOSED")
    cport = c.getsockname()[1]
    c.close()
    return cport


def reset(lst):
    c = socket.create_connection(("127.0.0.1", PORT))
    a, _ = lst.accept()
    cport = c.getsockname()[1]
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()  # RST
    fx.wait_for("server after the RST", lambda: fx.tcp_state(a), "CLOSED")
    a.close()
    return cport


def paths(events):
    """Each cookie's states in order; fails on a broken chain."""
    by = {}
    for e in events:
        by.setdefault(e["cookie"], []).append(e)
    out = {}
    for cookie, evs in by.items():
        states = [evs[0]["old"]]
        for e in evs:
            h.check_eq(e["old"], states[-1], "cookie %s: events chain" % cookie,
                       "\n".join(json.dumps(x) for x in evs))
            states.append(e["new"])
        out[cookie] = (states, evs)
    return out


def find(by, local, peer):
    """The path of the socket with this 4-tuple (ports known once connected)."""
    hits = [p for p in by.values() if any(e["local"] == local and e["peer"] == peer
                                          for e in p[1])]
    h.check_eq(len(hits), 1, "one socket %s -> %s" % (local, peer), repr(by))
    return hits[0]


def ipv6(lst6):
    """A connection over ::1 (the program reads the v6 addresses by CO-RE)."""
    c = socket.create_connection(("::1", PORT6))
    a, _ = lst6.accept()
    cport = c.getsockname()[1]
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    fx.wait_for("v6 server after the RST", lambda: fx.tcp_state(a), "CLOSED")
    a.close()
    return cport


def check_v6(events, cport):
    detail = "\n".join(json.dumps(e) for e in events)
    by = paths([e for e in events if e["proto"] == "tcp6"])
    got, _ = find(by, "[::1]:%d" % cport, "[::1]:%d" % PORT6)
    h.check_eq(got, ["CLOSED", "SYN_SENT", "ESTABLISHED", "CLOSED"], "IPv6 client", detail)
    got, _ = find(by, "[::1]:%d" % PORT6, "[::1]:%d" % cport)
    h.check_eq(got, ["LISTEN", "SYN_RCVD", "ESTABLISHED", "CLOSED"], "IPv6 server", detail)
    h.ok("IPv6: both ends, [::1] addresses")


def check(events, hc, rc):
    detail = "\n".join(json.dumps(e) for e in events)
    ours = [e for e in events if PORT in (port_of(e["local"]), port_of(e["peer"]))]
    by = paths(ours)
    srv = "127.0.0.1:%d" % PORT
    want = [
        ("127.0.0.1:%d" % hc, srv, ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1",
                                    "FIN_WAIT_2", "TIME_WAIT"], "half-close: client"),
        (srv, "127.0.0.1:%d" % hc, ["LISTEN", "SYN_RCVD", "ESTABLISHED", "CLOSE_WAIT",
                                    "LAST_ACK", "CLOSED"], "half-close: server"),
        ("127.0.0.1:%d" % rc, srv, ["CLOSED", "SYN_SENT", "ESTABLISHED", "CLOSED"],
         "reset: client"),
        (srv, "127.0.0.1:%d" % rc, ["LISTEN", "SYN_RCVD", "ESTABLISHED", "CLOSED"],
         "reset: server"),
    ]
    for local, peer, states, what in want:
        got, evs = find(by, local, peer)
        h.check_eq(got, states, what, detail)
        times = [e["time"] for e in evs]
        h.check(times == sorted(times), what + ": in time order", detail)
        for e in evs[1:]:
            h.check(isinstance(e["in_state_us"], int) and e["in_state_us"] >= 0,
                    what + ": microseconds in the previous state", json.dumps(e))
        h.ok("%s: %s" % (what, " -> ".join(got)))
    # the listener: CLOSED -> LISTEN, then LISTEN -> CLOSED when it is closed
    lst = [p for p in by.values() if p[1][0]["peer"].endswith(":*")]
    h.check_eq([p[0] for p in lst], [["CLOSED", "LISTEN", "CLOSED"]], "the listener", detail)
    h.check_eq(len(by), 5, "no other socket on the port (no phantom events)", detail)
    syn = [e for e in ours if e["new"] == "SYN_SENT"]
    h.check(syn and all(e["pid"] == os.getpid() and e["comm"] for e in syn),
            "connect() runs in this process: its pid and comm", detail)
    netns = os.stat("/proc/self/ns/net").st_ino
    h.check(all(e["netns"] == netns for e in events),
            "every event is from this namespace (%d)" % netns, detail)
    h.ok("pid/comm in process context; namespace %d only" % netns)


# tcpstate runs without h.wrapper(): valgrind (tests/sanitize.sh) does not model bpf(2)
# or the ring buffer the kernel writes into.
def start(tmp, name, args):
    out, err = os.path.join(tmp, name + ".out"), os.path.join(tmp, name + ".err")
    env = dict(os.environ, LC_ALL="C", NO_COLOR="1")
    with open(out, "wb") as fo, open(err, "wb") as fe:
        p = h.track(subprocess.Popen([h.binary(), "-E", "--events-source", "bpf"] + args,
                                     stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                     env=env))
    return p, out, err


def stop(run):
    p, out, err = run
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        h.fail("tcpstate -E did not end on SIGINT")
    with open(err) as f:
        msg = f.read()
    h.check_eq(p.returncode, 0, "SIGINT exits 0", msg)
    return out, msg


def check_owners(table, pre):
    """-p: a socket that existed at the start keeps its owner from the snapshot, even
    for a change a packet made (no task then); a new one shows the task."""
    with open(table) as f:
        text = f.read()
    lines = text.splitlines()
    me = "%d/" % os.getpid()
    cw = [ln for ln in lines if "ESTABLISHED -> CLOSE_WAIT" in ln and ":%d" % PRE in ln]
    h.check(len(cw) == 1 and me in cw[0], "-p: the snapshot's owner on a softirq change",
            text)
    syn = [ln for ln in lines if "CLOSED -> SYN_SENT" in ln and ":%d" % PRE not in ln]
    h.check(syn and all(me in ln for ln in syn), "-p: the task that connected", text)
    h.ok("-p: owners from the snapshot and from the task")


def attempt(tmp):
    """One run of the scenario. Returns False when tcpstate reported lost transitions."""
    pl = fx.listener(socket.AF_INET, "127.0.0.1", PRE)  # exists before the stream starts
    pc = socket.create_connection(("127.0.0.1", PRE))
    pa, _ = pl.accept()
    runs = [start(tmp, "jsonl", ["--format", "jsonl", "-a"]), start(tmp, "table", ["-p"])]
    probe(runs)
    lst = fx.listener(socket.AF_INET, "127.0.0.1", PORT)
    hc = half_close(lst)
    rc = reset(lst)
    lst.close()
    lst6 = fx.listener(socket.AF_INET6, "::1", PORT6)
    c6 = ipv6(lst6)
    lst6.close()
    pc.shutdown(socket.SHUT_WR)  # the server side's CLOSE_WAIT comes from a packet
    fx.wait_for("pre-existing server socket", lambda: fx.tcp_state(pa), "CLOSE_WAIT")
    probe(runs)  # everything before this is in the output now
    (out, msg), (table, tmsg) = stop(runs[0]), stop(runs[1])
    for s in (pc, pa, pl):
        s.close()
    if "were lost" in msg + tmsg or "was lost" in msg + tmsg:
        # The kernel never runs a BPF program nested in itself on one CPU: a softirq
        # that interrupts it there goes untraced. tcpstate finds and reports such gaps;
        # the scenario is then run again (on other ports).
        print("note: %s; again" % (msg + tmsg).strip().replace("\n", "; "))
        return False
    h.check(msg == "", "nothing on stderr", msg)
    check(events_of(out), hc, rc)
    check_v6(events_of(out), c6)
    check_owners(table, PRE)
    return True


def main():
    global PORT, PRE, PORT6
    h.enter_netns()
    tmp = tempfile.mkdtemp(prefix="tcpstate-bpf-")
    for _ in range(3):
        if attempt(tmp):
            break
        PORT, PRE, PORT6 = PORT + 20, PRE + 20, PORT6 + 20
    else:
        h.fail("tcpstate reported lost transitions in three runs of the scenario")
    check_auto(True)
    check_no_caps()
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
