#!/usr/bin/python3
"""test_term.py - on a terminal nothing is cut without a mark; -c as a time series.

Inside a private network namespace with the socket fixture, its holder named 网关服务
(double-width characters), on tmux panes of our own tmux server (a private TMUX_TMPDIR):

  * at 40, 60, 80 and 120 columns the listing with -p, --hist process,state, --doctor,
    --explain close,
    --diagram, -E -p and -c -p: no line is wider than the pane; a line that differs from
    the whole line (what a pipe gets) carries the marker '…'; no PID shows as a prefix of
    itself; --doctor findings are complete (wrapped under a hanging indent); --diagram
    below 80 columns says so and still names all 11 states; -W gives the whole lines back
    (the terminal wraps them);
  * the listing's State column starts at the same display column on every line, however
    wide the owner's name;
  * -s -c on a terminal: a Change column, a sparkline, a LISTEN bar that keeps its length
    when other counts fall, and the last frame left on the screen after Ctrl-C;
  * TERM=dumb with --color auto: no escape sequence; TERM=xterm: colours;
  * in a pipe: -s -c 0.2 --count 3 --format csv parses with the csv module (one header,
    a time column, one row per state per frame), jsonl frames carry "time", --format
    lines gives one header and one line per frame; --columns LOCAL works.
"""

import csv
import datetime
import io
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

NAME = "网关服务"
MARK = "…"
WIDTHS = (40, 60, 80, 120)
STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
          "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"]
BARS = "█▉▊▋▌▍▎▏#"
SPARK = "▁▂▃▄▅▆▇█"
ENV = {"LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
TMUX_DIR = tempfile.mkdtemp(prefix="tcpstate-term-")
SERVER = "tcpstate-test-term-%d" % os.getpid()
DEADLINE = 30.0
CSI = re.compile(r"\x1b\[[0-9;?]*[@-~]")


def tmux(*args, check=True):
    env = dict(os.environ, TMUX_TMPDIR=TMUX_DIR)
    r = subprocess.run(["tmux", "-L", SERVER] + list(args), capture_output=True, text=True,
                       env=env, timeout=20)
    if check and r.returncode != 0:
        h.fail("tmux %s failed" % " ".join(args), r.stderr)
    return r.stdout


def dw(s):
    """Display columns of s, as a terminal draws it."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def start(args, width, env="", height=70, then="sleep 300"):
    """A new window running tcpstate args; returns its target."""
    name = "w%d" % start.n
    start.n += 1
    cmd = "env LC_ALL=C.UTF-8 NO_COLOR=1 TERM=xterm %s %s %s; echo EXIT=$?; %s" % (
        env, shlex.quote(h.binary()), " ".join(shlex.quote(a) for a in args), then)
    tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), cmd)
    return name


start.n = 0


def pane(target, *opts):
    return tmux("capture-pane", "-p", "-t", target, *opts).rstrip("\n").split("\n")


def wait_pane(target, cond, what, *opts):
    deadline = time.monotonic() + DEADLINE
    lines = []
    while time.monotonic() < deadline:
        lines = pane(target, *opts)
        if cond(lines):
            return lines
        time.sleep(0.05)
    h.fail("timed out waiting for %s" % what, "\n".join(lines))


def finished(target, *opts):
    """The lines a one-shot run left before its EXIT= line, and the exit status."""
    lines = wait_pane(target, lambda ls: any(CSI.sub("", ln).startswith("EXIT=") for ln in ls),
                      "tcpstate to end in " + target, *opts)
    end = next(i for i, ln in enumerate(lines) if CSI.sub("", ln).startswith("EXIT="))
    tmux("kill-session", "-t", target, check=False)
    return [ln.rstrip() for ln in lines[:end]], int(CSI.sub("", lines[end])[5:])


def whole(args):
    rc, out, err = h.run(args, env=ENV)
    h.check(rc in (0, 3), "tcpstate %s in a pipe" % " ".join(args), err)
    return [ln.rstrip() for ln in out.rstrip("\n").split("\n")]


def settled(args, width, key=lambda lines: lines):
    """
    The tmux lines and exit status of tcpstate args, with the pipe's whole lines taken just
    before and just after: (got, rc, full). The fixture changes by itself (its TIME_WAIT
    expires after 60 s, and a loaded machine can take that long to get here), so a run
    whose pipe lines differ (as key sees them) before and after is made again.
    """
    for _ in range(5):
        before = whole(args)
        got, rc = finished(start(args, width))
        if key(whole(args)) == key(before):
            return got, rc, before
    h.fail("tcpstate %s kept changing while it was compared" % " ".join(args))


def norm(findings):
    """--doctor findings with their ages as N: the two runs are seconds apart."""
    return [re.sub(r"\b\d+ s\b", "N s", " ".join(f.split())) for f in findings]


def check_pids(lines, pids, what):
    for ln in lines:
        for m in re.finditer(r"(\d+)" + MARK, ln):
            h.check(not any(str(p).startswith(m.group(1)) for p in pids),
                    "%s: a PID cut to %s" % (what, m.group(1)), ln)
        # Every PID is whole: one of ours, or a child this script forked to run tmux
        # that the poll saw before its exec, holding our sockets under our name (the
        # longer a loaded machine takes to exec, the likelier). A cut PID can never
        # show as "N/": the cut backs out of digits.
        for m in re.finditer(r"(?<![\d.])(\d+)/([^,\s]*)", ln):
            comm = m.group(2).replace(MARK, "")
            h.check(int(m.group(1)) in pids or (comm and "python3".startswith(comm)),
                    "%s: PID %s is one of ours" % (what, m.group(1)), ln)


def check_fit(lines, width, what):
    for ln in lines:
        h.check(dw(ln) <= width, "%s: a line of %d columns" % (what, dw(ln)), ln)


def no_bars(ln):
    return ln.rstrip(BARS + " ")


def check_lines(got, full, width, what, prefix_cut):
    """Each line is whole, or carries the marker (and, cut at its end, is a prefix)."""
    check_fit(got, width, what)
    h.check_eq(len(got), len(full), "%s: as many lines as in a pipe" % what,
               "\n".join(got), "\n".join(full))
    # Rows that sort equal (two listeners on one port) may come in either order from one
    # run to the next, so a line is matched against the pipe's line at the same place or,
    # failing that, any of its lines.
    whole_cells = [no_bars(f).split() for f in full]
    for g, f in zip(got, full):
        g, f = no_bars(g), no_bars(f)
        if g.split() == f.split() or g.split() in whole_cells:
            continue  # the same cells (narrower columns pad less)
        h.check(MARK in g, "%s: a line cut without the marker" % what, g, f)
        if prefix_cut and g.endswith(MARK):
            start = g[:-1].rstrip(BARS + " ")
            h.check(any(no_bars(x).startswith(start) for x in full),
                    "%s: a cut line is the start of a whole one" % what, g, f)


def test_views(fx, pids):
    for width in WIDTHS:
        got, _, full = settled(["-ap"], width)
        check_lines(got, full, width, "-ap at %d" % width, False)
        check_pids(got, pids, "-ap at %d" % width)
        if width < 80:
            h.check(any(MARK in ln for ln in got), "-ap at %d cuts something" % width)

        args = ["-a", "--hist", "process,state"]
        got, _, full = settled(args, width)
        check_lines(got, full, width, "--hist process,state at %d" % width, True)

        got, rc, full = settled(["--doctor"], width, norm)
        h.check_eq(rc, 3, "--doctor finds the fixture's troubles")
        check_fit(got, width, "--doctor at %d" % width)
        findings = []
        for ln in got:
            if ln.startswith(" ") and findings:
                findings[-1] += " " + ln.strip()
            else:
                findings.append(ln)
        h.check_eq(norm(findings), norm(full),
                   "--doctor at %d: every finding complete" % width, "\n".join(got))

        got, _ = finished(start(["--explain", "close"], width), "-S", "-")
        check_fit(got, width, "--explain close at %d" % width)
        # every word of the steps and notes (a narrow terminal leaves out the ladder)
        words = " ".join(got).split()
        want = " ".join(whole(["--explain", "close"])).split()
        h.check_eq(words[words.index("1."):], want[want.index("1."):],
                   "--explain at %d: every word, wrapped" % width)
        h.check(not any(MARK in ln for ln in got), "--explain at %d: nothing cut" % width,
                "\n".join(got))

        got, _ = finished(start(["--diagram"], width))
        check_fit(got, width, "--diagram at %d" % width)
        for st in STATES:
            h.check(any(re.search(r"\b%s\b" % st, ln) for ln in got),
                    "--diagram at %d shows %s" % (width, st), "\n".join(got))
        if width < 80:
            h.check_eq(got[0], "(compact: the drawing needs 80 columns)",
                       "--diagram at %d says it is compact" % width)
    h.ok("40-120 columns: -ap, --hist, --doctor, --diagram: whole or marked, PIDs whole")

    got, _ = finished(start(["-W", "-ap"], 40), "-J", "-S", "-")
    h.check_eq(got, whole(["-ap"]), "-W at 40 columns: the whole lines (wrapped)")
    got, _ = finished(start(["-W", "--doctor"], 40), "-J", "-S", "-")
    h.check_eq(norm(got), norm(whole(["--doctor"])), "-W --doctor: one line per finding")
    h.ok("-W: nothing is cut")


def test_align():
    got, _ = finished(start(["-ap"], 160))
    cols = set()
    for ln in got:
        m = re.search(r"\b(State|%s)\b" % "|".join(STATES), ln)
        if m:
            cols.add(dw(ln[:m.start()]))
    h.check_eq(len(cols), 1, "the State column lines up", "\n".join(got))
    h.check(any(NAME in ln for ln in got), "the CJK name shows", "\n".join(got))
    h.ok("a double-width process name keeps the columns aligned")


def test_stream(pids):
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 24100))
    lst.listen()
    mine = pids | {os.getpid()}
    for width in WIDTHS:
        t = start(["-E", "-p"], width)
        # a build without eBPF notes on stderr, above the header, that it polls instead
        wait_pane(t, lambda ls: any(ln.startswith("Time") for ln in ls), "the -E header")
        # the stream reports sockets made after its first reading, which may come after
        # the header: connect again until a connection shows
        pairs, lines = [], None
        deadline = time.monotonic() + DEADLINE
        while lines is None and time.monotonic() < deadline:
            c = socket.create_connection(("127.0.0.1", 24100))
            pairs.append((c, lst.accept()[0]))
            until = time.monotonic() + 3
            while time.monotonic() < until:
                ls = pane(t)
                ls = ls[next(i for i, ln in enumerate(ls) if ln.startswith("Time")):]
                if sum("ESTABLISHED" in ln or MARK in ln for ln in ls[1:]) >= 2:
                    lines = ls
                    break
                time.sleep(0.05)
        if lines is None:
            h.fail("timed out waiting for -E lines for a new connection at %d" % width,
                   "\n".join(pane(t)))
        lines = [ln.rstrip() for ln in lines if ln.strip()]
        check_fit(lines, width, "-E -p at %d" % width)
        check_pids(lines, mine, "-E -p at %d" % width)
        for c, a in pairs:
            c.close()
            a.close()
        tmux("kill-session", "-t", t, check=False)

        t = start(["-c", "0.3", "-p"], width)
        lines = wait_pane(t, lambda ls: ls and "every 0.3s" in ls[0], "the -c header")
        lines = [ln.rstrip() for ln in lines if ln.strip()]
        check_fit(lines, width, "-c -p at %d" % width)
        check_pids(lines, mine, "-c -p at %d" % width)
        head = lines[0]
        if width < 60:
            h.check(head.endswith(MARK), "-c header cut with the marker at %d" % width, head)
        tmux("send-keys", "-t", t, "C-c")
        tmux("kill-session", "-t", t, check=False)
    lst.close()
    h.ok("-E -p and -c -p at 40-120 columns: lines fit, PIDs whole, cut header marked")


def rows_of(lines):
    """{state: line} of a -s frame."""
    return {ln.split()[0]: ln for ln in lines if ln.split() and ln.split()[0] in STATES}


def test_watch_summary():
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 24200))
    lst.listen()
    pairs = []
    for _ in range(3):
        c = socket.create_connection(("127.0.0.1", 24200))
        a, _ = lst.accept()
        pairs.append((c, a))
    t = start(["-s", "-c", "0.5"], 120, then="sleep 300")
    first = wait_pane(t, lambda ls: "Change" in " ".join(ls) and
                      len(rows_of(ls).get("ESTABLISHED", "").split()) >= 7,
                      "-s -c with a sparkline")
    h.check(re.search(r"State\s+IPv4\s+IPv6\s+Total\s+Change\s+Recent", "\n".join(first)),
            "the Change and Recent columns", "\n".join(first))
    listen_bar = rows_of(first)["LISTEN"].split()[-1]
    h.check(set(listen_bar) <= set(BARS), "LISTEN has a bar", rows_of(first)["LISTEN"])
    # close one connection: ESTABLISHED falls by 2 (both ends), the scale does not shrink
    c, a = pairs.pop()
    c.close()
    a.close()
    lines = wait_pane(t, lambda ls: re.search(r"\s-[12]\s", rows_of(ls).get("ESTABLISHED",
                                                                              "")),
                      "a negative change for ESTABLISHED")
    est = rows_of(lines)["ESTABLISHED"]
    spark = est.split()[5]
    h.check(set(spark) <= set(SPARK) and len(set(spark)) >= 2,
            "the sparkline shows the fall", est)
    h.check_eq(rows_of(lines)["LISTEN"].split()[-1], listen_bar,
               "the LISTEN bar keeps its length when another count falls")
    later = wait_pane(t, lambda ls: re.search(r"\s0\s", rows_of(ls).get("ESTABLISHED", "")),
                      "the next frame")
    h.check_eq(rows_of(later)["LISTEN"].split()[-1], listen_bar,
               "the LISTEN bar keeps its length across frames")
    tmux("send-keys", "-t", t, "C-c")
    wait_pane(t, lambda ls: any(ln.startswith("EXIT=0") for ln in ls), "-c to end")
    end = pane(t)
    h.check(tmux("display", "-p", "-t", t, "#{alternate_on}").strip() == "0" and
            "ESTABLISHED" in "\n".join(end) and "Change" in "\n".join(end),
            "the last frame stays on the screen", "\n".join(end))
    tmux("kill-session", "-t", t, check=False)
    for c, a in pairs:
        c.close()
        a.close()
    lst.close()
    h.ok("-s -c: change column, sparkline, stable bars, last frame kept")


def test_color():
    t = start(["-a", "--color", "auto"], 120, env="TERM=dumb")
    got, _ = finished(t, "-e")
    h.check(not any("\x1b" in ln for ln in got), "TERM=dumb: no escape sequence",
            "\n".join(got))
    t = start(["-a", "--color", "auto"], 120, env="TERM=xterm NO_COLOR=")
    got, _ = finished(t, "-e")
    h.check(any("\x1b[" in ln for ln in got), "TERM=xterm: colours (the check can see them)",
            "\n".join(got))
    h.ok("TERM=dumb --color auto: no colour")


def test_series():
    out = h.run_ok(["-s", "-c", "0.2", "--count", "3", "--format", "csv"], env=ENV)
    rows = list(csv.reader(io.StringIO(out)))
    h.check_eq(rows[0], ["time", "state", "ipv4", "ipv6", "total"], "one CSV header", out)
    h.check(all(r[0] != "time" for r in rows[1:]), "the header only once", out)
    h.check_eq(len(rows) - 1, 3 * 11, "one row per state per frame", out)
    stamps = sorted({r[0] for r in rows[1:]})
    h.check_eq(len(stamps), 3, "three frames", out)
    times = [datetime.datetime.fromisoformat(s) for s in stamps]
    h.check(all(t.tzinfo is not None for t in times), "ISO 8601 times with an offset", stamps)
    h.ok("-s -c --format csv: one header, a time column, 33 rows")

    out = h.run_ok(["-s", "-c", "0.2", "--count", "2", "--format", "jsonl"], env=ENV)
    docs = [json.loads(ln) for ln in out.splitlines()]
    h.check(len(docs) == 22 and all("time" in d for d in docs), "jsonl records carry time",
            out)
    out = h.run_ok(["-c", "0.2", "--count", "2", "--format", "json"], env=ENV)
    h.check_eq(out.count('{"time":"'), 2, "json frames carry time", out)
    out = h.run_ok(["-s", "-c", "0.2", "--count", "3", "--format", "lines"], env=ENV)
    lines = out.rstrip("\n").split("\n")
    h.check(len(lines) == 4 and lines[0].split()[:3] == ["time", "total", "CLOSED"],
            "--format lines: a header and a line per frame", out)
    h.check(all(len(ln.split()) == 13 for ln in lines[1:]), "time, total, 11 states", out)
    h.ok("jsonl and json frames carry time; --format lines is one line per frame")

    out = h.run_ok(["-a", "--columns", "LOCAL,State"], env=ENV)
    h.check(out.startswith("Local Address"), "--columns in capitals", out)
    h.ok("column names in any case")


def main():
    if not shutil.which("tmux"):
        h.skip("tmux is not installed")
    h.enter_netns()
    import atexit
    atexit.register(shutil.rmtree, TMUX_DIR, True)
    atexit.register(lambda: tmux("kill-server", check=False))
    # one idle session keeps the server up: a server whose last session ends exits, and
    # a new-session racing with that exit fails
    tmux("new-session", "-d", "-s", "keep", "sleep 3600")
    fx = h.Fixture("--no-evil", "--name", NAME)
    pids = set(fx.pids.values())
    test_series()
    test_color()
    test_align()
    test_views(fx, pids)
    test_stream(pids)
    test_watch_summary()
    fx.stop()


if __name__ == "__main__":
    main()
