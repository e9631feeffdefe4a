#!/usr/bin/python3
"""test_diagram.py - --diagram shows every state's live count; --explain covers every state.

Inside a private namespace, tests/lib/fixture.py holds a socket in each of the 11 states
(with the other ends of its connections). The count in each state's box must be the number
of fixture sockets in that state, also when a filter narrows them; in a pipe the drawing is
plain ASCII within 80 columns, on a UTF-8 terminal it uses box drawing. --explain names all
11 states and walks through the handshake and the close.
"""

import collections
import os
import pty
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

# a box's side: '|' in ASCII, any vertical box-drawing piece (│ ├ ┤ ...) in Unicode
BOX_NAME = re.compile(r"[|\u2502\u251c\u2524\u253c]\s*([A-Z][A-Z0-9_]+)\s*"
                      r"[|\u2502\u251c\u2524\u253c]")


def box_counts(out):
    """{state: count} read from the line under each box's name, same columns."""
    lines = out.split("\n")
    got = {}
    for i, line in enumerate(lines[:-1]):
        for m in BOX_NAME.finditer(line):
            if m.group(1) not in h.STATES:
                continue
            cell = lines[i + 1][m.start() + 1:m.end() - 1].strip()  # inside the borders
            h.check(cell.isdigit(), "box %s holds no number below its name" % m.group(1),
                    lines[i + 1], out)
            h.check(m.group(1) not in got, "state %s drawn twice" % m.group(1), out)
            got[m.group(1)] = int(cell)
    return got


def expected(fx, pred=lambda s: True):
    want = collections.Counter(s["state"] for s in fx.manifest if pred(s))
    return {st: want.get(st, 0) for st in h.STATES}


def port_of(ep):
    return int(ep.rsplit(":", 1)[1]) if not ep.endswith("*") else 0


def test_counts(fx):
    rc, raw, err = h.run(["--diagram"], binary_output=True)
    h.check_eq(rc, 0, "--diagram exits 0", err)
    h.check(all(b < 0x80 for b in raw), "--diagram in a pipe is plain ASCII", raw[:200])
    out = raw.decode()
    h.check(all(len(ln) <= 80 for ln in out.split("\n")), "--diagram fits 80 columns", out)
    want = expected(fx)
    h.check(all(want[st] > 0 for st in h.STATES), "the fixture has every state",
            repr(want))
    h.check_eq(box_counts(out), want, "each box holds the number of sockets in its state",
               out)
    h.ok("--diagram: all 11 boxes with the fixture's counts, ASCII, <= 80 columns")

    port = 21400  # the ESTABLISHED recipe's listener
    out = h.run_ok(["--diagram", "--port", str(port)])
    want = expected(fx, lambda s: port in (port_of(s["local"]), port_of(s["remote"])))
    h.check_eq(box_counts(out), want, "--diagram --port %d counts only what matches" % port,
               out)
    h.ok("--diagram with a filter: %s" % ", ".join("%s %d" % kv for kv in want.items() if
                                                   kv[1]))


def test_unicode():
    """On a UTF-8 terminal the boxes are drawn with box-drawing characters."""
    master, slave = pty.openpty()
    e = dict(os.environ, LC_ALL="C.UTF-8", NO_COLOR="1", COLUMNS="80")
    e.pop("TCPSTATE_IN_NETNS", None)
    p = h.track(subprocess.Popen([h.binary(), "--diagram"], stdin=subprocess.DEVNULL,
                                 stdout=slave, stderr=subprocess.PIPE, env=e))
    os.close(slave)
    data = b""
    end = time.monotonic() + h.RUN_TIMEOUT
    while time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    p.wait(timeout=5)
    text = data.decode("utf-8", "replace")
    h.check_eq(p.returncode, 0, "--diagram on a terminal exits 0", text)
    h.check("\u2500" in text and "\u2502" in text, "box drawing on a UTF-8 terminal", text)
    counts = box_counts(text.replace("\r\n", "\n"))
    h.check_eq(sorted(counts), sorted(h.STATES), "every state's box on the terminal too",
               text)
    h.ok("--diagram on a UTF-8 terminal uses box drawing")


def test_explain():
    out = h.run_ok(["--explain"])
    missing = [st for st in h.STATES if not re.search(r"^%s\b" % st, out, re.M)]
    h.check(not missing, "--explain explains every state (missing %s)" % missing, out[:2000])
    for topic, states in (("handshake", ["SYN_SENT", "SYN_RCVD", "ESTABLISHED"]),
                          ("close", ["FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "LAST_ACK",
                                     "TIME_WAIT"])):
        out = h.run_ok(["--explain", topic])
        h.check(all(st in out for st in states),
                "--explain %s walks through %s" % (topic, ", ".join(states)), out)
    rc, out, err = h.run(["--explain", "nonsense"])
    h.check(rc == 2 and out == "" and "'nonsense'" in err, "--explain with an unknown topic "
            "exits 2 naming it", err, out)
    h.ok("--explain: the 11 states, the handshake and the close")


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture("--no-evil")
    test_counts(fx)
    test_unicode()
    test_explain()
    fx.stop()


if __name__ == "__main__":
    main()
