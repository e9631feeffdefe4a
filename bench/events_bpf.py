#!/usr/bin/python3
"""bench/events_bpf.py - the eBPF event source (-E --events-source bpf) under load.

    sudo bench/events_bpf.py idle  [--sockets 100000] [--seconds 30]
    sudo bench/events_bpf.py churn [--rate 5000] [--seconds 10] [--sample 50] [--keep F]

Runs in a private network namespace (re-execs itself under `unshare -n`).

idle: holds SOCKETS idle loopback sockets (SOCKETS/2 established pairs), runs
  `tcpstate -E --events-source bpf --format jsonl` for SECONDS and reports its CPU time
  (user + system from /proc/PID/stat) as a share of one core. The BPF programs run in
  whatever context fires the tracepoints, not in tcpstate: with kernel.bpf_stats_enabled
  (set for the run, restored after) their own run time is reported too.
churn: opens and closes RATE connections a second for SECONDS (the server closes first,
  destinations spread over 127.0.0.1-127.0.0.200 so the TIME_WAIT sockets do not block
  ports), with tcpstate filtering on the port; then checks that every SAMPLE-th
  connection has its whole path on both ends and reports the lost-event count from
  tcpstate's note (0 when it printed none) and the achieved rate.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORT = 24900
CLIENT = ["CLOSED", "SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
# The server closes first, orphaning its socket: the kernel hands it to a timewait socket
# in FIN_WAIT_2 (no tracepoint), or straight into TIME_WAIT when the peer's FIN came first.
SERVER = (["LISTEN", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2"],
          ["LISTEN", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"],
          ["LISTEN", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "TIME_WAIT"],
          ["LISTEN", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "CLOSING", "TIME_WAIT"])


def binary():
    return os.environ.get("TCPSTATE") or os.path.join(ROOT, "build", "src", "tcpstate")


def enter_netns():
    if os.environ.get("BENCH_IN_NETNS") != "1":
        env = dict(os.environ, BENCH_IN_NETNS="1")
        os.execvpe("unshare", ["unshare", "-n", "--", sys.executable] + sys.argv, env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def start(args, out, err):
    p = subprocess.Popen([binary(), "-E", "--events-source", "bpf", "--format", "jsonl"]
                         + args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    time.sleep(1.0)  # load and attach
    if p.poll() is not None:
        err.seek(0)
        sys.exit("tcpstate ended: " + err.read().decode())
    return p


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def bpf_stats():
    """(run_cnt, run_time_ns) summed over the tcpstate programs, from bpftool."""
    try:
        out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                             text=True, timeout=30).stdout
        progs = json.loads(out)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    names = {"on_set_state", "on_softirq_entry", "on_softirq_exit"}
    cnt = ns = 0
    for p in progs:
        if p.get("name") in names:
            cnt += p.get("run_cnt", 0)
            ns += p.get("run_time_ns", 0)
    return cnt, ns


def holders(pairs):
    """Start bench/holder.c processes (8,000 pairs each) and wait until all are ready."""
    exe = os.path.join(tempfile.mkdtemp(prefix="tcpstate-bench-"), "holder")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "bench", "holder.c")],
                   check=True)
    procs, offset, per = [], 0, 8000
    nh = (pairs + per - 1) // per
    for h in range(nh):
        n = (pairs - offset) // (nh - h)
        procs.append(subprocess.Popen([exe, "-i", str(h), "-n", str(n), "-o", str(offset)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        offset += n
    for p in procs:
        line = p.stdout.readline().decode()
        if not line.startswith("ready"):
            sys.exit("holder %d failed: %r" % (p.pid, line))
    return procs


def idle(a):
    procs = holders(a.sockets // 2)
    print("holding %d idle sockets in %d processes" % (a.sockets // 2 * 2, len(procs)))
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        saved = f.read().strip()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
                f.write("1")
            p = start(["-a"], out, err)
            s0, c0, t0 = bpf_stats(), cpu_ticks(p.pid), time.monotonic()
            time.sleep(a.seconds)
            s1, c1, t1 = bpf_stats(), cpu_ticks(p.pid), time.monotonic()
        finally:
            with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
                f.write(saved)
        p.send_signal(signal.SIGINT)
        p.wait()
    for h in procs:
        h.terminate()
        h.wait()
    hz = os.sysconf("SC_CLK_TCK")
    share = (c1 - c0) / hz / (t1 - t0) * 100
    print("tcpstate -E --events-source bpf: %.3f%% of a core over %.0f s (%d ticks)"
          % (share, t1 - t0, c1 - c0))
    if s0 and s1:
        runs, ns = s1[0] - s0[0], s1[1] - s0[1]
        print("BPF programs: %d runs, %.3f ms in all, %.4f%% of a core"
              % (runs, ns / 1e6, ns / 1e9 / (t1 - t0) * 100))


def paths(path):
    by = {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            by.setdefault(e["cookie"], []).append(e)
    res = {}
    for evs in by.values():
        states = [evs[0]["old"]] + [e["new"] for e in evs]
        for e in evs:
            if e["local"].endswith(":%d" % PORT) and e["peer"] != "0.0.0.0:*":
                res[("s", e["peer"].split(":")[1], e["local"].split(":")[0])] = states
            elif e["peer"].endswith(":%d" % PORT) and not e["local"].endswith(":0"):
                res[("c", e["local"].split(":")[1], e["peer"].split(":")[0])] = states
    return res


def churn(a):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("0.0.0.0", PORT))
    lst.listen(4096)
    with tempfile.NamedTemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = start(["port", str(PORT)], out, err)
        sample, n, t0 = [], 0, time.monotonic()
        c0 = cpu_ticks(p.pid)
        end = t0 + a.seconds
        while time.monotonic() < end:
            due = t0 + n / a.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            dst = "127.0.0.%d" % (1 + n % 200)
            c = socket.create_connection((dst, PORT))
            s, _ = lst.accept()
            if n % a.sample == 0:
                sample.append((str(c.getsockname()[1]), dst))
            s.close()  # the server closes first: TIME_WAIT on its side
            c.recv(1)
            c.close()
            n += 1
        elapsed = time.monotonic() - t0
        time.sleep(1.0)
        cpu = (cpu_ticks(p.pid) - c0) / os.sysconf("SC_CLK_TCK")
        p.send_signal(signal.SIGINT)
        p.wait()
        err.seek(0)
        note = err.read().decode()
        got = paths(out.name)
        if a.keep:
            shutil.copy(out.name, a.keep)
    print("%d connections in %.1f s: %.0f a second; tcpstate used %.2f s of CPU (%.1f%% "
          "of a core)" % (n, elapsed, n / elapsed, cpu, cpu / (elapsed + 1) * 100))
    ok = 0
    for port, dst in sample:
        if got.get(("c", port, dst)) == CLIENT and got.get(("s", port, dst)) in SERVER:
            ok += 1
    print("sampled connections (every %dth): %d of %d with both whole paths"
          % (a.sample, ok, len(sample)))
    lost = [ln for ln in note.splitlines() if "lost" in ln]
    print("lost events: %s" % (lost[0] if lost else "0 (no note)"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["idle", "churn"])
    ap.add_argument("--sockets", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--keep", help="churn: keep tcpstate's output in this file")
    a = ap.parse_args()
    enter_netns()
    if a.mode == "idle":
        a.seconds = a.seconds or 30
        idle(a)
    else:
        a.seconds = a.seconds or 10
        churn(a)


if __name__ == "__main__":
    main()
