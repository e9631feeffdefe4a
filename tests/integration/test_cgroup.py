#!/usr/bin/python3
"""test_cgroup.py - cgroup, unit and container columns and filters against cgroups we made.

On the first writable cgroup v2 mount (from /proc/self/mountinfo; skip with 77 when there
is none) the test makes a private parent, tcpstate-test-PID, and below it

  system.slice/demo.service                                  (a systemd service)
  system.slice/docker-<64 hex>.scope                         (a Docker container)
  kubepods.slice/kubepods-besteffort.slice/
    kubepods-besteffort-pod<uid>.slice/cri-containerd-<64 hex>.scope   (a pod's container)

One Python server per cgroup moves itself there before it makes its sockets (a socket
belongs to the cgroup of the task that created it), listens on 127.0.0.1 and accepts. The
demo service gets two connections whose clients shut down their side, so its ends sit in
CLOSE_WAIT: a leak --doctor must report once, by unit, to an unprivileged user. Checked
socket by socket: the three columns, the three filters (and their long options), --hist
unit,state, -K --dry-run unit demo.service, --stats for an exact cgroup (decided in the
kernel), cmdline (escaped), and `dev lo` / `mark 0x1/0x1` against ss. Everything we made
is removed at the end.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

DOCKER = "d0c4e5" + "0123456789abcdef" * 3 + "0a1b2c3d4e"
CRI = "c51" + "fedcba9876543210" * 3 + "0a1b2c3d4e5f0"
POD = "1a2b3c4d-0000-4000-8000-00000000abcd"
PORTS = {"demo": 25000, "docker": 25001, "kube": 25002}
EXTRA = 150  # listeners in our own cgroup, so an exact cgroup filter has work to do
HOSTILE = "--name=\x1b]0;pwn\x07 two\nlines"

SERVER = r'''
import os, socket, sys
with open(os.environ["CG_PROCS"], "w") as f:
    f.write("0")
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(os.environ["CG_PORT"])))
ls.listen(16)
print("ready", flush=True)
held = []
while True:
    c, _ = ls.accept()
    held.append(c)
    print("accepted", flush=True)
'''

CREATED = []  # directories to remove, deepest last


def cgroup2_mount():
    """The first cgroup2 mount point, as tcpstate finds it."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, sep, post = line.partition(" - ")
            if sep and post.startswith("cgroup2 "):
                mp = pre.split()[4]
                return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), mp)
    return None


def remove_cgroups():
    end = time.monotonic() + 10
    for d in reversed(CREATED):
        while os.path.isdir(d):
            try:
                os.rmdir(d)
            except OSError:
                if time.monotonic() > end:
                    print("warning: cannot remove %s" % d, file=sys.stderr)
                    break
                time.sleep(0.05)  # a just-ended process leaves the cgroup shortly


def make_cgroups(mount):
    base_rel = "/tcpstate-test-%d" % os.getpid()
    paths = {
        "demo": base_rel + "/system.slice/demo.service",
        "docker": base_rel + "/system.slice/docker-%s.scope" % DOCKER,
        "kube": base_rel + "/kubepods.slice/kubepods-besteffort.slice/"
                "kubepods-besteffort-pod%s.slice/cri-containerd-%s.scope"
                % (POD.replace("-", "_"), CRI),
    }
    try:
        os.mkdir(mount + base_rel)
    except OSError as e:
        h.skip("the cgroup v2 mount %s is not writable: %s" % (mount, e))
    CREATED.append(mount + base_rel)
    for rel in paths.values():
        parts = rel.split("/")[2:]
        d = mount + base_rel
        for p in parts:
            d += "/" + p
            if d not in CREATED:
                os.mkdir(d)
                CREATED.append(d)
    return base_rel, paths


def start_server(tmp, mount, name, rel, extra_args):
    script = os.path.join(tmp, "cgserver.py")
    env = dict(os.environ, CG_PROCS=mount + rel + "/cgroup.procs",
               CG_PORT=str(PORTS[name]))
    p = h.track(subprocess.Popen(["python3", script, "--flag"] + extra_args,
                                 executable=h.PYTHON, stdout=subprocess.PIPE, env=env))
    if p.stdout.readline().strip() != b"ready":
        h.fail("the %s server did not start" % name)
    return p


def connect(port, server, held):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    held.append(c)
    if server.stdout.readline().strip() != b"accepted":
        h.fail("the server on %d did not accept" % port)
    return c


def listing(args, cols="lport,rport,state,cgroup,unit,container"):
    """{(lport, rport, state): {column: value}} for every row."""
    out = h.run_ok(["-a", "--format", "json", "--columns", cols] + args)
    rows = {}
    for s in json.loads(out)["sockets"]:
        rows[(s["lport"], s["rport"], s["state"])] = s
    return rows


def ours(rows, name):
    """The rows of one server: its port is the local port."""
    return {k for k in rows if k[0] == PORTS[name]}


def test_columns(paths):
    rows = listing([])
    want = {
        "demo": ("demo.service", None),
        "docker": ("docker-%s.scope" % DOCKER, "docker:" + DOCKER[:12]),
        "kube": ("cri-containerd-%s.scope" % CRI,
                 "containerd:%s/pod:%s" % (CRI[:12], POD)),
    }
    for name, (unit, ctr) in want.items():
        keys = ours(rows, name)
        states = sorted(k[2] for k in keys)
        h.check(len(keys) >= 2, "%s: its listener and accepted sockets are listed" % name,
                rows)
        for k in keys:
            r = rows[k]
            h.check_eq((r["cgroup"], r["unit"], r["container"]), (paths[name], unit, ctr),
                       "cgroup, unit, container of %s socket %r" % (name, k))
        h.ok("%s: %d sockets (%s) show cgroup, unit and container" %
             (name, len(keys), ",".join(states)))
    # the client ends live in our own cgroup, never in the ones we made
    for k, r in rows.items():
        if k[1] in PORTS.values():
            h.check(r["cgroup"] is None or "tcpstate-test" not in r["cgroup"],
                    "client end %r is not in a test cgroup" % (k,), r)
    tw = [r for k, r in rows.items() if k[2] == "TIME_WAIT"]
    h.check(all(r["cgroup"] is None and r["unit"] is None for r in tw),
            "TIME_WAIT sockets have no cgroup (JSON null)", tw)
    return rows


def test_filters(base_rel, paths, allrows):
    cases = [
        (["cgroup", base_rel + "/system.slice"], {"demo", "docker"}),
        (["--cgroup", paths["kube"]], {"kube"}),
        (["cgroup", base_rel], {"demo", "docker", "kube"}),
        (["unit", "demo.service"], {"demo"}),
        (["--unit", "docker-*.scope"], {"docker"}),
        (["unit", "cri-containerd-*"], {"kube"}),
        (["container", DOCKER[:8]], {"docker"}),
        (["--container", "docker:" + DOCKER[:4]], {"docker"}),
        (["container", POD[:8]], {"kube"}),
        (["container", CRI[:10]], {"kube"}),
        (["not", "cgroup", base_rel, "and", "sport", ">=25000", "and", "sport", "<=25002"],
         set()),
    ]
    for args, names in cases:
        got = set(listing(args))
        want = set()
        for n in names:
            want |= ours(allrows, n)
        h.check_set_eq(got, want, "filter %s selects exactly %s" % (" ".join(args), names))
    h.ok("cgroup, unit and container filters (and --cgroup/--unit/--container) select "
         "socket by socket")


def test_hist():
    out = h.run_ok(["-a", "--hist", "unit,state", "--format", "json", "sport", ">=25000",
                    "and", "sport", "<=25002"])
    got = {}
    for g in json.loads(out)["hist"]["groups"]:
        for b in g["breakdown"]:
            got[(g["unit"], b["state"])] = b["count"]
    want = {("demo.service", "LISTEN"): 1, ("demo.service", "CLOSE_WAIT"): 2,
            ("docker-%s.scope" % DOCKER, "LISTEN"): 1,
            ("docker-%s.scope" % DOCKER, "ESTABLISHED"): 1,
            ("cri-containerd-%s.scope" % CRI, "LISTEN"): 1,
            ("cri-containerd-%s.scope" % CRI, "ESTABLISHED"): 1}
    h.check_eq(got, want, "--hist unit,state counts", out)
    h.ok("--hist unit,state counts per unit and state")
    out = h.run_ok(["--format", "openmetrics", "--unit-metrics", "sport", ">=25000",
                    "and", "sport", "<=25002"])
    series = {(u, st): int(n) for u, st, n in re.findall(
        r'^tcpstate_unit_sockets\{unit="([^"]*)",state="([A-Z_]+)"\} (\d+)$', out, re.M)}
    h.check_eq(series, want, "--unit-metrics series", out)
    rc, plain, err = h.run(["--format", "openmetrics"])
    h.check("tcpstate_unit_sockets" not in plain, "no unit family without the option",
            plain)
    h.ok("--unit-metrics: tcpstate_unit_sockets{unit,state} per unit and state")


def test_sort_csv():
    sel = ["sport", ">=25000", "and", "sport", "<=25002"]
    out = h.run_ok(["-a", "--sort", "-unit,state", "--columns", "unit"] + sel)
    units = [ln.strip() for ln in out.splitlines()[1:]]
    want = sorted(units, reverse=True)
    h.check_eq(units, want, "--sort -unit orders by unit, descending", out)
    h.check(units[0].startswith("docker-") and units[-1] == "cri-containerd-%s.scope" % CRI,
            "descending unit order", out)
    out = h.run_ok(["-a", "--format", "csv", "--columns", "lport,unit,container"] + sel)
    h.check("%d,demo.service," % PORTS["demo"] in out and
            "%d,docker-%s.scope,docker:%s" % (PORTS["docker"], DOCKER, DOCKER[:12]) in out,
            "CSV carries the unit and container fields", out)
    h.ok("--sort unit, and the CSV fields")


def test_lazy_refresh(tmp, mount, base_rel):
    """The map is walked only when asked for, once across -c frames, again for a new ID."""
    rc, out, err = h.run(["-a", "--stats"])
    h.check("cgroup walks" not in err, "no cgroup column, no walk", err)
    argv = h.wrapper() + [h.binary(), "-l", "--stats", "--columns", "lport,unit", "-c",
                          "0.3", "--count", "8"]
    env = dict(os.environ, LC_ALL="C", NO_COLOR="1")
    env.pop("TCPSTATE_IN_NETNS", None)
    p = h.track(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env))
    first = p.stdout.readline()  # the first frame is out: the map has been walked
    h.check(first, "-c printed a frame")
    rel = base_rel + "/system.slice/late.service"
    os.mkdir(mount + rel)
    CREATED.append(mount + rel)
    PORTS["late"] = 25003
    start_server(tmp, mount, "late", rel, [])
    out, err = p.communicate(timeout=30)
    out = first.decode() + out.decode()
    m = re.search(r"cgroup walks=(\d+)", err.decode())
    h.check(m and int(m.group(1)) == 2,
            "one walk at the start, one for the new cgroup's ID (8 frames)", err.decode())
    h.check(re.search(r"25003\s+late\.service", out), "the later frames show the new unit",
            out)
    h.ok("cgroup map: no walk without cgroup columns; -c: %s over 8 frames" % m.group(0))


def test_kill():
    """-K for real: the demo service's CLOSE_WAIT ends go, everything else stays."""
    before = listing(["sport", ">=25000", "and", "sport", "<=25002"])
    rc, out, err = h.run(["-K", "unit", "demo.service", "state", "close-wait"])
    if rc != 0 and "not supported" in (err + out).lower():
        h.ok("SKIP -K: the kernel cannot destroy sockets (CONFIG_INET_DIAG_DESTROY)")
        return
    h.check_eq(rc, 0, "-K unit demo.service state close-wait exits 0", err, out)
    after = listing(["sport", ">=25000", "and", "sport", "<=25002"])
    gone = set(before) - set(after)
    h.check_eq({(k[0], k[2]) for k in gone}, {(PORTS["demo"], "CLOSE_WAIT")},
               "only the demo service's CLOSE_WAIT sockets are gone", out, after)
    h.check_eq(len(gone), 2, "both of them", out)
    h.ok("-K unit demo.service state close-wait destroyed exactly its 2 sockets")


def test_complete():
    units = h.run_ok(["--complete", "units"]).split("\n")
    h.check({"demo.service", "docker-%s.scope" % DOCKER} <= set(units),
            "--complete units offers the units holding sockets", units)
    ctrs = h.run_ok(["--complete", "containers"]).split("\n")
    h.check({"docker:" + DOCKER[:12], "containerd:%s/pod:%s" % (CRI[:12], POD)}
            <= set(ctrs), "--complete containers offers the containers", ctrs)
    h.ok("--complete units, containers: the ones holding sockets now")


def test_kill_dry_run():
    rc, out, err = h.run(["-K", "--dry-run", "unit", "demo.service", "state", "close-wait"])
    h.check_eq(rc, 0, "-K --dry-run unit demo.service state close-wait exits 0", err, out)
    lines = [ln for ln in out.splitlines() if "CLOSE_WAIT" in ln]
    h.check_eq(len(lines), 2, "the dry run lists the two CLOSE_WAIT ends", out)
    h.check(all("127.0.0.1:%d" % PORTS["demo"] in ln for ln in lines),
            "every listed socket is the demo service's", out)
    h.check(not re.search(r":2500[12]\b", out), "nothing of the other units", out)
    h.ok("-K --dry-run unit demo.service state close-wait lists its 2 sockets")


def stats(args):
    rc, out, err = h.run(["-a", "--stats"] + args)
    h.check_eq(rc, 0, "--stats %s" % args, err)
    m = re.search(r"stats: bytes=(\d+) messages=(\d+) sockets=(\d+)", err)
    h.check(m, "--stats prints its counters", err)
    return int(m.group(1)), int(m.group(2))


def test_stats(paths, allrows):
    all_bytes, all_msgs = stats([])
    bytes_, msgs = stats(["cgroup", paths["demo"]])
    want = len(ours(allrows, "demo"))
    h.check_eq(msgs, want, "the kernel sends only the demo service's sockets")
    h.check(bytes_ * 10 < all_bytes, "an exact cgroup is a small fraction of the bytes "
            "(%d of %d)" % (bytes_, all_bytes))
    h.ok("--stats: exact cgroup decided in the kernel: %d of %d messages, %d of %d bytes"
         % (msgs, all_msgs, bytes_, all_bytes))


def test_cmdline(script):
    out = h.run_ok(["-l", "-p", "--columns", "lport,cmdline"])
    cmd = {}
    for line in out.splitlines()[1:]:
        port, _, text = line.strip().partition(" ")
        cmd[int(port)] = text.strip()
    h.check_eq(cmd.get(PORTS["demo"]), "python3 %s --flag" % script,
               "cmdline of the demo server", out)
    hostile = cmd.get(PORTS["docker"], "")
    h.check("\x1b" not in out and "\x07" not in out, "no raw control bytes", repr(out))
    h.check_eq(hostile, "python3 %s --flag --name=\\x1b]0;pwn\\x07\\x20two\\nlines" % script,
               "a hostile argument is escaped (a space inside it too)", out)
    h.ok("cmdline: 'python3 %s --flag', hostile argument escaped" % script)


def as_nobody(args):
    e = dict(os.environ, LC_ALL="C", NO_COLOR="1", COLUMNS="200")
    e.pop("TCPSTATE_IN_NETNS", None)
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
            h.binary()] + args
    p = h.track(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=e))
    out, err = p.communicate(timeout=h.RUN_TIMEOUT)
    return p.returncode, out.decode(), err.decode()


def test_unprivileged():
    if not shutil.which("setpriv"):
        h.ok("SKIP unprivileged checks: setpriv not found")
        return
    rc, out, err = as_nobody(["-a", "--columns", "local,state,unit"])
    h.check_eq(rc, 0, "unprivileged listing", err, out)
    demo = [ln for ln in out.splitlines() if "127.0.0.1:%d " % PORTS["demo"] in ln]
    h.check(len(demo) == 3 and all(ln.split()[-1] == "demo.service" for ln in demo),
            "as nobody the demo sockets show demo.service", out)
    h.ok("unprivileged: the unit column names demo.service")
    rc, out, err = as_nobody(["-a", "mark", "0x1/0x1"])
    h.check(rc == 1 and "CAP_NET_ADMIN" in err and not out,
            "unprivileged mark filter: exit 1, says CAP_NET_ADMIN, no output", err, out)
    rc, out, err = as_nobody(["-l", "--columns", "lport,mark", "sport", str(PORTS["demo"])])
    h.check_eq(out.split()[2:], [str(PORTS["demo"]), "-"],
               "unprivileged: the mark column is '-'", err)
    h.ok("unprivileged: mark filter refused naming CAP_NET_ADMIN; mark column '-'")
    end = time.monotonic() + 20
    while True:
        rc, out, err = as_nobody(["--doctor", "--threshold", "close_wait_age=1"])
        leaks = [ln for ln in out.splitlines() if ln.startswith("close-wait-leak")]
        if leaks or time.monotonic() > end:
            break
        time.sleep(0.2)
    h.check_eq(len(leaks), 1, "one close-wait-leak finding for the unit", out, err)
    h.check("unit demo.service" in leaks[0] and "2 sockets" in leaks[0],
            "the finding names the unit and counts both sockets", leaks[0])
    h.ok("unprivileged --doctor: " + leaks[0][:100])


def ss_keys(expr):
    r = subprocess.run(["ss", "-tanH"] + expr, capture_output=True, text=True,
                       timeout=h.RUN_TIMEOUT)
    h.check(r.returncode == 0, "ss %s" % expr, r.stderr)
    keys = set()
    for line in r.stdout.splitlines():
        f = line.split()
        keys.add((int(f[3].rsplit(":", 1)[1]), f[4]))
    return keys


def ts_keys(args):
    out = h.run_ok(["-a", "--columns", "lport,foreign"] + args)
    keys = set()
    for line in out.splitlines()[1:]:
        f = line.split()
        keys.add((int(f[0]), f[1]))
    return keys


def test_dev_mark(held):
    SO_MARK = 36
    for port, mark in ((27100, 1), (27101, 3), (27102, 2)):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
        s.bind(("127.0.0.1", port))
        s.listen()
        held.append(s)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lo")
    s.bind(("127.0.0.1", 27200))
    s.listen()
    held.append(s)
    got, want = ts_keys(["dev", "lo"]), ss_keys(["dev", "lo"])
    h.check_set_eq(got, want, "dev lo agrees with ss")
    h.check((27200, "0.0.0.0:*") in got, "the bound listener is selected", got)
    got, want = ts_keys(["mark", "0x1/0x1"]), ss_keys(["fwmark", "=", "0x1/0x1"])
    h.check_set_eq(got, want, "mark 0x1/0x1 agrees with ss's fwmark")
    h.check({k[0] for k in got} == {27100, 27101}, "marks 1 and 3 hold, 2 does not", got)
    out = h.run_ok(["-l", "--columns", "lport,mark", "sport", ">=27100", "and", "sport",
                    "<=27102"])
    h.check_eq(sorted(out.split()[2:]), ["0x1", "0x2", "0x3", "27100", "27101", "27102"],
               "the mark column", out)
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10)
    s.bind(("127.0.0.1", 27300))
    s.listen()
    held.append(s)
    out = h.run_ok(["-l", "--columns", "lport,tos", "sport", "27300"])
    h.check_eq(out.split()[2:], ["27300", "0x10"], "the tos column", out)
    h.ok("dev lo (%d socket) and mark 0x1/0x1 (%d sockets) agree with ss; mark, tos columns" %
         (len(ts_keys(["dev", "lo"])), len(got)))


def main():
    h.enter_netns()
    mount = cgroup2_mount()
    if not mount:
        h.skip("no cgroup v2 hierarchy is mounted")
    if not os.access(mount, os.W_OK):
        h.skip("the cgroup v2 mount %s is not writable" % mount)
    tmp = "/tmp/tcpstate-cgtest-%d" % os.getpid()
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o755)
    script = os.path.join(tmp, "cgserver.py")
    with open(script, "w") as f:
        f.write(SERVER)
    held = []
    try:
        base_rel, paths = make_cgroups(mount)
        servers = {n: start_server(tmp, mount, n, paths[n],
                                   [HOSTILE] if n == "docker" else [])
                   for n in PORTS}
        for n in ("docker", "kube"):
            connect(PORTS[n], servers[n], held)
        for _ in range(2):
            connect(PORTS["demo"], servers["demo"], held).shutdown(socket.SHUT_WR)
        for i in range(EXTRA):
            s = socket.socket()
            s.bind(("127.0.0.1", 26000 + i))
            s.listen()
            held.append(s)
        end = time.monotonic() + 10
        while True:  # the CLOSE_WAIT ends appear once the FINs are processed
            rows = listing([])
            if sum(1 for k in ours(rows, "demo") if k[2] == "CLOSE_WAIT") == 2:
                break
            if time.monotonic() > end:
                h.fail("the demo service's ends never reached CLOSE_WAIT", rows)
            time.sleep(0.05)
        rows = test_columns(paths)
        test_filters(base_rel, paths, rows)
        test_hist()
        test_complete()
        test_sort_csv()
        test_kill_dry_run()
        test_stats(paths, rows)
        test_cmdline(script)
        test_unprivileged()
        test_dev_mark(held)
        test_kill()
        test_lazy_refresh(tmp, mount, base_rel)
    finally:
        for s in held:
            s.close()
        h.cleanup()
        remove_cgroups()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
