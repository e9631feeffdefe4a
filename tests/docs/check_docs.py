#!/usr/bin/python3
"""Docs suite: the man page lints clean, and every option in --help is documented in the
man page, the bash, zsh and fish completions and the README (the docs must never drift
from the binary)."""
import os
import re
import shutil
import subprocess
import sys

src = os.environ.get("TCPSTATE_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
binary = os.environ["TCPSTATE"]
failures = []


def read(rel):
    with open(os.path.join(src, rel), encoding="utf-8") as f:
        return f.read()


def check_man_lint():
    if not shutil.which("groff"):
        failures.append("groff is not installed (apt-get install groff-base)")
        return
    r = subprocess.run(["groff", "-man", "-ww", "-z", os.path.join(src, "man/tcpstate.8")],
                       capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        failures.append("groff -man -ww -z warns:\n" + r.stderr)


def check_sections():
    man = read("man/tcpstate.8")
    for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILTERS", "STATES",
                "OUTPUT FORMATS", "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"):
        if not re.search(r'^\.SH "?%s"?\s*$' % re.escape(sec), man, re.M):
            failures.append("man page lacks section %s" % sec)
    for ref in ("ss (8)", "netstat (8)", "lsof (8)", "lsfd (1)", "ip\\-netns (8)",
                "nstat (8)", "proc (5)", "sock_diag (7)", "systemd.unit (5)"):
        if (".BR %s" % ref) not in man:
            failures.append("man page SEE ALSO lacks %s" % ref.replace(" ", ""))


def help_options():
    r = subprocess.run([binary, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("--help exited %d" % r.returncode)
    opts = set(re.findall(r"--([a-z][a-z0-9-]+)", r.stdout))
    if len(opts) < 10:
        failures.append("--help lists only %d long options" % len(opts))
    return opts


def check_option_docs(opts):
    docs = {
        "man/tcpstate.8": lambda o: ("\\-\\-" + o.replace("-", "\\-")) in man
        or ("--" + o) in man,
        "completions/tcpstate.bash": lambda o: re.search(r"--%s\b" % re.escape(o), bash),
        "completions/_tcpstate": lambda o: re.search(r"--%s\b" % re.escape(o), zsh),
        "completions/tcpstate.fish": lambda o: re.search(r" -l %s\b" % re.escape(o), fish),
        "README.md and docs/": lambda o: ("--" + o) in readme,
    }
    man, bash, zsh = read("man/tcpstate.8"), read("completions/tcpstate.bash"), \
        read("completions/_tcpstate")
    # only the complete commands: "set -l output" is a local variable, not an option
    fish = "\n".join(re.findall(r"^complete -c tcpstate .*$", read("completions/tcpstate.fish"),
                                re.M))
    # the README is a short front page: the long material (every option) is in docs/
    readme = read("README.md") if os.path.exists(os.path.join(src, "README.md")) else ""
    docs_dir = os.path.join(src, "docs")
    for name in sorted(os.listdir(docs_dir)) if os.path.isdir(docs_dir) else []:
        if name.endswith(".md"):
            readme += read(os.path.join("docs", name))
    for path, has in docs.items():
        missing = sorted(o for o in opts if not has(o))
        if missing:
            failures.append("%s does not mention: %s" % (path, " ".join("--" + o for o in missing)))


def check_format_docs():
    """The format names come from one table (src/model/format.c): --help, the man page and
    the README must list exactly those."""
    r = subprocess.run([binary, "--complete", "formats"], capture_output=True, text=True)
    names = r.stdout.split()
    if r.returncode != 0 or len(names) < 2:
        failures.append("--complete formats gave %r" % r.stdout)
        return
    listed = ", ".join(names[:-1]) + " or " + names[-1]
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if listed not in " ".join(out.split()):
        failures.append("--help does not list the formats as '%s'" % listed)
    man = read("man/tcpstate.8")
    missing = [n for n in names if not re.search(r"^\.B %s$" % re.escape(n), man, re.M)]
    if missing:
        failures.append("man page --format does not name: %s" % " ".join(missing))
    readme = read("README.md") if os.path.exists(os.path.join(src, "README.md")) else ""
    if "--format " + "|".join(names) not in readme:
        failures.append("README.md lacks '--format %s'" % "|".join(names))


def check_shellcheck():
    if not shutil.which("shellcheck"):
        failures.append("shellcheck is not installed (apt-get install shellcheck)")
        return
    r = subprocess.run(["shellcheck", "-s", "bash", os.path.join(src, "completions/tcpstate.bash")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("shellcheck completions/tcpstate.bash:\n" + r.stdout)


def check_fish():
    """fish -n: the completion parses (fish is optional: it is only a syntax check)."""
    if not shutil.which("fish"):
        return
    r = subprocess.run(["fish", "--no-execute", os.path.join(src, "completions/tcpstate.fish")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("fish --no-execute completions/tcpstate.fish:\n" + r.stderr)


def check_comparisons():
    """Every column and every unit the binary accepts is in the man page's Comparisons."""
    man = read("man/tcpstate.8")
    start, end = man.find(".SS Comparisons"), man.find(".SS Where filtering happens")
    if start < 0 or end < start:
        failures.append("man page lacks the FILTERS subsection Comparisons")
        return
    sec = man[start:end].replace("\\-", "-")
    words = set(re.findall(r"[A-Za-z0-9_]+", sec))
    exe = os.environ["TCPSTATE"]
    cols = subprocess.run([exe, "--complete", "columns"], capture_output=True,
                          text=True).stdout.split()
    for col in cols:
        if subprocess.run([exe, "--complete", "operators:" + col],
                          capture_output=True).returncode != 0:
            continue  # compared through its own term (owners, cgroup, unit...)
        if col not in words:
            failures.append("man page Comparisons lacks the column %s" % col)
        units = subprocess.run([exe, "--complete", "units:" + col], capture_output=True,
                               text=True)
        if units.returncode != 0:
            failures.append("--complete units:%s fails: %s" % (col, units.stderr.strip()))
        for u in units.stdout.split():
            if u not in words:
                failures.append("man page Comparisons lacks the unit %s (of %s)" % (u, col))


check_comparisons()
check_man_lint()
check_sections()
check_option_docs(help_options())
check_format_docs()
check_shellcheck()
check_fish()
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
