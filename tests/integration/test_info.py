#!/usr/bin/python3
"""test_info.py - -i (tcp_info), -m (socket memory) and -e (user, uid, inode, cookie).

Inside a private network namespace, with the fixture (tests/lib/fixture.py) and one
connection of our own that moves a known number of bytes:

  * -i on loopback is sane: rtt > 0, rttvar >= 0, rto >= 200 ms (the kernel's floor),
    cwnd >= 1, a congestion control name; bytes_acked/bytes_received count our bytes;
    cwnd and the algorithm agree with ss -ti;
  * TIME_WAIT and request (SYN_RCVD) sockets carry no tcp_info and no skmem: every -i and
    -m cell is absent ("-" in the table, null in JSON), never zero or garbage;
  * -m: rcvbuf/sndbuf agree with ss -tm, rmem counts unread bytes;
  * -e: user is the owner's name ("-" for TIME_WAIT), inode and cookie agree with ss -te.
"""

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

INFO = ["rtt", "rttvar", "rto", "cwnd", "ssthresh", "retrans", "bytes_acked",
        "bytes_received", "delivery_rate", "cc", "last_send", "last_recv"]
MEM = ["rmem", "rcvbuf", "wmem", "sndbuf", "drops"]
PORT = 23500
SENT = 1000


def listing(args):
    out = h.run_ok(["--format", "jsonl"] + args)
    rows = {}
    for line in out.splitlines():
        r = json.loads(line)
        rows[(r["local"], r["foreign"])] = r
    return rows


def entry(fx, name):
    for s in fx.manifest:
        if s["name"] == name:
            return s
    h.fail("fixture has no socket named %r" % name)


def ss_lines(flags):
    """{(local, peer): the whole ss record (two lines joined)}."""
    r = subprocess.run(["ss", "-tanH" + flags, "state", "all"], capture_output=True,
                       text=True, timeout=h.RUN_TIMEOUT)
    h.check(r.returncode == 0, "ss -tan%s failed" % flags, r.stderr)
    out, last = {}, None
    for line in r.stdout.splitlines():
        f = line.split()
        if line[:1] in (" ", "\t") and last:  # -i puts the details on a second line
            out[last] += " " + line.strip()
            continue
        if len(f) >= 5:
            last = (f[3], f[4])
            out[last] = line
    return out


def own_connection():
    """A connection that moved SENT bytes client -> server, the server leaving 7 unread."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT))
    lst.listen()
    c = socket.create_connection(("127.0.0.1", PORT))
    a, _ = lst.accept()
    c.sendall(b"x" * SENT)
    got = 0
    while got < SENT:
        got += len(a.recv(SENT - got))
    c.sendall(b"y" * 7)  # unread: rmem > 0 on the server side
    a.sendall(b"z" * 3)
    n = 0
    while n < 3:
        n += len(c.recv(3 - n))
    return lst, c, a


def main():
    h.enter_netns()
    fx = h.Fixture("--no-evil")
    keep = own_connection()
    cli = "127.0.0.1:%d" % keep[1].getsockname()[1]
    srv = "127.0.0.1:%d" % PORT
    tw, req = entry(fx, "time-wait"), entry(fx, "syn-rcvd")

    rows = listing(["-a", "-i", "-m", "-e"])
    c, s = rows.get((cli, srv)), rows.get((srv, cli))
    h.check(c and s, "our connection is listed", json.dumps(list(rows)))
    for r, what in ((c, "client"), (s, "server")):
        h.check(isinstance(r["rtt"], (int, float)) and r["rtt"] > 0, "%s rtt > 0" % what, r)
        h.check(r["rttvar"] >= 0 and r["rto"] >= 200, "%s rttvar, rto sane" % what, r)
        h.check(isinstance(r["cwnd"], int) and r["cwnd"] >= 1, "%s cwnd >= 1" % what, r)
        h.check(isinstance(r["cc"], str) and re.fullmatch(r"[a-z0-9_]+", r["cc"]),
                "%s congestion control name" % what, r)
        h.check(r["retrans"] == 0, "%s: no retransmits on loopback" % what, r)
        h.check(r["last_send"] >= 0 and r["last_recv"] >= 0, "%s last send/recv" % what, r)
    # bytes_acked counts the SYN too (snd_una - iss): one more than the payload.
    h.check(SENT + 7 <= c["bytes_acked"] <= SENT + 8, "client bytes_acked", c)
    h.check_eq(s["bytes_received"], SENT + 7, "server bytes_received")
    h.check_eq(c["bytes_received"], 3, "client bytes_received")
    h.ok("-i on loopback: rtt %s ms, cwnd %d, cc %s, bytes counted" %
         (c["rtt"], c["cwnd"], c["cc"]))

    h.check_eq(s["rmem"] > 0, True, "server rmem counts the 7 unread bytes", s)
    h.check(s["rcvbuf"] > 0 and s["sndbuf"] > 0 and s["drops"] == 0, "-m sizes", s)
    me = pwd.getpwuid(os.getuid()).pw_name
    h.check_eq(c["user"], me, "-e user of our socket")
    h.check_eq(c["uid"], os.getuid(), "-e uid of our socket")
    h.check(isinstance(c["inode"], int) and c["inode"] > 0, "-e inode", c)
    h.ok("-m and -e on our sockets")

    for e in (tw, req):
        r = rows.get((e["local"], e["remote"]))
        h.check(r is not None, "%s listed" % e["state"], json.dumps(list(rows)))
        # numbers are null; a string column (cc) says "-" as in the table
        bad = {k: r[k] for k in INFO + MEM if r.get(k) not in (None, "-")}
        h.check(not bad, "%s has no tcp_info or skmem, yet shows values" % e["state"], bad)
    h.check(rows[(tw["local"], tw["remote"])]["user"] in (None, "-"), "TIME_WAIT has no user",
            rows[(tw["local"], tw["remote"])])
    out = h.run_ok(["-i", "-m", "state", "time-wait"])
    lines = out.rstrip("\n").split("\n")
    h.check(len(lines) == 2, "one TIME_WAIT row", out)
    cells = lines[1].split()[6:]
    h.check_eq(cells, ["-"] * (len(INFO) + len(MEM)), "TIME_WAIT row: every cell '-'", out)
    h.ok("TIME_WAIT and SYN_RCVD requests: tcp_info and skmem absent, not zero")

    if not shutil.which("ss"):
        print("ss not found: not compared")
        fx.stop()
        return
    ssi, ssm, sse = ss_lines("i"), ss_lines("m"), ss_lines("e")
    compared = 0
    for key, r in rows.items():
        if r["state"] not in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT"):
            continue
        line = ssi.get(key)
        if not line:
            continue
        m = re.search(r" cwnd:(\d+)", line)
        if m and not re.search(r"(unacked|retrans):", line):
            h.check_eq(r["cwnd"], int(m.group(1)), "cwnd of %s vs ss -i" % (key,), line)
        h.check(r["cc"] and (" %s " % r["cc"]) in (" " + line + " "),
                "congestion control of %s vs ss -i" % (key,), line, r)
        m = re.search(r"skmem:\(r(\d+),rb(\d+),t\d+,tb(\d+)", ssm.get(key, ""))
        h.check(m, "ss -m shows skmem for %s" % (key,), ssm.get(key))
        h.check_eq((r["rcvbuf"], r["sndbuf"]), (int(m.group(2)), int(m.group(3))),
                   "rcvbuf/sndbuf of %s vs ss -m" % (key,))
        m = re.search(r" ino:(\d+) sk:([0-9a-f]+)", sse.get(key, ""))
        h.check(m, "ss -e shows ino and sk for %s" % (key,), sse.get(key))
        h.check_eq((r["inode"], r["cookie"]), (int(m.group(1)), m.group(2)),
                   "inode and cookie of %s vs ss -e" % (key,))
        compared += 1
    h.check(compared >= 8, "compared at least 8 sockets with ss (got %d)" % compared)
    h.ok("cwnd, cc, rcvbuf, sndbuf, inode and cookie agree with ss on %d sockets" % compared)
    fx.stop()


if __name__ == "__main__":
    main()
