#!/usr/bin/python3
"""test_doctor.py - --doctor: each finding provoked by a fixture and reported; clean is silent.

In a private namespace, before any socket exists, --doctor prints nothing and exits 0. Then
one fixture per finding (ports in brackets):

close-wait-leak    [23000] the peer shuts down its side; the server end, held by this
                   process, stays in CLOSE_WAIT (reported only once idle longer than
                   close_wait_age: 1 s here, so a fresh one is not reported by default)
syn-flood          [23100] TCP_DEFER_ACCEPT listener, backlog 16, 10 clients complete the
                   handshake but send nothing: 10 request sockets sit in SYN_RCVD
accept-queue       [23200] listener with backlog 4 that never accepts, 4 clients queued
port-exhaustion    [23300] ip_local_port_range set to 40000-40039 in this namespace; 21
                   clients connect and close first: 21 TIME_WAIT towards one destination
time-wait-bind     [23400] the server closes first: its end is TIME_WAIT on port 23400
orphan-fin-wait-2  [23500] the client close()s, the server never does: the client end is
                   FIN_WAIT_2 with no inode
close-wait-unaccepted [23600] a listener that never accepts; 2 clients connect and shut
                   down their side: the 2 server ends are CLOSE_WAIT with no inode (never
                   accepted, so no close() could be missing), reported apart from
                   close-wait-leak

Each finding must be on its own line, start with its key, name the socket or process and
carry the evidence; the exit status is 3. Bad --threshold words exit 2.
"""

import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

TCP_DEFER_ACCEPT = 9
HELD = []  # every socket of the fixtures, kept open until the test ends


def listener(port, backlog=16, defer=False):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if defer:
        s.setsockopt(socket.IPPROTO_TCP, TCP_DEFER_ACCEPT, 60)
    s.bind(("127.0.0.1", port))
    s.listen(backlog)
    HELD.append(s)
    return s


def connect(port):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    HELD.append(c)
    return c


def wait_for(what, pred, timeout=60.0):  # a busy machine is slow
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    h.fail("fixture: " + what)


def ss_count(state, port_expr):
    r = subprocess.run(["ss", "-tanH", "state", state, port_expr], capture_output=True,
                       text=True, timeout=h.RUN_TIMEOUT)
    return len(r.stdout.splitlines())


def fixtures():
    """Build every fixture; returns {finding key: facts the report must mention}."""
    facts = {}
    # close-wait-leak
    ls = listener(23000)
    c = connect(23000)
    srv, _ = ls.accept()
    HELD.append(srv)
    c.shutdown(socket.SHUT_WR)  # not close(): the client end stays owned (no orphan)
    facts["close-wait-leak"] = ["%d/python3" % os.getpid(), "127.0.0.1:23000"]
    # syn-flood
    listener(23100, backlog=16, defer=True)
    for _ in range(10):
        connect(23100)
    wait_for("10 SYN_RCVD on 23100", lambda: ss_count("syn-recv", "sport = :23100") == 10)
    facts["syn-flood"] = ["listener 127.0.0.1:23100", "10 connections in SYN_RCVD",
                          "backlog of 16", "net.ipv4.tcp_syncookies=1"]
    # accept-queue
    listener(23200, backlog=4)
    for _ in range(4):
        connect(23200)
    facts["accept-queue"] = ["listener 127.0.0.1:23200", "4 connections waiting",
                             "backlog 4"]
    # port-exhaustion: 21 of 40 ports (52%) >= time_wait_ratio 0.5
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40000 40039")
    ls = listener(23300, backlog=64)
    for _ in range(21):
        c = socket.create_connection(("127.0.0.1", 23300), timeout=5)
        srv, _ = ls.accept()
        c.close()
        srv.recv(1)  # EOF
        srv.close()
    wait_for("21 TIME_WAIT towards 23300",
             lambda: ss_count("time-wait", "dport = :23300") == 21)
    facts["port-exhaustion"] = ["21 sockets in TIME_WAIT towards 127.0.0.1:23300",
                                "40 ephemeral ports", "40000 40039"]
    # time-wait-bind
    ls = listener(23400)
    c = connect(23400)
    srv, _ = ls.accept()
    srv.close()
    c.recv(1)  # EOF
    c.close()
    wait_for("TIME_WAIT on 23400", lambda: ss_count("time-wait", "sport = :23400") == 1)
    facts["time-wait-bind"] = ["local port 23400 has 1 socket in TIME_WAIT",
                               "Address already in use", "SO_REUSEADDR"]
    # orphan-fin-wait-2
    ls = listener(23500)
    c = socket.create_connection(("127.0.0.1", 23500), timeout=5)
    srv, _ = ls.accept()
    HELD.append(srv)
    cport = c.getsockname()[1]
    c.close()
    wait_for("FIN_WAIT_2 towards 23500", lambda: ss_count("fin-wait-2", "dport = :23500") == 1)
    facts["orphan-fin-wait-2"] = ["1 socket in FIN_WAIT_2",
                                  "127.0.0.1:%d -> 127.0.0.1:23500" % cport]
    # close-wait-unaccepted: shutdown, not close, so the clients are no orphans
    listener(23600, backlog=8)
    for _ in range(2):
        connect(23600).shutdown(socket.SHUT_WR)
    wait_for("2 CLOSE_WAIT on 23600", lambda: ss_count("close-wait", "sport = :23600") == 2)
    facts["close-wait-unaccepted"] = ["2 connections to 127.0.0.1:23600",
                                      "without ever being accepted", "accept()"]
    return facts


def findings(out):
    """{key: line}; fails on a line that is not a finding or a key seen twice."""
    got = {}
    for line in out.splitlines():
        m = re.match(r"^([a-z0-9-]+): (.+)$", line)
        h.check(m is not None, "every line of --doctor is 'key: finding'", line, out)
        got.setdefault(m.group(1), []).append(line)
    return got


def test_clean():
    rc, out, err = h.run(["--doctor"])
    h.check(rc == 0 and out == "", "--doctor in a clean namespace: nothing, exit 0", err, out)
    h.ok("clean namespace: no output, exit 0")


def test_thresholds():
    for word, bad in (("bogus=1", "'bogus'"), ("close_wait_age=soon", "'soon'"),
                      ("close_wait_age", "'close_wait_age'")):
        rc, out, err = h.run(["--doctor", "--threshold", word])
        h.check(rc == 2 and out == "" and err.count("\n") == 1 and bad in err,
                "--threshold %s: one line naming %s, exit 2" % (word, bad), err, out)
    h.ok("bad --threshold words exit 2 naming the bad token")


def test_findings(facts):
    rc, out, err = h.run(["--doctor"])
    h.check_eq(rc, 3, "--doctor exits 3 when it finds something", err, out)
    got = findings(out)
    h.check("close-wait-leak" not in got,
            "a CLOSE_WAIT idle for less than the default 60 s is no leak", out)
    time.sleep(1.5)
    rc, out, err = h.run(["--doctor", "--threshold", "close_wait_age=1"])
    h.check_eq(rc, 3, "--doctor exits 3 when it finds something", err, out)
    got = findings(out)
    h.check_set_eq(got.keys(), facts.keys(), "one kind of finding per fixture", out)
    for key, words in facts.items():
        h.check_eq(len(got[key]), 1, "exactly one %s finding" % key, out)
        for w in words:
            h.check(w in got[key][0], "the %s finding should say %r" % (key, w), got[key][0])
    h.ok("each of the %d findings is reported once with its evidence" % len(facts))
    print(out, end="")
    rc, out, err = h.run(["--doctor", "--threshold", "close_wait_age=1", "--threshold",
                          "syn_rcvd_min=11", "--threshold", "accept_queue_ratio=2",
                          "--threshold", "time_wait_ratio=0.6", "--threshold",
                          "time_wait_bind_min=2", "--threshold", "fin_wait_2_min=2",
                          "--threshold", "close_wait_count=3"])
    h.check(rc == 0 and out == "", "thresholds above each fixture silence every finding",
            err, out)
    h.ok("--threshold moves each finding's limit")


def test_replay_without_info():
    """A dump recorded without -i has no tcp_info: the CLOSE_WAIT socket's age is unknown,
    and --doctor must say it could not check it rather than pass it over in silence."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        bare, full = os.path.join(d, "bare.nldump"), os.path.join(d, "full.nldump")
        h.run_ok(["-a", "--record", bare])
        h.run_ok(["-ai", "--record", full])
        th = ["--threshold", "close_wait_age=0"]
        rc, out, err = h.run(["--replay", bare, "--doctor"] + th)
        h.check("close-wait-leak" not in out, "no CLOSE_WAIT finding without tcp_info", out)
        h.check(re.search(r"note: \d+ CLOSE_WAIT sockets? came without tcp_info", err),
                "--replay of a dump without tcp_info: --doctor says the CLOSE_WAIT check "
                "skipped what it could not see", err)
        rc, out, err = h.run(["--replay", full, "--doctor"] + th)
        h.check("close-wait-leak" in out, "the same dump with tcp_info: the finding", out)
        h.check("without tcp_info" not in err, "no note when tcp_info came", err)
    h.ok("--doctor on a dump without tcp_info notes the CLOSE_WAIT sockets it could not age")


def main():
    h.enter_netns()
    h.binary()
    test_clean()
    test_thresholds()
    facts = fixtures()
    test_findings(facts)
    test_replay_without_info()
    for s in HELD:
        s.close()


if __name__ == "__main__":
    main()
