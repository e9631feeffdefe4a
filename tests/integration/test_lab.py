#!/usr/bin/python3
"""test_lab.py - --lab builds all 11 states in a namespace of its own and leaves nothing.

Runs `tcpstate --lab` with a pipe on stdin (it holds the lab until end of file), finds the
holder (its child) and asks ss inside the holder's namespace (nsenter -t PID -n) for the
10 states ss can see; CLOSED (bound only) through `tcpstate -N PID -a`. Then ends the lab
by end of file, by SIGINT and by SIGTERM and checks that no process, no namespace and no
socket is left. Last, the unprivileged cases: as nobody it works in a user namespace or
exits 1 with one line; with user namespaces forbidden it must exit 1 with one line.
"""

import os
import pty
import pwd
import select
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

DEADLINE = 30.0  # the machine is loaded: generous, but every wait polls a condition
WANT = set(h.STATES) - {"CLOSED"}  # what ss can see
LAB_PORTS = {str(p) for p in range(7000, 8000)}


def wait_for(what, cond, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            h.fail("timed out waiting for " + what)
        time.sleep(0.02)


def env():
    e = dict(os.environ)
    e.pop("TCPSTATE_IN_NETNS", None)
    e.update({"LC_ALL": "C", "NO_COLOR": "1", "COLUMNS": "200"})
    return e


def start(args=()):
    argv = h.wrapper() + [h.binary(), "--lab"] + list(args)
    return h.track(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env()))


def states_seen(pid):
    return {s for s, _, _ in h.ss_in_netns(pid)}


def up(p):
    """Wait for the holder and all its states; returns (holder pid, netns id)."""
    kids = wait_for("the lab's holder process", lambda: p.poll() is None and
                    h.children_of(p.pid) or (p.poll() is not None and [-1]))
    if kids == [-1]:
        h.fail("tcpstate --lab exited %d early" % p.returncode, p.stderr.read().decode())
    holder = kids[0]
    ident = os.readlink("/proc/%d/ns/net" % holder)
    h.check(ident != os.readlink("/proc/self/ns/net"),
            "the holder is in the test's own namespace")
    wait_for("all states in the lab's namespace",
             lambda: WANT <= states_seen(holder) or None)
    return holder, ident


def kernel_lists_bound():
    """Linux 6.8 added bound-only (CLOSED) sockets to sock_diag dumps."""
    import re
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (6, 8)


def check_closed(holder):
    if not kernel_lists_bound():
        print("# kernel %s lists no bound-only sockets: CLOSED not checked" %
              os.uname().release)
        return
    rc, out, err = h.run(["-N", str(holder), "-a", "--state", "closed"])
    h.check(rc == 0, "tcpstate -N %d exited %d" % (holder, rc), err)
    h.check("127.0.0.1:7000" in out and "CLOSED" in out,
            "the bound-only socket is not in the lab's namespace", out)


def check_gone(holder, ident, p):
    h.check(not os.path.exists("/proc/%d" % holder), "the holder %d is left" % holder)
    h.check(h.netns_holders(ident) == [], "the lab's namespace %s is left" % ident)
    h.check(p.pid not in h.children_of(os.getpid()) or p.poll() is not None,
            "tcpstate is still running")
    mine = [x for x in h.ss_in_netns(os.getpid()) if x[1].split(":")[-1] in LAB_PORTS]
    h.check(mine == [], "lab sockets in the test's own namespace", repr(mine))


def finish(p, how):
    if how == "eof":
        p.stdin.close()
        p.stdin = None  # communicate() must not flush it
    else:
        p.send_signal(how)
    try:
        out, err = p.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        h.fail("tcpstate --lab did not end after %s" % how)
    return p.returncode, out.decode(), err.decode()


def test_lab():
    p = start()
    holder, ident = up(p)
    h.ok("ss in the lab's namespace sees all of %s" % ", ".join(sorted(WANT)))
    check_closed(holder)
    h.ok("tcpstate -N %d -a shows the bound-only CLOSED socket" % holder)
    rc, out, err = finish(p, "eof")
    h.check_eq(rc, 0, "exit status after end of file", err)
    for s in h.STATES if kernel_lists_bound() else WANT:
        h.check(s in out, "the listing lacks %s" % s, out)
    h.check("tcpstate-lab" in out, "the listing does not show the holder as owner", out)
    check_gone(holder, ident, p)
    h.ok("end of file: listing with every state and owners; nothing left behind")


def test_signal(sig):
    p = start(["-s"])
    holder, ident = up(p)
    rc, out, err = finish(p, sig)
    h.check_eq(rc, 0, "exit status after %s" % signal.Signals(sig).name, err)
    h.check("ESTABLISHED" in out, "the -s summary is missing", out)
    check_gone(holder, ident, p)
    h.ok("%s: torn down, nothing left behind" % signal.Signals(sig).name)


def test_views():
    for args, word in ((["--diagram"], "SYN_RCVD"), (["-o"], "timewait"),
                       (["--format", "json"], '"TIME_WAIT"')):
        rc, out, err = h.run(["--lab"] + args, timeout=DEADLINE)
        h.check_eq(rc, 0, "tcpstate --lab %s" % " ".join(args), err)
        h.check(word in out, "--lab %s lacks %r" % (" ".join(args), word), out)
    rc, out, err = h.run(["--lab", "--doctor"], timeout=DEADLINE)
    h.check_eq(rc, 3, "tcpstate --lab --doctor finds the full accept queue", err + out)
    h.check("accept-queue" in out, "--lab --doctor lacks the accept-queue finding", out)
    h.ok("--lab with --diagram, -o, --format json and --doctor (exit 3)")


def test_terminal():
    """On a terminal: a prompt, Enter for the next step, Ctrl-C tears the lab down."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop("TCPSTATE_IN_NETNS", None)
        os.execv(h.binary(), [h.binary(), "--lab", "close"])
    buf = [b""]

    def seen(text):
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                buf[0] += os.read(fd, 65536)
            except OSError:
                pass
        return text.encode() in buf[0]

    try:
        wait_for("the first prompt", lambda: seen("Enter: step 2/4"))
        h.check(b"Step 2/4" not in buf[0], "step 2 ran before Enter", buf[0].decode())
        holder = h.children_of(pid)[0]
        ident = os.readlink("/proc/%d/ns/net" % holder)
        os.write(fd, b"\n")
        wait_for("step 2 after Enter", lambda: seen("Enter: step 3/4"))
        h.check(b"FIN_WAIT_2" in buf[0], "step 2 shows no FIN_WAIT_2", buf[0].decode())
        os.write(fd, b"\x03")  # the terminal sends SIGINT to the foreground group
        wait_for("tcpstate to end after Ctrl-C",
                 lambda: os.waitpid(pid, os.WNOHANG)[0] == pid)
        pid = None
        wait_for("the namespace to go", lambda: h.netns_holders(ident) == [])
        h.check(not os.path.exists("/proc/%d" % holder), "the holder is left")
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    h.ok("terminal: waits for Enter between steps; Ctrl-C leaves nothing behind")


def unprivileged_argv():
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return None
    if not shutil.which("setpriv"):
        return None
    return ["setpriv", "--reuid=nobody", "--regid=%d" % pwd.getpwnam("nobody").pw_gid,
            "--clear-groups"]


def check_one_line_failure(rc, out, err, what):
    h.check_eq(rc, 1, what + ": exit status", err)
    h.check_eq(out, "", what + ": stdout")
    lines = err.strip("\n").split("\n")
    h.check(len(lines) == 1 and "needs a network namespace" in lines[0],
            what + ": not one line saying what is needed", err)


def test_unprivileged():
    pre = unprivileged_argv()
    if pre is None:
        print("# no nobody user or setpriv: unprivileged case not run")
        return
    binary = h.binary()
    if subprocess.run(pre + ["test", "-x", binary]).returncode != 0:
        print("# nobody cannot run %s: unprivileged case not run" % binary)
        return
    r = subprocess.run(pre + h.wrapper() + [binary, "--lab", "close"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=DEADLINE * 2, env=env())
    if r.returncode == 0:
        h.check("TIME_WAIT" in r.stdout, "unprivileged --lab close", r.stdout)
        r = subprocess.run(pre + h.wrapper() + [binary, "--lab"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=DEADLINE * 2, env=env())
        h.check_eq(r.returncode, 0, "unprivileged --lab: exit status", r.stderr)
        for s in h.STATES if kernel_lists_bound() else WANT:
            h.check(s in r.stdout, "unprivileged --lab lacks %s" % s, r.stdout)
        h.check("tcpstate-lab" in r.stdout, "unprivileged --lab shows no owners", r.stdout)
        h.check("incomplete" not in r.stderr,
                "unprivileged --lab says its owners are incomplete", r.stderr)
        h.ok("as nobody: --lab works in a user namespace, owners complete")
    else:
        check_one_line_failure(r.returncode, r.stdout, r.stderr, "as nobody")
        h.ok("as nobody: exit 1 with one line")
    # No user namespaces allowed and no capabilities: the one line, for sure.
    script = ("echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv "
              "--bounding-set=-all --inh-caps=-all --ambient-caps=-all "
              "\"$@\"")
    r = subprocess.run(["unshare", "-U", "-r", "sh", "-c", script, "sh"] + h.wrapper() +
                       [binary, "--lab"], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=DEADLINE, env=env())
    if "unshare failed" in r.stderr or "setpriv:" in r.stderr:
        print("# cannot forbid user namespaces here: %s" % r.stderr.strip())
        return
    check_one_line_failure(r.returncode, r.stdout, r.stderr, "without user namespaces")
    h.ok("no namespace possible: exit 1 with one line")


def main():
    h.enter_netns()
    if not shutil.which("nsenter") or not shutil.which("ss"):
        h.skip("nsenter and ss are needed to look into the lab's namespace")
    test_lab()
    test_signal(signal.SIGINT)
    test_signal(signal.SIGTERM)
    test_views()
    test_terminal()
    test_unprivileged()
    h.cleanup()


if __name__ == "__main__":
    main()
