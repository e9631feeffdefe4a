"""harness.py - integration-test plumbing: private netns, running tcpstate, oracles, cleanup.

Every integration test calls enter_netns() first: the script re-executes itself under
`unshare -n` so it only ever sees (and touches) the loopback of a namespace it owns.
Only the standard library is used; the tests run with /usr/bin/python3.
"""

import atexit
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import time

PYTHON = "/usr/bin/python3"
SKIP = 77  # meson's "skipped" exit status
LIB_DIR = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(LIB_DIR, "fixture.py")
RUN_TIMEOUT = 60.0  # an upper bound only: a busy host makes the /proc scan of -p slow

# The 11 canonical spellings, in lifecycle order (as src/states.c lists them).
STATES = [
    "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
]

# What ss prints -> our spelling. UNCONN is ss's name for a CLOSE socket.
SS_STATES = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RCVD",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "CLOSE-WAIT": "CLOSE_WAIT",
    "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK", "TIME-WAIT": "TIME_WAIT",
    "LISTEN": "LISTEN", "UNCONN": "CLOSED", "CLOSE": "CLOSED",
    "BOUND-INACTIVE": "CLOSED",
}

# Kernel codes (include/net/tcp_states.h) as /proc/net/tcp prints them, in hex.
KERNEL_STATES = {
    1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RCVD", 4: "FIN_WAIT_1", 5: "FIN_WAIT_2",
    6: "TIME_WAIT", 7: "CLOSED", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
    11: "CLOSING", 12: "SYN_RCVD",
}

# ---------------------------------------------------------------------------------------
# Process tracking and cleanup: everything we start is ended by its PID, nothing else.

_procs = []  # subprocess.Popen objects we started and must end


def track(proc):
    """Remember a Popen so cleanup() ends it (by PID) when the test exits."""
    _procs.append(proc)
    return proc


def _end(proc, grace=2.0):
    if proc.poll() is not None:
        return
    try:
        proc.terminate()  # SIGTERM to proc.pid only
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL to proc.pid only
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    except ProcessLookupError:
        pass


def cleanup():
    """End every process this test started, newest first. Safe to call twice."""
    while _procs:
        proc = _procs.pop()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        _end(proc)


def _on_signal(signum, frame):
    cleanup()
    os._exit(128 + signum)


atexit.register(cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)

# ---------------------------------------------------------------------------------------
# Reporting


def fail(msg, *details):
    """Print what differed and exit 1."""
    print("FAIL: " + msg, file=sys.stderr)
    for d in details:
        if d is None:
            continue
        text = d if isinstance(d, str) else repr(d)
        for line in text.rstrip("\n").split("\n"):
            print("    " + line, file=sys.stderr)
    sys.stderr.flush()
    cleanup()
    sys.exit(1)


def skip(reason):
    """Print why and exit 77 (meson's skip)."""
    print("SKIP: " + reason, file=sys.stderr)
    cleanup()
    sys.exit(SKIP)


def check(cond, msg, *details):
    if not cond:
        fail(msg, *details)


def check_eq(got, want, msg, *details):
    if got != want:
        fail("%s\n  got:  %r\n  want: %r" % (msg, got, want), *details)


def check_set_eq(got, want, msg, *details):
    """Compare two collections as sets; print only what is missing or extra."""
    got, want = set(got), set(want)
    if got != want:
        lines = ["missing: %r" % (x,) for x in sorted(want - got, key=repr)]
        lines += ["extra:   %r" % (x,) for x in sorted(got - want, key=repr)]
        fail(msg, "\n".join(lines), *details)


def ok(msg):
    print("ok - " + msg)
    sys.stdout.flush()

# ---------------------------------------------------------------------------------------
# The private network namespace


def _unshare_works(flags):
    try:
        r = subprocess.run(["unshare"] + flags + ["--", "true"], capture_output=True,
                           text=True, timeout=RUN_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    return r.returncode == 0, r.stderr.strip()


def enter_netns(private_run_netns=False):
    """
    Make sure this script runs in a network namespace of its own, with lo up.

    With private_run_netns, the script also gets a mount namespace of its own with an empty
    tmpfs on /run/netns, so the namespaces it names with `ip netns add` are the only ones
    there: another test run on the same machine cannot show up in --all-netns by name.

    Outside: re-exec `unshare -n -- python3 script args...` (or `unshare -r -n` when
    unprivileged user namespaces are the only way), with TCPSTATE_IN_NETNS=1 set; exit 77
    when neither works. Inside: bring lo up. Never returns outside the namespace.
    """
    if os.environ.get("TCPSTATE_IN_NETNS") != "1":
        if not shutil.which("unshare"):
            skip("unshare(1) not found; integration tests need a private network namespace")
        flags = None
        why = []
        tries = (["-n"], ["-r", "-n"])
        if private_run_netns:
            tries = (["-n", "-m", "--propagation", "private"],)
        for f in tries:
            works, err = _unshare_works(f)
            if works:
                flags = f
                break
            why.append("unshare %s: %s" % (" ".join(f), err or "failed"))
        if flags is None:
            skip("cannot create a network namespace (need CAP_SYS_ADMIN or user "
                 "namespaces): " + "; ".join(why))
        env = dict(os.environ, TCPSTATE_IN_NETNS="1")
        argv = ["unshare"] + flags + ["--", PYTHON, os.path.abspath(sys.argv[0])]
        argv += sys.argv[1:]
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvpe("unshare", argv, env)
    # Inside. Refuse to touch a namespace we might share with the host.
    try:
        if os.readlink("/proc/self/ns/net") == os.readlink("/proc/1/ns/net"):
            fail("TCPSTATE_IN_NETNS=1 but this is pid 1's network namespace")
    except OSError:
        pass  # /proc/1 unreadable (user namespace): we trust the re-exec above
    if private_run_netns and os.environ.get("TCPSTATE_PRIVATE_RUN_NETNS") != "1":
        os.makedirs("/run/netns", exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tcpstate-test",
                            "/run/netns"], capture_output=True, text=True,
                           timeout=RUN_TIMEOUT)
        if r.returncode != 0:
            skip("cannot mount a private /run/netns: " + r.stderr.strip())
        os.environ["TCPSTATE_PRIVATE_RUN_NETNS"] = "1"
    r = subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True, text=True,
                       timeout=RUN_TIMEOUT)
    if r.returncode != 0:
        skip("cannot bring lo up in the private namespace: " + r.stderr.strip())

# ---------------------------------------------------------------------------------------
# Running the binary


def binary():
    path = os.environ.get("TCPSTATE")
    if not path:
        skip("TCPSTATE is not set (run through meson test)")
    if not os.path.isabs(path):
        fail("TCPSTATE must be an absolute path, got %r" % path)
    if not os.access(path, os.X_OK):
        fail("TCPSTATE=%s is not an executable file" % path)
    return path


def wrapper():
    """
    The command to run $TCPSTATE under, from TCPSTATE_WRAPPER (tests/sanitize.sh sets it to
    valgrind ...): prefix every direct invocation with it, [] when unset.
    """
    return os.environ.get("TCPSTATE_WRAPPER", "").split()


def run(args, timeout=RUN_TIMEOUT, binary_output=False, env=None):
    """
    Run $TCPSTATE with args; return (rc, stdout, stderr). stdout is text (undecodable
    bytes kept as surrogates) unless binary_output, then bytes. COLUMNS/colour are pinned
    so the output does not depend on the caller's terminal.
    """
    e = dict(os.environ)
    e.pop("TCPSTATE_IN_NETNS", None)
    e.update({"LC_ALL": "C", "NO_COLOR": "1", "COLUMNS": "200"})
    if env:
        e.update(env)
    argv = wrapper() + [binary()] + list(args)
    if wrapper():
        timeout *= 5  # valgrind is 20-50 times slower, but tcpstate runs are short
    try:
        p = track(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=e))
    except OSError as err:
        fail("cannot run %s: %s" % (argv[0], err))
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end(p)
        fail("%s timed out after %.0f s" % (" ".join(argv), timeout))
    if not binary_output:
        out = out.decode("utf-8", "surrogateescape")
    return p.returncode, out, err.decode("utf-8", "replace")


def run_ok(args, **kw):
    """run() and fail unless the exit status is 0."""
    rc, out, err = run(args, **kw)
    if rc != 0:
        fail("tcpstate %s exited %d" % (" ".join(args), rc), "stderr: " + err, out)
    return out

# ---------------------------------------------------------------------------------------
# Addresses: every source is normalised to (ip_address, port); port 0 for "*".


def parse_endpoint(text):
    """'127.0.0.1:80', '[::1]:631', '0.0.0.0:*', '[::]:*', '*:22' -> (ip_address, port)."""
    m = re.fullmatch(r"\[([0-9A-Fa-f:.%a-z0-9]*)\]:(\d+|\*)|([0-9.]+|\*):(\d+|\*)", text)
    if not m:
        raise ValueError("bad endpoint %r" % text)
    host = m.group(1) if m.group(1) is not None else m.group(3)
    port = m.group(2) if m.group(1) is not None else m.group(4)
    host = host.split("%", 1)[0]
    addr = None if host == "*" else ipaddress.ip_address(host)
    return addr, 0 if port == "*" else int(port)


def endpoint_key(text, family=None):
    """Endpoint as a comparable tuple; '*' hosts become the family's unspecified address."""
    addr, port = parse_endpoint(text)
    if addr is None:
        addr = ipaddress.ip_address("::" if family == 6 else "0.0.0.0")
    return addr, port


def sock_key(proto, local, remote):
    """The identity of one socket in a netns: (family, local, remote)."""
    fam = 6 if proto.endswith("6") else 4
    return fam, endpoint_key(local, fam), endpoint_key(remote, fam)

# ---------------------------------------------------------------------------------------
# tcpstate's listing

HEADER_RE = re.compile(r"^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+"
                       r"State(\s+PID/Program name)?\s*$")


def parse_table(text, header=True):
    """
    Parse the netstat-style listing into a list of dicts with keys proto, recvq, sendq,
    local, foreign, state, owners (None without -p), key (see sock_key) and line.
    With header=True the first line must be the header; with False there must be none.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        if text:
            fail("listing does not end with a newline", text)
    has_owner_col = None
    if header:
        if not lines:
            fail("empty output, expected at least the header line")
        m = HEADER_RE.match(lines[0])
        if not m:
            fail("first line is not the header", lines[0])
        has_owner_col = bool(m.group(1))
        lines = lines[1:]
    rows = []
    for line in lines:
        if HEADER_RE.match(line):
            fail("unexpected header line in the data", text)
        f = line.split()
        if len(f) not in (6, 7) or (has_owner_col is not None
                                   and len(f) != (7 if has_owner_col else 6)):
            fail("cannot parse listing line (want 6 or 7 fields)", repr(line), text)
        if f[0] not in ("tcp", "tcp6"):
            fail("bad Proto %r" % f[0], line)
        if not (f[1].isdigit() and f[2].isdigit()):
            fail("Recv-Q/Send-Q are not numbers", line)
        if f[5] not in STATES:
            fail("unknown state spelling %r" % f[5], line)
        try:
            key = sock_key(f[0], f[3], f[4])
        except ValueError as e:
            fail("cannot parse address: %s" % e, line)
        rows.append({
            "proto": f[0], "recvq": int(f[1]), "sendq": int(f[2]), "local": f[3],
            "foreign": f[4], "state": f[5], "owners": f[6] if len(f) == 7 else None,
            "key": key, "line": line,
        })
    return rows


def by_key(rows, what="tcpstate"):
    """Index rows by socket key; fail if one socket is listed twice."""
    d = {}
    for r in rows:
        if r["key"] in d:
            fail("%s lists one socket twice" % what, d[r["key"]]["line"], r["line"])
        d[r["key"]] = r
    return d

# ---------------------------------------------------------------------------------------
# Oracle 1: ss (iproute2)


def ss_supports_bound_inactive():
    r = subprocess.run(["ss", "-tanH", "state", "bound-inactive"], capture_output=True,
                       text=True, timeout=RUN_TIMEOUT)
    return r.returncode == 0


def ss_states():
    """
    Every TCP socket ss sees, as {key: {"state", "recvq", "sendq", "line"}}.
    ss before 6.9 cannot ask for bound-only (CLOSED) sockets; those are then absent.
    Returns None when ss is missing.
    """
    if not shutil.which("ss"):
        return None
    queries = [["-tanH", "state", "all"]]
    if ss_supports_bound_inactive():
        queries.append(["-tanH", "state", "bound-inactive"])
    out = {}
    for q in queries:
        r = subprocess.run(["ss"] + q, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        if r.returncode != 0:
            fail("ss %s failed" % " ".join(q), r.stderr)
        for line in r.stdout.splitlines():
            f = line.split()
            if not f:
                continue
            if len(f) < 5 or f[0] not in SS_STATES:
                fail("cannot parse ss line", line)
            local, peer = f[3], f[4]
            # ss prints "[v6]:port", "v4:port", and "*:port" for a dual-stack (v6only=0)
            # socket bound to [::], which only an AF_INET6 socket can be.
            fam = 6 if local.startswith("[") or local.startswith("*") else 4
            key = (fam, endpoint_key(local, fam), endpoint_key(peer, fam))
            out[key] = {"state": SS_STATES[f[0]], "recvq": int(f[1]), "sendq": int(f[2]),
                        "line": line}
    return out

# ---------------------------------------------------------------------------------------
# Oracle 2: /proc/net/tcp and /proc/net/tcp6


def _proc_addr(hexaddr, fam):
    host, port = hexaddr.split(":")
    raw = bytes.fromhex(host)
    # The kernel prints each 32-bit word of the address in host (little-endian) order.
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(raw), int(port, 16)


def proc_net_tcp():
    """
    Every socket in /proc/net/tcp{,6} as {key: {"state", "recvq", "sendq", "inode"}}.
    These files list listeners, established-hash sockets (request sockets included, as
    SYN_RCVD) and TIME_WAIT sockets, but never bound-only ones.
    """
    out = {}
    for name, fam in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            f = line.split()
            local, remote = _proc_addr(f[1], fam), _proc_addr(f[2], fam)
            tx, rx = (int(x, 16) for x in f[4].split(":"))
            code = int(f[3], 16)
            out[(fam, local, remote)] = {
                "state": KERNEL_STATES.get(code, "UNKNOWN(%d)" % code),
                "recvq": rx, "sendq": tx, "inode": int(f[9]), "line": line,
            }
    return out

# ---------------------------------------------------------------------------------------
# The socket fixture (tests/lib/fixture.py) as a child process


class Child:
    """A forked process (os.fork) that track() and cleanup() can end by PID, as they end
    a Popen."""

    def __init__(self, pid):
        self.pid = pid
        self.stdin = self.stdout = self.stderr = None

    def poll(self):
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return 0
        return 0 if done else None

    def terminate(self):
        os.kill(self.pid, signal.SIGTERM)

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout=None):
        os.waitpid(self.pid, 0)


def read_line(proc, deadline):
    """One line of proc's stdout (text), waiting until the time.monotonic() deadline;
    None at the deadline or at EOF. Reads the descriptor itself and keeps what follows
    the line for the next call: select() on a buffered pipe misses lines that one read
    already pulled in, which a loaded machine makes likely (several lines come at once)."""
    import select
    buf = getattr(proc, "_lines", b"")
    fd = proc.stdout.fileno()
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            proc._lines = buf
            return None
        r, _, _ = select.select([fd], [], [], min(left, 0.2))
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            proc._lines = b""
            return buf.decode("utf-8", "surrogateescape") if buf else None
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    proc._lines = buf
    return line.decode("utf-8", "surrogateescape") + "\n"


class Fixture:
    """
    Start fixture.py, read its JSON manifest; stop() (or test exit) ends it by PID.
    manifest: list of dicts, see fixture.py. Each entry also gets "key" (see sock_key).
    """

    def __init__(self, *args, timeout=15.0):
        import json
        import select
        argv = [PYTHON, FIXTURE] + list(args)
        self.proc = track(subprocess.Popen(argv, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if r else b""
        if not line:
            _end(self.proc)
            err = self.proc.stderr.read().decode("utf-8", "replace")
            fail("fixture did not start (exit %r)" % self.proc.returncode, err)
        try:
            doc = json.loads(line)
        except ValueError:
            fail("fixture printed something that is not JSON", line.decode("utf-8",
                                                                              "replace"))
        self.pid = doc["pid"]
        self.pids = doc["pids"]
        self.manifest = doc["sockets"]
        for s in self.manifest:
            s["key"] = sock_key(s["proto"], s["local"], s["remote"])

    def stop(self):
        """Close the fixture's stdin (its signal to clean up), then make sure it ended."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        _end(self.proc)

    def expected(self, pred=lambda s: True):
        """{key: manifest entry} for the entries pred accepts."""
        return {s["key"]: s for s in self.manifest if pred(s)}

# ---------------------------------------------------------------------------------------
# Oracle 3: a minimal sock_diag dump of our own, for what neither ss (before 6.9) nor
# /proc/net/tcp can show: bound-only sockets (kernel 6.8+ TCP_BOUND_INACTIVE, bit 13).

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST, _NLM_F_DUMP = 0x1, 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
TCPF_BOUND_INACTIVE = 1 << 13


def diag_dump(states_mask):
    """
    Dump TCP sockets (both families) whose kernel state bit is in states_mask, as
    {key: {"state", "inode"}}. Raises OSError when the kernel refuses the request.
    """
    import socket
    import struct
    out = {}
    for fam, af in ((4, socket.AF_INET), (6, socket.AF_INET6)):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG)
        try:
            req = struct.pack("=BBBBI", af, socket.IPPROTO_TCP, 0, 0, states_mask)
            req += bytes(48)  # inet_diag_sockid: match everything
            hdr = struct.pack("=IHHII", 16 + len(req), _SOCK_DIAG_BY_FAMILY,
                              _NLM_F_REQUEST | _NLM_F_DUMP, 1, 0)
            s.sendto(hdr + req, (0, 0))
            done = False
            while not done:
                buf = s.recv(65536)
                off = 0
                while off + 16 <= len(buf):
                    mlen, mtype, _, _, _ = struct.unpack_from("=IHHII", buf, off)
                    if mtype == _NLMSG_DONE:
                        done = True
                        break
                    if mtype == _NLMSG_ERROR:
                        err = struct.unpack_from("=i", buf, off + 16)[0]
                        if err:
                            raise OSError(-err, os.strerror(-err))
                        done = True
                        break
                    body = buf[off + 16:off + mlen]
                    mfam, state = body[0], body[1]
                    sport, dport = struct.unpack_from(">HH", body, 4)
                    alen = 4 if mfam == socket.AF_INET else 16
                    src = ipaddress.ip_address(body[8:8 + alen])
                    dst = ipaddress.ip_address(body[24:24 + alen])
                    inode = struct.unpack_from("=I", body, 68)[0]
                    out[(fam, (src, sport), (dst, dport))] = {
                        "state": KERNEL_STATES.get(state, "UNKNOWN(%d)" % state),
                        "inode": inode}
                    off += (mlen + 3) & ~3
        finally:
            s.close()
    return out

# ---------------------------------------------------------------------------------------
# --lab: another process's namespace, seen through nsenter + ss


def ss_in_netns(pid):
    """
    Every TCP socket ss sees in the network namespace of pid (nsenter -t PID -n), as a
    sorted list of (state, local, peer) spelled the way tcpstate prints them. ss before
    6.9 cannot see bound-only (CLOSED) sockets; they are left out in any case.
    """
    r = subprocess.run(["nsenter", "-t", str(pid), "-n", "ss", "-tanH", "state", "all"],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if r.returncode != 0:
        fail("nsenter -t %d -n ss failed" % pid, r.stderr)
    out = []
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) < 5 or f[0] not in SS_STATES:
            fail("cannot parse ss line", line)
        state = SS_STATES[f[0]]
        if state != "CLOSED":
            out.append((state, f[3], f[4]))
    return sorted(out)


def children_of(pid):
    """The PIDs of pid's children (from /proc/PID/task/*/children); [] when gone."""
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def netns_holders(ident):
    """PIDs of every process whose network namespace is ident ('net:[4026...]')."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/ns/net" % d) == ident:
                pids.append(int(d))
        except OSError:
            pass
    return pids
