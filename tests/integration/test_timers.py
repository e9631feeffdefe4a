#!/usr/bin/python3
"""test_timers.py - -o: the TIME_WAIT countdown runs down, a zero-window FIN_WAIT_1 probes.

Inside a private network namespace the fixture (tests/lib/fixture.py) holds a TIME_WAIT
socket, a FIN_WAIT_1 socket whose FIN is stuck behind data its peer never reads (window
closed: the kernel runs the zero-window probe timer), a SYN_SENT socket retransmitting
its SYN and a SYN_RCVD request socket. `tcpstate -o` must show:

  * TIME_WAIT: "timewait (N)" with the 2MSL countdown, at most 60 s, smaller a second
    later by about a second, and the same number in the expires column;
  * FIN_WAIT_1: "probe (T/N)"; SYN_SENT and SYN_RCVD: "retrans (T/N)";
  * an ESTABLISHED idle socket: "off";
  * the same timer kind and count as ss -o (an independent reader of the same fields).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

TIMER_RE = re.compile(r"^(off|retrans|keepalive|timewait|probe) ?(?:\((\d+(?:\.\d)?)(ms|s)"
                      r"(?:/(\d+))?\))?$")
SS_KIND = {"on": "retrans", "keepalive": "keepalive", "timewait": "timewait",
           "persist": "probe"}


def seconds(num, unit):
    return float(num) / (1000.0 if unit == "ms" else 1.0)


def listing(args):
    """`tcpstate --format jsonl ARGS` as {(local, foreign): row}."""
    out = h.run_ok(["--format", "jsonl", "--columns", "+timer,expires"] + args)
    rows = {}
    for line in out.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            h.fail("not JSON: %r" % line, out)
        rows[(r["local"], r["foreign"])] = r
    return rows


def parse_timer(text, what):
    m = TIMER_RE.match(text)
    h.check(m, "%s: cannot parse timer %r" % (what, text))
    kind, num, unit, count = m.groups()
    if kind == "off":
        h.check(num is None, "%s: 'off' with a time: %r" % (what, text))
        return kind, None, None
    h.check(num is not None, "%s: timer without time left: %r" % (what, text))
    if kind == "timewait":
        h.check(count is None, "%s: timewait has no count: %r" % (what, text))
    else:
        h.check(count is not None, "%s: %s without a count: %r" % (what, kind, text))
    return kind, seconds(num, unit), None if count is None else int(count)


def entry(fx, name):
    for s in fx.manifest:
        if s["name"] == name:
            return s
    h.fail("fixture has no socket named %r" % name)


def row_of(rows, e):
    r = rows.get((e["local"], e["remote"]))
    h.check(r is not None, "no row for %s %s -> %s" % (e["name"], e["local"], e["remote"]),
            json.dumps(list(rows.keys())))
    return r


def ss_timers():
    """{(local, peer): (kind, count)} from ss -tano, or None without ss."""
    if not shutil.which("ss"):
        return None
    r = subprocess.run(["ss", "-tanoH", "state", "all"], capture_output=True, text=True,
                       timeout=h.RUN_TIMEOUT)
    h.check(r.returncode == 0, "ss -tano failed", r.stderr)
    out = {}
    for line in r.stdout.splitlines():
        f = line.split()
        m = re.search(r"timer:\((\w+),[^,]*,(\d+)\)", line)
        if len(f) >= 5 and m:
            out[(f[3], f[4])] = (SS_KIND.get(m.group(1), m.group(1)), int(m.group(2)))
    return out


def main():
    h.enter_netns()
    fx = h.Fixture("--no-evil")
    tw, fw1 = entry(fx, "time-wait"), entry(fx, "fin-wait-1")
    syn_sent, syn_rcvd = entry(fx, "syn-sent"), entry(fx, "syn-rcvd")
    est = entry(fx, "established-v4-client")

    # The table shows the same text (one run, to see the column exists under -o).
    out = h.run_ok(["-o"])
    h.check(out.split("\n")[0].rstrip().endswith("Timer"), "-o adds the Timer column", out)
    h.check(re.search(r"TIME_WAIT\s+timewait \(\d+(\.\d)?s\)", out), "-o on TIME_WAIT", out)

    b1 = time.monotonic()
    first = listing(["-a"])
    a1 = time.monotonic()  # the dump ran somewhere in [b1, a1]
    kind, left1, _ = parse_timer(row_of(first, tw)["timer"], "TIME_WAIT")
    h.check_eq(kind, "timewait", "TIME_WAIT timer kind")
    h.check(0 < left1 <= 60.0, "TIME_WAIT countdown within 2MSL (60 s): %r" % left1)
    exp1 = row_of(first, tw)["expires"]
    h.check(isinstance(exp1, int) and abs(exp1 / 1000.0 - left1) < 0.2,
            "expires (ms) agrees with the timer text", row_of(first, tw))
    h.ok("TIME_WAIT shows timewait (%.1fs)" % left1)

    time.sleep(1.2)
    b2 = time.monotonic()
    second = listing(["-a"])
    a2 = time.monotonic()
    _, left2, _ = parse_timer(row_of(second, tw)["timer"], "TIME_WAIT")
    exp2 = row_of(second, tw)["expires"]
    h.check(left2 < left1, "the countdown decreases: %.1f then %.1f" % (left1, left2))
    # the two dumps ran between b2 - a1 and a2 - b1 apart, however slow each run was
    ran = (exp1 - exp2) / 1000.0
    h.check(b2 - a1 - 0.1 <= ran <= a2 - b1 + 0.1,
            "it runs down with the clock: %d ms then %d ms, %.2f-%.2f s apart"
            % (exp1, exp2, b2 - a1, a2 - b1))
    h.ok("the countdown ran down %d ms in %.2f-%.2f s" % (exp1 - exp2, b2 - a1, a2 - b1))

    kind, left, count = parse_timer(row_of(second, fw1)["timer"], "FIN_WAIT_1")
    h.check_eq(kind, "probe", "zero-window FIN_WAIT_1 runs the probe timer",
               row_of(second, fw1))
    h.check(left <= 120.0 and count >= 0, "probe time and count are sane", row_of(second, fw1))
    h.ok("zero-window FIN_WAIT_1 shows %s" % row_of(second, fw1)["timer"])

    for e in (syn_sent, syn_rcvd):
        kind, left, count = parse_timer(row_of(second, e)["timer"], e["state"])
        h.check_eq(kind, "retrans", "%s retransmits" % e["state"], row_of(second, e))
    h.check_eq(parse_timer(row_of(second, est)["timer"], "ESTABLISHED")[0], "off",
               "an idle ESTABLISHED socket has no timer")
    h.check(row_of(second, est)["expires"] is None, "no timer: expires is null",
            row_of(second, est))
    h.ok("SYN_SENT and SYN_RCVD retransmit; idle ESTABLISHED is off")

    ss = ss_timers()
    if ss is None:
        print("ss not found: not compared")
    else:
        third = listing(["-a"])
        compared = 0
        for e in (tw, fw1, syn_sent, syn_rcvd):
            key = (e["local"], e["remote"].replace("[::]:*", "*"))
            if key not in ss:
                continue
            kind, _, count = parse_timer(row_of(third, e)["timer"], e["name"])
            want_kind, want_count = ss[key]
            h.check_eq(kind, want_kind, "timer kind of %s vs ss" % e["name"])
            if count is not None and e["state"] != "SYN_SENT":  # SYN_SENT's count moves
                h.check_eq(count, want_count, "timer count of %s vs ss" % e["name"])
            compared += 1
        h.check(compared >= 3, "ss showed timers for at least 3 of the sockets", ss)
        h.ok("timer kinds agree with ss -o on %d sockets" % compared)
    fx.stop()


if __name__ == "__main__":
    main()
