#!/usr/bin/python3
"""check_hacking.py - HACKING.md's file map matches the tree.

Fails when HACKING.md names a path that does not exist (any word such as `src/x/y.c`,
`tests/lib/z.py` or `fuzz/`, in backticks, a table or prose), when a glob it names
(`tests/integration/test_faults_*.py`) matches nothing, or when it omits a file that
exists among:

    every file under src/, every file in tests/lib/, fuzz/*.c and fuzz/*.sh, and the
    scripts and programs of bench/ (everything there but README.md and results/)

A file counts as named when its exact path appears, or a path with a [..] class that
matches it (`src/model/states.[ch]` names both); a '*' glob never counts, so each file
keeps its own line. For each omission the message prints a table row to paste, made from
the file's identity comment. Run by hand:

    /usr/bin/python3 tests/docs/check_hacking.py          # the check
    /usr/bin/python3 tests/docs/check_hacking.py --rows   # a row for every mapped file
"""
import glob
import os
import re
import sys

top = os.environ.get("TCPSTATE_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ROOTS = ("src", "tests", "fuzz", "bench", "man", "completions", ".ci")
# A path word: starts at one of ROOTS (not inside another word such as build-fuzz/fuzz/x).
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./\[\]*?+-]*)" %
                  "|".join(re.escape(r) for r in ROOTS))


def rel(path):
    return os.path.relpath(path, top)


def required():
    """The files HACKING.md must name, relative to the top, sorted."""
    files = []
    for root, dirs, names in os.walk(os.path.join(top, "src")):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files += [rel(os.path.join(root, n)) for n in names]
    files += [rel(p) for p in glob.glob(os.path.join(top, "tests/lib/*"))
              if os.path.isfile(p) and not p.endswith(".pyc")]
    files += [rel(p) for p in glob.glob(os.path.join(top, "fuzz/*.c"))]
    files += [rel(p) for p in glob.glob(os.path.join(top, "fuzz/*.sh"))]
    files += [rel(p) for p in glob.glob(os.path.join(top, "bench/*"))
              if os.path.isfile(p) and os.path.basename(p) != "README.md"]
    return sorted(set(files))


def identity(path):
    """The file's one-line identity comment, without its leading name, or ''."""
    try:
        with open(os.path.join(top, path), encoding="utf-8", errors="replace") as f:
            head = f.read(600)
    except OSError:
        return ""
    m = (re.match(r"\s*/\*\s*(.*?)\*/", head, re.S) or
         re.match(r'(?:#![^\n]*\n)?\s*"""(.*?)(?:\n\n|""")', head, re.S) or
         re.match(r"(?:#![^\n]*\n)?((?:#[^\n]*\S[^\n]*\n)+)", head))
    if not m:
        return ""
    text = " ".join(w.strip().lstrip("#*").strip() for w in m.group(1).split("\n"))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^[\w./+-]+ - ", "", text)


def row(path):
    return "| `%s` | %s |" % (path, identity(path) or "TODO: what it is")


def mentioned(text):
    """Every path word in the text, trailing punctuation removed."""
    words = set()
    for m in PATH.finditer(text):
        w = m.group(1).rstrip(".,:;)")
        if w.count("[") == w.count("]"):
            words.add(w)
    return sorted(words)


def main():
    if "--rows" in sys.argv[1:]:
        for p in required():
            print(row(p))
        return 0
    with open(os.path.join(top, "HACKING.md"), encoding="utf-8") as f:
        text = f.read()
    problems, named = [], set()
    for w in mentioned(text):
        path = os.path.join(top, w)
        if any(c in w for c in "*?["):
            hits = [rel(p) for p in glob.glob(path)]
            if not hits:
                problems.append("HACKING.md names '%s', which matches no file" % w)
            elif not any(c in w for c in "*?"):
                named.update(hits)
        elif os.path.isfile(path):
            named.add(w)
        elif not os.path.isdir(path):
            problems.append("HACKING.md names '%s', which does not exist (moved or "
                            "removed? update its line)" % w)
    missing = [p for p in required() if p not in named]
    for p in missing:
        problems.append("HACKING.md does not name '%s'; add a line to its file map, e.g.\n"
                        "    %s" % (p, row(p)))
    for p in problems:
        print("FAIL:", p)
    if problems:
        print("%d problems; /usr/bin/python3 tests/docs/check_hacking.py --rows prints a "
              "row for every file the map must name" % len(problems))
        return 1
    print("ok: HACKING.md names all %d mapped files and nothing that does not exist"
          % len(required()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
