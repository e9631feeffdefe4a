#!/usr/bin/python3
"""test_owners.py - -p: PID/Program name of every owner, "-" for sockets without a file.

The fixture (tests/lib/fixture.py) holds its sockets as "tsfixture"; one listener is shared
with a forked "tsfixture2", and one is held only by a process whose name carries ESC, LF and
BEL. TIME_WAIT mini-sockets, request sockets (SYN_RCVD) and a child waiting in an accept
queue belong to no process.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

# C-style escapes we accept for each control byte in the evil name (\xNN always allowed).
EVIL_RE = re.compile(r"evil(\\e|\\x1[bB]|\\033)\[31m(\\n|\\x0[aA]|\\012)(\\a|\\x07|\\007)\)")


def expected_owners(s):
    if not s["owners"]:
        return "-"
    return ",".join("%d/%s" % (pid, comm) for pid, comm in sorted(s["owners"]))


def test_raw_bytes(out):
    """Nothing an attacker puts in a process name reaches the terminal raw."""
    for lineno, line in enumerate(out.split(b"\n"), 1):
        bad = sorted({"0x%02x" % c for c in line if c < 0x20 or c == 0x7f})
        if bad:
            h.fail("raw control bytes %s on line %d of tcpstate -a -p" % (", ".join(bad), lineno),
                   repr(line))
    h.check(out.endswith(b"\n"), "output does not end with a newline", repr(out[-80:]))
    h.ok("no raw control bytes in the output")


def test_owners(fx, rows, out):
    bad = []
    for s in fx.manifest:
        if s["name"] == "evil":
            continue
        r = rows[s["key"]]
        want = expected_owners(s)
        if r["owners"] != want:
            bad.append("%s (%s %s):\n      got  %s\n      want %s" %
                       (s["name"], s["state"], s["local"], r["owners"], want))
    if bad:
        h.fail("wrong PID/Program name", "\n".join(bad), out)
    n_none = sum(1 for s in fx.manifest if not s["owners"])
    h.check(n_none >= 3, "fixture should have TIME_WAIT, SYN_RCVD and queued sockets without "
            "owners, has %d" % n_none)
    h.ok("PID/tsfixture on held sockets, '-' on the %d without a file, both owners of "
         "the shared listener in pid order" % n_none)


def test_evil(fx, rows, out):
    ent = [s for s in fx.manifest if s["name"] == "evil"]
    if not ent:
        h.fail("fixture was built without its control-character process")
    ent = ent[0]
    r = rows[ent["key"]]
    pid = fx.pids["evil"]
    owners = r["owners"]
    h.check(owners.startswith("%d/" % pid) and "," not in owners,
            "the control-character process should be the only owner of %s" % ent["local"],
            r["line"])
    h.check("evil" in owners, "the escaped name should still read 'evil'", r["line"])
    h.check(EVIL_RE.search(owners) is not None,
            "the name 'evil ESC [31m LF BEL )' should be escaped C-style "
            "(\\e or \\x1b, \\n, \\a, or \\xNN)", r["line"])
    h.ok("a process name with ESC, LF and BEL is shown escaped: " + owners)


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture()
    args = ["-a", "-n", "-p"]
    rc, raw, err = h.run(args, binary_output=True)
    if rc != 0:
        h.fail("tcpstate %s exited %d" % (" ".join(args), rc), "stderr: " + err)
    test_raw_bytes(raw)
    out = raw.decode("utf-8", "surrogateescape")
    rows = h.by_key(h.parse_table(out))
    h.check(all(r["owners"] is not None for r in rows.values()),
            "-p: every line needs a PID/Program name column", out)
    h.check_set_eq(rows.keys(), fx.expected().keys(), "tcpstate -a -p lists the fixture", out)
    test_owners(fx, rows, out)
    test_evil(fx, rows, out)

    # The same owners without -a: the default view resolves them too.
    rows2 = h.by_key(h.parse_table(h.run_ok(["-n", "-p"])))
    for key, r in rows2.items():
        h.check_eq(r["owners"], rows[key]["owners"], "owners differ between -a -p and -p",
                   r["line"])
    h.ok("the default view with -p shows the same owners")

    # An owner filter decided after the dump, with tcp_info kept for every socket: the
    # rejected sockets' info goes with the set (it once was freed one by one).
    want = {(r["local"], r["foreign"]) for r in rows.values()
            if r["owners"] and "tsfixture" in r["owners"]}
    h.check(want, "the fixture's sockets are named tsfixture", out)
    for extra in (["-i"], ["-m", "-o"], ["-i", "--sort", "rtt"]):
        args = ["-anp", "--process", "tsfixture", "-j"] + extra
        rc, js, err = h.run(args)
        h.check_eq(rc, 0, "tcpstate %s exits 0" % " ".join(args), err)
        got = {(s["local"], s["foreign"]) for s in json.loads(js)["sockets"]}
        h.check_set_eq(got, want, "tcpstate %s: the fixture's sockets" % " ".join(args),
                       js)
    h.ok("-anp --process with -i, -m -o and --sort: the fixture's sockets, exit 0")
    fx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
