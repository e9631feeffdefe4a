#!/usr/bin/python3
"""test_netns_helper.py - sockets inside one named namespace, for test_netns.py (not a test).

Run as `ip netns exec NAME python3 test_netns_helper.py PORT`: brings lo up, then holds

  PORT      a listener on 127.0.0.1
  PORT+10   a connected pair (client -> 127.0.0.1:PORT+10), both ends held
  PORT+20   a listener with backlog 1 and two connections waiting in its accept queue

prints one line "ready" and then answers commands on stdin, one per line:

  recv      "reset" if the server end of the PORT+10 pair has been reset, else "alive"

It exits when stdin reaches EOF.
"""

import socket
import subprocess
import sys


def listener(port, backlog=16):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(backlog)
    return s


def main():
    port = int(sys.argv[1])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    held = [listener(port)]
    ls = listener(port + 10)
    client = socket.create_connection(("127.0.0.1", port + 10), timeout=5)
    server, _ = ls.accept()
    held += [ls, client, server]
    full = listener(port + 20, backlog=1)
    held.append(full)
    for _ in range(2):
        held.append(socket.create_connection(("127.0.0.1", port + 20), timeout=5))
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "recv":
            server.settimeout(2)
            try:
                data = server.recv(16)
                print("alive" if data else "eof", flush=True)
            except ConnectionResetError:
                print("reset", flush=True)
            except socket.timeout:
                print("alive", flush=True)
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
