#!/usr/bin/python3
"""test_faults_churn.py - sockets appearing and vanishing during the dump, processes exiting
and closing fds while /proc is scanned.

In a private namespace, churners connect and close hundreds of loopback connections a
second (most with RST, some through TIME_WAIT), fork children that hold copies of them and
exit at once, and dup/close their descriptors in a loop. Meanwhile tcpstate runs again and
again in several views: every run must exit 0 with nothing on stderr and well-formed
output, and the sockets this test holds steady must be listed each time, once, with their
owner.
"""

import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

CHURN = r"""
import os, socket, struct, sys, time
mode, end = sys.argv[1], time.monotonic() + float(sys.argv[2])
L = socket.socket()
L.bind(("127.0.0.1", 0))
L.listen(1024)
port = L.getsockname()[1]
print(port, flush=True)
n = 0
while time.monotonic() < end:
    socks = []
    for i in range(16):
        c = socket.socket(socket.AF_INET6 if i % 4 == 0 else socket.AF_INET)
        if i % 16:  # most close with RST: no TIME_WAIT pile-up
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.connect(("::ffff:127.0.0.1" if i % 4 == 0 else "127.0.0.1", port))
        a, _ = L.accept()
        socks += [c, a]
    if mode == "fork":
        pid = os.fork()
        if pid == 0:
            os._exit(0)
    else:  # dup and close descriptors while /proc/PID/fd is read
        for s in socks:
            os.close(os.dup(s.fileno()))
    for s in socks:
        s.close()
    if mode == "fork":
        os.waitpid(pid, 0)
    n += 1
    time.sleep(0.004)  # a few thousand connections a second is plenty
print(n, flush=True)
"""

VIEWS = [["-an"], ["-anp"], ["-s"], ["-a", "-e", "-i", "-o"], ["-a", "-j"]]


def start_churner(mode, seconds):
    p = h.track(subprocess.Popen([h.PYTHON, "-c", CHURN, mode, str(seconds)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    line = p.stdout.readline()
    if not line.strip().isdigit():
        h.fail("churner %s did not start" % mode, p.stderr.read())
    return p


def check_run(args, out, err, stable, me):
    what = "tcpstate " + " ".join(args) + " under churn"
    h.check_eq(err, "", what + ": nothing on stderr")
    if "-j" in args:
        doc = json.loads(out)
        keys = [h.sock_key(s["proto"], s["local"], s["foreign"]) for s in doc["sockets"]]
    elif "-s" in args:
        h.check("ESTABLISHED" in out, what + ": a summary", out)
        return
    elif "-e" in args:  # more columns than parse_table knows: the shape only
        lines = out.splitlines()
        h.check(lines and lines[0].startswith("Proto "), what + ": a header", out[:300])
        h.check(all(l.split()[0] in ("tcp", "tcp6") for l in lines[1:]),
                what + ": one socket per line", out)
        return
    else:
        rows = h.parse_table(out)
        keys = [r["key"] for r in rows]
        if "-anp" in " ".join(args):
            for r in rows:
                if r["key"] in stable:
                    h.check(r["owners"] == "%d/python3" % me,
                            what + ": the steady socket's owner", r["line"])
    for k in stable:
        h.check_eq(keys.count(k), 1, what + ": steady socket %r listed once" % (k,))


def main():
    h.enter_netns()
    steady = faults.Pairs(2, port=24000)
    me = os.getpid()
    stable = set()
    for s in steady.socks + [steady.listener]:
        la, lp = s.getsockname()[:2]
        try:
            ra, rp = s.getpeername()[:2]
        except OSError:
            ra, rp = "0.0.0.0", 0
        stable.add(h.sock_key("tcp", "%s:%s" % (la, lp), "%s:%s" % (ra, rp or "*")))
    seconds = 8
    churners = [start_churner("fork", seconds), start_churner("dup", seconds)]
    runs = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds - 2:
        for args in VIEWS:
            rc, out, err = h.run(args)
            h.check_eq(rc, 0, "tcpstate %s under churn: exit status" % " ".join(args), err)
            check_run(args, out, err, stable, me)
            runs += 1
    rounds = []
    for p in churners:
        p.wait(timeout=seconds + 10)
        rounds.append(int(p.stdout.read().split()[-1]))
    h.check(min(rounds) > 5, "the churners kept churning", rounds)
    h.ok("%.1f s: %d runs of %d views while %d connections came and went: exit 0, clean output, "
         "steady sockets listed once with their owner" % (time.monotonic() - t0, runs, len(VIEWS), sum(rounds) * 16))
    steady.close()


if __name__ == "__main__":
    main()
