#!/usr/bin/python3
"""test_predicates.py - COLUMN OP VALUE terms select exactly the sockets whose values hold.

In a private namespace: a connection whose server end holds 1,000 unread bytes (the stuck
reader, :25000), one whose client end has a full send queue (the peer's window is closed,
:25100), an idle one (:25200, nothing sent after the handshake) next to an active one
(:25200, a thread pings it), and a TIME_WAIT (:25300). For every term the test reads the
sockets' values (tcpstate --format json) before and after the filtered run: a socket whose
value satisfies the term both times must be selected, one that fails it both times must not
be; one whose value crossed the line in between (idle time grows) is not judged. So nothing
assumes timing. The same terms go through -s, --hist and -K --dry-run; then a real -K on
"last_recv > 2s and dport == 25200" destroys the idle connection's client end and nothing
else (its peer sees a reset, the active one keeps working).
"""

import json
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

READER, STUCK, IDLE, TW = 25000, 25100, 25200, 25300
COLS = "proto,recvq,sendq,local,foreign,state,timer,expires,rtt,cc,last_recv,last_send"
DEADLINE = 60.0


def listener(port, rcvbuf=None):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # accepted ends inherit
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    return ls


def connect(ls, port, sndbuf=None):
    c = socket.socket()
    if sndbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    c.connect(("127.0.0.1", port))
    s, _ = ls.accept()
    return c, s


def fill(sock):
    """Write until the send buffer is full (the peer never reads, its window closes)."""
    sock.setblocking(False)
    idle_since = None
    while True:
        try:
            sock.send(b"x" * 16384)
            idle_since = None
        except BlockingIOError:
            if idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > 0.3:
                break
            select.select([], [sock], [], 0.05)


def key(row):
    return (row["local"], row["foreign"])


def ep(sock, peer=False):
    a = sock.getpeername() if peer else sock.getsockname()
    return "%s:%d" % a


def skey(sock):
    return (ep(sock), ep(sock, True))


def listing(args):
    """Rows of tcpstate --format json ARGS with the columns the terms look at."""
    out = h.run_ok(["--format", "json", "--columns", COLS] + args)
    try:
        return json.loads(out)["sockets"]
    except (ValueError, KeyError) as e:
        h.fail("tcpstate %s: not the JSON listing (%s)" % (" ".join(args), e), out)


def snapshot():
    return {key(r): r for r in listing(["-a"])}


def wait_for(what, cond):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        snap = snapshot()
        if cond(snap):
            return snap
        time.sleep(0.1)
    h.fail("timed out waiting for %s" % what, json.dumps(snapshot(), indent=1))


# (term words, predicate on a JSON row; None values are SQL NULLs: never true)
TERMS = [
    (["recvq > 0"], lambda r: r["recvq"] > 0),
    (["sendq >= 64k"], lambda r: r["sendq"] >= 65536),
    (["last_recv > 2s"], lambda r: r["last_recv"] is not None and r["last_recv"] > 2000),
    (["expires < 61s", "state", "time-wait"],
     lambda r: r["state"] == "TIME_WAIT" and r["expires"] is not None
     and r["expires"] < 61000),
    (["rtt >= 0"], lambda r: r["rtt"] is not None),
    (["not", "rtt > 1000ms"], lambda r: r["rtt"] is not None and not r["rtt"] > 1000),
    (["timer == timewait"], lambda r: r["timer"].startswith("timewait")),
    (["foreign ~ :25[0-9]00$", "and", "not", "state", "listen"],
     lambda r: r["state"] != "LISTEN" and r["foreign"].endswith(("00",))
     and r["foreign"].rsplit(":", 1)[1] in ("25000", "25100", "25200", "25300")),
]


def judge(what, term, pred, got, before, after):
    """got: the selected keys. Returns (must, may) for the counting checks."""
    must = {k for k in before if k in after and pred(before[k]) and pred(after[k])}
    never = {k for k in before if k in after and not pred(before[k]) and not pred(after[k])}
    h.check(must <= got, "%s %s: misses sockets whose values hold" % (what, term),
            "missing: %r" % sorted(must - got), "selected: %r" % sorted(got))
    h.check(not (got & never), "%s %s: selects sockets whose values do not hold" %
            (what, term), "wrong: %r" % sorted(got & never),
            "values: %r" % [before[k] for k in sorted(got & never)])
    return must, set(before) | set(after)


def known(term, got, pairs):
    """Socket by socket: what each fixture socket must do for each term."""
    reader, stuck, idle, tw = pairs
    t = " ".join(term)
    expect = {
        "recvq > 0": [(skey(reader[1]), True), (skey(idle[0]), False)],
        "sendq >= 64k": [(skey(stuck[0]), True), (skey(reader[1]), False)],
        "last_recv > 2s": [(skey(idle[0]), True), (skey(idle[1]), True)],
        "expires < 61s state time-wait": [(tw, True), (skey(idle[0]), False)],
        "rtt >= 0": [(skey(idle[0]), True), (tw, False)],
        "not rtt > 1000ms": [(skey(idle[0]), True), (tw, False)],
        "timer == timewait": [(tw, True), (skey(idle[0]), False)],
    }.get(t, [])
    for k, want in expect:
        h.check((k in got) == want, "%s: socket %s %s" % (t, k, "must be selected" if want
                                                           else "must not be selected"),
                sorted(got))


def summary_total(args):
    out = h.run_ok(["-s", "--format", "json"] + args)
    return json.loads(out)["summary"]["total"]["total"]


def hist_total(args):
    out = h.run_ok(["--hist", "state", "--format", "json"] + args)
    return json.loads(out)["hist"]["total"]


def dry_run_keys(args):
    """The sockets -K --dry-run would destroy (its report is a table)."""
    rc, out, err = h.run(["-K", "--dry-run"] + args)
    h.check(rc == 0, "-K --dry-run %s exits 0" % " ".join(args), err, out)
    keys = set()
    for line in out.splitlines()[1:]:
        f = line.split()
        h.check(f[:2] == ["would", "destroy"], "-K --dry-run report line", line)
        keys.add((f[5], f[6]))
    return keys


def test_terms(pairs):
    for term, pred in TERMS:
        args = term if "state" in term else ["-a"] + term
        before = snapshot()
        got = {key(r) for r in listing(args)}
        after = snapshot()
        must, _ = judge("listing", " ".join(term), pred, got, before, after)
        known(term, got, pairs)

        for what, fn in (("-s", summary_total), ("--hist", hist_total)):
            before = snapshot()
            n = fn(args)
            after = snapshot()
            lo = len({k for k in before if k in after and pred(before[k]) and pred(after[k])})
            hi = len({k for k in set(before) | set(after)
                      if (k in before and pred(before[k])) or (k in after and pred(after[k]))})
            h.check(lo <= n <= hi, "%s %s counts %d sockets, want %d..%d" %
                    (what, " ".join(term), n, lo, hi))

        before = snapshot()
        got = dry_run_keys(args)
        after = snapshot()
        judge("-K --dry-run", " ".join(term), pred, got, before, after)
        known(term, got, pairs)
        h.ok("%-40s %d sockets (listing, -s, --hist, -K --dry-run agree with the values)" %
             (" ".join(term), len(must)))


def pinger(sock_a, sock_b, stop):
    while not stop.is_set():
        try:
            sock_a.sendall(b"p")
            sock_b.recv(1)
            sock_b.sendall(b"q")
            sock_a.recv(1)
        except OSError:
            return
        stop.wait(0.05)


def test_kill(idle, active, stop):
    idle_c, idle_s = idle
    ik = skey(idle_c)
    before = snapshot()
    ak = skey(active[0])
    fresh = before[ak]["last_recv"] is not None and before[ak]["last_recv"] < 1500
    args = ["-K", "state", "established", "last_recv > 2s", "and", "dport == %d" % IDLE]
    rc, out, err = h.run(args)
    h.check_eq(rc, 0, "tcpstate %s exits 0" % " ".join(args), err, out)
    destroyed = [line.split() for line in out.splitlines()[1:]]
    keys = {(f[4], f[5]) for f in destroyed if f[0] == "destroyed"}
    h.check(ik in keys, "-K must destroy the idle connection", out)
    if fresh:
        h.check_eq(keys, {ik}, "-K destroys exactly the idle connection", out)
    idle_s.settimeout(5)
    try:
        data = idle_s.recv(16)
        h.fail("the idle connection's peer should see a reset, read %r" % data)
    except ConnectionResetError:
        pass
    except socket.timeout:
        h.fail("the idle connection's peer saw no reset within 5 s")
    if fresh:
        h.check(ak in snapshot(), "the active connection must survive", out)
    h.ok("-K 'last_recv > 2s' and 'dport == %d' destroyed exactly the idle connection%s" %
         (IDLE, "" if fresh else " (the active one was not fresh: not judged)"))


def main():
    h.enter_netns()
    h.binary()
    held = []
    ls = listener(READER)
    reader = connect(ls, READER)
    reader[0].sendall(b"r" * 1000)
    held += [ls, *reader]

    ls = listener(STUCK, rcvbuf=1024)
    stuck = connect(ls, STUCK, sndbuf=262144)
    fill(stuck[0])
    held += [ls, *stuck]

    ls = listener(IDLE)
    idle = connect(ls, IDLE)
    active = connect(ls, IDLE)
    held += [ls, *idle, *active]

    ls = listener(TW)
    c, s = connect(ls, TW)
    tw = skey(c)
    c.close()
    s.settimeout(5)
    h.check_eq(s.recv(16), b"", "the TIME_WAIT pair's server end reads EOF")
    s.close()
    ls.close()

    stop = threading.Event()
    t = threading.Thread(target=pinger, args=(active[0], active[1], stop), daemon=True)
    t.start()
    try:
        ik = (skey(idle[0]), skey(idle[1]), skey(reader[1]), skey(stuck[0]))
        wait_for("the fixture's values (unread data, full send queue, idle > 2.5 s, "
                 "TIME_WAIT)",
                 lambda sn: all(k in sn for k in ik) and tw in sn
                 and sn[ik[2]]["recvq"] == 1000 and sn[ik[3]]["sendq"] >= 65536
                 and all((sn[k]["last_recv"] or 0) > 2500 for k in ik[:2]))
        h.ok("fixture: unread data, a full send queue, an idle connection, a TIME_WAIT")
        test_terms((reader, stuck, idle, tw))
        test_kill(idle, active, stop)
    finally:
        stop.set()
        t.join(timeout=5)
        for x in held:
            x.close()


if __name__ == "__main__":
    main()
