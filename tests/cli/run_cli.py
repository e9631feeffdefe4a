#!/usr/bin/python3
"""run_cli.py - the cli suite: argument vectors -> exit status, one-line message, no stdout.

Reads every tests/cli/*.txt table. Each line is

    EXIT | MESSAGE | ARGS...

ARGS is split like a shell would (shlex), so quote empty or special words. The binary must
exit with EXIT, print nothing on stdout, and print exactly one line on stderr that starts
with "tcpstate: " and contains MESSAGE. Blank lines and lines starting with '#' are
ignored. Usage errors never reach the kernel, so no namespace or privilege is needed.
"""

import glob
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(" | ", 2)
            if len(parts) != 3 or not parts[0].strip().isdigit():
                sys.exit("%s:%d: want 'EXIT | MESSAGE | ARGS': %r" % (path, lineno, line))
            cases.append((path, lineno, int(parts[0]), parts[1], shlex.split(parts[2])))
    return cases


def main():
    binary = os.environ.get("TCPSTATE")
    if not binary:
        print("SKIP: TCPSTATE is not set (run through meson test)")
        return 77
    env = dict(os.environ, LC_ALL="C", NO_COLOR="1", COLUMNS="100")
    tables = sorted(glob.glob(os.path.join(HERE, "*.txt")))
    cases = [c for t in tables for c in load(t)]
    failed = 0
    for path, lineno, want_rc, msg, args in cases:
        where = "%s:%d" % (os.path.basename(path), lineno)
        try:
            r = subprocess.run([binary] + args, capture_output=True, env=env, timeout=10,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            print("FAIL %s: tcpstate %s timed out" % (where, shlex.join(args)))
            failed += 1
            continue
        err = r.stderr.decode("utf-8", "replace")
        problems = []
        if r.returncode != want_rc:
            problems.append("exit %d, want %d" % (r.returncode, want_rc))
        if r.stdout:
            problems.append("stdout is not empty: %r" % r.stdout[:200])
        lines = err.split("\n")
        if len(lines) != 2 or lines[1] != "":
            problems.append("stderr is not exactly one line")
        if not err.startswith("tcpstate: "):
            problems.append("stderr does not start with 'tcpstate: '")
        if msg not in err:
            problems.append("stderr lacks %r" % msg)
        if problems:
            failed += 1
            print("FAIL %s: tcpstate %s" % (where, shlex.join(args)))
            for p in problems:
                print("    " + p)
            print("    stderr: %r" % err)
        else:
            print("ok - %s: tcpstate %s" % (where, shlex.join(args)))
    print("%d cases from %d tables, %d failed" % (len(cases), len(tables), failed))
    if len(cases) < 30:
        print("FAIL: fewer than 30 cases")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
