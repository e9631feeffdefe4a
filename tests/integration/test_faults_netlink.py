#!/usr/bin/python3
"""test_faults_netlink.py - no sock_diag: say so, or answer from /proc/net/tcp with a note.

Inside a private namespace with the 11-state fixture, the fault shim (tests/lib/faultinject.c)
makes the NETLINK_SOCK_DIAG socket fail to open (a kernel without sock_diag, or a sandbox
that refuses it) or makes the dump answer ENOENT/EOPNOTSUPP (no inet_diag/tcp_diag module).
tcpstate must then list what /proc/net/tcp shows (every socket but the bound-only ones) with
one note saying where the answer came from; when /proc/net/tcp cannot answer (tcp_info was
asked for, --record, or it is unreadable too) it must fail with exit 1 and one clear line.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

NO_DIAG_HINT = "the kernel has no sock_diag/inet_diag support"


def rows_of(out):
    return h.by_key(h.parse_table(out))


def without_closed(rows):
    return {k: r for k, r in rows.items() if r["state"] != "CLOSED"}


def compare(base, got, out, what, owners=False):
    """Same sockets, states and (but for LISTEN Send-Q, the backlog) queues."""
    h.check_set_eq(got.keys(), base.keys(), what + ": the same sockets", out)
    bad = []
    for k, b in base.items():
        g = got[k]
        fields = ["state", "recvq"] + (["sendq"] if b["state"] != "LISTEN" else [])
        fields += ["owners"] if owners else []
        for f in fields:
            if g[f] != b[f]:
                bad.append("%s: %s %r, sock_diag said %r" % (g["line"], f, g[f], b[f]))
    if bad:
        h.fail(what + ": fields differ from the sock_diag listing", "\n".join(bad), out)


def check_note(err, what, *fragments):
    lines = faults.stderr_lines(err)
    h.check(len(lines) == 1 and lines[0].startswith("tcpstate: note: "),
            what + ": exactly one note on stderr", err)
    for f in ("/proc/net/tcp", "bound-only (CLOSED)") + fragments:
        h.check(f in lines[0], "%s: the note says %r" % (what, f), err)


def test_fallback(base, base_p):
    cases = [
        ("socket=EPROTONOSUPPORT", "cannot open a sock_diag netlink socket",
         "Protocol not supported"),
        ("socket=EACCES", "cannot open a sock_diag netlink socket", "Permission denied"),
        ("dump_error=ENOENT", "the kernel's socket dump failed", "No such file"),
        ("dump_error=EOPNOTSUPP", "the kernel's socket dump failed", "not supported"),
    ]
    for spec, what, why in cases:
        env = faults.shim_env(spec)
        rc, out, err = h.run(["-an"], env=env)
        h.check_eq(rc, 0, spec + ": -an exit status", err)
        check_note(err, spec, what, why)
        compare(without_closed(base), rows_of(out), out, spec + " -an")
        rc, out, err = h.run(["-anp"], env=env)
        h.check_eq(rc, 0, spec + ": -anp exit status", err)
        compare(without_closed(base_p), rows_of(out), out, spec + " -anp", owners=True)
        h.ok("%s: -an and -anp list every non-CLOSED socket from /proc/net/tcp, with a note"
             % spec)
    # Selections still apply: -l is the listeners, -4/-6 one family.
    env = faults.shim_env("socket=EPROTONOSUPPORT")
    for args, pred in ((["-ln"], lambda r: r["state"] == "LISTEN"),
                       (["-an4"], lambda r: r["proto"] == "tcp"),
                       (["-an6"], lambda r: r["proto"] == "tcp6")):
        rc, out, err = h.run(args, env=env)
        h.check_eq(rc, 0, " ".join(args) + " exit status", err)
        want = {k: r for k, r in without_closed(base).items() if pred(r)}
        compare(want, rows_of(out), out, "fallback " + " ".join(args))
    h.ok("the fallback honours -l, -4 and -6")


def test_no_answer():
    # tcp_info cannot come from /proc/net/tcp: fail clearly.
    env = faults.shim_env("socket=EPROTONOSUPPORT")
    rc, out, err = h.run(["-an", "-i"], env=env)
    faults.check_one_error(rc, out, err, 1, "cannot open a sock_diag netlink socket",
                           "Protocol not supported", NO_DIAG_HINT, what="-i without sock_diag")
    h.ok("-i without sock_diag: exit 1, one line naming the cause and the module")
    # --record needs the netlink bytes.
    rec = os.path.join("/tmp", "tcpstate-faults-%d.nldump" % os.getpid())
    try:
        rc, out, err = h.run(["-an", "--record", rec], env=env)
        faults.check_one_error(rc, out, err, 1, "sock_diag", what="--record without sock_diag")
    finally:
        if os.path.exists(rec):
            os.unlink(rec)
    h.ok("--record without sock_diag: exit 1")
    # Neither source works.
    for spec in ("socket=EPROTONOSUPPORT,procnet=ENOENT", "dump_error=ENOENT,procnet=EACCES"):
        rc, out, err = h.run(["-an"], env=faults.shim_env(spec))
        faults.check_one_error(rc, out, err, 1, NO_DIAG_HINT, "/proc/net/tcp", what=spec)
    h.ok("no sock_diag and no /proc/net/tcp: exit 1, one line naming both")


def main():
    h.enter_netns()
    fx = h.Fixture()
    base = rows_of(h.run_ok(["-an"]))
    base_p = rows_of(h.run_ok(["-anp"]))
    h.check(any(r["state"] == "CLOSED" for r in base.values()),
            "the fixture has a bound-only socket")
    test_fallback(base, base_p)
    test_no_answer()
    fx.stop()


if __name__ == "__main__":
    main()
