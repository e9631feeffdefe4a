#!/usr/bin/python3
"""test_help.py - -h/--help, --usage and -V/--version: exit 0, text on stdout, nothing on
stderr; --help lists every option group; a full disk is still an error (exit 1)."""
import os
import re
import subprocess
import sys

binary = os.environ.get("TCPSTATE")
if not binary:
    print("SKIP: TCPSTATE is not set (run through meson test)")
    sys.exit(77)
failures = []


def run(args, stdout=subprocess.PIPE):
    return subprocess.run([binary] + args, stdout=stdout, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=10, text=True)


for args in (["-h"], ["--help"]):
    r = run(args)
    if r.returncode != 0 or r.stderr:
        failures.append("%s: exit %d, stderr %r" % (args, r.returncode, r.stderr))
    for group in ("Selection:", "Filters", "Output:", "Views:", "Debugging:", "Help:"):
        if group not in r.stdout:
            failures.append("%s lacks the group %r" % (args, group))
    if len(re.findall(r"--[a-z][a-z0-9-]+", r.stdout)) < 40:
        failures.append("%s lists too few options" % args)
    if "--complete" in r.stdout:
        failures.append("%s shows the hidden --complete" % args)

r = run(["--usage"])
if r.returncode != 0 or not r.stdout.startswith("Usage: tcpstate") or r.stderr:
    failures.append("--usage: exit %d, %r" % (r.returncode, r.stdout[:80]))

with open(os.path.join(os.environ.get("TCPSTATE_SRCDIR", "."), "meson.build")) as f:
    version = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
for args in (["-V"], ["--version"]):
    r = run(args)
    if r.returncode != 0 or r.stdout != "tcpstate %s\n" % version or r.stderr:
        failures.append("%s: exit %d, %r, want 'tcpstate %s'" % (args, r.returncode,
                                                                   r.stdout, version))

with open("/dev/full", "w") as full:
    r = run(["--help"], stdout=full)
if r.returncode != 1 or "tcpstate: cannot write the output" not in r.stderr:
    failures.append("--help > /dev/full: exit %d, %r" % (r.returncode, r.stderr))

for f in failures:
    print("FAIL:", f)
print("ok: help, usage and version" if not failures else "%d failures" % len(failures))
sys.exit(1 if failures else 0)
