#!/usr/bin/python3
"""test_trust.py - issue 11: never a silent wrong, hidden or unsafe answer.

--record writes safely; owners the scan could not look up are said to be unknown; sockets
without an owner show none; IPv6 scopes and dual-stack listeners are told apart; owner
filters select every state; -K explains what it cannot do; --doctor and -K have machine
forms; output errors stop at once.
"""

import json
import os
import socket
import stat
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402


def test_record():
    """A new 0600 file, renamed into place: never through a symlink, never into a link."""
    old = os.umask(0)
    d = tempfile.mkdtemp(prefix="tcpstate-rec-")
    os.chmod(d, 0o1777)
    try:
        path = os.path.join(d, "dump")
        h.run_ok(["--record", path])
        st = os.lstat(path)
        h.check(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600,
                "--record makes a regular file of mode 0600 whatever the umask: %o"
                % st.st_mode)
        h.run_ok(["--replay", path])
        # an existing regular file with a second hard link: replaced, the link untouched
        other = os.path.join(d, "other")
        with open(other, "w") as f:
            f.write("keep")
        os.unlink(path)
        os.link(other, path)
        h.run_ok(["--record", path])
        with open(other) as f:
            h.check_eq(f.read(), "keep", "--record wrote through a hard link")
        h.check(os.stat(path).st_ino != os.stat(other).st_ino, "the name is a new file")
        # a symlink, dangling or not: refused, the target neither created nor written
        for target in (os.path.join(d, "victim"), other):
            os.unlink(path)
            os.symlink(target, path)
            rc, out, err = h.run(["--record", path])
            h.check(rc == 1 and "not a regular file" in err and not out,
                    "--record through a symlink: exit %d %r" % (rc, err))
            h.check(os.path.islink(path), "the symlink is left alone")
        h.check(not os.path.exists(os.path.join(d, "victim")), "dangling target made")
        with open(other) as f:
            h.check_eq(f.read(), "keep", "--record wrote through a symlink")
        left = [n for n in os.listdir(d) if n not in ("dump", "other")]
        h.check_eq(left, [], "temporary files left behind")
    finally:
        os.umask(old)
        for n in os.listdir(d):
            os.unlink(os.path.join(d, n))
        os.rmdir(d)
    h.ok("--record: mode 0600, replaced by rename, symlinks refused, hard links untouched")


def main():
    h.enter_netns()
    test_record()


if __name__ == "__main__":
    main()
