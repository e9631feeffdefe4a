"""faults.py - helpers for tests/integration/test_faults*.py: the fault shim, sockets en masse.

The shim (tests/lib/faultinject.c, built by meson, path in TCPSTATE_FAULTINJECT) is loaded
with LD_PRELOAD into tcpstate only, and told what to break by TCPSTATE_FAULT.
"""

import os
import socket
import subprocess
import sys

import harness as h


def shim_env(spec):
    """Environment that loads the fault shim with the faults in spec (see faultinject.c)."""
    path = os.environ.get("TCPSTATE_FAULTINJECT")
    if not path:
        h.skip("TCPSTATE_FAULTINJECT is not set (run through meson test)")
    if not os.path.exists(path):
        h.fail("TCPSTATE_FAULTINJECT=%s does not exist" % path)
    env = {"LD_PRELOAD": path, "TCPSTATE_FAULT": spec}
    # Under AddressSanitizer the shim comes before libasan in the library list; that is
    # fine for a shim that only wraps a few calls.
    asan = os.environ.get("ASAN_OPTIONS")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
    return env


def stderr_lines(err):
    return [l for l in err.splitlines() if l.strip()]


def check_one_error(rc, out, err, want_rc, *fragments, what=""):
    """Exit status want_rc, nothing on stdout, exactly one 'tcpstate: ...' line on stderr
    that contains every fragment."""
    lines = stderr_lines(err)
    stats = [l for l in lines if l.startswith("tcpstate: stats:")]
    lines = [l for l in lines if l not in stats]
    h.check_eq(rc, want_rc, what + ": exit status", "stderr: " + err)
    h.check_eq(out, "", what + ": nothing on stdout", err)
    h.check(len(lines) == 1 and lines[0].startswith("tcpstate: "),
            what + ": exactly one 'tcpstate: ...' line on stderr", err)
    for f in fragments:
        h.check(f in lines[0], "%s: stderr names %r" % (what, f), err)
    return lines[0]


def stats(err):
    """The --stats line as a dict of ints."""
    for l in err.splitlines():
        if l.startswith("tcpstate: stats:"):
            return {k: int(v) for k, v in (kv.split("=") for kv in l.split()[2:])}
    h.fail("no --stats line on stderr", err)


class Pairs:
    """n connected loopback pairs (2n sockets) and one listener, held in this process."""

    def __init__(self, n, port=23000, family=socket.AF_INET):
        host = "127.0.0.1" if family == socket.AF_INET else "::1"
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen(4096)
        self.socks = []
        for _ in range(n):
            c = socket.socket(family, socket.SOCK_STREAM)
            c.connect((host, port))
            a, _ = self.listener.accept()
            self.socks += [c, a]

    def close(self):
        for s in self.socks:
            s.close()
        self.listener.close()


def raise_nofile(n):
    """Make room for n more descriptors (root may raise the hard limit)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 1024
    if soft >= want:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
    except (ValueError, OSError) as e:
        h.skip("cannot raise RLIMIT_NOFILE to %d: %s" % (want, e))
