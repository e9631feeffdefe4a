#!/usr/bin/python3
"""check_layers.py - the source tree follows the data flow, with no cycles.

Checks, and prints every breach:
1. layers: a file in src/FOLDER/ includes only headers of its own folder or of folders
   before it in LAYERS (main.c may include anything);
2. include cycles: no two modules (a .c and its .h are one module) include each other,
   directly or through others;
3. call cycles: with a build directory (argument or TCPSTATE_BUILDDIR), no two objects of
   libtcpstate.a call each other, directly or through others (from `nm`).

Run it by hand: /usr/bin/python3 tests/docs/check_layers.py [BUILDDIR]
"""
import os
import re
import subprocess
import sys

LAYERS = ["base", "model", "cli", "query", "filter", "aggregate", "render", "views"]

top = os.environ.get("TCPSTATE_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
src = os.path.join(top, "src")
builddir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TCPSTATE_BUILDDIR")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    """Every .c and .h under src/, relative to it."""
    for d, _, names in os.walk(src):
        for n in names:
            if n.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, n), src)


def layer(rel):
    """The index of a file's folder in LAYERS (main.c and others: after the last)."""
    head = rel.split("/")[0]
    return LAYERS.index(head) if head in LAYERS else len(LAYERS)


def module(rel):
    return os.path.splitext(rel)[0]


def sccs(graph):
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = n[0]
                    n[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_includes():
    problems, graph = [], {}
    for rel in sorted(sources()):
        text = open(os.path.join(src, rel), encoding="utf-8").read()
        for inc in INCLUDE.findall(text):
            if inc in ("config.h", "version.h"):  # generated in the build directory
                continue
            if not os.path.exists(os.path.join(src, inc)):
                problems.append(f"{rel}: includes '{inc}', which is not a path below src/")
                continue
            if layer(inc) > layer(rel):
                problems.append(f"layer: src/{rel} includes src/{inc} (a later stage)")
            if module(inc) != module(rel):
                graph.setdefault(module(rel), set()).add(module(inc))
    for comp in sccs(graph):
        problems.append("include cycle: " + " <-> ".join(comp))
    return problems


def check_calls():
    if not builddir:
        return [], "no build directory: call cycles not checked"
    lib = os.path.join(builddir, "src", "libtcpstate.a")
    if not os.path.exists(lib):
        return [f"{lib} is missing: build first"], None
    out = subprocess.run(["nm", "-A", lib], capture_output=True, text=True, check=True).stdout
    defs, undefs = {}, {}
    for line in out.splitlines():
        m = re.match(r"^[^:]+:([^:]+\.o):\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        obj, kind, sym = m.groups()
        # meson names src/DIR/FILE.c's object DIR_FILE.c.o (no folder has an underscore)
        obj = re.sub(r"\.c\.o$", "", os.path.basename(obj)).replace("_", "/", 1)
        if kind == "U":
            undefs.setdefault(obj, set()).add(sym)
        elif kind.isupper():
            defs[sym] = obj
    graph = {}
    for obj, syms in undefs.items():
        for s in syms:
            if s in defs and defs[s] != obj:
                graph.setdefault(obj, set()).add(defs[s])
    return ["call cycle: " + " <-> ".join(c) for c in sccs(graph)], None


def main():
    problems = check_includes()
    calls, note = check_calls()
    problems += calls
    for p in problems:
        print(p)
    if note:
        print("check_layers: " + note)
    print(f"check_layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
