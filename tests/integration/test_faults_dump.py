#!/usr/bin/python3
"""test_faults_dump.py - a dump interrupted (NLM_F_DUMP_INTR) or failing mid-way.

Replayed: every dump in tests/data/dumps.txt (recorded, then cut, corrupted, interrupted or
given an error by make_dumps.py) gives the listing or exit 1 with one line, never exit 2 and
never a partial listing. Live, in a private namespace with 150 connected pairs (a dump of
several recv() buffers), the fault shim flags NLM_F_DUMP_INTR (tcpstate restarts, at most 5
times, and lists each socket once), puts an error in NLMSG_DONE, answers an NLMSG_ERROR in
the second buffer, or fails the second recv() with ENOBUFS: the error reaches the user.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
MESSAGES = {
    "EBADMSG": "malformed or truncated dump",
    "EINTR": "Interrupted system call",
    "ENOMEM": "Cannot allocate memory",
    "EINVAL": "Invalid argument",
}


def test_replays():
    n = 0
    with open(os.path.join(DATA, "dumps.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, want, socks, restarts = line.split()
            path = os.path.abspath(os.path.join(DATA, name))
            rc, out, err = h.run(["-a", "-n", "--replay", path, "--stats"])
            if want == "0":
                h.check_eq(rc, 0, name + ": exit status", err)
                rows = h.by_key(h.parse_table(out), name)
                h.check_eq(len(rows), int(socks), name + ": sockets listed", out)
                st = faults.stats(err)
                h.check_eq(st["restarts"], int(restarts), name + ": restarts", err)
            else:
                faults.check_one_error(rc, out, err, 1, "cannot replay '%s'" % path,
                                       MESSAGES[want], what=name)
            n += 1
    h.check(n >= 15, "dumps.txt lists the crafted dumps")
    h.ok("%d recorded/crafted dumps replay to a listing or exit 1 with one line" % n)


def test_live(base):
    # Interrupted twice: two restarts, then the full listing, each socket once.
    rc, out, err = h.run(["-an", "--stats"], env=faults.shim_env("dump_intr=2"))
    h.check_eq(rc, 0, "dump_intr=2: exit status", err)
    h.check_eq(faults.stats(err)["restarts"], 2, "dump_intr=2: restarts", err)
    rows = h.by_key(h.parse_table(out), "after 2 restarts")
    h.check_set_eq(rows.keys(), base.keys(), "after 2 restarts: every socket once", out)
    h.ok("NLM_F_DUMP_INTR twice: restarted twice, every socket listed once")

    # Interrupted every time: bounded, then a clear error.
    rc, out, err = h.run(["-an", "--stats"], env=faults.shim_env("dump_intr=-1"), timeout=20)
    faults.check_one_error(rc, out, err, 1, "kept changing during the dump",
                           what="dump_intr=-1")
    h.check_eq(faults.stats(err)["restarts"], 5, "dump_intr=-1: gave up after 5 restarts",
               err)
    h.ok("NLM_F_DUMP_INTR on every dump: gave up after 5 restarts, exit 1")

    # An error carried in NLMSG_DONE; an NLMSG_ERROR in the second buffer; recv failing.
    cases = [
        ("done_error=EINVAL", "Invalid argument"),
        ("done_error=ENOMEM", "Cannot allocate memory"),
        ("dump_error=ENOMEM@2", "Cannot allocate memory"),
        ("dump_error=EINVAL@3", "Invalid argument"),
        ("recv_error=ENOBUFS@2", "No buffer space available"),
    ]
    for spec, why in cases:
        for args in (["-an"], ["-anp"], ["-an", "-i"]):
            rc, out, err = h.run(args + ["--stats"], env=faults.shim_env(spec))
            faults.check_one_error(rc, out, err, 1, "the kernel's socket dump failed", why,
                                   what="%s %s" % (spec, " ".join(args)))
            if "@" in spec:
                st = faults.stats(err)
                h.check(st["sockets"] > 0, spec + ": the failure came mid-way", err)
    h.ok("errors in NLMSG_DONE, NLMSG_ERROR mid-way and recv failures: exit 1, one line, "
         "no partial listing")


def main():
    h.enter_netns()
    test_replays()
    pairs = faults.Pairs(150)
    base = h.by_key(h.parse_table(h.run_ok(["-an"])), "baseline")
    h.check(len(base) == 301, "301 sockets in the namespace", len(base))
    rc, out, err = h.run(["-an", "--stats"])
    h.check(faults.stats(err)["recvs"] >= 3, "the dump takes several recv() buffers", err)
    test_live(base)
    pairs.close()


if __name__ == "__main__":
    main()
