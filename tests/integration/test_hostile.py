#!/usr/bin/python3
"""test_hostile.py - invisible and reordering Unicode in process names never reaches the output raw.

Two helper processes are renamed (prctl PR_SET_NAME) to names made of a bidi override or
isolate, a line or paragraph separator, zero-width characters and a byte order mark. Each holds
a listener, accepted connections and one CLOSE_WAIT socket. Every output format and view that
shows a process name (table, JSON, JSON lines, CSV, OpenMetrics, --hist, --doctor, -E, -c)
must carry the name escaped (\\xNN in text, \\uXXXX in JSON) and none of the raw characters.
"""

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1
# U+202E RLO, U+2028 LS, U+200B ZWSP, U+FEFF BOM; U+2066 LRI, U+2029 PS, U+200D ZWJ,
# U+2060 WJ: at most 15 bytes each (the kernel's comm).
NAMES = ["a\u202eb\u2028\u200b\ufeff", "\u2066c\u2029\u200d\u2060"]
PORTS = [24400, 24401]
HOSTILE = ["\u202e", "\u2028", "\u200b", "\ufeff", "\u2066", "\u2029", "\u200d", "\u2060"]


def text_escaped(name):
    """escape_name's form: every character above as its \\xNN UTF-8 bytes."""
    return "".join("".join("\\x%02x" % b for b in c.encode()) if c in HOSTILE else c
                   for c in name)


def json_escaped(name):
    return "".join("\\u%04x" % ord(c) if c in HOSTILE else c for c in name)


def start_helper(name, port):
    """Fork a process named name that accepts on port forever and keeps every connection."""
    libc = ctypes.CDLL(None, use_errno=True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)
            os.write(w, b"1")
            held = []
            while True:
                held.append(ls.accept()[0])
        finally:
            os._exit(0)
    os.close(w)
    h.check(os.read(r, 1) == b"1", "the hostile helper started")
    os.close(r)
    ls.close()
    h.track(h.Child(pid))
    # one connection stays open; one the client closes: the helper's end is CLOSE_WAIT
    keep = socket.create_connection(("127.0.0.1", port))
    gone = socket.create_connection(("127.0.0.1", port))
    gone.close()
    return pid, keep


def check_clean(what, out, want):
    """No hostile character raw; the escaped names present."""
    raw = sorted({"U+%04X" % ord(c) for c in out if c in HOSTILE})
    h.check(not raw, "%s: raw %s in the output" % (what, ", ".join(raw)), out)
    for w in want:
        h.check(w in out, "%s: the escaped name %r is missing" % (what, w), out)


def run(args):
    # a UTF-8 locale: in the C locale every non-ASCII byte is escaped anyway
    rc, out, err = h.run(args, env={"LC_ALL": "C.UTF-8"})
    h.check(rc in (0, 3), "tcpstate %s exited %d" % (" ".join(args), rc), err, out)
    check_clean("stderr of " + " ".join(args), err, [])
    return out


def test_oneshot(text, js):
    cases = [
        (["-a", "-p"], text), (["-a", "-p", "--format", "csv"], text),
        (["-a", "-p", "-j"], js), (["-a", "-p", "--format", "jsonl"], js),
        (["--hist", "process"], text), (["--hist", "process", "-j"], js),
        (["--hist", "process", "--format", "jsonl"], js),
        (["--hist", "process", "--format", "csv"], text),
        (["--hist", "process", "--format", "openmetrics"],
         [t.replace("\\", "\\\\") for t in text]),  # label values double backslashes
        (["--doctor", "--threshold", "close_wait_age=0"], text),
        (["-a", "-p", "-c", "0.05", "--count", "2"], text),
    ]
    for args, want in cases:
        out = run(args)
        check_clean(" ".join(args), out, want)
        if "-j" in args:
            json.loads(out)
        elif "jsonl" in args:
            for line in out.splitlines():
                json.loads(line)
    h.ok("table, CSV, JSON, JSON lines, --hist (5 formats), --doctor, -c: names escaped")


def test_events(fmt, want):
    """-E -p: a new connection to each helper; its NEW event names the helper."""
    # the poll source: its NEW events carry the -p owners of the listener's accepted
    # socket (as root, auto takes the eBPF tracepoint, which names the task instead)
    argv = h.wrapper() + [h.binary(), "-E", "-p", "--events-source", "poll", "--format",
                          fmt, "--interval", "0.05"]
    env = dict(os.environ, LC_ALL="C.UTF-8", NO_COLOR="1")
    env.pop("TCPSTATE_IN_NETNS", None)
    p = h.track(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, env=env))
    os.set_blocking(p.stdout.fileno(), False)
    got, conns = b"", []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conns += [socket.create_connection(("127.0.0.1", port)) for port in PORTS]
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            chunk = p.stdout.read()
            if chunk:
                got += chunk
            time.sleep(0.05)
        text = got.decode("utf-8", "replace")
        if all(w in text for w in want):
            break
    p.terminate()
    rest, err = p.communicate(timeout=30)
    text = (got + (rest or b"")).decode("utf-8", "replace")
    check_clean("-E --format " + fmt, text, want)
    check_clean("-E stderr", err.decode("utf-8", "replace"), [])
    for c in conns:
        c.close()
    h.ok("-E --format %s: the names escaped in the events" % fmt)


def main():
    h.enter_netns()
    helpers = [start_helper(n, p) for n, p in zip(NAMES, PORTS)]
    text = [text_escaped(n) for n in NAMES]
    js = [json_escaped(n) for n in NAMES]
    test_oneshot(text, js)
    test_events("table", text)
    test_events("jsonl", js)
    del helpers


if __name__ == "__main__":
    main()
