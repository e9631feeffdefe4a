#!/usr/bin/python3
"""test_faults_term.py - a terminal 20 columns wide, and a locale that is not UTF-8.

On a pty of 20 columns (and on one that reports no size, with COLUMNS=20) every line of
every human view is cut at 20 columns, not left to wrap, while JSON and CSV stay whole.
Under LANG=C the human output is ASCII only and a hostile process name (UTF-8, ESC, and
U+202E RIGHT-TO-LEFT OVERRIDE) shows as intact escapes; under C.UTF-8 the accented letter
shows but ESC and U+202E are still escaped; JSON gives the name back exactly.
"""

import ctypes
import fcntl
import json
import os
import pty
import re
import select
import socket
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

CSI = re.compile(rb"\x1b\[[0-9;?]*[@-~]|\x1b[^\[]")
EVIL = b"caf\xc3\xa9\x1b[31m\xe2\x80\xae"  # 15 bytes: fits TASK_COMM_LEN
EVIL_ESCAPED_C = rb"caf\xc3\xa9\x1b[31m\xe2\x80\xae"
EVIL_ESCAPED_UTF8 = b"caf\xc3\xa9" + rb"\x1b[31m\xe2\x80\xae"


def on_pty(args, cols, env):
    """Run tcpstate with stdout on a pty of cols columns (0: no size); (rc, bytes, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24 if cols else 0, cols, 0, 0))
    # raw: no \n -> \r\n translation, so we see exactly what tcpstate wrote
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    e = dict(os.environ)
    for k in ("TCPSTATE_IN_NETNS", "LC_ALL", "LANG", "LC_CTYPE", "NO_COLOR", "COLUMNS"):
        e.pop(k, None)
    e.update(env)
    p = h.track(subprocess.Popen(h.wrapper() + [h.binary()] + args, stdout=slave,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=e))
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            out += data
        elif p.poll() is not None:
            break
    os.close(master)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        h.fail("tcpstate %s did not end on a pty" % " ".join(args))
    return p.returncode, out, p.stderr.read().decode("utf-8", "replace")


def columns(line):
    """Display columns of one line: escape sequences take none, a UTF-8 character one."""
    text = CSI.sub(b"", line)
    return sum(1 for b in text if (b & 0xC0) != 0x80)


def check_cut(args, out, width):
    what = "tcpstate %s on a %d-column terminal" % (" ".join(args), width)
    lines = out.split(b"\n")
    wide = [l for l in lines if columns(l) > width]
    h.check(not wide, what + ": every line at most %d columns" % width,
            "\n".join(repr(l) for l in wide[:5]))
    h.check(len(lines) > 2, what + ": printed something", out)


def test_narrow(n_socks):
    views = [["-a"], ["-anp"], ["-a", "-e", "-o"], ["-a", "-i", "-m"], ["-s"],
             ["--hist", "state"], ["--hist", "lport,state"], ["--diagram"], ["--explain"],
             ["-a", "-c", "0.1", "--count", "2"]]
    for cols, env in ((20, {"LANG": "C.UTF-8"}), (20, {"LANG": "C"}),
                      (0, {"LANG": "C.UTF-8", "COLUMNS": "20"})):
        for args in views:
            rc, out, err = on_pty(args, cols, env)
            h.check_eq(rc, 0, "tcpstate %s on a narrow pty: exit status" % " ".join(args),
                       err)
            check_cut(args, out, 20)
        # the listing: one line per socket plus the header, none lost or wrapped
        rc, out, err = on_pty(["-a"], cols, env)
        listing = [l for l in out.split(b"\n") if l]
        h.check_eq(len(listing), n_socks + 1, "-a on a narrow pty: one line per socket",
                   out.decode("utf-8", "replace"))
    h.ok("%d human views cut at 20 columns (pty size, and COLUMNS=20), UTF-8 or not"
         % len(views))
    # machine formats are never cut
    rc, out, err = on_pty(["-a", "-j"], 20, {"LANG": "C.UTF-8"})
    h.check_eq(rc, 0, "-j on a narrow pty", err)
    doc = json.loads(out.decode("utf-8"))
    h.check_eq(len(doc["sockets"]), n_socks, "-j on a narrow pty: every socket, whole JSON")
    rc, out, err = on_pty(["-a", "--format", "csv"], 20, {"LANG": "C.UTF-8"})
    h.check_eq(len([l for l in out.split(b"\n") if l]), n_socks + 1,
               "--format csv on a narrow pty: whole")
    h.check(any(columns(l) > 20 for l in out.split(b"\n")), "CSV lines are not cut")
    h.ok("JSON and CSV are not cut on a narrow terminal")


def evil_holder(sock):
    """A child named EVIL that holds sock; returns its pid (ended by h.cleanup)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, ctypes.c_char_p(EVIL), 0, 0, 0)  # PR_SET_NAME
        os.read(r, 1)  # until the parent closes its end or ends us
        os._exit(0)
    os.close(r)
    with open("/proc/%d/comm" % pid, "rb") as f:
        for _ in range(100):
            if f.read().rstrip(b"\n") == EVIL:
                break
            time.sleep(0.02)
            f.seek(0)
    return pid, w


def test_locale(pid):
    for loc, want in (("C", EVIL_ESCAPED_C), ("POSIX", EVIL_ESCAPED_C),
                      ("C.UTF-8", EVIL_ESCAPED_UTF8)):
        for args in (["-anp"], ["--hist", "process"]):
            rc, out, err = on_pty(args, 200, {"LANG": loc})
            what = "LANG=%s tcpstate %s" % (loc, " ".join(args))
            h.check_eq(rc, 0, what + ": exit status", err)
            text = CSI.sub(b"", out)  # our own colours are fine
            h.check(want in text, what + ": the name shows as %r" % want, out)
            bad = sorted({c for c in text if c < 0x20 and c not in b"\n\r" or c == 0x7f})
            h.check(not bad, what + ": no control bytes but colours", repr(bad))
            if loc != "C.UTF-8":
                h.check(all(c < 0x80 for c in out), what + ": ASCII only",
                        repr([l for l in out.split(b"\n") if any(c >= 0x80 for c in l)][:3]))
            else:
                h.check(b"\xe2\x80\xae" not in out, what + ": U+202E is escaped")
        for args in (["-s"], ["--diagram"]):
            rc, out, err = on_pty(args, 200, {"LANG": loc})
            if loc != "C.UTF-8":
                h.check(all(c < 0x80 for c in out), "LANG=%s tcpstate %s: ASCII only"
                        % (loc, " ".join(args)), out[:400])
    # the listing without -p also stays ASCII, and JSON gives the name back exactly
    rc, out, err = on_pty(["-anp", "-j"], 200, {"LANG": "C"})
    names = {o["comm"] for s in json.loads(out.decode("utf-8"))["sockets"]
             for o in (s.get("owners") or [])}
    h.check(EVIL.decode("utf-8") in names, "JSON under LANG=C gives the name back exactly",
            repr(names))
    h.ok("LANG=C and POSIX: ASCII only, escapes intact; C.UTF-8: letters shown, ESC and "
         "U+202E escaped; JSON exact")


def main():
    h.enter_netns()
    pairs = faults.Pairs(3)
    n_socks = 7
    pid, keep = evil_holder(pairs.listener)
    try:
        test_narrow(n_socks)
        test_locale(pid)
    finally:
        os.close(keep)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        pairs.close()


if __name__ == "__main__":
    main()
