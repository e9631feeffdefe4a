#!/usr/bin/python3
"""make_dumps.py - record the real dumps in tests/data and craft the broken ones from them.

    make_dumps.py record    as root: in a private netns with tests/lib/fixture.py running,
                            record fixture-all.nldump (what `tcpstate -a --record` saves)
                            and fixture-ext.nldump (the same with INET_DIAG_INFO, _CONG,
                            _MEMINFO and _SKMEMINFO attributes), then craft
    make_dumps.py craft     rebuild only the crafted files from the recorded ones

The format (HACKING.md): records of a little-endian uint32 length and that many bytes, as
one recv() returned them. dumps.txt lists every file with what replaying it must give:
the return of diag_replay() as an errno name (0 for success), the number of sockets the
last (re)started dump delivers, and the restarts; test_replay_files.c and
test_faults_dump.py both read it.
"""

import os
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_MULTI, NLM_F_DUMP_INTR = 0x2, 0x10
TCPDIAG_GETSOCK = 18
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
INET_DIAG_MSG_LEN = 72
# idiag_ext bits: 1 << (attr - 1) for MEMINFO(1), INFO(2), CONG(4), SKMEMINFO(7)
EXT_ALL = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 6)
ALL_KSTATES = 0xffffffff

# ---------------------------------------------------------------------------------------
# The container format


def read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    recs, off = [], 0
    while off < len(data):
        (n,) = struct.unpack_from("<I", data, off)
        recs.append(data[off + 4:off + 4 + n])
        off += 4 + n
    return recs


def write_records(name, recs, tail=b""):
    with open(os.path.join(HERE, name), "wb") as f:
        for r in recs:
            f.write(struct.pack("<I", len(r)) + r)
        f.write(tail)


def split_msgs(buf):
    """One recv() buffer -> list of whole netlink messages (bytes, padding kept)."""
    msgs, off = [], 0
    while off + 16 <= len(buf):
        (n,) = struct.unpack_from("=I", buf, off)
        step = (n + 3) & ~3
        msgs.append(buf[off:off + step])
        off += step
    return msgs


def nlmsg(mtype, payload, flags=NLM_F_MULTI, seq=0, pid=0):
    n = 16 + len(payload)
    pad = b"\0" * (((n + 3) & ~3) - n)
    return struct.pack("=IHHII", n, mtype, flags, seq, pid) + payload + pad


def set_flags(msg, flags):
    return msg[:6] + struct.pack("=H", flags) + msg[8:]


def set_len(msg, n):
    return struct.pack("=I", n) + msg[4:]


def done(err=0):
    return nlmsg(NLMSG_DONE, struct.pack("=i", err))


def error(err):
    # struct nlmsgerr: int error + the offending request's header
    return nlmsg(NLMSG_ERROR, struct.pack("=i", err) + struct.pack("=IHHII", 0, 0, 0, 0, 0))

# ---------------------------------------------------------------------------------------
# Recording (root, inside the fixture's netns)


def record(path, ext):
    """One legacy TCPDIAG_GETSOCK dump of both families, every state, as diag.c asks."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)  # NETLINK_SOCK_DIAG
    try:
        s.bind((0, 0))
        # struct inet_diag_req: family, src_len, dst_len, ext, sockid (48), states, dbs
        sockid = bytes(40) + struct.pack("=II", 0xffffffff, 0xffffffff)
        req = struct.pack("=BBBB", socket.AF_UNSPEC, 0, 0, ext) + sockid
        req += struct.pack("=II", ALL_KSTATES, 0)
        s.send(nlmsg(TCPDIAG_GETSOCK, req, NLM_F_REQUEST | NLM_F_DUMP, seq=1))
        recs = []
        while True:
            buf = s.recv(32768)
            recs.append(buf)
            types = [struct.unpack_from("=H", m, 4)[0] for m in split_msgs(buf)]
            if NLMSG_DONE in types or NLMSG_ERROR in types:
                break
    finally:
        s.close()
    write_records(path, recs)
    return sum(len(split_msgs(r)) - 0 for r in recs)


def cmd_record():
    sys.path.insert(0, os.path.join(HERE, "..", "lib"))
    import harness as h
    h.enter_netns()
    fx = h.Fixture()
    try:
        n1 = record("fixture-all.nldump", 0)
        n2 = record("fixture-ext.nldump", EXT_ALL)
    finally:
        fx.stop()
    print("recorded %d and %d messages" % (n1, n2))
    cmd_craft()

# ---------------------------------------------------------------------------------------
# Crafting (a buffer whose framing is wrong delivers none of its sockets)


def cmd_craft():
    recs = read_records(os.path.join(HERE, "fixture-all.nldump"))
    msgs = [m for r in recs for m in split_msgs(r)]
    data = [m for m in msgs if struct.unpack_from("=H", m, 4)[0] >= 16]
    n = len(data)
    first, rest = data[:n // 2], data[n // 2:]
    manifest = [("fixture-all.nldump", "0", n, 0)]
    ext = read_records(os.path.join(HERE, "fixture-ext.nldump"))
    n_ext = sum(1 for r in ext for m in split_msgs(r) if struct.unpack_from("=H", m, 4)[0] >= 16)
    manifest.append(("fixture-ext.nldump", "0", n_ext, 0))

    def out(name, records, ret, socks, restarts=0, tail=b""):
        write_records(name, records, tail)
        manifest.append((name, ret, socks, restarts))

    # The same sockets over two recv() buffers, as a bigger dump arrives.
    out("split.nldump", [b"".join(first), b"".join(rest) + done()], "0", n)
    # Interrupted once: the kernel flags a message mid-way; diag_dump then records the
    # dump it started again. Replay must forget the first half and end with every socket.
    intr = first[:-1] + [set_flags(first[-1], NLM_F_MULTI | NLM_F_DUMP_INTR)]
    out("intr-once.nldump", [b"".join(intr), b"".join(first), b"".join(rest) + done()],
        "0", n, 1)
    # Interrupted every time: give up after 5 restarts (DIAG_MAX_RESTARTS) with EINTR.
    out("intr-always.nldump", [b"".join(intr)] * 6 + [b"".join(data) + done()], "EINTR",
        len(intr) - 1, 5)
    # Failing mid-way: half the sockets, then an NLMSG_ERROR.
    out("err-midway.nldump", [b"".join(first), error(-12)], "ENOMEM", len(first))
    # An error carried in NLMSG_DONE (a bytecode the kernel rejected late).
    out("err-done.nldump", [b"".join(data) + done(-22)], "EINVAL", n)
    # Truncated and malformed: every one is EBADMSG, never a short "valid" listing.
    out("bad-no-done.nldump", [b"".join(data)], "EBADMSG", n)
    whole = b"".join(data) + done()
    out("bad-cut-record.nldump", [whole], "EBADMSG", 0)
    with open(os.path.join(HERE, "bad-cut-record.nldump"), "r+b") as f:
        f.truncate(4 + len(whole) // 2)
    out("bad-cut-prefix.nldump", [b"".join(first)], "EBADMSG", len(first), tail=b"\x10\x00")
    out("bad-zero-record.nldump", [b"".join(first)], "EBADMSG", len(first),
        tail=struct.pack("<I", 0))
    out("bad-hdrlen.nldump", [set_len(data[0], 4096) + b"".join(data[1:]) + done()],
        "EBADMSG", 0)
    out("bad-hdrlen-mid.nldump",
        [b"".join(first) + set_len(rest[0], 60000) + b"".join(rest[1:]) + done()],
        "EBADMSG", 0)
    out("bad-hdrlen-2g.nldump",
        [b"".join(first) + set_len(rest[0], 0x80000000) + b"".join(rest[1:]) + done()],
        "EBADMSG", 0)
    short = nlmsg(TCPDIAG_GETSOCK, data[0][16:16 + 40])
    out("bad-short-payload.nldump", [b"".join(first) + short + done()], "EBADMSG",
        len(first))
    # An attribute whose length runs past its message.
    attr = struct.pack("=HH", 200, 2) + b"\0" * 4
    bad_attr = nlmsg(TCPDIAG_GETSOCK, data[0][16:16 + INET_DIAG_MSG_LEN] + attr)
    out("bad-attr-len.nldump", [bad_attr + done()], "EBADMSG", 0)
    bad_type = data[0][:4] + struct.pack("=H", 99) + data[0][6:]
    out("bad-type.nldump", [b"".join(first) + bad_type + done()], "EBADMSG", len(first))
    bad_ctl = nlmsg(7, b"\0" * 4)
    out("bad-ctl-type.nldump", [b"".join(first) + bad_ctl + done()], "EBADMSG", len(first))
    bad_fam = data[0][:16] + bytes([socket.AF_UNIX]) + data[0][17:]
    out("bad-family.nldump", [bad_fam + done()], "EBADMSG", 0)
    out("bad-trailing.nldump", [b"".join(first), b"".join(rest) + b"\0" * 6, done()],
        "EBADMSG", len(first))
    # An errno no kernel sends (INT_MIN): negating it would overflow.
    out("bad-errno.nldump", [b"".join(first), error(-2 ** 31)], "EBADMSG", len(first))

    with open(os.path.join(HERE, "dumps.txt"), "w") as f:
        f.write("# file  diag_replay() result  sockets delivered since the last restart"
                "  restarts\n# written by make_dumps.py; read by test_replay_files.c and "
                "test_faults_dump.py\n")
        for name, ret, socks, restarts in manifest:
            f.write("%s %s %d %d\n" % (name, ret, socks, restarts))
    print("wrote %d files" % len(manifest))


def main(argv):
    if argv == ["record"]:
        cmd_record()
    elif argv == ["craft"]:
        cmd_craft()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
