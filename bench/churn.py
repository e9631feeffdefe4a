#!/usr/bin/python3
"""churn.py - benchmark helper: open and close loopback connections at a steady rate.

Run inside bench/run's private network namespace only: it listens on 127.6.0.1 and
connects there. Every connection is opened, accepted and closed at once (the client
closes first, so each leaves a TIME_WAIT), RATE a second, in batches every 10 ms.
Prints "ready" when listening and, at the end, "made N in S s" on stdout; ends on EOF on
stdin (bench/run's FIFO), SIGTERM or SIGINT.

    churn.py [--rate N] [--port P]
"""

import argparse
import os
import select
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=300.0)
    ap.add_argument("--port", type=int, default=31000)
    args = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))

    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.6.0.1", args.port))
    lst.listen(1024)
    print("ready", flush=True)

    made = 0
    t0 = time.monotonic()
    step = 0.01
    while not stop:
        due = int((time.monotonic() - t0) * args.rate) - made
        for _ in range(max(0, due)):
            c = socket.create_connection(("127.6.0.1", args.port))
            a, _ = lst.accept()
            c.close()
            a.close()
            made += 1
        try:
            r, _, _ = select.select([sys.stdin], [], [], step)
        except InterruptedError:
            continue
        if r and not os.read(sys.stdin.fileno(), 4096):
            break
    print("made %d in %.1f s" % (made, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    main()
