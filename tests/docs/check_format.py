#!/usr/bin/python3
"""check_format.py - every C file in src/, tests/, fuzz/ and bench/ is as clang-format
(with the committed .clang-format) would write it.

Runs `clang-format --dry-run --Werror` on all of them at once and prints what it would
change. Exits 77 when clang-format is not installed (apt-get install clang-format).
Run it by hand: /usr/bin/python3 tests/docs/check_format.py; fix with clang-format -i.
"""
import os
import shutil
import subprocess
import sys

DIRS = ["src", "tests", "fuzz", "bench"]

top = os.environ.get("TCPSTATE_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def c_files():
    """Every .c and .h under DIRS, relative to the top, sorted."""
    found = []
    for d in DIRS:
        for root, dirs, names in os.walk(os.path.join(top, d)):
            dirs[:] = [x for x in dirs if not x.startswith(("build", "."))]
            found += [os.path.relpath(os.path.join(root, n), top) for n in names
                      if n.endswith((".c", ".h"))]
    return sorted(found)


def main():
    tool = shutil.which("clang-format")
    if not tool:
        print("SKIP: clang-format is not installed (apt-get install clang-format)")
        return 77
    files = c_files()
    if not files:
        print("FAIL: no C files found under %s" % ", ".join(DIRS))
        return 1
    r = subprocess.run([tool, "--dry-run", "--Werror"] + files, cwd=top,
                       capture_output=True, text=True)
    if r.returncode != 0:
        bad = sorted({line.split(":", 1)[0] for line in r.stderr.splitlines()
                      if ": error:" in line})
        print(r.stderr[-4000:])
        print("FAIL: clang-format would change %d of %d files: %s"
              % (len(bad), len(files), " ".join(bad)))
        print("fix: clang-format -i %s" % " ".join(bad))
        return 1
    print("ok: %d C files are clang-format clean" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
