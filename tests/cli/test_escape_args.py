#!/usr/bin/python3
"""test_escape_args.py - error messages quote the user's argument escaped, never raw: an
escape sequence, BEL, a bidi override or a zero-width character in -N, a filter word, a
--format value or an unknown option reaches stderr as \\xNN, in any locale."""
import os
import subprocess
import sys

binary = os.environ.get("TCPSTATE")
if not binary:
    print("SKIP: TCPSTATE is not set (run through meson test)")
    sys.exit(77)

HOSTILE = "\x1b]0;X\x07\x1b[2J\u202e\u2028\u200b\ufeff\x9b"
CASES = [
    ["-N", "a" + HOSTILE + "b"],
    ["state", "x" + HOSTILE],
    ["--format", HOSTILE],
    ["--" + HOSTILE],
    ["process", "("],
    ["port", HOSTILE],
    ["--hist", HOSTILE],
    ["--replay", "/nonexistent/" + HOSTILE],
]
INVISIBLE = set("\u202e\u2028\u200b\ufeff")
failures = []
for locale in ("C", "C.UTF-8"):
    env = dict(os.environ, LC_ALL=locale)
    for args in CASES:
        r = subprocess.run([binary] + args, capture_output=True, env=env, timeout=10,
                           stdin=subprocess.DEVNULL)
        err = r.stderr.decode("utf-8", "surrogateescape")
        bad = sorted({"U+%04X" % ord(c) for c in err if ord(c) < 0x20 and c != "\n"
                      or 0x7f <= ord(c) < 0xa0 or c in INVISIBLE})
        if r.returncode not in (1, 2) or bad or err.count("\n") != 1:
            failures.append("LC_ALL=%s %r: exit %d, raw %s in %r"
                            % (locale, args, r.returncode, bad, err))
        elif HOSTILE[0] in args[-1] and "\\x1b" not in err and "(" not in args:
            failures.append("LC_ALL=%s %r: the argument is not quoted escaped: %r"
                            % (locale, args, err))
for f in failures:
    print("FAIL: " + f)
print("ok - %d hostile arguments escaped in error messages" % (2 * len(CASES)))
sys.exit(1 if failures else 0)
