#!/usr/bin/python3
"""test_textfile.py - tcpstate-textfile.service's ExecStart, run without systemd.

Takes the ExecStart command line from the unit (TCPSTATE_UNIT, default: the one meson
generated in the build directory), swaps in the binary under test ($TCPSTATE) and a
temporary directory for the textfile collector's, and runs it 50 times while a reader
loop in another process reads tcpstate.prom as fast as it can. Asserts: every read parses
with prometheus_client's OpenMetrics parser and ends with "# EOF" (no partial file is
ever visible), the reader saw several versions, the file is mode 0644 under umask 077,
no temporary file is left, and the LISTEN count equals the listeners this test opened.
"""

import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

# 50 as the issue asks; under valgrind (tests/sanitize.sh) a few runs check the memory
WRITES = 5 if h.wrapper() else 50
LISTENERS = 120  # a few KiB of output, so a non-atomic writer would be caught mid-write

# The reader: runs until the stop file appears; prints reads, versions, errors.
READER = r"""
import os, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
path, stop = sys.argv[1], sys.argv[2]
open(stop + ".ready", "w").close()
reads = bad = 0
inodes = set()
first_bad = ""
while not os.path.exists(stop):
    try:
        with open(path, "rb") as f:
            inodes.add(os.fstat(f.fileno()).st_ino)
            data = f.read()
    except FileNotFoundError:
        continue
    reads += 1
    text = data.decode("utf-8", "replace")
    try:
        if not text.endswith("# EOF\n"):
            raise ValueError("no '# EOF' at the end")
        list(text_string_to_metric_families(text))
    except Exception as e:
        bad += 1
        first_bad = first_bad or "%r after %d bytes" % (e, len(data))
print(reads, len(inodes), bad, first_bad, sep="\t")
"""


def exec_start(unit):
    """The ExecStart command line of the unit, as an argv."""
    with open(unit, encoding="utf-8") as f:
        for line in f:
            if line.startswith("ExecStart="):
                return shlex.split(line[len("ExecStart="):].strip())
    h.fail("no ExecStart= in %s" % unit)


def main():
    h.enter_netns()
    try:
        import prometheus_client.openmetrics.parser  # noqa: F401
    except ImportError:
        h.skip("python3-prometheus-client is not installed")
    unit = os.environ.get("TCPSTATE_UNIT") or os.path.join(
        os.environ.get("TCPSTATE_BUILDDIR", ""), "systemd", "tcpstate-textfile.service")
    if not os.path.exists(unit):
        h.skip("no unit at %s (set TCPSTATE_UNIT)" % unit)
    argv = exec_start(unit)
    h.check(os.path.basename(argv[0]) == "tcpstate", "ExecStart does not run tcpstate", argv)
    h.check("--output" in argv and argv.index("--output") + 1 < len(argv),
            "ExecStart has no --output FILE", argv)
    h.check("openmetrics" in argv, "ExecStart does not ask for --format openmetrics", argv)
    i = argv.index("--output") + 1
    h.check(os.path.basename(argv[i]) == "tcpstate.prom", "the file is not tcpstate.prom",
            argv)

    listeners = []
    for _ in range(LISTENERS):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        listeners.append(s)

    with tempfile.TemporaryDirectory(prefix="tcpstate-textfile-") as d:
        prom = os.path.join(d, "tcpstate.prom")
        stop = os.path.join(d, "stop")
        argv = h.wrapper() + [h.binary()] + argv[1:i] + [prom] + argv[i + 1:]
        env = dict(os.environ, LC_ALL="C")
        env.pop("TCPSTATE_IN_NETNS", None)
        # The first file, then the reader, then the 49 replacements it must never catch
        # half-written.
        runs = [subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30,
                               preexec_fn=lambda: os.umask(0o077))]
        reader = h.track(subprocess.Popen([h.PYTHON, "-c", READER, prom, stop],
                                          stdout=subprocess.PIPE, text=True))
        deadline = time.monotonic() + 30
        while not os.path.exists(stop + ".ready"):
            h.check(reader.poll() is None and time.monotonic() < deadline,
                    "the reader did not start")
            time.sleep(0.02)
        for _ in range(WRITES - 1):
            runs.append(subprocess.run(argv, env=env, capture_output=True, text=True,
                                       timeout=30, preexec_fn=lambda: os.umask(0o077)))
        open(stop, "w").close()
        out, _ = reader.communicate(timeout=30)
        for r in runs:
            h.check(r.returncode == 0 and not r.stdout and not r.stderr,
                    "ExecStart failed: exit %d" % r.returncode, r.stderr, r.stdout)
        h.ok("ExecStart (%s) ran %d times: exit 0, nothing on stdout or stderr"
             % (" ".join(argv[-4:]), WRITES))

        reads, versions, bad, first_bad = (out.rstrip("\n").split("\t") + [""])[:4]
        reads, versions, bad = int(reads), int(versions), int(bad)
        h.check(bad == 0, "the reader saw %d partial or unparsable files of %d reads"
                % (bad, reads), first_bad)
        h.check(reads >= WRITES and versions >= 2,
                "the reader did not overlap the writes (%d reads, %d versions)"
                % (reads, versions))
        h.ok("a reader loop saw %d whole files (%d versions), never a partial one"
             % (reads, versions))

        mode = os.stat(prom).st_mode & 0o7777
        h.check_eq(oct(mode), oct(0o644), "tcpstate.prom mode under umask 077")
        left = sorted(set(os.listdir(d)) - {"tcpstate.prom", "stop", "stop.ready"})
        h.check_eq(left, [], "temporary files left behind")
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
        with open(prom, encoding="utf-8") as f:
            fams = {fam.name: fam for fam in text_string_to_metric_families(f.read())}
        h.check("tcpstate_sockets" in fams, "no tcpstate_sockets family", sorted(fams))
        listen = sum(s.value for s in fams["tcpstate_sockets"].samples
                     if s.labels.get("state") == "LISTEN")
        h.check_eq(listen, LISTENERS, "LISTEN sockets in tcpstate.prom")
        h.ok("tcpstate.prom: mode 0644, no temporary file left, %d LISTEN sockets"
             % LISTENERS)
    for s in listeners:
        s.close()


if __name__ == "__main__":
    try:
        main()
    finally:
        h.cleanup()
