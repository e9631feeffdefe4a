#!/usr/bin/python3
"""test_kill.py - -K destroys exactly the sockets the filter selects; --dry-run destroys none.

In a private namespace: a connection to 127.0.0.1:24000 (the target) and one to :24001 (a
bystander). --dry-run lists the target and leaves it working; -K --dport 24000 destroys the
client end, so the server end sees a reset, while the bystander keeps working; ss agrees.
-K without a filter refuses (exit 2); without CAP_NET_ADMIN every destroy fails, the report
says why, and the exit status is 1.
"""

import os
import re
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

TARGET, BYSTANDER, NOCAP = 24000, 24001, 24002


def pair(port):
    ls = socket.socket()
    ls.bind(("127.0.0.1", port))
    ls.listen()
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    server, _ = ls.accept()
    server.settimeout(2)
    client.settimeout(2)
    return ls, client, server


def alive(client, server):
    """Data goes both ways."""
    try:
        client.sendall(b"ping")
        if server.recv(4) != b"ping":
            return False
        server.sendall(b"pong")
        return client.recv(4) == b"pong"
    except OSError:
        return False


def ss_ports():
    """(local port, peer port) of every ESTABLISHED socket ss sees."""
    r = subprocess.run(["ss", "-tnH", "state", "established"], capture_output=True,
                       text=True, timeout=h.RUN_TIMEOUT)
    out = set()
    for line in r.stdout.splitlines():
        f = line.split()
        out.add((int(f[2].rsplit(":", 1)[1]), int(f[3].rsplit(":", 1)[1])))
    return out


def report_rows(out):
    """Result lines of the -K report: [(result, local, foreign, state, why)]."""
    lines = out.splitlines()
    h.check(lines and re.match(r"^Result\s+Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+"
                               r"Foreign Address\s+State", lines[0]),
            "the -K report starts with its header", out)
    rows = []
    for line in lines[1:]:
        m = re.match(r"^(would destroy|not destroyed|destroyed)\s+tcp6?\s+\d+\s+\d+\s+(\S+)\s+"
                     r"(\S+)\s+(\S+)\s*(.*)$", line)
        h.check(m is not None, "cannot parse -K report line", line, out)
        rows.append(m.groups())
    return rows


def test_refuses():
    rc, out, err = h.run(["-K"])
    h.check(rc == 2 and out == "" and err.count("\n") == 1 and "filter" in err,
            "-K without a filter refuses with one line and exit 2", err, out)
    h.ok("-K without a filter refuses (exit 2)")


def test_dry_run(target, bystander):
    rc, out, err = h.run(["-K", "--dry-run", "--dport", str(TARGET)])
    h.check_eq(rc, 0, "-K --dry-run exits 0", err, out)
    rows = report_rows(out)
    local = "127.0.0.1:%d" % target[1].getsockname()[1]
    h.check_eq(rows, [("would destroy", local, "127.0.0.1:%d" % TARGET, "ESTABLISHED", "")],
               "--dry-run lists exactly the client end of the target connection", out)
    h.check(alive(target[1], target[2]), "--dry-run must not destroy anything")
    h.check((TARGET, target[1].getsockname()[1]) in ss_ports(),
            "ss still sees the target connection after --dry-run")
    h.ok("--dry-run lists the target and destroys nothing")


def test_kill(target, bystander):
    cport = target[1].getsockname()[1]
    rc, out, err = h.run(["-K", "--dport", str(TARGET)])
    h.check_eq(rc, 0, "-K --dport %d exits 0" % TARGET, err, out)
    rows = report_rows(out)
    h.check_eq(rows, [("destroyed", "127.0.0.1:%d" % cport, "127.0.0.1:%d" % TARGET,
                       "ESTABLISHED", "")], "-K reports the one socket it destroyed", out)
    try:
        data = target[2].recv(16)
        h.fail("the peer of the destroyed socket should see a reset, read %r" % data)
    except ConnectionResetError:
        pass
    except socket.timeout:
        h.fail("the peer of the destroyed socket saw nothing (no reset within 2 s)")
    h.check(alive(bystander[1], bystander[2]), "the bystander connection must survive")
    ports = ss_ports()
    h.check((cport, TARGET) not in ports, "ss must no longer see the destroyed socket",
            repr(sorted(ports)))
    h.check((BYSTANDER, bystander[1].getsockname()[1]) in ports,
            "ss still sees the bystander", repr(sorted(ports)))
    h.ok("-K --dport %d destroyed exactly the target; its peer got a reset" % TARGET)


def test_no_cap():
    nocap = pair(NOCAP)
    if shutil.which("capsh"):
        argv = ["capsh", "--drop=cap_net_admin", "--", "-c", 'exec "$0" "$@"', h.binary()]
    elif shutil.which("setpriv"):
        argv = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--",
                h.binary()]
    else:
        h.ok("SKIP part: neither capsh nor setpriv to drop CAP_NET_ADMIN")
        return
    argv += ["-K", "--port", str(NOCAP)]
    e = dict(os.environ, LC_ALL="C", NO_COLOR="1")
    e.pop("TCPSTATE_IN_NETNS", None)
    r = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=h.RUN_TIMEOUT)
    h.check_eq(r.returncode, 1, "-K without CAP_NET_ADMIN exits 1", r.stderr, r.stdout)
    rows = report_rows(r.stdout)
    h.check(len(rows) == 2 and all(x[0] == "not destroyed" and "CAP_NET_ADMIN" in x[4]
                                   for x in rows),
            "each socket is reported as not destroyed because CAP_NET_ADMIN is missing",
            r.stdout)
    h.check(r.stderr.count("\n") == 1 and "could not destroy 2 of 2 sockets" in r.stderr
            and "CAP_NET_ADMIN" in r.stderr, "one line on stderr sums it up", r.stderr)
    h.check(alive(nocap[1], nocap[2]), "nothing may be destroyed without CAP_NET_ADMIN")
    h.ok("without CAP_NET_ADMIN: each socket 'not destroyed: CAP_NET_ADMIN is missing', "
         "exit 1")


def main():
    h.enter_netns()
    h.binary()
    if not shutil.which("ss"):
        h.skip("ss (iproute2) is needed as the oracle")
    target, bystander = pair(TARGET), pair(BYSTANDER)
    test_refuses()
    test_dry_run(target, bystander)
    test_kill(target, bystander)
    test_no_cap()


if __name__ == "__main__":
    main()
