#!/usr/bin/python3
"""test_faults_events.py - -E -p reads only new or changed processes; a slow poll is said.

Owners: in a private namespace, `tcpstate -E -p --stats` runs while this script opens
connections in ROUNDS separate bursts, waiting for each burst's events before the next,
so every burst is seen by a different poll. --stats counts the fd directories read
(procs=N). Walking all of /proc on each of those polls would read about ROUNDS + 1 times
as many directories as there are processes; reading only new processes and the ones whose
fd table changed (this script's, and whatever else the machine starts meanwhile) stays far
below twice that number. The events must still name this script as the owner.

Overrun: with the fault shim delaying every dump request after the first by 150 ms and an
interval of 0.05 s, every poll overruns: the note must come exactly once on stderr, once
as an "overrun" object in JSON lines, and the interval must stretch (far fewer polls than
one every 0.05 s).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

PORT = 23800
ROUNDS = 6
DEADLINE = 20.0  # seconds to wait for a burst's events on a loaded machine


def start(args, env=None):
    e = dict(os.environ, LC_ALL="C", NO_COLOR="1", **(env or {}))
    e.pop("TCPSTATE_IN_NETNS", None)
    # the poll source: its owner cache and overruns are what this test checks (as root,
    # auto would take the eBPF tracepoint, which neither polls nor walks /proc)
    args = ["--events-source", "poll"] + args
    return h.track(subprocess.Popen([h.binary()] + args, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=e))


def stop(p, what):
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        h.fail("%s did not end on SIGINT" % what)
    h.check_eq(p.returncode, 0, "%s: SIGINT exits 0" % what, err.decode())
    out = getattr(p, "_lines", b"") + out  # what h.read_line read but did not return
    return out.decode("utf-8", "surrogateescape"), err.decode()


def n_processes():
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def check_owners():
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT))
    lst.listen(64)
    procs_before = n_processes()
    p = start(["-E", "-p", "--stats", "--format", "jsonl", "--interval", "0.05",
               "sport", "=", str(PORT)])
    keep, seen = [], []
    me = "%d/" % os.getpid()

    def connect_and_wait(wait):
        """A new connection; its "new" event, or None when wait seconds pass first."""
        c = socket.create_connection(("127.0.0.1", PORT))
        a, _ = lst.accept()
        keep.extend([c, a])
        port = c.getsockname()[1]
        deadline = time.monotonic() + wait
        while True:
            line = h.read_line(p, deadline)
            if line is None:
                return None
            e = json.loads(line)
            if e.get("event") == "new" and e["peer"].endswith(":%d" % port):
                return e

    # The baseline poll reads every process once; a connection made before it ends is
    # part of the baseline, not new. Connect until one is reported: the baseline is over.
    until = time.monotonic() + DEADLINE
    while connect_and_wait(1.0) is None:
        h.check(time.monotonic() < until, "the first new connection is reported")
    for r in range(ROUNDS):
        e = connect_and_wait(DEADLINE)
        h.check(e is not None, "round %d: the new connection is reported" % r)
        seen.append(e)
    out, err = stop(p, "tcpstate -E -p")
    st = faults.stats(err)
    procs_after = n_processes()
    bound = 2 * max(procs_before, procs_after)
    h.check("procs" in st, "--stats counts the fd directories read", err)
    h.check(st["procs"] >= 1, "the baseline read the processes", err)
    h.check(st["procs"] < bound,
            "%d polls with new sockets read %d fd directories, not every process "
            "(%d) each time (bound %d)" % (ROUNDS, st["procs"], procs_before, bound), err)
    for e in seen:
        owners = e.get("owners") or []
        h.check(any(str(o.get("pid")) == str(os.getpid()) for o in owners),
                "the owner of a new connection is this script (%s)" % me, json.dumps(e))
    for s in keep + [lst]:
        s.close()
    h.ok("-E -p: %d fd directories read over at least %d polls with new sockets "
         "(%d processes)" % (st["procs"], ROUNDS + 1, procs_before))


def check_overrun():
    env = faults.shim_env("dump_delay=150")
    p = start(["-E", "--format", "jsonl", "--interval", "0.05", "port", "1"], env)
    t0 = time.monotonic()
    deadline = t0 + DEADLINE
    line = h.read_line(p, deadline)
    h.check(line is not None, "an overrun line comes")
    e = json.loads(line)
    h.check_eq(e.get("event"), "overrun", "the first line is the overrun", line)
    h.check(e["poll_s"] > 0.05 and e["interval_s"] > e["poll_s"],
            "the line gives the poll's time and a longer interval", line)
    time.sleep(2.0)
    out, err = stop(p, "tcpstate -E (slow polls)")
    notes = [l for l in err.splitlines() if "longer than the" in l]
    h.check_eq(len(notes), 1, "the overrun note comes once on stderr", err)
    h.check(notes and notes[0].startswith("tcpstate: note: a poll took"),
            "the note says what happened", err)
    more = [l for l in out.splitlines() if '"overrun"' in l]
    h.check_eq(len(more), 0, "the overrun line comes once in JSON lines", out)
    h.ok("-E overrun: %s" % notes[0] if notes else "")


def main():
    h.enter_netns()
    check_owners()
    check_overrun()


if __name__ == "__main__":
    main()
