#!/usr/bin/python3
"""test_summary.py - -s: counts of all 11 states per family equal the fixture and ss, in every format.

Inside a private network namespace the fixture (tests/lib/fixture.py) holds a known number
of sockets in every state. `tcpstate -as` must print exactly those counts (zeros included,
lifecycle order, IPv4/IPv6/Total, a bar on every non-zero row), agree with ss(8), and give
the same numbers as JSON, JSON lines, CSV and OpenMetrics, each read by an independent
parser (json.tool, jq, the csv module, prometheus_client's OpenMetrics parser).
"""

import collections
import csv
import io
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

FAMILIES = ("ipv4", "ipv6")


def fixture_counts(fx, pred=lambda s: True):
    """{state: {"ipv4": n, "ipv6": n}} for every one of the 11 states."""
    c = {st: {"ipv4": 0, "ipv6": 0} for st in h.STATES}
    for s in fx.manifest:
        if pred(s):
            c[s["state"]]["ipv6" if s["proto"] == "tcp6" else "ipv4"] += 1
    return c


def parse_summary(out, header=True):
    """The -s table -> ({state: {"ipv4", "ipv6", "total", "bar"}}, [states in order], total)."""
    lines = out.rstrip("\n").split("\n")
    if header:
        h.check(lines[0].split() == ["State", "IPv4", "IPv6", "Total"], "summary header",
                out)
        h.check(lines[-1].split()[0] == "Total", "summary ends with a Total line", out)
        total = [int(x) for x in lines[-1].split()[1:4]]
        lines = lines[1:-1]
    else:
        total = None
    rows, order = {}, []
    for line in lines:
        f = line.split()
        h.check(len(f) in (4, 5) and all(x.isdigit() for x in f[1:4]),
                "cannot parse summary line %r" % line, out)
        v4, v6, t = (int(x) for x in f[1:4])
        h.check(v4 + v6 == t, "IPv4 + IPv6 != Total on %r" % line, out)
        rows[f[0]] = {"ipv4": v4, "ipv6": v6, "total": t, "bar": f[4] if len(f) == 5 else ""}
        order.append(f[0])
    return rows, order, total


def check_counts(got, want, what, out):
    bad = []
    for st in h.STATES:
        for fam in FAMILIES:
            if got[st][fam] != want[st][fam]:
                bad.append("%s %s: got %d, want %d" % (st, fam, got[st][fam], want[st][fam]))
    if bad:
        h.fail(what + ": wrong counts", "\n".join(bad), out)


def test_table(fx):
    out = h.run_ok(["-as"])
    rows, order, total = parse_summary(out)
    h.check_eq(order, h.STATES, "all 11 states, in lifecycle order", out)
    want = fixture_counts(fx)
    check_counts(rows, want, "tcpstate -as", out)
    n4 = sum(v["ipv4"] for v in want.values())
    n6 = sum(v["ipv6"] for v in want.values())
    h.check_eq(total, [n4, n6, n4 + n6], "the Total line", out)
    for st, r in rows.items():
        h.check(bool(r["bar"]) == (r["total"] > 0), "a bar exactly on non-zero rows: " + st,
                out)
        h.check(set(r["bar"]) <= {"#"}, "ASCII bars outside a UTF-8 terminal", out)
    biggest = max(r["total"] for r in rows.values())
    lens = {st: len(r["bar"]) for st, r in rows.items()}
    for st, r in rows.items():
        if r["total"] == biggest:
            h.check(lens[st] == max(lens.values()), "the largest count has the longest bar",
                    out)
    h.ok("-as prints the fixture's count for each of the 11 states and both families")
    return rows, out


def test_ss(rows, out):
    ss = h.ss_states()
    if ss is None:
        print("# ss not found: no ss comparison")
        return
    c = {st: {"ipv4": 0, "ipv6": 0} for st in h.STATES}
    for key, v in ss.items():
        c[v["state"]]["ipv6" if key[0] == 6 else "ipv4"] += 1
    bad = []
    for st in h.STATES:
        if st == "CLOSED" and not h.ss_supports_bound_inactive():
            continue  # ss before 6.9 cannot ask for bound-only sockets
        for fam in FAMILIES:
            if rows[st][fam] != c[st][fam]:
                bad.append("%s %s: tcpstate %d, ss %d" % (st, fam, rows[st][fam], c[st][fam]))
    if bad:
        h.fail("tcpstate -as disagrees with ss", "\n".join(bad), out)
    h.ok("-as agrees with ss%s" % ("" if h.ss_supports_bound_inactive() else
                                    " (CLOSED not compared: ss cannot list it)"))


def test_selection(fx, rows_all):
    rows, _, _ = parse_summary(h.run_ok(["-s"]))
    h.check_eq(rows, rows_all, "-s counts every state, like -as")
    out = h.run_ok(["-ls"])
    rows, order, _ = parse_summary(out)
    h.check_eq(order, h.STATES, "-ls still prints all 11 rows", out)
    check_counts(rows, fixture_counts(fx, lambda s: s["state"] == "LISTEN"), "-ls", out)
    out = h.run_ok(["-as", "-4"])
    rows, _, _ = parse_summary(out)
    check_counts(rows, fixture_counts(fx, lambda s: s["proto"] == "tcp"), "-as -4", out)
    out = h.run_ok(["-as", "--state", "established"])
    rows, _, _ = parse_summary(out)
    check_counts(rows, fixture_counts(fx, lambda s: s["state"] == "ESTABLISHED"),
                 "-as --state established", out)
    out = h.run_ok(["-as", "-H"])
    rows, order, _ = parse_summary(out, header=False)
    h.check_eq(order, h.STATES, "-H: the 11 rows and nothing else", out)
    h.ok("-s: -l, -4, --state and -H select what is counted and shown")


def json_tool(text, lines=False):
    """Validate with python3 -m json.tool (one document, or --json-lines)."""
    argv = [h.PYTHON, "-m", "json.tool"] + (["--json-lines"] if lines else [])
    r = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=10)
    h.check(r.returncode == 0, "json.tool rejects the output: " + r.stderr.strip(), text)


def test_json(fx):
    want = fixture_counts(fx)
    out = h.run_ok(["-as", "-j"])
    json_tool(out)
    doc = json.loads(out)
    h.check_eq(doc["version"], 1, "schema version", out)
    states = doc["summary"]["states"]
    h.check_eq(list(states), h.STATES, "JSON: all 11 states in lifecycle order", out)
    check_counts(states, want, "-as -j", out)
    for st, v in states.items():
        h.check(v["total"] == v["ipv4"] + v["ipv6"] and isinstance(v["total"], int),
                "JSON totals are numbers", out)
    tot = doc["summary"]["total"]
    h.check_eq(tot["total"], len(fx.manifest), "JSON total", out)
    if shutil.which("jq"):
        r = subprocess.run(["jq", "-r", ".summary.states.TIME_WAIT.total"], input=out,
                           capture_output=True, text=True, timeout=10)
        h.check_eq(r.stdout.strip(), str(want["TIME_WAIT"]["ipv4"] + want["TIME_WAIT"]["ipv6"]),
                   "jq reads the summary", r.stderr)
    out = h.run_ok(["-as", "--format", "jsonl"])
    json_tool(out, lines=True)
    objs = [json.loads(line) for line in out.splitlines()]
    h.check_eq([o["state"] for o in objs], h.STATES, "JSON lines: one object per state", out)
    check_counts({o["state"]: o for o in objs}, want, "-as --format jsonl", out)
    h.ok("-s as JSON and JSON lines: valid, versioned, the same counts")


def test_csv(fx):
    out = h.run_ok(["-as", "--format", "csv"])
    h.check("\r\n" in out, "CSV records end in CR LF (RFC 4180)", repr(out[:80]))
    recs = list(csv.reader(io.StringIO(out, newline="")))
    h.check_eq(recs[0], ["state", "ipv4", "ipv6", "total"], "CSV header", out)
    got = {r[0]: {"ipv4": int(r[1]), "ipv6": int(r[2])} for r in recs[1:]}
    h.check_eq([r[0] for r in recs[1:]], h.STATES, "CSV: one record per state", out)
    check_counts(got, fixture_counts(fx), "-as --format csv", out)
    out = h.run_ok(["-as", "--format", "csv", "-H"])
    h.check_eq(len(list(csv.reader(io.StringIO(out, newline="")))), 11, "-H drops the header")
    h.ok("-s as CSV: the csv module reads the same counts")


def parse_openmetrics(text):
    try:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    except ImportError:
        return None
    try:
        return {f.name: f for f in text_string_to_metric_families(text)}
    except Exception as e:  # the parser raises ValueError and friends
        h.fail("the OpenMetrics parser rejects the output: %r" % e, text)


def test_openmetrics(fx):
    out = h.run_ok(["-as", "--format", "openmetrics"])
    h.check(out.endswith("# EOF\n"), "OpenMetrics text ends with # EOF", out)
    fams = parse_openmetrics(out)
    if fams is None:
        print("# prometheus_client not installed (apt-get install python3-prometheus-client):"
              " OpenMetrics output not parsed")
        return
    h.check(fams["tcpstate_sockets"].type == "gauge", "tcpstate_sockets is a gauge", out)
    got = {st: {"ipv4": None, "ipv6": None} for st in h.STATES}
    for smp in fams["tcpstate_sockets"].samples:
        got[smp.labels["state"]][smp.labels["family"]] = int(smp.value)
    h.check_eq(len(fams["tcpstate_sockets"].samples), 22, "11 states x 2 families, zeros too",
               out)
    check_counts(got, fixture_counts(fx), "--format openmetrics", out)
    listeners = {}
    for s in fx.manifest:
        if s["state"] == "LISTEN":
            listeners[s["local"]] = s
    for name in ("tcpstate_listen_queue", "tcpstate_listen_backlog"):
        h.check(name in fams, "%s is exported" % name, out)
        locs = {smp.labels["local"] for smp in fams[name].samples}
        h.check_set_eq(locs, listeners, name + ": one series per listening endpoint", out)
    # the default listing's openmetrics is the same document (no -a needed: metrics count all)
    out2 = h.run_ok(["--format", "openmetrics"])
    h.check_eq(out2, out, "tcpstate --format openmetrics equals -as --format openmetrics")
    h.ok("OpenMetrics: parsed by prometheus_client, 22 state series, accept-queue gauges")


def test_queue_gauge():
    """A listener with 2 connections waiting in accept: tcpstate_listen_queue says 2."""
    import socket
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 23456))
    ls.listen(7)
    clients = []
    for _ in range(2):
        c = socket.create_connection(("127.0.0.1", 23456))
        clients.append(c)
    try:
        out = h.run_ok(["--format", "openmetrics", "--port", "23456"])
        fams = parse_openmetrics(out)
        if fams is None:
            return
        q = {s.labels["local"]: s.value for s in fams["tcpstate_listen_queue"].samples}
        b = {s.labels["local"]: s.value for s in fams["tcpstate_listen_backlog"].samples}
        h.check_eq(q.get("127.0.0.1:23456"), 2.0, "accept queue gauge", out)
        h.check_eq(b.get("127.0.0.1:23456"), 7.0, "backlog gauge", out)
    finally:
        for c in clients:
            c.close()
        ls.close()
    h.ok("tcpstate_listen_queue counts connections waiting in accept; backlog is listen()'s")


def stats_bytes(args):
    rc, _, err = h.run(args + ["--stats"])
    h.check(rc == 0 and "bytes=" in err, "--stats works with " + " ".join(args), err)
    return int(err.split("bytes=")[1].split()[0])


def test_streaming(fx):
    """-s asks for no extension attributes: as many bytes as a bare listing, fewer than -i."""
    summary, bare, info = stats_bytes(["-as"]), stats_bytes(["-a"]), stats_bytes(["-a", "-i"])
    h.check_eq(summary, bare, "-as receives exactly what a bare -a dump receives")
    h.check(info > summary, "-a -i (tcp_info) receives more than -as: %d vs %d" %
            (info, summary))
    h.ok("-s requests no extension attributes (%d netlink bytes for %d sockets, %d with -i)"
         % (summary, len(fx.manifest), info))


def main():
    h.enter_netns()
    h.binary()
    fx = h.Fixture()
    rows, out = test_table(fx)
    test_ss(rows, out)
    test_selection(fx, rows)
    test_json(fx)
    test_csv(fx)
    test_openmetrics(fx)
    test_streaming(fx)
    fx.stop()
    test_queue_gauge()
    return 0


if __name__ == "__main__":
    sys.exit(main())
