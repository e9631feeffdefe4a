#!/usr/bin/python3
"""test_trust.py - issue 11: never a silent wrong, hidden or unsafe answer.

--record writes safely; owners the scan could not look up are said to be unknown; sockets
without an owner show none; IPv6 scopes and dual-stack listeners are told apart; owner
filters select every state; -K explains what it cannot do; --doctor and -K have machine
forms; output errors stop at once.
"""

import json
import os
import socket
import stat
import sys
import shutil
import subprocess
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402


def test_record():
    """A new 0600 file, renamed into place: never through a symlink, never into a link."""
    old = os.umask(0)
    d = tempfile.mkdtemp(prefix="tcpstate-rec-")
    os.chmod(d, 0o1777)
    try:
        path = os.path.join(d, "dump")
        h.run_ok(["--record", path])
        st = os.lstat(path)
        h.check(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600,
                "--record makes a regular file of mode 0600 whatever the umask: %o"
                % st.st_mode)
        h.run_ok(["--replay", path])
        # an existing regular file with a second hard link: replaced, the link untouched
        other = os.path.join(d, "other")
        with open(other, "w") as f:
            f.write("keep")
        os.unlink(path)
        os.link(other, path)
        h.run_ok(["--record", path])
        with open(other) as f:
            h.check_eq(f.read(), "keep", "--record wrote through a hard link")
        h.check(os.stat(path).st_ino != os.stat(other).st_ino, "the name is a new file")
        # a symlink, dangling or not: refused, the target neither created nor written
        for target in (os.path.join(d, "victim"), other):
            os.unlink(path)
            os.symlink(target, path)
            rc, out, err = h.run(["--record", path])
            h.check(rc == 1 and "not a regular file" in err and not out,
                    "--record through a symlink: exit %d %r" % (rc, err))
            h.check(os.path.islink(path), "the symlink is left alone")
        h.check(not os.path.exists(os.path.join(d, "victim")), "dangling target made")
        with open(other) as f:
            h.check_eq(f.read(), "keep", "--record wrote through a symlink")
        left = [n for n in os.listdir(d) if n not in ("dump", "other")]
        h.check_eq(left, [], "temporary files left behind")
    finally:
        os.umask(old)
        for n in os.listdir(d):
            os.unlink(os.path.join(d, n))
        os.rmdir(d)
    h.ok("--record: mode 0600, replaced by rename, symlinks refused, hard links untouched")


def wait_until(what, cond, timeout=30.0):
    """Poll cond() until it holds; fail after timeout seconds (a loaded machine is slow)."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            h.fail("timed out waiting for " + what)
        time.sleep(0.05)


def json_rows(args):
    return json.loads(h.run_ok(args + ["-j"]))["sockets"]


def test_ownerless():
    """Request sockets and TIME_WAIT have no user: '-', JSON null, never 'user root'."""
    port = 24600
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 60)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    c = socket.create_connection(("127.0.0.1", port))  # no data: stays a request
    tw_l = socket.socket()
    tw_l.bind(("127.0.0.1", port + 1))
    tw_l.listen(1)
    tw_c = socket.create_connection(("127.0.0.1", port + 1))
    tw_s, _ = tw_l.accept()
    tw_c.close()  # the client closes first: its end goes to TIME_WAIT
    tw_s.settimeout(30)
    h.check(tw_s.recv(1) == b"", "the server sees the client's FIN")
    tw_s.close()
    want = {"SYN_RCVD", "TIME_WAIT"}

    def ownerless():
        rows = json_rows(["-a", "-e", "--port", "%d-%d" % (port, port + 1)])
        got = {r["state"]: r for r in rows if r["state"] in want}
        return got if set(got) == want else None
    got = wait_until("a SYN_RCVD request and a TIME_WAIT socket", ownerless)
    for st, r in got.items():
        h.check(r["user"] is None and r["uid"] is None,
                "%s: JSON user/uid must be null: %r" % (st, r))
    out = h.run_ok(["-a", "-e", "-H", "--port", "%d-%d" % (port, port + 1)])
    for line in out.splitlines():
        f = line.split()
        if f[5] in want:
            h.check(f[6] == "-" and f[7] == "-", "%s: user and uid '-'" % f[5], out)
    rows = json_rows(["-a", "--port", "%d-%d" % (port, port + 1), "user", "0"])
    states = sorted(r["state"] for r in rows)
    h.check(not want & set(states), "'user 0' selects sockets nobody owns", states)
    h.check("LISTEN" in states, "'user 0' keeps root's listeners", states)
    for s in (ls, c, tw_l):
        s.close()
    h.ok("SYN_RCVD request and TIME_WAIT: user '-', JSON null, not selected by 'user 0'")


def test_scan_fail():
    """Out of descriptors during the owner scan: said on stderr; -K refuses to guess."""
    if h.wrapper() or not shutil.which("prlimit"):
        print("skip - scanfail needs prlimit and no wrapper (valgrind opens descriptors)")
        return
    port = 24610
    ls = socket.socket()
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    noted = 0
    for n in range(4, 12):
        argv = ["prlimit", "--nofile=%d" % n, h.binary()]
        r = subprocess.run(argv + ["-a", "-p", "-H", "sport", str(port)],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            continue  # too few descriptors to dump at all: an error, not a lie
        known = "%d/" % os.getpid() in r.stdout
        unknown = "could not be examined" in r.stderr
        h.check(known or unknown, "nofile=%d: owner lost without a word" % n,
                r.stdout, r.stderr)
        noted += unknown
        r = subprocess.run(argv + ["-a", "-K", "--dry-run", "sport", str(port), "and",
                                   "not", "pid", str(os.getpid())],
                           capture_output=True, text=True, timeout=60)
        h.check("would destroy" not in r.stdout,
                "nofile=%d: -K selects a socket whose owner it could not look up" % n,
                r.stdout, r.stderr)
        if unknown:
            h.check(r.returncode == 1 and "refusing to destroy" in r.stderr,
                    "nofile=%d: -K with an owner filter must refuse" % n, r.stderr)
    h.check(noted > 0, "no descriptor limit made the owner scan fail")
    ls.close()
    h.ok("owner scan out of descriptors: a note on stderr (%d limits); -K refuses" % noted)


def test_scope():
    """Link-local listeners on two interfaces; dual-stack and v6-only listeners on [::]."""
    r = subprocess.run(["ip", "link", "add", "tsv0", "type", "veth", "peer", "name", "tsv1"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("skip - scope: cannot make a veth pair: " + r.stderr.strip())
        return
    for cmd in (["ip", "link", "set", "tsv0", "up"], ["ip", "link", "set", "tsv1", "up"],
                ["ip", "addr", "add", "fe80::1/64", "dev", "lo"],
                ["ip", "addr", "add", "fe80::1/64", "dev", "tsv0", "nodad"]):
        subprocess.run(cmd, check=True, capture_output=True)
    port = 24620
    socks = []
    for dev in ("lo", "tsv0"):
        s = socket.socket(socket.AF_INET6)
        s.bind(("fe80::1", port, 0, socket.if_nametoindex(dev)))
        s.listen(4)
        socks.append(s)
    for v6only, p in ((0, port + 1), (1, port + 2)):
        s = socket.socket(socket.AF_INET6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
        s.bind(("::", p))
        s.listen(4)
        socks.append(s)
    spec = "%d-%d" % (port, port + 2)
    out = h.run_ok(["-l", "-H", "--sport", spec, "--columns", "local,foreign,iface,v6only"])
    lines = sorted(" ".join(line.split()) for line in out.splitlines())
    h.check_eq(lines, sorted([
        "[fe80::1%%lo]:%d [::]:* lo yes" % port,
        "[fe80::1%%tsv0]:%d [::]:* tsv0 yes" % port,
        "*:%d *:* - no" % (port + 1),
        "[::]:%d [::]:* - yes" % (port + 2)]), "scopes, interfaces, dual-stack", out)
    rows = json_rows(["-l", "--sport", spec, "--columns", "local,iface,v6only"])
    by_local = {r["local"]: r for r in rows}
    h.check_eq(by_local.get("*:%d" % (port + 1)), {"local": "*:%d" % (port + 1),
               "iface": None, "v6only": False}, "JSON: dual-stack", rows)
    h.check_eq(by_local.get("[::]:%d" % (port + 2), {}).get("v6only"), True,
               "JSON: v6only", rows)
    for word, dev in (("fe80::1%lo", "lo"), ("[fe80::1%%tsv0]:%d" % port, "tsv0"),
                      ("fe80::1%%%d" % socket.if_nametoindex("lo"), "lo")):
        rows = json_rows(["-l", "--columns", "local,iface", "src", word])
        h.check_eq([r["iface"] for r in rows], [dev], "filter src %s" % word, rows)
    rc, out, err = h.run(["-l", "src", "fe80::1%nosuchif"])
    h.check(rc == 2 and "unknown interface 'nosuchif'" in err, "unknown scope", err)
    for s in socks:
        s.close()
    subprocess.run(["ip", "link", "del", "tsv0"], capture_output=True)
    h.ok("[fe80::1%lo] and [fe80::1%tsv0] apart; 'src fe80::1%lo'; *:PORT dual-stack; "
         "iface and v6only columns")


def test_owner_states():
    """--pid/--process/--user select every state unless a state option or term is given."""
    port = 24640
    ls = socket.socket()
    ls.bind(("127.0.0.1", port))
    ls.listen(4)
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = ls.accept()
    bound = socket.socket()
    bound.bind(("127.0.0.1", port + 1))
    me = str(os.getpid())
    spec = "%d-%d" % (port, port + 1)

    def states(args):
        return sorted(r["state"] for r in json_rows(args + ["--port", spec]))
    every = ["CLOSED", "ESTABLISHED", "ESTABLISHED", "LISTEN"]
    h.check_eq(states(["--pid", me]), every, "--pid selects every state")
    h.check_eq(states(["pid", me]), every, "'pid' selects every state")
    h.check_eq(states(["--process", "python3"]), every, "--process selects every state")
    h.check_eq(states(["--user", "0"]), every, "--user selects every state")
    h.check_eq(states(["--pid", me, "--state", "established"]),
               ["ESTABLISHED", "ESTABLISHED"], "a state option narrows it")
    h.check_eq(states(["pid", me, "and", "state", "listen"]), ["LISTEN"],
               "a state term narrows it")
    h.check_eq(states(["-l", "--pid", me]), ["LISTEN"], "-l narrows it")
    h.check_eq(states([]), ["ESTABLISHED", "ESTABLISHED"], "no owner filter: connected")
    for s in (ls, c, a, bound):
        s.close()
    h.ok("owner filters select every state (CLOSED, LISTEN, ESTABLISHED) unless narrowed")


def test_kill_closed():
    """-K on a bound-only socket says the kernel cannot destroy it, not that it is gone."""
    port = 24650
    b = socket.socket()
    b.bind(("127.0.0.1", port))
    rc, out, err = h.run(["-K", "state", "closed", "and", "sport", str(port)])
    if "CONFIG_INET_DIAG_DESTROY" in err:
        print("skip - killclosed: the kernel lacks CONFIG_INET_DIAG_DESTROY")
        return
    h.check(rc == 1 and "cannot destroy a bound-only (CLOSED) socket" in err
            and "already gone" not in out + err, "-K state closed: exit %d" % rc, out, err)
    b.close()
    h.ok("-K state closed: the kernel cannot destroy bound-only sockets (exit 1)")


TESTS = [("ownerstates", test_owner_states, False), ("killclosed", test_kill_closed, True),
         ("scope", test_scope, True), ("scanfail", test_scan_fail, False), ("record", test_record, False), ("ownerless", test_ownerless, True)]


def main():
    """Run every test, or the ones named on the command line; root-only ones need root."""
    h.enter_netns()
    only = sys.argv[1:]
    for name, fn, root in TESTS:
        if only and name not in only:
            continue
        if root and os.geteuid() != 0:
            print("skip - %s needs root" % name)
            continue
        fn()


if __name__ == "__main__":
    main()
