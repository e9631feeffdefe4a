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
# A development build (our own .git) adds "(git DESCRIBE)" naming the commit it was built
# from; a release tarball (meson dist) prints the version alone.
srcdir = os.environ.get("TCPSTATE_SRCDIR", ".")
head = None
if os.path.exists(os.path.join(srcdir, ".git")):
    g = subprocess.run(["git", "-C", srcdir, "rev-parse", "HEAD"], capture_output=True,
                       text=True)
    head = g.stdout.strip() if g.returncode == 0 else None
for args in (["-V"], ["--version"]):
    r = run(args)
    m = re.fullmatch(r"tcpstate (\S+)(?: \(git (?:.*-g)?([0-9a-f]{7,})(?:-dirty)?\))?\n",
                     r.stdout)
    if r.returncode != 0 or not m or m.group(1) != version or r.stderr:
        failures.append("%s: exit %d, %r, want 'tcpstate %s'" % (args, r.returncode,
                                                                   r.stdout, version))
    elif head and not (m.group(2) and head.startswith(m.group(2))):
        failures.append("%s: %r does not name HEAD %s" % (args, r.stdout, head[:12]))
    elif not head and m.group(2):
        failures.append("%s: %r names a commit outside a git checkout" % (args, r.stdout))

with open("/dev/full", "w") as full:
    r = run(["--help"], stdout=full)
if r.returncode != 1 or "tcpstate: cannot write the output" not in r.stderr:
    failures.append("--help > /dev/full: exit %d, %r" % (r.returncode, r.stderr))

for f in failures:
    print("FAIL:", f)
print("ok: help, usage and version" if not failures else "%d failures" % len(failures))
sys.exit(1 if failures else 0)
