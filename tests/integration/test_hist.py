#!/usr/bin/python3
"""test_hist.py - --hist: group-by counts over the 11-state fixture are exactly the known counts.

The fixture (tests/lib/fixture.py) lists every socket it holds with its addresses, state and
owners, so the expected histogram for any key can be computed from its manifest:
`--hist raddr,state` and `--hist process,state` (the acceptance examples), single keys,
--top, and the JSON, CSV and OpenMetrics forms, each read by an independent parser.
"""

import collections
import csv
import io
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402


def escape_name(s):
    """What the table shows for a name (src/escape.c): C escapes for control bytes."""
    out = []
    for ch in s:
        c = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return "".join(out)


def fam(s):
    return 6 if s["proto"] == "tcp6" else 4


def raddr(s):
    # an unconnected socket (LISTEN, CLOSED) has no peer: one "(none)" group
    if s["remote"].endswith(":*"):
        return "(none)"
    return h.endpoint_key(s["remote"], fam(s))[0]


def rnet(s):
    a = raddr(s)
    if a == "(none)":
        return a
    if a.version == 6 and a.ipv4_mapped:
        a = a.ipv4_mapped
    return ipaddress.ip_network("%s/%d" % (a, 24 if a.version == 4 else 64), strict=False)


def processes(s):
    names = sorted({comm for _, comm in s["owners"]})
    return names or ["-"]


# key -> (value(s) of a manifest entry, parse a printed value into the same kind)
KEYS = {
    "state": (lambda s: [s["state"]], str),
    "raddr": (lambda s: [raddr(s)], lambda v: v if v == "(none)" else ipaddress.ip_address(v)),
    "lport": (lambda s: [h.endpoint_key(s["local"], fam(s))[1]], int),
    "rnet": (lambda s: [rnet(s)], lambda v: v if v == "(none)" else ipaddress.ip_network(v)),
    "process": (processes, str),
}


def expected(fx, k1, k2=None):
    c = collections.Counter()
    for s in fx.manifest:
        for a in KEYS[k1][0](s):
            if k2 is None:
                c[(a,)] += 1
            else:
                for b in KEYS[k2][0](s):
                    c[(a, b)] += 1
    return dict(c)


def from_json(doc, k1, k2=None):
    got = {}
    for g in doc["hist"]["groups"]:
        a = KEYS[k1][1](g[k1])
        if k2 is None:
            got[(a,)] = g["count"]
            continue
        h.check(sum(b["count"] for b in g["breakdown"]) == g["count"],
                "a group's count is the sum of its breakdown", json.dumps(g))
        for b in g["breakdown"]:
            got[(a, KEYS[k2][1](b[k2]))] = b["count"]
    return got


def check_hist(got, want, what, out):
    if got != want:
        lines = ["missing/wrong: %r want %d got %r" % (k, v, got.get(k))
                 for k, v in sorted(want.items(), key=repr) if got.get(k) != v]
        lines += ["extra: %r = %d" % (k, v) for k, v in got.items() if k not in want]
        h.fail(what + ": wrong counts", "\n".join(lines), out)


def json_tool(text, lines=False):
    argv = [h.PYTHON, "-m", "json.tool"] + (["--json-lines"] if lines else [])
    r = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=10)
    h.check(r.returncode == 0, "json.tool rejects the output: " + r.stderr.strip(), text)


def test_json(fx, k1, k2=None):
    spec = k1 + ("," + k2 if k2 else "")
    out = h.run_ok(["-a", "--hist", spec, "-j"])
    json_tool(out)
    doc = json.loads(out)
    h.check_eq(doc["version"], 1, "schema version", out)
    h.check_eq(doc["hist"]["keys"], [k for k in (k1, k2) if k], "keys", out)
    h.check_eq(doc["hist"]["total"], len(fx.manifest), "total sockets", out)
    check_hist(from_json(doc, k1, k2), expected(fx, k1, k2), "--hist %s -j" % spec, out)
    counts = [g["count"] for g in doc["hist"]["groups"]]
    h.check(counts == sorted(counts, reverse=True), "groups sorted by count", out)
    return doc


def parse_table(out, nkeys):
    """Rows of a --hist table: (key values..., count); "(N more)" and Total apart."""
    lines = out.rstrip("\n").split("\n")
    rows, more, total = [], None, None
    for line in lines[1:]:
        f = line.split()
        if f[0] == "Total":
            total = int(f[-1])
        elif f[0].startswith("(") and f[1] == "more" and f[2] in ("group)", "groups)"):
            h.check_eq(f[-1], "sockets", "(N more groups) M sockets", out)
            more = (int(f[0][1:]), int(f[-2]))
        elif nkeys == 2 and f[1].startswith("(") and f[2] == "more" and f[3] in ("row)",
                                                                                "rows)"):
            rows.append(((f[0], "(more)"), int(f[-2]), ""))
        else:
            h.check(len(f) >= nkeys + 1 and f[nkeys].isdigit(), "hist line %r" % line, out)
            rows.append((tuple(f[:nkeys]), int(f[nkeys]), f[nkeys + 1] if len(f) > nkeys + 1
                         else ""))
    return rows, more, total


def test_table(fx, k1, k2):
    """The table holds the expected counts; names appear escaped as in the listing."""
    spec = k1 + ("," + k2 if k2 else "")
    keys = [k for k in (k1, k2) if k]
    out = h.run_ok(["-a", "--hist", spec])
    rows, more, total = parse_table(out, len(keys))
    h.check(more is None, "no '(N more)' line outside a terminal without --top", out)
    h.check_eq(total, len(fx.manifest), "Total line", out)
    want = {tuple(escape_name(v) if k == "process" else v for k, v in zip(keys, key)): n
            for key, n in expected(fx, k1, k2).items()}
    got = {tuple(v if k == "process" else KEYS[k][1](v) for k, v in zip(keys, key)): n
           for key, n, _ in rows}
    check_hist(got, want, "--hist " + spec, out)
    h.check(all(bar and set(bar) == {"#"} for _, _, bar in rows), "a bar on every row", out)
    return out


def test_acceptance(fx):
    test_json(fx, "raddr", "state")
    test_table(fx, "raddr", "state")
    h.ok("--hist raddr,state prints exactly the fixture's counts (table and JSON)")
    doc = test_json(fx, "process", "state")
    test_table(fx, "process", "state")
    names = {g["process"] for g in doc["hist"]["groups"]}
    h.check({"tsfixture", "tsfixture2", "-"} <= names, "fixture processes present", names)
    shared = [g for g in doc["hist"]["groups"] if g["process"] == "tsfixture2"]
    h.check_eq(shared[0]["count"], 1, "a shared socket counts once per owning process name")
    h.ok("--hist process,state prints exactly the fixture's counts (table and JSON)")


def test_single_keys(fx):
    for k in ("state", "lport", "rnet"):
        test_json(fx, k)
    out = test_table(fx, "state", None)
    rows, _, _ = parse_table(out, 1)
    counts = [n for _, n, _ in rows]
    h.check(counts == sorted(counts, reverse=True), "table sorted by count", out)
    if os.getuid() == 0:
        out = h.run_ok(["-a", "--hist", "user", "-j"])
        doc = json.loads(out)
        h.check_eq([(g["user"], g["count"]) for g in doc["hist"]["groups"]],
                   [("root", len(fx.manifest))], "--hist user as root", out)
    doc = json.loads(h.run_ok(["-a", "--hist", "lport", "-j"]))
    h.check(all(isinstance(g["lport"], int) for g in doc["hist"]["groups"]),
            "ports are JSON numbers")
    h.ok("--hist state, lport, rnet, user: exact counts; ports as numbers")


def test_top(fx):
    full = expected(fx, "state")
    out = h.run_ok(["-a", "--hist", "state", "--top", "3"])
    rows, more, total = parse_table(out, 1)
    h.check_eq(len(rows), 3, "--top 3 shows 3 rows", out)
    shown = sum(n for _, n, _ in rows)
    h.check_eq(more, (len(full) - 3, len(fx.manifest) - shown), "(N more) sums the rest", out)
    h.check_eq(total, len(fx.manifest), "Total still counts everything", out)
    doc = json.loads(h.run_ok(["-a", "--hist", "state", "--top", "3", "-j"]))
    h.check_eq(len(doc["hist"]["groups"]), 3, "--top applies to JSON")
    h.check_eq(doc["hist"]["other"], {"groups": len(full) - 3,
                                      "count": len(fx.manifest) - shown}, "JSON other")
    out = h.run_ok(["-a", "--hist", "process,state", "--top", "1"])
    rows, more, _ = parse_table(out, 2)
    h.check(len({r[0][0] for r in rows}) == 1 and len(rows) == 2 and rows[1][0][1] == "(more)",
            "--top 1: one group, its first row and '(N more)' for the rest of it", out)
    group = sum(n for (p, _), n in expected(fx, "process", "state").items()
                if p == rows[0][0][0])
    h.check_eq(rows[0][1] + rows[1][1], group, "the group's rows add up to its count", out)
    out = h.run_ok(["-a", "--hist", "rport,state", "--top", "5"])
    rows, more, _ = parse_table(out, 2)
    data = [r for r in rows if r[0][1] != "(more)"]
    h.check(len(data) <= 5, "--top 5 with two keys: at most 5 rows in all", out)
    h.ok("--top N: N rows, the rest summed in one line")


def test_filter_and_default(fx):
    out = h.run_ok(["--hist", "state", "-j"])
    doc = json.loads(out)
    names = {g["state"] for g in doc["hist"]["groups"]}
    h.check(not names & {"LISTEN", "CLOSED"}, "without -a, --hist follows the default view",
            out)
    out = h.run_ok(["-a", "--hist", "state", "--state", "listen", "-j"])
    doc = json.loads(out)
    h.check_eq([(g["state"], g["count"]) for g in doc["hist"]["groups"]],
               [("LISTEN", sum(1 for s in fx.manifest if s["state"] == "LISTEN"))],
               "filters apply", out)
    h.ok("--hist follows -a and the filter")


def test_formats(fx):
    want = expected(fx, "process", "state")
    out = h.run_ok(["-a", "--hist", "process,state", "--format", "jsonl"])
    json_tool(out, lines=True)
    got = {(o["process"], o["state"]): o["count"] for o in map(json.loads, out.splitlines())}
    check_hist(got, want, "jsonl", out)
    out = h.run_ok(["-a", "--hist", "process,state", "--format", "csv"])
    recs = list(csv.reader(io.StringIO(out, newline="")))
    h.check_eq(recs[0], ["process", "state", "count"], "CSV header", out)
    got = {(r[0], r[1]): int(r[2]) for r in recs[1:]}
    check_hist(got, {(escape_name(a), b): n for (a, b), n in want.items()}, "csv", out)
    out = h.run_ok(["-a", "--hist", "process,state", "--format", "openmetrics"])
    try:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    except ImportError:
        print("# prometheus_client missing: OpenMetrics not parsed")
        return
    try:
        fams = list(text_string_to_metric_families(out))
    except Exception as e:
        h.fail("OpenMetrics parser rejects --hist output: %r" % e, out)
    got = {(s.labels["process"], s.labels["state"]): int(s.value) for s in fams[0].samples}
    check_hist(got, {(escape_name(a), b): n for (a, b), n in want.items()}, "openmetrics", out)
    h.ok("--hist process,state as JSON lines, CSV and OpenMetrics: parsed, same counts")


def test_errors():
    for args, token in ((["--hist", "nope"], "'nope'"), (["--hist", "state,nope"], "'nope'"),
                        (["--hist", "state,lport,rport"], "'rport'")):
        rc, out, err = h.run(args)
        h.check(rc == 2 and out == "" and token in err and err.count("\n") == 1,
                "tcpstate %s: exit 2, one line naming %s, nothing on stdout" %
                (" ".join(args), token), "rc=%d stdout=%r stderr=%r" % (rc, out, err))
    h.ok("bad --hist keys: exit 2 with the bad key named")


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture()
    test_acceptance(fx)
    test_single_keys(fx)
    test_top(fx)
    test_filter_and_default(fx)
    test_formats(fx)
    test_errors()
    fx.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
