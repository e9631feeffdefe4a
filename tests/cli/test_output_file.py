#!/usr/bin/python3
"""test_output_file.py - --output FILE: every format lands in FILE exactly as on stdout, mode
0644 whatever the umask, atomically (a failed run leaves the old file and no temporary
file), and what is not a regular file is refused. Uses --replay, so no privilege and no
namespace are needed (the Debian build runs it)."""

import os
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("TCPSTATE_SRCDIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINARY = os.environ["TCPSTATE"]
DUMP = os.path.join(SRCDIR, "tests", "data", "fixture-all.nldump")
failures = []


def run(args):
    env = dict(os.environ, LC_ALL="C", COLUMNS="40")
    env.pop("NO_COLOR", None)
    return subprocess.run([BINARY] + args, capture_output=True, text=True, env=env,
                          timeout=30, preexec_fn=lambda: os.umask(0o077))


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def same_as_stdout(d):
    path = os.path.join(d, "out")
    for view in (["-a"], ["-s"], ["-a", "--hist", "state"]):
        for fmt in ("table", "json", "jsonl", "csv", "openmetrics"):
            if view[-1] == "state" and fmt == "jsonl":
                continue
            args = ["--replay", DUMP, "--format", fmt] + view
            want = run(args)
            got = run(args + ["--output", path])
            what = " ".join(args[2:])
            if not check(got.returncode == want.returncode == 0, "%s: exit %d/%d %s"
                         % (what, got.returncode, want.returncode, got.stderr)):
                continue
            check(got.stdout == "" and got.stderr == "",
                  "%s --output: stdout %r stderr %r" % (what, got.stdout, got.stderr))
            with open(path, encoding="utf-8") as f:
                text = f.read()
            check(text == want.stdout and text, "%s: the file differs from stdout" % what)
            check(os.stat(path).st_mode & 0o7777 == 0o644,
                  "%s: mode %o, want 644 under umask 077"
                  % (what, os.stat(path).st_mode & 0o7777))
    check(sorted(os.listdir(d)) == ["out"], "files left: %r" % sorted(os.listdir(d)))


def failed_run_keeps_file(d):
    path = os.path.join(d, "keep")
    with open(path, "w") as f:
        f.write("old\n")
    r = run(["--replay", os.path.join(d, "no-such-dump"), "--output", path])
    check(r.returncode == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1,
          "failed run: exit %d, %r" % (r.returncode, r.stderr))
    with open(path) as f:
        check(f.read() == "old\n", "a failed run replaced the file")
    check(sorted(os.listdir(d)) == ["keep"], "failed run left %r" % sorted(os.listdir(d)))


def refused(d):
    os.mkdir(os.path.join(d, "dir"))
    os.symlink("keep", os.path.join(d, "link"))
    cases = [
        (os.path.join(d, "dir"), "Is a directory"),
        ("/dev/null", "not a regular file"),
        (os.path.join(d, "link"), "not a regular file"),
        (os.path.join(d, "missing", "x"), "No such file or directory"),
    ]
    for path, why in cases:
        r = run(["--replay", DUMP, "-s", "--output", path])
        check(r.returncode == 1 and r.stdout == ""
              and r.stderr == "tcpstate: cannot write '%s': %s\n" % (path, why),
              "--output %s: exit %d, %r" % (path, r.returncode, r.stderr))
    check(os.path.islink(os.path.join(d, "link")), "the symlink was replaced")


def not_a_terminal(d):
    """The file is not the terminal: no cut at COLUMNS, no colour unless asked."""
    path = os.path.join(d, "wide")
    r = run(["--replay", DUMP, "-a", "--output", path])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(r.returncode == 0 and "\x1b" not in text and max(map(len, text.splitlines())) > 40,
          "--output: colour or cut in the file")
    run(["--replay", DUMP, "-a", "--color=always", "--output", path])
    with open(path, encoding="utf-8") as f:
        check("\x1b[" in f.read(), "--color=always --output: no colour in the file")


with tempfile.TemporaryDirectory(prefix="tcpstate-output-") as top:
    for fn in (same_as_stdout, failed_run_keeps_file, refused, not_a_terminal):
        d = os.path.join(top, fn.__name__)
        os.mkdir(d)
        fn(d)

for f in failures:
    print("FAIL:", f)
print("ok: --output in every format, atomic, 0644, refusals" if not failures
      else "%d failures" % len(failures))
sys.exit(1 if failures else 0)
