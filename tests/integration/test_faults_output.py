#!/usr/bin/python3
"""test_faults_output.py - stdout closed early (| head -1), full (> /dev/full) or closed (>&-).

With 2,001 sockets (well over the 64 KiB stdout buffer) in a private namespace:
- `tcpstate ARGS | head -1` ends quietly: killed by SIGPIPE or exit 0, nothing on stderr,
  also when the caller ignores SIGPIPE, and for -c (it must not keep running);
- `tcpstate ARGS > /dev/full` exits 1 with exactly one line naming ENOSPC, also for -c;
- `tcpstate ARGS >&-` exits 1 with exactly one line.
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

VIEWS = [["-a"], ["-anp"], ["-a", "-j"], ["-a", "--format", "csv"], ["-s"], ["-a", "-e", "-o"]]
WATCH = ["-a", "-c", "0.1"]


def env():
    e = dict(os.environ)
    e.pop("TCPSTATE_IN_NETNS", None)
    e.update({"LC_ALL": "C", "NO_COLOR": "1"})
    return e


def head_one(args, ignore_sigpipe=False):
    """Run tcpstate into a pipe, read one line, close the pipe: (rc, first line, stderr)."""
    def pre():
        signal.signal(signal.SIGPIPE, signal.SIG_IGN if ignore_sigpipe else signal.SIG_DFL)
    p = h.track(subprocess.Popen(h.wrapper() + [h.binary()] + args, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env(),
                                 preexec_fn=pre, restore_signals=False))
    first = p.stdout.readline()
    p.stdout.close()
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        h.fail("tcpstate %s kept running after its reader went away" % " ".join(args))
    return rc, first, p.stderr.read().decode("utf-8", "replace")


def redirect(args, target):
    """Run with stdout sent to target ('/dev/full' or None for closed): (rc, stderr)."""
    out = open(target, "wb") if target else None
    try:
        kw = {"stdout": out} if out else {"pass_fds": ()}
        argv = h.wrapper() + [h.binary()] + args
        if out is None:
            # close fd 1 in the child
            argv = ["/bin/sh", "-c", 'exec "$@" >&-', "sh"] + argv
        p = h.track(subprocess.Popen(argv, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env(), **kw))
        try:
            _, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            h.fail("tcpstate %s did not stop on a failed write" % " ".join(args))
        return p.returncode, err.decode("utf-8", "replace")
    finally:
        if out:
            out.close()


def test_head():
    for args in VIEWS + [WATCH]:
        for ign in (False, True):
            rc, first, err = head_one(args, ign)
            what = "tcpstate %s | head -1%s" % (" ".join(args),
                                                " (SIGPIPE ignored by the caller)" if ign else "")
            h.check(first, what + ": printed a first line", err)
            h.check(rc in (0, -signal.SIGPIPE), what + ": exit 0 or SIGPIPE, got %r" % rc, err)
            h.check_eq(err, "", what + ": nothing on stderr")
    # and literally through a shell pipeline
    r = subprocess.run(["/bin/sh", "-c", '"$@" | head -1', "sh"] + h.wrapper() +
                       [h.binary(), "-a"], capture_output=True, env=env(), timeout=20)
    h.check_eq((r.returncode, r.stderr), (0, b""), "sh -c 'tcpstate -a | head -1'")
    h.ok("| head -1 ends quietly for %d views, -c included, SIGPIPE ignored or not"
         % (len(VIEWS) + 1))


def test_full_and_closed():
    for args in VIEWS + [WATCH, ["-l"]]:
        for target, why in (("/dev/full", "No space left on device"),
                            (None, "Bad file descriptor")):
            rc, err = redirect(args, target)
            what = "tcpstate %s %s" % (" ".join(args), "> /dev/full" if target else ">&-")
            faults.check_one_error(rc, "", err, 1, "cannot write the output", why, what=what)
    h.ok("> /dev/full and >&-: exit 1 with one line, for %d views, -c included"
         % (len(VIEWS) + 2))


def main():
    h.enter_netns()
    faults.raise_nofile(2100)
    pairs = faults.Pairs(1000)
    out = h.run_ok(["-a"])
    h.check(len(out) > 65536, "the listing is bigger than the 64 KiB stdout buffer", len(out))
    test_head()
    test_full_and_closed()
    pairs.close()


if __name__ == "__main__":
    main()
