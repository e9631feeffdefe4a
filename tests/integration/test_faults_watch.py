#!/usr/bin/python3
"""test_faults_watch.py - many sockets with -c for a long while without growing memory.

In a private namespace, holder processes keep TCPSTATE_FAULT_SOCKETS sockets (connected
loopback pairs; default 2,000 so the regular suite stays quick) while `tcpstate ARGS -c`
redraws them for TCPSTATE_FAULT_SECONDS (default 5); ARGS is TCPSTATE_FAULT_ARGS, default
-an (-anp also scans every process of the host, whose number is not ours to hold still). Its resident size, sampled from
/proc/PID/status, must not grow once the first frames are drawn: the largest RSS of the
last half may exceed that of the first half by at most 2% + 1 MiB. The full acceptance run
is TCPSTATE_FAULT_SOCKETS=100000 TCPSTATE_FAULT_SECONDS=60 (about 200 MB of kernel memory
and 100k descriptors; prints the numbers). Under valgrind (TCPSTATE_WRAPPER) it draws 3
frames and lets valgrind's leak check judge instead.
"""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402
import faults  # noqa: E402

PER_HOLDER = 18000  # sockets per holder: a process may be capped at 20,000 descriptors

HOLDER = r"""
import resource, socket, sys
n, port = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = n + 256 if hard == resource.RLIM_INFINITY else min(n + 256, hard)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
L = socket.socket()
L.bind(("127.0.0.1", port))
L.listen(4096)
keep = []
for i in range(n // 2):
    c = socket.socket()
    c.connect(("127.0.0.1", port))
    a, _ = L.accept()
    keep += [c, a]
print(len(keep), flush=True)
sys.stdin.read()  # hold until the test closes our stdin
"""


def hold(total):
    """Start holder processes for total sockets; return them once every socket exists."""
    # every pair takes an ephemeral port towards its holder's listener
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("1024 60999\n")  # the listeners sit above it
    holders = []
    left, port = total, 61000
    while left > 0:
        n = min(left, PER_HOLDER)
        p = h.track(subprocess.Popen([h.PYTHON, "-c", HOLDER, str(n), str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE))
        holders.append(p)
        left -= n
        port += 1
    for p in holders:
        line = p.stdout.readline()
        if not line.strip().isdigit():
            h.fail("a socket holder did not start", p.stderr.read().decode())
    return holders


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    h.enter_netns()
    total = int(os.environ.get("TCPSTATE_FAULT_SOCKETS", "2000"))
    seconds = float(os.environ.get("TCPSTATE_FAULT_SECONDS", "5"))
    interval = "0.5" if total >= 20000 else "0.2"
    args = os.environ.get("TCPSTATE_FAULT_ARGS", "-an").split()
    t0 = time.monotonic()
    holders = hold(total)
    made = time.monotonic() - t0
    rc, out, err = h.run(["-s", "--stats"])
    st = faults.stats(err)
    h.check(st["sockets"] >= total, "%d sockets in the namespace" % total, err)

    if h.wrapper():
        rc, out, err = h.run(args + ["-c", interval, "--count", "3"], timeout=60)
        h.check_eq(rc, 0, "-c --count 3 under %s" % h.wrapper()[0], err)
        h.ok("%s -c: 3 frames of %d sockets under %s" % (" ".join(args), total,
                                                         h.wrapper()[0]))
        return

    e = dict(os.environ, LC_ALL="C")
    e.pop("TCPSTATE_IN_NETNS", None)
    if "ASAN_OPTIONS" in e:
        # AddressSanitizer's quarantine holds freed memory back (RSS grows to 256 MB
        # by design); without it, growth is ours again
        e["ASAN_OPTIONS"] += ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    p = h.track(subprocess.Popen([h.binary()] + args + ["-c", interval],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, env=e))
    samples = []
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        time.sleep(0.1)
        if p.poll() is not None:
            h.fail("tcpstate -c exited early (%r)" % p.returncode,
                   p.stderr.read().decode())
        kib = rss_kib(p.pid)
        if kib:
            samples.append((time.monotonic() - start, kib))
    p.terminate()
    try:
        rc = p.wait(timeout=10 + total / 10000)
    except subprocess.TimeoutExpired:
        h.fail("tcpstate -c did not end on SIGTERM")
    err = p.stderr.read().decode()
    h.check(rc in (0, -15), "-c ends on SIGTERM (rc %r)" % rc, err)
    h.check_eq(err, "", "-c: nothing on stderr")
    # warm-up: the first 20% (the first frames size the buffers)
    warm = [kib for t, kib in samples if t >= seconds * 0.2]
    half = len(warm) // 2
    h.check(half >= 3, "enough RSS samples", samples)
    first, last = max(warm[:half]), max(warm[half:])
    msg = ("%d sockets (made in %.1f s), %s -c %s for %.0f s: RSS %d KiB after warm-up, "
           "%d KiB at the end (max %d KiB), %d samples"
           % (total, made, " ".join(args), interval, seconds, first, warm[-1], max(warm),
              len(samples)))
    print("# " + msg)
    h.check(last <= first * 1.02 + 1024, "memory grew under -c: " + msg,
            " ".join("%.1fs:%d" % s for s in samples))
    h.ok(msg)
    for hp in holders:
        hp.stdin.close()
        hp.wait(timeout=30)


if __name__ == "__main__":
    main()
