#!/usr/bin/python3
"""test_filter.py - every filter keyword, operator, state spelling and group, on real sockets.

Inside a private network namespace: the 11-state fixture (tests/lib/fixture.py, held by
"tsfixture" and "tsfixture2"), plus sockets of our own: an IPv4 pair on 127.0.0.2:22 (the
ssh service) <- 127.0.0.3, an IPv6 listener on [::1]:443 (https), and a listener created by
a child running as uid 65534 (user nobody). For each filter the expected set is computed
from the manifest and compared with what `tcpstate -a FILTER` lists, socket by socket.
"""

import ipaddress
import os
import pwd
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

NOBODY_UID = 65534
NOBODY_PORT = 23500

# Every spelling a user may have seen, per state (netstat, ss, lsfd, RFC, any case).
SPELLINGS = {
    "CLOSED": ["CLOSED", "closed", "CLOSE", "close", "UNCONN", "unconn", "Closed"],
    "LISTEN": ["LISTEN", "listen", "LISTENING", "listening"],
    "SYN_SENT": ["SYN_SENT", "SYN-SENT", "syn-sent", "syn_sent", "synsent"],
    "SYN_RCVD": ["SYN_RCVD", "SYN_RECV", "SYN-RECV", "syn-recv", "syn_rcvd", "syn-received"],
    "ESTABLISHED": ["ESTABLISHED", "ESTAB", "established", "estab", "Established"],
    "FIN_WAIT_1": ["FIN_WAIT_1", "FIN_WAIT1", "FIN-WAIT-1", "fin-wait-1", "finwait1"],
    "FIN_WAIT_2": ["FIN_WAIT_2", "FIN_WAIT2", "FIN-WAIT-2", "fin-wait-2", "fin_wait2"],
    "CLOSE_WAIT": ["CLOSE_WAIT", "CLOSE-WAIT", "close-wait", "closewait"],
    "CLOSING": ["CLOSING", "closing"],
    "LAST_ACK": ["LAST_ACK", "LAST-ACK", "last-ack", "lastack"],
    "TIME_WAIT": ["TIME_WAIT", "TIME-WAIT", "time-wait", "timewait", "Time_Wait"],
}
ALL = set(SPELLINGS)
CONNECTED = ALL - {"LISTEN", "CLOSED"}
TEARDOWN = {"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"}
GROUPS = {
    "all": ALL,
    "connected": CONNECTED,
    "synchronized": CONNECTED - {"SYN_SENT"},
    "handshake": {"SYN_SENT", "SYN_RCVD"},
    "teardown": TEARDOWN,
    "active-close": {"FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT"},
    "passive-close": {"CLOSE_WAIT", "LAST_ACK"},
    "bucket": {"SYN_RCVD", "TIME_WAIT"},
    "big": ALL - {"SYN_RCVD", "TIME_WAIT"},
}
DEFAULT = ALL - {"LISTEN", "CLOSED"}


def mapped(addr):
    """The 16-byte form the filter compares: IPv4 a.b.c.d is ::ffff:a.b.c.d."""
    if addr.version == 4:
        return ipaddress.IPv6Address("::ffff:" + str(addr))
    return addr


def in_net(addr, net):
    """ADDR[/PREFIX] matching as documented: v4 and v4-mapped forms are the same."""
    n = ipaddress.ip_network(net, strict=False)
    if n.version == 4:
        n = ipaddress.IPv6Network("::ffff:%s/%d" % (n.network_address, 96 + n.prefixlen))
    return mapped(addr) in n


class Sock:
    def __init__(self, entry):
        self.name = entry["name"]
        self.state = entry["state"]
        self.key = h.sock_key(entry["proto"], entry["local"], entry["remote"])
        self.laddr, self.lport = h.endpoint_key(entry["local"], self.key[0])
        self.raddr, self.rport = h.endpoint_key(entry["remote"], self.key[0])
        self.pids = {p for p, _ in entry["owners"]}
        self.comms = {c for _, c in entry["owners"]}
        self.uid = entry.get("uid", 0)

    def __repr__(self):
        return "%s(%s)" % (self.name, self.state)


def listing(args):
    out = h.run_ok(args)
    return h.by_key(h.parse_table(out)), out


class Checker:
    def __init__(self, socks):
        self.socks = socks
        self.n = 0
        self.calls = 0
        # Under valgrind (tests/sanitize.sh) every run is ~20x slower and the fixture's
        # TIME_WAIT socket lives only 60 s: check every fourth filter there.
        self.every = 4 if h.wrapper() else 1

    def expect(self, args, pred, what=None):
        """tcpstate ARGS lists exactly the sockets pred accepts."""
        want = {s.key: s for s in self.socks if pred(s)}
        self.calls += 1
        if self.calls % self.every:
            return len(want)
        rows, out = listing(args)
        if set(rows) != set(want):
            missing = ["%r %s" % (want[k], k) for k in set(want) - set(rows)]
            extra = [rows[k]["line"] for k in set(rows) - set(want)]
            h.fail("tcpstate %s: wrong sockets%s" % (" ".join(args),
                                                     " (%s)" % what if what else ""),
                   "missing: %s" % missing, "extra: %s" % extra, out)
        for k, r in rows.items():
            h.check(r["state"] == want[k].state, "tcpstate %s: %s in state %s, want %s" %
                    (" ".join(args), want[k].name, r["state"], want[k].state))
        self.n += 1
        return len(want)

    def nonempty(self, args, pred, what=None):
        n = self.expect(args, pred, what)
        h.check(n > 0, "tcpstate %s: the test expects at least one socket" % " ".join(args))


def start_own_sockets():
    """Our sockets: 127.0.0.2:22 <- 127.0.0.3, [::1]:443, and a uid-65534 listener."""
    own, held = [], []
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.2", 22))
    lst.listen(4)
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.bind(("127.0.0.3", 0))
    cli.connect(("127.0.0.2", 22))
    srv, _ = lst.accept()
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    v6.bind(("::1", 443))
    v6.listen(4)
    held += [lst, cli, srv, v6]
    me = [[os.getpid(), open("/proc/self/comm").read().strip()]]
    cport = cli.getsockname()[1]
    own.append({"name": "ssh-listener", "state": "LISTEN", "proto": "tcp",
                "local": "127.0.0.2:22", "remote": "0.0.0.0:*", "owners": me})
    own.append({"name": "ssh-client", "state": "ESTABLISHED", "proto": "tcp",
                "local": "127.0.0.3:%d" % cport, "remote": "127.0.0.2:22", "owners": me})
    own.append({"name": "ssh-server", "state": "ESTABLISHED", "proto": "tcp",
                "local": "127.0.0.2:22", "remote": "127.0.0.3:%d" % cport, "owners": me})
    own.append({"name": "https-v6", "state": "LISTEN", "proto": "tcp6",
                "local": "[::1]:443", "remote": "[::]:*", "owners": me})
    # A listener made by user nobody: the socket's uid is 65534.
    code = ("import os, socket, sys\n"
            "os.setgid(%d); os.setuid(%d)\n"
            "s = socket.socket(); s.bind(('127.0.0.1', %d)); s.listen(1)\n"
            "print('ready', flush=True); sys.stdin.read()\n" % (NOBODY_UID, NOBODY_UID,
                                                                NOBODY_PORT))
    child = h.track(subprocess.Popen([h.PYTHON, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE))
    if child.stdout.readline().strip() != b"ready":
        h.fail("the uid-65534 helper did not start")
    own.append({"name": "nobody-listener", "state": "LISTEN", "proto": "tcp",
                "local": "127.0.0.1:%d" % NOBODY_PORT, "remote": "0.0.0.0:*",
                "owners": [[child.pid, "python3"]], "uid": NOBODY_UID})
    return own, held, child


def test_states(c):
    # All spellings of a state in one list: one that meant another state would bring that
    # state's sockets along (the fixture has every state), one that did not parse fails.
    for state, spellings in SPELLINGS.items():
        c.nonempty(["state", ",".join(spellings)], lambda s, st=state: s.state == st)
        c.nonempty(["--state", spellings[-1]], lambda s, st=state: s.state == st)
        c.nonempty([spellings[1]], lambda s, st=state: s.state == st, "bare state name")
    h.ok("every spelling of the 11 states, as 'state X', '--state X' and 'X'")
    for group, states in GROUPS.items():
        c.nonempty(["state", group], lambda s, g=states: s.state in g)
    c.nonempty(["state", "listen,established"], lambda s: s.state in ("LISTEN", "ESTABLISHED"))
    c.nonempty(["state", "listen,", "time-wait"], lambda s: s.state in ("LISTEN", "TIME_WAIT"))
    c.nonempty(["--state", "handshake,closed"], lambda s: s.state in ("SYN_SENT", "SYN_RCVD",
                                                                       "CLOSED"))
    h.ok("every group, lists of states, bare state names")
    c.nonempty(["-a", "exclude", "listen"], lambda s: s.state != "LISTEN")
    c.nonempty(["exclude", "time-wait"], lambda s: s.state in DEFAULT - {"TIME_WAIT"},
               "exclude applies to the default selection")
    c.nonempty(["-a", "--exclude", "teardown,closed"],
               lambda s: s.state not in TEARDOWN | {"CLOSED"})
    c.nonempty(["state", "all", "exclude", "established"], lambda s: s.state != "ESTABLISHED")
    c.expect(["-l", "exclude", "listen"], lambda s: False)
    c.nonempty(["-l", "state", "established"], lambda s: s.state == "ESTABLISHED",
               "explicit states override -l")
    c.nonempty([], lambda s: s.state in DEFAULT, "no filter: the default selection")
    h.ok("exclude, and explicit states overriding the default selection")


def test_ports(c):
    c.nonempty(["-a", "sport", "21100"], lambda s: s.lport == 21100)
    c.nonempty(["-a", "sport", ":21400"], lambda s: s.lport == 21400)
    c.nonempty(["-a", "dport", "21400"], lambda s: s.rport == 21400)
    c.nonempty(["-a", "port", "21400"], lambda s: 21400 in (s.lport, s.rport))
    c.nonempty(["-a", "port", "21100,21110"], lambda s: {21100, 21110} & {s.lport, s.rport})
    c.nonempty(["-a", "sport", "21500-21699"], lambda s: 21500 <= s.lport <= 21699)
    c.nonempty(["-a", "sport", ">21900"], lambda s: s.lport > 21900)
    c.nonempty(["-a", "sport", ">=21900"], lambda s: s.lport >= 21900)
    c.nonempty(["-a", "sport", "<21100"], lambda s: s.lport < 21100)
    c.nonempty(["-a", "sport", "<=21100"], lambda s: s.lport <= 21100)
    c.nonempty(["-a", "sport", "!=21100"], lambda s: s.lport != 21100)
    c.nonempty(["-a", "port", "!=21400"], lambda s: 21400 not in (s.lport, s.rport))
    c.nonempty(["-a", "sport", "=", ":21400"], lambda s: s.lport == 21400, "ss syntax")
    c.nonempty(["-a", "dport", "eq", "21400"], lambda s: s.rport == 21400)
    c.nonempty(["-a", "sport", "gt", "21900"], lambda s: s.lport > 21900)
    c.nonempty(["-a", "sport", "ssh"], lambda s: s.lport == 22, "service name")
    c.nonempty(["-a", "sport", "21000"], lambda s: s.lport == 21000, "a bound-only socket")
    c.nonempty(["state", "closed", "sport", "21010"], lambda s: s.lport == 21010)
    c.nonempty(["-a", "port", "https"], lambda s: 443 in (s.lport, s.rport))
    c.nonempty(["-a", "--port", "21400"], lambda s: 21400 in (s.lport, s.rport))
    c.nonempty(["-a", "--sport", "21400,21410"], lambda s: s.lport in (21400, 21410))
    c.nonempty(["-a", "--dport", "21400-21410"], lambda s: 21400 <= s.rport <= 21410)
    h.ok("sport, dport, port: single, :N, lists, ranges, <, <=, >, >=, !=, =, eq, gt, "
         "service names, long options")


def test_addresses(c):
    c.nonempty(["-a", "src", "127.0.0.1"], lambda s: in_net(s.laddr, "127.0.0.1/32"))
    c.nonempty(["-a", "src", "127.0.0.2"], lambda s: in_net(s.laddr, "127.0.0.2/32"))
    c.nonempty(["-a", "src", "127.0.0.0/8"], lambda s: in_net(s.laddr, "127.0.0.0/8"))
    c.nonempty(["-a", "dst", "127.0.0.2/31"], lambda s: in_net(s.raddr, "127.0.0.2/31"))
    c.nonempty(["-a", "src", "127.0.0.2:22"], lambda s: s.lport == 22 and
               in_net(s.laddr, "127.0.0.2/32"))
    c.nonempty(["-a", "dst", "127.0.0.2:22"], lambda s: s.rport == 22)
    c.nonempty(["-a", "src", ":21400"], lambda s: s.lport == 21400)
    c.nonempty(["-a", "src", "0.0.0.0"], lambda s: s.laddr == ipaddress.ip_address("0.0.0.0"))
    # IPv6
    c.nonempty(["-a", "src", "::1"], lambda s: s.laddr == ipaddress.ip_address("::1"))
    c.nonempty(["-a", "src", "[::1]:21410"], lambda s: s.laddr == ipaddress.ip_address("::1")
               and s.lport == 21410)
    c.nonempty(["-a", "dst", "[::1]"], lambda s: s.raddr == ipaddress.ip_address("::1"))
    c.nonempty(["-a", "src", "::1/128"], lambda s: s.laddr == ipaddress.ip_address("::1"))
    c.nonempty(["-a", "src", "[::]/0"], lambda s: True, "::/0 is every address")
    c.expect(["-a", "dst", "fe80::/10"], lambda s: False)
    c.nonempty(["-a", "-6", "src", "::"], lambda s: s.laddr == ipaddress.ip_address("::"))
    # v4-mapped: an IPv4 filter matches the mapped IPv6 socket, and the other way round
    mapped_server = [s for s in c.socks if s.name == "established-mapped-server"]
    h.check(mapped_server and mapped_server[0].key[0] == 6,
            "the fixture should have a tcp6 [::ffff:127.0.0.1] server socket")
    c.nonempty(["-a", "src", "127.0.0.1:21420"], lambda s: s.lport == 21420 and
               s.laddr != ipaddress.ip_address("::"), "IPv4 filter, v4-mapped socket")
    rows, out = listing(["src", "127.0.0.1:21420"])
    h.check(mapped_server[0].key in rows, "src 127.0.0.1 misses the v4-mapped socket", out)
    c.nonempty(["-a", "src", "::ffff:127.0.0.1"], lambda s: in_net(s.laddr, "127.0.0.1/32"),
               "v4-mapped filter, IPv4 sockets")
    c.nonempty(["-a", "src", "[::ffff:127.0.0.2]:22"], lambda s: s.lport == 22 and
               in_net(s.laddr, "127.0.0.2/32"))
    c.nonempty(["-a", "dst", "::ffff:127.0.0.0/104"], lambda s: in_net(s.raddr, "127.0.0.0/8"))
    c.nonempty(["-a", "--src", "127.0.0.3"], lambda s: in_net(s.laddr, "127.0.0.3/32"))
    c.nonempty(["-a", "--dst", "127.0.0.0/8"], lambda s: in_net(s.raddr, "127.0.0.0/8"))
    h.ok("src, dst: IPv4, CIDR, :PORT, IPv6, [v6]:PORT, ::/0, v4-mapped both ways, "
         "long options")


def test_owners(c, fx, nobody):
    comm2 = [s for s in c.socks if "tsfixture2" in s.comms]
    h.check(comm2, "the fixture should have a socket shared with tsfixture2")
    # Each owner term scans /proc, which is slow on a busy host: few runs, each telling.
    c.nonempty(["-a", "--process", "ts?ixture[0-9]"], lambda s: "tsfixture2" in s.comms,
               "a glob")
    pid2 = fx.pids["tsfixture2"]
    c.nonempty(["-a", "pid", str(pid2), "or", "pid", str(nobody.pid)],
               lambda s: s.pids & {pid2, nobody.pid})
    c.nonempty(["-a", "not", "process", "tsfixture"], lambda s: "tsfixture" not in s.comms,
               "not process: sockets without owner too")
    h.ok("process (exact and glob), pid, --process, not process")
    name = pwd.getpwuid(NOBODY_UID).pw_name
    c.nonempty(["-a", "user", name], lambda s: s.uid == NOBODY_UID)
    c.nonempty(["-a", "user", str(NOBODY_UID)], lambda s: s.uid == NOBODY_UID)
    c.nonempty(["-a", "--user", "root"], lambda s: s.uid == 0)
    c.nonempty(["-a", "not", "user", "0"], lambda s: s.uid != 0)
    h.ok("user by name (%s) and uid, --user, not user" % name)


def test_operators(c):
    c.nonempty(["-a", "sport", "21400", "or", "sport", "21410"], lambda s: s.lport in (21400,
                                                                                     21410))
    c.nonempty(["-a", "sport", "21400", "||", "dport", "21410"],
               lambda s: s.lport == 21400 or s.rport == 21410)
    c.nonempty(["-a", "state", "established", "and", "src", "::1"],
               lambda s: s.state == "ESTABLISHED" and s.laddr == ipaddress.ip_address("::1"))
    c.nonempty(["-a", "state", "established", "&&", "port", "21400"],
               lambda s: s.state == "ESTABLISHED" and 21400 in (s.lport, s.rport))
    c.nonempty(["-a", "state", "established", "port", "21400"],
               lambda s: s.state == "ESTABLISHED" and 21400 in (s.lport, s.rport),
               "juxtaposition means and")
    c.nonempty(["-a", "not", "state", "established"], lambda s: s.state != "ESTABLISHED")
    c.nonempty(["-a", "!", "port", "21400"], lambda s: 21400 not in (s.lport, s.rport))
    c.nonempty(["-a", "(", "sport", "21400", "or", "sport", "21410", ")", "and", "dport",
                ">21405"], lambda s: s.lport in (21400, 21410) and s.rport > 21405)
    c.nonempty(["-a", "sport", "21400", "or", "sport", "21410", "and", "dport", ">21405"],
               lambda s: s.lport == 21400 or (s.lport == 21410 and s.rport > 21405),
               "and binds tighter than or")
    c.nonempty(["-a", "(sport 21400 or (sport 21410))", "and", "not(dport 21401)"],
               lambda s: s.lport in (21400, 21410) and s.rport != 21401,
               "parentheses glued to words, a quoted expression")
    c.nonempty(["-a", "not", "(", "state", "listen", "or", "src", "127.0.0.0/8", ")"],
               lambda s: s.state != "LISTEN" and not in_net(s.laddr, "127.0.0.0/8"))
    c.nonempty(["-a", "not", "not", "state", "listen"], lambda s: s.state == "LISTEN")
    c.nonempty(["-a", "state", "listen", "or", "port", "21400"],
               lambda s: s.state == "LISTEN" or 21400 in (s.lport, s.rport))
    c.nonempty(["-a", "process", "tsfix*", "or", "sport", "22"],
               lambda s: s.comms & {"tsfixture", "tsfixture2"} or s.lport == 22,
               "owner term under or")
    c.nonempty(["--state", "established", "--sport", "21400,21410", "dport", ">21405"],
               lambda s: s.state == "ESTABLISHED" and s.lport in (21400, 21410) and
               s.rport > 21405, "long options ANDed with the expression")
    c.nonempty(["-a", "-4", "port", "21420"], lambda s: s.key[0] == 4 and 21420 in
               (s.lport, s.rport), "-4 with a filter")
    h.ok("and, or, not, &&, ||, !, juxtaposition, precedence, parentheses, options ANDed")


def test_repeated(c, fx):
    # A repeated option adds to its list; different options are still ANDed.
    c.nonempty(["--state", "established", "--state", "listen"],
               lambda s: s.state in ("ESTABLISHED", "LISTEN"), "= --state established,listen")
    c.nonempty(["-a", "--port", "21400", "--port", "21410"],
               lambda s: {21400, 21410} & {s.lport, s.rport}, "= --port 21400,21410")
    c.nonempty(["-a", "--sport", "21400", "--sport", "21410", "--state", "established"],
               lambda s: s.lport in (21400, 21410) and s.state == "ESTABLISHED",
               "a repeated --sport ANDed with --state")
    c.nonempty(["-a", "--exclude", "listen", "--exclude", "time-wait"],
               lambda s: s.state not in ("LISTEN", "TIME_WAIT"), "both left out")
    c.nonempty(["-a", "--port", "!=21400", "--port", "!=21410"],
               lambda s: not {21400, 21410} & {s.lport, s.rport}, "both ports left out")
    c.nonempty(["-a", "--src", "127.0.0.2", "--src", "::1"],
               lambda s: in_net(s.laddr, "127.0.0.2/32") or
               s.laddr == ipaddress.ip_address("::1"))
    c.nonempty(["--state", "listen", "--state", "established", "sport", "21400"],
               lambda s: s.state in ("LISTEN", "ESTABLISHED") and s.lport == 21400,
               "repeated options ANDed with the expression")
    pid2 = fx.pids["tsfixture2"]
    c.nonempty(["-a", "--pid", str(pid2), "--pid", str(fx.pids["tsfixture"])],
               lambda s: s.pids & {pid2, fx.pids["tsfixture"]})
    h.ok("repeated --state, --port, --sport, --exclude, --port !=, --src and --pid add to "
         "their lists")


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture("--no-evil")
    own, held, nobody = start_own_sockets()
    socks = [Sock(e) for e in fx.manifest + own]
    c = Checker(socks)
    rows, out = listing(["-a"])
    h.check_set_eq(set(rows), {s.key for s in socks}, "tcpstate -a should list exactly the "
                   "fixture's and the test's sockets", out)
    test_states(c)
    test_ports(c)
    test_addresses(c)
    test_owners(c, fx, nobody)
    test_operators(c)
    test_repeated(c, fx)
    h.ok("%d filters checked socket by socket" % c.n)
    fx.stop()
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
