#!/usr/bin/python3
"""test_watch.py - -c/--continuous: in place on a terminal, timestamped snapshots in a pipe.

Inside a private network namespace with three connections of our own:

  * on a terminal (a tmux pane of our own tmux server, 120x40): `tcpstate -c 0.2` draws
    on the alternate screen with one header line (time, interval, totals per state); the
    pane never scrolls (history stays empty) and shows one frame, not a pile of them;
    when we close one connection the header shows the change ("ESTABLISHED 4 (-2)",
    "TIME_WAIT 1 (+1)") and the rows follow; Ctrl-C ends it with status 0, the main
    screen back and the cursor visible;
  * in a pipe: `--count 3` gives three "=== YYYY-MM-DD HH:MM:SS.mmm" snapshots about 0.2 s
    apart, each with the listing; any view repeats (-s); SIGINT and SIGTERM end it with
    status 0; `-c` with `-E` is a usage error.
"""

import datetime
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

PORT = 23600
TMUX = "tcpstate-test-watch-%d" % os.getpid()
HEADER_RE = re.compile(r"^\d\d:\d\d:\d\d  every 0\.2s  total (\d+)")
STAMP_RE = re.compile(r"^=== (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})  every 0\.2s  total \d+")


def connections(n):
    """A listener (not shown: LISTEN is not in the default view) and n connections."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT))
    lst.listen()
    pairs = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", PORT))
        a, _ = lst.accept()
        pairs.append((c, a))
    return lst, pairs


TMUX_DIR = None  # our own TMUX_TMPDIR: the server's socket goes away with it


def tmux(*args, check=True):
    global TMUX_DIR
    if TMUX_DIR is None:
        import atexit
        import tempfile
        TMUX_DIR = tempfile.mkdtemp(prefix="tcpstate-tmux-")
        atexit.register(shutil.rmtree, TMUX_DIR, True)
    r = subprocess.run(["tmux", "-L", TMUX] + list(args), capture_output=True, text=True,
                       timeout=h.RUN_TIMEOUT, env=dict(os.environ, TMUX_TMPDIR=TMUX_DIR))
    if check and r.returncode != 0:
        h.fail("tmux %s failed" % " ".join(args), r.stderr)
    return r.stdout


def pane():
    return tmux("capture-pane", "-p", "-t", "w").rstrip("\n").split("\n")


def wait_pane(pred, what, timeout=5.0):
    end = time.monotonic() + timeout
    lines = []
    while time.monotonic() < end:
        lines = pane()
        if pred(lines):
            return lines
        time.sleep(0.05)
    h.fail("timed out waiting for %s" % what, "\n".join(lines))


def headers(lines):
    return [ln for ln in lines if HEADER_RE.match(ln)]


def one_frame(lines):
    hs = headers(lines)
    return len(hs) == 1 and lines[0] == hs[0]


def test_terminal(pairs):
    if not shutil.which("tmux"):
        print("tmux not found: the terminal part is not tested")
        return
    import atexit
    tmux("-V")  # makes TMUX_DIR (removed at exit, after the server is ended below)
    atexit.register(lambda: tmux("kill-server", check=False))
    cmd = "env LC_ALL=C NO_COLOR=1 %s -c 0.2; echo EXIT=$?; sleep 60" % shlex.quote(
        h.binary())
    tmux("new-session", "-d", "-s", "w", "-x", "120", "-y", "40", cmd)
    lines = wait_pane(lambda ls: one_frame(ls) and "ESTABLISHED 6" in ls[0], "the first frame")
    h.check(re.search(r"total 6  ESTABLISHED 6$", lines[0].rstrip()), "header totals", lines[0])
    h.check_eq(tmux("display", "-p", "-t", "w", "#{alternate_on}").strip(), "1",
               "drawn on the alternate screen")
    h.check(sum("ESTABLISHED" in ln for ln in lines[1:]) == 6, "six rows", "\n".join(lines))
    time.sleep(0.7)  # a few more frames
    lines = pane()
    h.check(one_frame(lines), "frames replace each other", "\n".join(lines))
    h.check_eq(tmux("display", "-p", "-t", "w", "#{history_size}").strip(), "0",
               "nothing scrolled off the pane")
    h.ok("tty: one frame on the alternate screen with a header")

    c, a = pairs.pop()
    c.close()  # c: FIN_WAIT_2 -> TIME_WAIT; a: CLOSE_WAIT -> LAST_ACK -> gone
    a.close()
    lines = wait_pane(lambda ls: one_frame(ls) and "ESTABLISHED 4 (-2)" in ls[0],
                      "the header to show the change")
    h.check("TIME_WAIT 1 (+1)" in lines[0], "TIME_WAIT appears in the header", lines[0])
    lines = wait_pane(lambda ls: one_frame(ls) and sum("TIME_WAIT" in ln for ln in ls[1:]) == 1
                      and "(+" not in ls[0], "the frame after the change")
    h.check_eq(sum("ESTABLISHED" in ln for ln in lines[1:]), 4, "rows follow the close")
    h.ok("tty: the header shows the change when a connection closes")

    # a smaller window (SIGWINCH): drawn again at once, cut to fit, nothing scrolls
    tmux("resize-window", "-t", "w", "-x", "40", "-y", "6")
    lines = wait_pane(lambda ls: any(re.match(r"^\.\.\. \d+ more lines$", ln) for ln in ls),
                      "the frame redrawn for a 40x6 window")
    h.check(len(lines) <= 6 and HEADER_RE.match(lines[0]), "the frame fits 6 rows",
            "\n".join(lines))
    h.check_eq(tmux("display", "-p", "-t", "w", "#{history_size}").strip(), "0",
               "nothing scrolled after the resize")
    h.ok("tty: a resize redraws the frame cut to the new window")

    tmux("send-keys", "-t", "w", "C-c")
    lines = wait_pane(lambda ls: any(ln.startswith("EXIT=") for ln in ls), "the exit")
    h.check("EXIT=0" in lines, "Ctrl-C exits 0", "\n".join(lines))
    h.check(not headers(lines), "the main screen is back (no frame left)", "\n".join(lines))
    h.check_eq(tmux("display", "-p", "-t", "w", "#{alternate_on},#{cursor_flag}").strip(),
               "0,1", "alternate screen left and cursor shown again")
    tmux("kill-server", check=False)
    h.ok("tty: Ctrl-C exits 0 and restores the terminal")


def test_pipe():
    t0 = time.monotonic()
    out = h.run_ok(["-c", "0.2", "--count", "3"])
    took = time.monotonic() - t0
    frames = out.split("\n\n")
    h.check(frames[-1] == "", "output ends with a blank line after the last frame", out)
    frames = frames[:-1]
    h.check_eq(len(frames), 3, "three snapshots", out)
    stamps = []
    for f in frames:
        lines = f.split("\n")
        m = STAMP_RE.match(lines[0])
        h.check(m, "each snapshot starts with a timestamp line", f)
        stamps.append(datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f"))
        rows = h.parse_table("\n".join(lines[1:]) + "\n")
        h.check_eq(len(rows), 4, "each snapshot lists our sockets", f)
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])]
    # Frames keep to a fixed schedule, so a late frame is followed by an early one: judge
    # the average spacing, with room for a busy machine.
    mean = sum(gaps) / len(gaps)
    h.check(all(g > 0 for g in gaps) and 0.12 <= mean <= 0.8,
            "snapshots 0.2 s apart on average: %r" % gaps)
    h.check(took < 5, "--count 3 stops (%.1f s)" % took)
    h.ok("pipe: timestamped snapshots, 0.2 s apart, --count stops")

    out = h.run_ok(["-s", "-c", "0.2", "--count", "2"])
    h.check_eq(len(re.findall(r"^=== ", out, re.M)), 2, "-s repeats", out)
    h.check_eq(len(re.findall(r"^ESTABLISHED\s+4\s", out, re.M)), 2, "summary in each", out)
    # the header counts what the view counts: -s counts every state, the listener too
    h.check_eq(len(re.findall(r"^=== .*  total 5  LISTEN 1  ESTABLISHED 4$", out, re.M)), 2,
               "the header of -s agrees with the summary", out)
    h.ok("pipe: another view (-s) repeats")

    # one dump a frame: the header counts come from the view's own dump (--stats counts
    # the netlink messages: one per socket and one NLMSG_DONE per dump)
    for args in (["-an"], ["-s"], ["-an", "state", "established"]):
        rc, out, err = h.run(args + ["--stats"])
        one = int(re.search(r"messages=(\d+)", err).group(1))
        rc, out, err = h.run(args + ["--stats", "-c", "0.05", "--count", "3"])
        m = re.search(r"messages=(\d+)", err)
        h.check(rc == 0 and m, "-c --stats works", err)
        h.check_eq(int(m.group(1)), 3 * one, "%s -c: one dump a frame" % " ".join(args),
                   err)
    h.ok("pipe: one dump a frame")

    rc, out, err = h.run(["-E", "-c", "1"])
    h.check(rc == 2 and out == "" and "'--events'" in err, "-c with -E is a usage error",
            "rc %d" % rc, err, out)

    for sig in (signal.SIGINT, signal.SIGTERM):
        env = dict(os.environ, LC_ALL="C", NO_COLOR="1")
        p = h.track(subprocess.Popen([h.binary(), "-c", "0.2"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env))
        first = p.stdout.readline().decode()
        h.check(first.startswith("=== "), "a frame arrives", first)
        time.sleep(0.5)
        p.send_signal(sig)
        try:
            rest, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            h.fail("%s did not end -c" % signal.Signals(sig).name)
        h.check_eq(p.returncode, 0, "%s ends -c with status 0" % signal.Signals(sig).name,
                   err.decode())
        h.check(rest.decode().endswith("\n\n"), "the last frame is whole", rest.decode())
    h.ok("pipe: SIGINT and SIGTERM end it with status 0")


def main():
    h.enter_netns()
    lst, pairs = connections(2)
    test_pipe()  # 4 ESTABLISHED sockets
    c = socket.create_connection(("127.0.0.1", PORT))
    a, _ = lst.accept()
    pairs.append((c, a))
    test_terminal(pairs)  # 6


if __name__ == "__main__":
    main()
