#!/usr/bin/python3
"""test_formats.py - every output format read back by an independent parser, with a hostile name.

A helper process renamed (prctl PR_SET_NAME) to q"b\\c,d<LF><0xff><0xfe> - a double quote, a
backslash, a comma, a newline and two bytes that are not UTF-8 - holds a listener and an
accepted connection on loopback. The listing, the summary and the histograms in JSON (checked
with python3 -m json.tool and jq), JSON lines, CSV (the csv module) and OpenMetrics
(prometheus_client's parser) must stay valid and carry the name as documented. Also: --sort,
--columns, --list-columns and --color.
"""

import csv
import ctypes
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import harness as h  # noqa: E402

EVIL = b'q"b\\c,d\n\xff\xfe'
PORT = 24100
PORT6 = 24110
PR_SET_NAME, PR_SET_PDEATHSIG = 15, 1


def escape_bytes(b):
    """src/escape.c's escape_name: C escapes for controls, backslash and invalid UTF-8."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        if c == 0x5c:
            out.append("\\\\")
        elif c in (0x0a, 0x09, 0x0d):
            out.append({0x0a: "\\n", 0x09: "\\t", 0x0d: "\\r"}[c])
        elif c < 0x20 or c == 0x7f or c >= 0x80:
            # (enough for this test: every high byte here is invalid UTF-8)
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
        i += 1
    return "".join(out)


EVIL_TABLE = escape_bytes(EVIL)                 # as the table and CSV show it
EVIL_JSON = EVIL.decode("utf-8", "replace")     # JSON: invalid bytes become U+FFFD


def start_evil():
    """Fork a process named EVIL holding a listener and one accepted connection."""
    libc = ctypes.CDLL(None, use_errno=True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", PORT))
    ls.listen(8)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            libc.prctl(PR_SET_NAME, ctypes.c_char_p(EVIL), 0, 0, 0)
            os.write(w, b"1")
            conn, _ = ls.accept()
            os.write(w, b"2")
            while True:
                signal.pause()
        finally:
            os._exit(0)
    os.close(w)
    h.check(os.read(r, 1) == b"1", "the evil helper started")
    ls.close()
    c = socket.create_connection(("127.0.0.1", PORT))
    h.check(os.read(r, 1) == b"2", "the evil helper accepted")
    os.close(r)
    return pid, c


def json_tool(text, lines=False):
    argv = [h.PYTHON, "-m", "json.tool"] + (["--json-lines"] if lines else [])
    r = subprocess.run(argv, input=text.encode("utf-8", "surrogateescape"),
                       capture_output=True, timeout=10)
    h.check(r.returncode == 0, "json.tool rejects the output: %r" % r.stderr, text)


def listing_count():
    return len(h.run_ok(["-a", "-H"]).splitlines())


def test_json(pid, n):
    out = h.run_ok(["-a", "-p", "-j"])
    json_tool(out)
    if shutil.which("jq"):
        r = subprocess.run(["jq", "-e", ".sockets | length"], input=out, capture_output=True,
                           text=True, timeout=10)
        h.check(r.returncode == 0 and r.stdout.strip() == str(n), "jq reads the listing",
                r.stderr, r.stdout)
    doc = json.loads(out)
    h.check_eq(doc["version"], 1, "schema version", out)
    socks = doc["sockets"]
    h.check_eq(len(socks), n, "one object per socket", out)
    h.check_eq(list(socks[0]), ["proto", "recvq", "sendq", "local", "foreign", "state",
                                "owners"], "keys are the column names, in order", out)
    for s in socks:
        h.check(isinstance(s["recvq"], int) and isinstance(s["sendq"], int),
                "queues are JSON numbers", out)
        h.check(s["state"] in h.STATES, "canonical state names", out)
        for o in s["owners"]:
            h.check(set(o) == {"pid", "comm"} and isinstance(o["pid"], int),
                    "owners are {pid, comm}", out)
    lst = [s for s in socks if s["local"] == "127.0.0.1:%d" % PORT and s["state"] == "LISTEN"]
    h.check_eq(len(lst), 1, "the evil listener is listed", out)
    h.check_eq(lst[0]["owners"], [{"pid": pid, "comm": EVIL_JSON}],
               "the hostile name survives JSON (invalid UTF-8 as U+FFFD)", out)
    out = h.run_ok(["-a", "-p", "--format", "jsonl"])
    json_tool(out, lines=True)
    objs = [json.loads(line) for line in out.splitlines()]
    h.check_eq(objs, socks, "JSON lines: the same objects, one per line", out)
    out = h.run_ok(["-a", "--columns", "state,lport,rport,laddr", "-j"])
    doc = json.loads(out)
    h.check(all(list(s) == ["state", "lport", "rport", "laddr"] for s in doc["sockets"]),
            "--columns chooses the JSON keys", out)
    h.check(all(isinstance(s["lport"], int) for s in doc["sockets"]), "ports are numbers")
    h.ok("JSON and JSON lines: valid (json.tool%s), numbers, {pid, comm}, hostile name intact"
         % (", jq" if shutil.which("jq") else ""))


def test_csv(pid, n):
    out = h.run_ok(["-a", "-p", "--format", "csv"])
    recs = list(csv.reader(io.StringIO(out, newline="")))
    h.check_eq(recs[0], ["proto", "recvq", "sendq", "local", "foreign", "state", "owners"],
               "CSV header: the column names", out)
    h.check_eq(len(recs), n + 1, "one record per socket", out)
    h.check(all(len(r) == 7 for r in recs), "every record has 7 fields", out)
    lst = [r for r in recs if r[3] == "127.0.0.1:%d" % PORT and r[5] == "LISTEN"]
    h.check_eq(lst[0][6], "%d/%s" % (pid, EVIL_TABLE),
               "the hostile name survives CSV (escaped as in the table)", out)
    out = h.run_ok(["-a", "-p", "--format", "csv", "-H"])
    h.check_eq(len(list(csv.reader(io.StringIO(out, newline="")))), n, "-H: no header", out)
    h.ok("CSV: the csv module reads %d records of 7 fields; the hostile name is one field" % n)


def parse_om(text):
    try:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    except ImportError:
        return None
    try:
        return {f.name: f for f in text_string_to_metric_families(text)}
    except Exception as e:
        h.fail("the OpenMetrics parser rejects the output: %r" % e, text)


def test_hist_formats(pid):
    out = h.run_ok(["-a", "--hist", "process", "-j"])
    json_tool(out)
    doc = json.loads(out)
    names = {g["process"]: g["count"] for g in doc["hist"]["groups"]}
    h.check_eq(names.get(EVIL_JSON), 2, "hist JSON: the hostile name, 2 sockets", out)
    out = h.run_ok(["-a", "--hist", "process,state", "--format", "csv"])
    recs = list(csv.reader(io.StringIO(out, newline="")))
    h.check(all(len(r) == 3 for r in recs), "hist CSV: 3 fields per record", out)
    h.check([EVIL_TABLE, "LISTEN", "1"] in recs, "hist CSV carries the escaped name", out)
    out = h.run_ok(["-a", "--hist", "process,state", "--format", "openmetrics"])
    fams = parse_om(out)
    if fams is None:
        print("# prometheus_client missing: OpenMetrics not parsed")
    else:
        got = {(s.labels["process"], s.labels["state"]): s.value
               for s in fams["tcpstate_hist_sockets"].samples}
        h.check_eq(got.get((EVIL_TABLE, "ESTABLISHED")), 1.0,
                   "OpenMetrics label carries the escaped name", out)
    out = h.run_ok(["-a", "--hist", "process", "--format", "jsonl"])
    json_tool(out, lines=True)
    h.ok("histograms with the hostile name: JSON, JSON lines, CSV, OpenMetrics all parse")


def test_summary_formats():
    fams = parse_om(h.run_ok(["-s", "--format", "openmetrics"]))
    if fams is not None:
        q = {s.labels["local"]: s.value for s in fams["tcpstate_listen_queue"].samples}
        h.check("127.0.0.1:%d" % PORT in q, "listener gauge for our listener", q)
    json_tool(h.run_ok(["-s", "-j"]))
    json_tool(h.run_ok(["-s", "--format", "jsonl"]), lines=True)
    h.ok("summary formats parse")


def test_sort():
    out = h.run_ok(["-a", "-H", "--sort", "-lport", "--columns", "lport,state"])
    ports = [int(line.split()[0]) for line in out.splitlines()]
    h.check(ports == sorted(ports, reverse=True) and len(ports) > 2, "--sort -lport", out)
    out = h.run_ok(["-a", "-H", "--sort", "state,rport", "--columns", "state,rport"])
    got = [(h.STATES.index(line.split()[0]), int(line.split()[1])) for line in out.splitlines()]
    h.check(got == sorted(got), "--sort state,rport: lifecycle order, then peer port", out)
    out = h.run_ok(["-a", "-p", "-j", "--sort", "process"])
    names = [s["owners"][0]["comm"] if s["owners"] else None for s in
             json.loads(out)["sockets"]]
    have = [x for x in names if x is not None]
    h.check(have == sorted(have, key=lambda s: s.encode("utf-8", "surrogatepass")) or
            have == sorted(have), "--sort process", out)
    h.check(names[-1] is None or None not in names, "sockets without owner sort last", out)
    h.ok("--sort: descending, multi-key, by process")


def test_columns():
    out = h.run_ok(["--list-columns"])
    lines = out.splitlines()
    h.check(lines[0].split() == ["NAME", "TYPE", "UNIT", "DESCRIPTION"],
            "--list-columns header", out)
    units = {line.split()[0]: line.split()[2] for line in lines[1:]}
    h.check(units.get("rtt") == "duration" and units.get("sendq") == "size" and
            units.get("cc") == "text" and units.get("owners") == "-",
            "--list-columns: the unit a comparison takes", out)
    names = [line.split()[0] for line in lines[1:]]
    for c in ("proto", "recvq", "sendq", "local", "foreign", "state", "owners", "lport"):
        h.check(c in names, "--list-columns lists " + c, out)
    doc = json.loads(h.run_ok(["--list-columns", "-j"]))
    h.check_eq([c["name"] for c in doc["columns"]], names, "--list-columns -j: same table")
    h.check_eq([c["unit"] for c in doc["columns"]],
               [None if units[n] == "-" else units[n] for n in names],
               "--list-columns -j: the same units")
    out = h.run_ok(["-a", "-H", "--columns", "+lport"])
    h.check(all(len(line.split()) == 7 for line in out.splitlines()), "+lport adds a column",
            out)
    every = [c for c in names if c != "netns"]  # netns needs --all-netns
    rc, out, err = h.run(["-a", "-p", "--columns", ",".join(every), "-j"])
    h.check(rc == 0, "--columns with every column works", err)
    json_tool(out)
    for s in json.loads(out)["sockets"]:
        h.check_eq(list(s), every, "every column is a JSON key, in order", out)
    rc, out, err = h.run(["-a", "-p", "--columns", ",".join(every), "--format", "csv"])
    recs = list(csv.reader(io.StringIO(out, newline="")))
    h.check(rc == 0 and recs[0] == every and all(len(r) == len(every) for r in recs),
            "CSV with every column", out)
    h.ok("--columns and --list-columns come from one table; every column is valid JSON")


def man_section(man, name):
    start = man.index(".SH %s\n" % name)
    end = man.find("\n.SH ", start + 1)
    return man[start:end if end > 0 else len(man)]


def test_docs_tables():
    """The man page lists every column, --hist key and --sort key the binary knows."""
    src = os.environ.get("TCPSTATE_SRCDIR")
    if not src:
        print("# TCPSTATE_SRCDIR unset: man page not compared with the tables")
        return
    with open(os.path.join(src, "man", "tcpstate.8"), encoding="utf-8") as f:
        man = f.read()
    cols = man_section(man, "COLUMNS")
    names = [line.split()[0] for line in h.run_ok(["--list-columns", "-H"]).splitlines()]
    missing = [c for c in names if ".BR %s " % c.replace("-", "\\-") not in cols]
    h.check(not missing, "man COLUMNS lacks: " + " ".join(missing))
    opts = man_section(man, "OPTIONS")
    hist = opts[opts.index("\\-\\-hist \""):opts.index("\\-\\-top \"")]
    for k in h.run_ok(["--complete", "hist"]).split():
        h.check(".B %s\n" % k in hist or ".BR %s " % k in hist,
                "man --hist does not describe the key " + k)
    sort = opts[opts.index("\\-\\-sort \""):opts.index("\\-\\-columns \"")]
    numbers = set(n for n, t in (line.split()[:2] for line in
                                 h.run_ok(["--list-columns", "-H"]).splitlines())
                  if t == "number")
    for k in h.run_ok(["--complete", "sort"]).split():
        h.check(k in numbers or ".B %s\n" % k in sort or ".BR %s " % k in sort,
                "man --sort does not describe the key " + k)
    h.ok("the man page documents every column (%d), --hist key and --sort key" % len(names))


def test_color():
    rc, out, _ = h.run(["-a", "--color", "always"], env={"NO_COLOR": ""})
    h.check("\033[" in out, "--color always colours the states", out)
    out = h.run_ok(["-as", "--color", "always"])
    h.check("\033[" in out, "--color always colours the summary (even with NO_COLOR)", out)
    for args, env in ((["-a"], {"NO_COLOR": ""}), (["-a", "--color", "never"], None),
                      (["-as"], {"NO_COLOR": ""}), (["-a", "--hist", "state"], {"NO_COLOR": ""})):
        rc, out, _ = h.run(args, env=env)
        h.check(rc == 0 and "\033" not in out, "no colour in a pipe: " + " ".join(args), out)
    h.ok("--color always/never; auto never colours a pipe")


def test_errors():
    cases = [
        (["--sort", "nope"], "'nope'"),
        (["--sort", "lport,-bogus"], "'-bogus'"),
        (["--columns", "state,nope"], "'nope'"),
        (["--list-columns", "--format", "openmetrics"], "'--format openmetrics'"),
        (["--format", "yaml"], "'yaml'"),
        (["--color=sometimes"], "'sometimes'"),
    ]
    for args, token in cases:
        rc, out, err = h.run(args)
        h.check(rc == 2 and out == "" and token in err and err.count("\n") == 1,
                "tcpstate %s: exit 2, one line naming %s, nothing on stdout" %
                (" ".join(args), token), "rc=%d stdout=%r stderr=%r" % (rc, out, err))
    rc, out, err = h.run(["-j", "--replay", "/nonexistent/dump"])
    h.check(rc == 1 and out == "" and err.startswith("tcpstate: "),
            "-j with a failure: error on stderr, nothing half-written on stdout",
            "rc=%d stdout=%r stderr=%r" % (rc, out, err))
    h.ok("usage errors exit 2 naming the bad token; JSON errors go to stderr")


def main():
    h.enter_netns()
    h.binary()
    pid, client = start_evil()
    h.track(h.Child(pid))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s6.bind(("::1", PORT6))
    s6.listen(1)
    c6 = socket.create_connection(("::1", PORT6))
    a6, _ = s6.accept()
    n = listing_count()
    h.check(n >= 6, "the test's sockets are there (%d)" % n)
    test_json(pid, n)
    test_csv(pid, n)
    test_hist_formats(pid)
    test_summary_formats()
    test_sort()
    test_columns()
    test_docs_tables()
    test_color()
    test_errors()
    for s in (client, c6, a6, s6):
        s.close()
    h.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
