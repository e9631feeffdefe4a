#!/usr/bin/python3
"""test_options.py - the netstat muscle-memory options: -r/--resolve names hosts and
services, -n/--numeric and -t/--tcp change nothing (numeric TCP is the default)."""
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402


def main():
    h.enter_netns()
    h.binary()
    # Port 22 is "ssh" in /etc/services (netbase); 127.0.0.1 is "localhost" in /etc/hosts.
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", 22))
    lst.listen(4)
    cli = socket.create_connection(("127.0.0.1", 22))
    srv, _ = lst.accept()
    cport = cli.getsockname()[1]

    plain = h.run_ok(["-a"])
    for args in (["-n", "-a"], ["-t", "-a"], ["--numeric", "--tcp", "-a"], ["-ant"]):
        h.check_eq(h.run_ok(args), plain, "tcpstate %s prints what -a prints" % " ".join(args))
    rows = h.parse_table(plain)
    h.check(any(r["local"] == "127.0.0.1:22" and r["state"] == "LISTEN" for r in rows),
            "-a shows the listener numerically", plain)

    out = h.run_ok(["-a", "-r"])
    # names, not numbers: split the lines ourselves (harness.parse_table wants numbers)
    rows = [dict(zip(("proto", "recvq", "sendq", "local", "foreign", "state"), line.split()))
            for line in out.splitlines()[1:]]
    listen = [r for r in rows if r["state"] == "LISTEN"]
    h.check(len(listen) == 1 and listen[0]["local"] == "localhost:ssh" and
            listen[0]["foreign"] == "0.0.0.0:*",
            "-r names the listener localhost:ssh and keeps the unconnected peer 0.0.0.0:*",
            out)
    conn = [r for r in rows if r["state"] == "ESTABLISHED"]
    h.check(len(conn) == 2, "-r keeps both ends of the connection", out)
    # the client's port is ephemeral: a number, or a service name if one happens to match
    h.check(any(r["local"].startswith("localhost:") and r["foreign"] == "localhost:ssh"
                for r in conn),
            "-r resolves the client's peer to localhost:ssh (client port %d)" % cport, out)
    h.check(any(r["local"] == "localhost:ssh" and r["foreign"].startswith("localhost:")
                for r in conn), "-r resolves the server end to localhost:ssh", out)
    h.check_eq(h.run_ok(["-a", "--resolve"]), out, "--resolve is -r")
    h.ok("-n, -t, --numeric, --tcp change nothing; -r/--resolve names hosts and services")
    for s in (cli, srv, lst):
        s.close()


if __name__ == "__main__":
    main()
