#!/usr/bin/python3
"""test_netns.py - -N TARGET and --all-netns: the right sockets, in the right namespace.

The test makes two named namespaces (`ip netns add`, so they appear in /run/netns; the names
carry our PID and are deleted however the test ends), each with its own listener held by
test_netns_helper.py, and a third listener in the test's own private namespace. Then:
-N NAME, -N /run/netns/NAME and -N PID each show only their namespace's sockets; --all-netns
shows all three with the right Netns label; filters, -p, -s and --hist netns,state work
across namespaces; -K and --doctor act inside the namespace given; and without
CAP_SYS_ADMIN -N fails with one line while --all-netns notes what it skipped.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_netns_helper.py")
PORT_SELF, PORT_A, PORT_B = 25000, 25100, 25200
NAMES = []  # namespaces we created, deleted at exit


def delete_namespaces():
    h.cleanup()  # the helpers first: a namespace with processes in it lingers
    while NAMES:
        subprocess.run(["ip", "netns", "del", NAMES.pop()], capture_output=True)


def on_signal(signum, frame):
    delete_namespaces()
    os._exit(128 + signum)


def make_namespace(name, port):
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if r.returncode != 0:
        h.skip("cannot create a named network namespace: " + r.stderr.strip())
    NAMES.append(name)
    p = h.track(subprocess.Popen(["ip", "netns", "exec", name, h.PYTHON, HELPER, str(port)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    line = p.stdout.readline().strip()
    h.check_eq(line, "ready", "the helper in %s did not start" % name)
    return p


def without_cap(cap, args):
    """argv that runs tcpstate args with cap dropped (capsh or setpriv), or None."""
    if shutil.which("capsh"):
        return ["capsh", "--drop=cap_" + cap, "--", "-c",
                'exec "$0" "$@"', h.binary()] + args
    if shutil.which("setpriv"):
        return ["setpriv", "--inh-caps=-" + cap, "--bounding-set=-" + cap, "--",
                h.binary()] + args
    return None


def run_argv(argv):
    e = dict(os.environ, LC_ALL="C", NO_COLOR="1", COLUMNS="200")
    e.pop("TCPSTATE_IN_NETNS", None)
    r = subprocess.run(argv, capture_output=True, text=True, env=e, timeout=h.RUN_TIMEOUT)
    return r.returncode, r.stdout, r.stderr


def local_ports(rows):
    return sorted(r["key"][1][1] for r in rows)


def parse_netns_table(out):
    """The listing with a Netns column last: [(proto, local, foreign, state, netns)]."""
    lines = out.splitlines()
    h.check(lines and re.match(r"^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address"
                               r"\s+State\s+Netns\s*$", lines[0]),
            "--all-netns should add a Netns column at the end of the header", out)
    # Another test may run beside this one, listening on the same ports in a namespace of
    # its own, which --all-netns rightly shows as INODE(PID/name). The named namespaces
    # are all ours (/run/netns is private to this test); of the unnamed ones only this
    # test's own namespace counts.
    self_ino = os.stat("/proc/self/ns/net").st_ino
    rows = []
    for line in lines[1:]:
        f = line.split()
        h.check(len(f) >= 7, "cannot parse --all-netns line", line)
        netns = " ".join(f[6:])
        if re.match(r"^\d+\(", netns) and not netns.startswith("%d(" % self_ino):
            continue
        rows.append({"local": f[3], "foreign": f[4], "state": f[5], "netns": netns,
                     "line": line})
    return rows


def test_single(name, port, pid):
    for target in (name, "/run/netns/" + name, str(pid)):
        args = ["-l", "-N", target]
        out = h.run_ok(args)
        rows = h.parse_table(out)
        h.check_eq(local_ports(rows), [port, port + 10, port + 20],
                   "tcpstate %s lists exactly the namespace's listeners" % " ".join(args), out)
        h.check("Netns" not in out.split("\n")[0], "-N alone adds no Netns column", out)
    h.ok("-N %s, -N /run/netns/%s and -N %d show only that namespace's listeners"
         % (name, name, pid))
    out = h.run_ok(["-N", name, "-p", "--sport", str(port + 10)])
    rows = h.parse_table(out)
    h.check(len(rows) == 1 and rows[0]["owners"] == "%d/python3" % pid,
            "-N %s -p names the helper as the owner of its connection" % name, out)
    h.ok("-N with -p and a port filter: owner %d/python3" % pid)


def test_all_netns(names, inos):
    # other tests' namespaces come and go: look only at our ports
    out = h.run_ok(["-l", "--all-netns", "--sport", "%d-%d" % (PORT_SELF, PORT_B + 99)])
    rows = parse_netns_table(out)
    self_ino = os.stat("/proc/self/ns/net").st_ino
    want = {PORT_SELF: None, PORT_A: names[0], PORT_B: names[1],
            PORT_A + 20: names[0], PORT_B + 20: names[1]}
    for port, label in want.items():
        mine = [r for r in rows if r["local"] == "127.0.0.1:%d" % port]
        if label is None:
            mine = [r for r in mine if r["netns"].startswith("%d(" % self_ino)]
            h.check_eq(len(mine), 1, "our own namespace's listener on %d, labelled "
                       "INODE(hint) with inode %d" % (port, self_ino), out)
        else:
            h.check_eq([r["netns"] for r in mine], [label],
                       "the listener on %d is listed once, in namespace %s" % (port, label),
                       out)
    for name, ino in zip(names, inos):
        h.check(not any(r["netns"].startswith("%d(" % ino) for r in rows),
                "namespace %s (inode %d) must be listed by name only, not also by inode"
                % (name, ino), out)
    h.ok("--all-netns: each listener once, with the Netns column naming its namespace")

    out = h.run_ok(["--all-netns", "-l", "--sport", str(PORT_B)])
    rows = parse_netns_table(out)
    h.check_eq([(r["local"], r["netns"]) for r in rows], [("127.0.0.1:%d" % PORT_B, names[1])],
               "--all-netns with a port filter finds the listener in %s only" % names[1], out)
    h.ok("--all-netns with a filter")


def test_counts(names):
    """-s and --hist netns,state count across namespaces."""
    ports = "%d,%d" % (PORT_A + 10, PORT_B + 10)
    out = h.run_ok(["--hist", "netns,state", "--all-netns", "-a", "--port", ports])
    got = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] in names:
            got[(f[0], f[1])] = int(f[2])
    want = {(n, st): c for n in names for st, c in (("ESTABLISHED", 2), ("LISTEN", 1))}
    h.check_eq(got, want, "--hist netns,state --all-netns counts each namespace's sockets",
               out)
    h.ok("--hist netns,state: 2 ESTABLISHED and 1 LISTEN in each namespace")
    out = h.run_ok(["-s", "-N", names[1], "--port", str(PORT_B + 10)])
    m = re.search(r"^ESTABLISHED\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    h.check(m is not None and int(m.group(3)) == 2,
            "-s -N %s counts the two ends of its connection as ESTABLISHED" % names[1], out)
    h.ok("-s -N counts the namespace's sockets")


def test_kill_doctor(names, helpers):
    rc, out, err = h.run(["--doctor", "-N", names[1]])
    h.check_eq(rc, 3, "--doctor -N %s finds the full accept queue (exit 3)" % names[1],
               err, out)
    h.check(re.search(r"^accept-queue: listener 127\.0\.0\.1:%d " % (PORT_B + 20), out, re.M),
            "--doctor names the listener whose accept queue is full", out)
    h.ok("--doctor -N reports the namespace's full accept queue")

    rc, out, err = h.run(["-K", "-N", names[0], "--dport", str(PORT_A + 10)])
    h.check_eq(rc, 0, "-K -N %s --dport %d exits 0" % (names[0], PORT_A + 10), err, out)
    h.check(re.search(r"^destroyed .*127\.0\.0\.1:%d\s+ESTABLISHED" % (PORT_A + 10), out, re.M),
            "-K reports the destroyed connection", out)
    helpers[0].stdin.write("recv\n")
    helpers[0].stdin.flush()
    h.check_eq(helpers[0].stdout.readline().strip(), "reset",
               "the peer inside %s sees a reset after -K -N" % names[0])
    helpers[1].stdin.write("recv\n")
    helpers[1].stdin.flush()
    h.check_eq(helpers[1].stdout.readline().strip(), "alive",
               "the same port in %s is untouched" % names[1])
    h.ok("-K -N destroys the connection inside that namespace only")


def test_errors(names):
    rc, out, err = h.run(["-N", "tsnone%d" % os.getpid()])
    h.check(rc == 1 and out == "" and err.count("\n") == 1 and "'tsnone" in err,
            "-N with an unknown name: one line naming it, exit 1", err, out)
    rc, out, err = h.run(["-N", "/etc/hostname"])
    h.check(rc == 2 and out == "" and "'/etc/hostname'" in err and "not a network namespace"
            in err, "-N FILE that is not a namespace: exit 2", err, out)
    h.ok("-N errors: unknown name (exit 1), not a namespace (exit 2)")

    argv = without_cap("sys_admin", ["-l", "-N", names[0]])
    if argv is None:
        h.ok("SKIP part: neither capsh nor setpriv to drop CAP_SYS_ADMIN")
        return
    rc, out, err = run_argv(argv)
    h.check(rc == 1 and out == "" and err.count("\n") == 1 and "CAP_SYS_ADMIN" in err,
            "-N without CAP_SYS_ADMIN: one line naming the capability, exit 1", err, out)
    rc, out, err = run_argv(without_cap("sys_admin", ["-l", "--all-netns"]))
    h.check_eq(rc, 0, "--all-netns without CAP_SYS_ADMIN still shows what it can", err, out)
    h.check("127.0.0.1:%d" % PORT_SELF in out, "our own namespace needs no setns", out)
    h.check("127.0.0.1:%d" % PORT_A not in out, "%s cannot be entered" % names[0], out)
    h.check(re.search(r"note: skipped \d+ network namespaces? .*CAP_SYS_ADMIN", err),
            "--all-netns notes what it skipped and why", err)
    h.ok("without CAP_SYS_ADMIN: -N fails with one line, --all-netns notes the skipped")


def main():
    h.enter_netns(private_run_netns=True)
    h.binary()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        own = socket.socket()
        own.bind(("127.0.0.1", PORT_SELF))
        own.listen()
        names = ["tsnsA%d" % os.getpid(), "tsnsB%d" % os.getpid()]
        helpers = [make_namespace(names[0], PORT_A), make_namespace(names[1], PORT_B)]
        inos = [os.stat("/run/netns/" + n).st_ino for n in names]
        test_single(names[0], PORT_A, helpers[0].pid)
        test_single(names[1], PORT_B, helpers[1].pid)
        test_all_netns(names, inos)
        test_counts(names)
        test_errors(names)
        test_kill_doctor(names, helpers)
    finally:
        delete_namespaces()


if __name__ == "__main__":
    main()
