#!/usr/bin/python3
"""test_lab_lessons.py - every --lab lesson, step by step, against ss in its namespace.

Each lesson runs with --format jsonl and a pipe on stdin, so it waits for a line before
each next step. After every step the sockets it reports (bound-only CLOSED ones aside,
which ss cannot see) must be exactly what `nsenter -t PID -n ss -tan` shows, and the
states must be the ones the lesson is about (written here independently of the tool).
reuseaddr must show bind() failing with EADDRINUSE and then succeeding; rst the refused
connect, the abortive close and the half-open connection's reset.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

DEADLINE = 30.0

# Per lesson, per step: {role: state} that must be reported (None: no such socket but a
# bound-only CLOSED one), the call's result, and the flags of segments that must appear.
LESSONS = {
    "handshake": [
        ({"listener": "LISTEN", "client": None}, "ok", []),
        ({"client": "ESTABLISHED", "server": "SYN_RCVD"}, "ok", ["SYN", "SYN,ACK", "ACK"]),
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["PSH,ACK"]),
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", []),
    ],
    "close": [
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["SYN"]),
        ({"client": "FIN_WAIT_2", "server": "CLOSE_WAIT"}, "ok", ["FIN,ACK", "ACK"]),
        ({"client": "FIN_WAIT_2", "server": "CLOSE_WAIT"}, "ok", []),
        ({"client": "TIME_WAIT", "server": None}, "ok", ["FIN,ACK", "ACK"]),
    ],
    "simultaneous-close": [
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["SYN"]),
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", []),
        ({"client": "FIN_WAIT_1", "server": "ESTABLISHED"}, "ok", []),
        ({"client": "CLOSING", "server": "FIN_WAIT_2"}, "ok", ["FIN,ACK"]),
        ({"client": "TIME_WAIT", "server": "TIME_WAIT"}, "ok", []),
    ],
    "rst": [
        ({"client": None, "server": None}, "ECONNREFUSED", ["SYN", "RST,ACK"]),
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["SYN"]),
        ({"client": None, "server": None}, "ok", ["RST,ACK"]),
        ({"client": None, "server": None}, "ECONNRESET", []),
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["SYN"]),
        ({"client": "ESTABLISHED", "server": None}, "ok", []),  # half-open: nothing sent
        ({"client": None, "server": None}, "ECONNRESET", ["PSH,ACK", "RST"]),
    ],
    "half-close": [
        ({"client": "ESTABLISHED", "server": "ESTABLISHED"}, "ok", ["SYN"]),
        ({"client": "FIN_WAIT_2", "server": "CLOSE_WAIT"}, "ok", ["FIN,ACK"]),
        ({"client": "FIN_WAIT_2", "server": "CLOSE_WAIT"}, "ok", ["PSH,ACK"]),
        ({"client": "FIN_WAIT_2", "server": "CLOSE_WAIT"}, "ok", []),
        ({"client": "TIME_WAIT", "server": None}, "ok", ["FIN,ACK"]),
    ],
    "reuseaddr": [
        ({"client": "ESTABLISHED", "server": "ESTABLISHED", "listener": "LISTEN"}, "ok",
         ["SYN"]),
        ({"client": "CLOSE_WAIT", "server": "FIN_WAIT_2", "listener": None}, "ok",
         ["FIN,ACK"]),
        ({"client": None, "server": "TIME_WAIT"}, "ok", ["FIN,ACK"]),
        ({"server": "TIME_WAIT", "listener": None}, "EADDRINUSE", []),
        ({"server": "TIME_WAIT", "listener": "LISTEN"}, "ok", []),
    ],
}


def read_line(p, what):
    line = p.stdout.readline()
    if not line:
        rc = p.wait(timeout=DEADLINE)
        h.fail("%s: tcpstate ended (exit %s) instead" % (what, rc), p.stderr.read())
    try:
        return json.loads(line)
    except ValueError:
        h.fail("%s: not JSON" % what, line)


def check_step(name, n, rec, holder, want):
    roles, result, flags = want
    what = "%s step %d" % (name, n)
    h.check_eq(rec["step"], n, what + ": step number")
    h.check(rec["settled"], what + ": the kernel never reached the step's states", rec)
    h.check_eq(rec["result"], result, what + ": result of " + rec["call"])
    got = {}
    for s in rec["sockets"]:
        if s["state"] != "CLOSED":
            got.setdefault(s["role"], set()).add(s["state"])
    for role, state in roles.items():
        if state is None:
            h.check(role not in got, "%s: a %s socket is left" % (what, role), rec)
        else:
            h.check(state in got.get(role, ()), "%s: %s is not %s" % (what, role, state),
                    rec)
    seen = [g["flags"] for g in rec["segments"]]
    for f in flags:
        h.check(f in seen, "%s: no %s segment" % (what, f), rec)
    # The independent oracle: ss in the same namespace, now (the lesson is paused).
    ours = sorted((s["state"], s["local"], s["remote"]) for s in rec["sockets"]
                  if s["state"] != "CLOSED")
    h.check_eq(h.ss_in_netns(holder), ours, what + ": ss in the lab's namespace")


def run_lesson(name, steps):
    argv = h.wrapper() + [h.binary(), "--lab", name, "--format", "jsonl"]
    env = dict(os.environ, LC_ALL="C")
    env.pop("TCPSTATE_IN_NETNS", None)
    p = h.track(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env))
    head = read_line(p, name + " header")
    h.check_eq(head["lesson"], name, "header lesson")
    h.check_eq(head["steps"], len(steps), name + ": number of steps")
    holder = head["pid"]
    ident = os.readlink("/proc/%d/ns/net" % holder)
    h.check(ident != os.readlink("/proc/self/ns/net"), name + ": not in a namespace of its own")
    for n, want in enumerate(steps, 1):
        rec = read_line(p, "%s step %d" % (name, n))
        check_step(name, n, rec, holder, want)
        if n < len(steps):
            p.stdin.write("\n")
            p.stdin.flush()
    p.stdin.close()
    rc = p.wait(timeout=DEADLINE)
    h.check_eq(rc, 0, name + ": exit status", p.stderr.read())
    deadline = time.monotonic() + DEADLINE
    while h.netns_holders(ident) and time.monotonic() < deadline:
        time.sleep(0.02)
    h.check_eq(h.netns_holders(ident), [], name + ": the namespace is left")
    h.ok("--lab %s: %d steps match ss in the lab's namespace" % (name, len(steps)))


def timed():
    """-c SECONDS: a pause of that long between steps instead of a line (stdin is not a
    pipe here); every step still comes, in order."""
    rc, out, err = h.run(["--lab", "handshake", "--format", "jsonl", "-c", "0.05"],
                         timeout=DEADLINE)
    h.check_eq(rc, 0, "--lab handshake -c 0.05: exit status", err)
    steps = [json.loads(line).get("step") for line in out.splitlines()[1:]]
    h.check_eq(steps, [1, 2, 3, 4], "--lab handshake -c 0.05: steps", out)
    h.ok("--lab handshake -c 0.05 runs every step with timed pauses")


def main():
    h.enter_netns()
    import shutil
    if not shutil.which("nsenter") or not shutil.which("ss"):
        h.skip("nsenter and ss are needed to look into the lab's namespace")
    only = sys.argv[1:]
    for name, steps in LESSONS.items():
        if not only or name in only:
            run_lesson(name, steps)
    if not only:
        timed()
    h.cleanup()


if __name__ == "__main__":
    main()
