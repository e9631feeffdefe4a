#!/usr/bin/python3
"""test_filter_kernel.py - port and address filters run in the kernel, not after the dump.

In a private namespace: 1,000 connections to 127.0.0.1:24000 (2,001 sockets with the
listener) and two to 127.0.0.1:24100 (one from 127.0.0.5). `tcpstate --stats` reports the
netlink bytes received; with a filter the kernel can decide (ports, address prefixes, and
not/or of them) those must be a small fraction of the unfiltered dump, and the listing must
still be exactly right; so must a port or address term ANDed with a comparison on a
column (rtt, recvq, cc...), which only user space can decide. A filter only user space can decide (user) is the control: it
receives about as much as no filter at all.
"""

import os
import re
import resource
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

N_BULK = 1000
BULK_PORT = 24000
NARROW_PORT = 24100
MAX_FRACTION = 0.05

STATS_RE = re.compile(r"^tcpstate: stats: bytes=(\d+) messages=(\d+) sockets=(\d+)", re.M)


def stats_run(args):
    rc, out, err = h.run(["--stats"] + args, timeout=20)
    if rc != 0:
        h.fail("tcpstate --stats %s exited %d" % (" ".join(args), rc), err)
    m = STATS_RE.search(err)
    h.check(m is not None, "no 'tcpstate: stats:' line on stderr", err)
    return int(m.group(1)), int(m.group(3)), h.by_key(h.parse_table(out)), out


def main():
    h.enter_netns()
    h.binary()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * N_BULK + 100
    if soft < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, soft), max(need, hard)))
        except (ValueError, OSError) as e:
            h.skip("cannot raise RLIMIT_NOFILE to %d: %s" % (need, e))

    held = []
    bulk = socket.socket()
    bulk.bind(("127.0.0.1", BULK_PORT))
    bulk.listen(128)
    held.append(bulk)
    for _ in range(N_BULK):
        c = socket.create_connection(("127.0.0.1", BULK_PORT))
        s, _ = bulk.accept()
        held += [c, s]
    narrow = socket.socket()
    narrow.bind(("127.0.0.1", NARROW_PORT))
    narrow.listen(4)
    held.append(narrow)
    c1 = socket.create_connection(("127.0.0.1", NARROW_PORT))
    s1, _ = narrow.accept()
    c2 = socket.socket()
    c2.bind(("127.0.0.5", 0))
    c2.connect(("127.0.0.1", NARROW_PORT))
    s2, _ = narrow.accept()
    held += [c1, s1, c2, s2]
    ep = lambda s, peer=False: (s.getpeername() if peer else s.getsockname())  # noqa: E731
    key = lambda s: (4, h.endpoint_key("%s:%d" % ep(s)),  # noqa: E731
                     h.endpoint_key("%s:%d" % ep(s, True)))

    total, nsocks, rows, _ = stats_run([])
    h.check(nsocks >= 2 * N_BULK + 4, "the unfiltered dump has %d sockets, want >= %d" %
            (nsocks, 2 * N_BULK + 4))
    h.check(len(rows) == nsocks, "unfiltered listing: %d rows for %d sockets" % (len(rows),
                                                                                 nsocks))
    h.ok("unfiltered: %d sockets, %d netlink bytes" % (nsocks, total))

    cases = [
        (["port", str(NARROW_PORT)], [c1, s1, c2, s2], "port (either end): bytecode"),
        (["--port", str(NARROW_PORT)], [c1, s1, c2, s2], "--port"),
        (["dport", str(NARROW_PORT)], [c1, c2], "dport: request id and bytecode"),
        (["sport", str(NARROW_PORT)], [s1, s2], "sport: request id"),
        (["sport", "%d-%d" % (NARROW_PORT, NARROW_PORT + 10)], [s1, s2], "port range"),
        (["src", "127.0.0.5"], [c2], "address"),
        (["dst", "127.0.0.5/32"], [s2], "address prefix"),
        (["not", "port", str(BULK_PORT)], [c1, s1, c2, s2], "not"),
        (["dport", str(NARROW_PORT), "or", "sport", str(NARROW_PORT)], [c1, s1, c2, s2],
         "or"),
        (["state", "established", "and", "port", str(NARROW_PORT)], [c1, s1, c2, s2],
         "state mask and bytecode"),
        (["process", "*", "and", "src", "127.0.0.5"], [c2], "process (user space) and an "
         "address (kernel)"),
        (["dport", str(NARROW_PORT), "and", "rtt >= 0"], [c1, c2],
         "a port (kernel) and a comparison on rtt (user space, asks for tcp_info)"),
        (["rport == %d" % NARROW_PORT, "and", "recvq == 0", "and", "not", "last_recv > 1h"],
         [c1, c2], "a port comparison (kernel) and comparisons (user space)"),
        (["lport > %d" % (NARROW_PORT - 1), "and", "lport < %d" % (NARROW_PORT + 1),
          "and", "sendq < 1M"], [s1, s2], "port comparisons (kernel) and a comparison"),
        (["raddr == 127.0.0.5", "and", "cc ~ ."], [s2], "an address comparison (kernel) "
         "and a text comparison"),
    ]
    for args, want, what in cases:
        got, n, rows, out = stats_run(args)
        h.check_set_eq(set(rows), {key(s) for s in want}, "tcpstate %s: wrong sockets" %
                       " ".join(args), out)
        h.check(got <= MAX_FRACTION * total,
                "tcpstate %s received %d netlink bytes for %d sockets, more than %.0f%% of "
                "the unfiltered %d: the filter did not run in the kernel" %
                (" ".join(args), got, n, MAX_FRACTION * 100, total))
        h.ok("%s: %s received %d bytes (%.2f%% of %d), %d sockets" %
             (what, " ".join(args), got, 100.0 * got / total, total, n))

    # Control: the kernel cannot filter on the user, so it sends everything.
    got, n, rows, _ = stats_run(["user", "0", "and", "port", str(NARROW_PORT), "or", "user",
                                 "0"])
    h.check(got >= 0.9 * total, "a user-space filter received only %d of %d bytes: the "
            "counter does not measure the dump" % (got, total))
    h.ok("control: a user filter receives %d bytes (%.0f%% of the unfiltered dump)" %
         (got, 100.0 * got / total))
    got, n, rows, _ = stats_run(["recvq >= 0"])
    h.check(got >= 0.9 * total and len(rows) == n, "a comparison alone received only %d of "
            "%d bytes: nothing in it can run in the kernel" % (got, total))
    h.ok("control: 'recvq >= 0' alone receives %d bytes (%.0f%% of the unfiltered dump)" %
         (got, 100.0 * got / total))
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
