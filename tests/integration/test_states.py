#!/usr/bin/python3
"""test_states.py - all 11 states: each fixture socket listed once, in its state, in each view.

Inside a private network namespace, tests/lib/fixture.py holds one socket in every TCP state
(plus the other ends of its connections). The listing must show exactly those sockets, with
addresses spelled as the spec says, and agree with ss(8), /proc/net/tcp and a raw sock_diag
bound-inactive dump wherever each of those can see the socket.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

NOT_DEFAULT = ("LISTEN", "CLOSED")


def show(fx):
    return "\n".join("%-11s %-5s %s -> %s" % (s["state"], s["proto"], s["local"], s["remote"])
                     for s in fx.manifest)


def listing(args, header=True):
    out = h.run_ok(args)
    return h.by_key(h.parse_table(out, header=header), "tcpstate " + " ".join(args)), out


def check_rows(args, rows, out, want):
    """rows (from tcpstate args) hold exactly want's sockets, each as want spells it."""
    what = "tcpstate " + " ".join(args)
    h.check_set_eq(rows.keys(), want.keys(), what + " lists exactly these sockets", out)
    bad = []
    for key, s in want.items():
        r = rows[key]
        got = (r["proto"], r["local"], r["foreign"], r["state"])
        exp = (s["proto"], s["local"], s["remote"], s["state"])
        if got != exp:
            bad.append("%s (%s):\n      got  %s\n      want %s" %
                       (s["name"], s["state"], " ".join(got), " ".join(exp)))
    if bad:
        h.fail(what + ": sockets listed with the wrong proto/address/state", "\n".join(bad),
               out)


def test_all(fx):
    args = ["-a", "-n"]
    rows, out = listing(args)
    check_rows(args, rows, out, fx.expected())
    h.check(all(r["owners"] is None for r in rows.values()),
            "no PID/Program name column without -p", out)
    h.ok("-a -n lists each of the %d fixture sockets once, in its state" % len(rows))
    return rows, out


def test_oracles(fx, rows, out):
    """ss and /proc/net/tcp see the same sockets in the same states (where they can)."""
    ss = h.ss_states()
    proc = h.proc_net_tcp()
    try:
        bound = h.diag_dump(h.TCPF_BOUND_INACTIVE)
    except OSError as e:
        bound = None
        print("# raw bound-inactive dump refused (%s); kernel before 6.8?" % e)
    problems = []
    for key, r in sorted(rows.items(), key=lambda kv: kv[1]["line"]):
        closed = r["state"] == "CLOSED"
        # ss before 6.9 and /proc/net/tcp cannot list bound-only sockets; the rest, they must.
        for name, oracle in (("ss", ss), ("/proc/net/tcp", proc)):
            if oracle is None:
                continue
            o = oracle.get(key)
            if o is None:
                if not closed:
                    problems.append("%s does not see: %s" % (name, r["line"]))
                continue
            if o["state"] != r["state"]:
                problems.append("%s says %s: %s" % (name, o["state"], r["line"]))
            # Queues of these stuck sockets do not move; listeners' columns mean other things.
            if r["state"] != "LISTEN" and (o["recvq"], o["sendq"]) != (r["recvq"], r["sendq"]):
                problems.append("%s says Recv-Q %d Send-Q %d: %s" %
                                (name, o["recvq"], o["sendq"], r["line"]))
    if bound is not None:
        mine = {k for k, r in rows.items() if r["state"] == "CLOSED"}
        if mine != set(bound):
            problems.append("CLOSED sockets %r, the kernel's bound-inactive dump has %r" %
                            (sorted(mine, key=repr), sorted(bound, key=repr)))
    if problems:
        h.fail("tcpstate disagrees with the oracles", "\n".join(problems), out)
    h.ok("states (and queues) agree with %s/proc/net/tcp%s" %
         ("ss, " if ss is not None else "", " and the bound-inactive dump" if bound else ""))


def test_default_view(fx):
    args = ["-n"]
    rows, out = listing(args)
    check_rows(args, rows, out, fx.expected(lambda s: s["state"] not in NOT_DEFAULT))
    h.ok("the default view shows everything but LISTEN and CLOSED")


def test_listening(fx):
    args = ["-l", "-n"]
    rows, out = listing(args)
    check_rows(args, rows, out, fx.expected(lambda s: s["state"] == "LISTEN"))
    h.ok("-l shows only LISTEN")


def test_families(fx):
    for flag, proto in (("-4", "tcp"), ("-6", "tcp6")):
        args = ["-a", "-n", flag]
        rows, out = listing(args)
        want = fx.expected(lambda s: s["proto"] == proto)
        h.check(len(want) > 0, "fixture has no %s sockets" % proto)
        check_rows(args, rows, out, want)
        args = ["-l", "-n", flag]
        rows, out = listing(args)
        check_rows(args, rows, out,
                   fx.expected(lambda s: s["proto"] == proto and s["state"] == "LISTEN"))
    h.ok("-4 and -6 select the family (v4-mapped counts as tcp6)")


def test_no_header(fx, rows_all, out_all):
    args = ["-a", "-n", "-H"]
    out = h.run_ok(args)
    lines = out.split("\n")
    h.check(not lines[0].startswith("Proto"), "-H still prints the header", out)
    rows = h.by_key(h.parse_table(out, header=False))
    check_rows(args, rows, out, fx.expected())
    h.check_eq(out.count("\n"), len(fx.manifest), "-H: one line per socket", out)
    h.check_eq(out.count("\n") + 1, out_all.count("\n"), "-H drops exactly one line", out_all,
               out)
    h.ok("-H drops the header line and nothing else")


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture()
    states = {s["state"] for s in fx.manifest}
    h.check_set_eq(states, h.STATES, "the fixture covers all 11 states", show(fx))
    rows, out = test_all(fx)
    test_oracles(fx, rows, out)
    test_default_view(fx)
    test_listening(fx)
    test_families(fx)
    test_no_header(fx, rows, out)
    fx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
