#!/usr/bin/python3
"""test_i18n.py - tcpstate in Simplified and Traditional Chinese: help, a usage error, a
note, --explain, --doctor, --diagram and -s speak zh_CN or zh_TW with no English left;
LANGUAGE, LC_ALL, LC_MESSAGES and LANG pick the catalog as gettext users expect; JSON,
JSONL, CSV and OpenMetrics are byte-identical in every locale; in a 60-column tmux window
--explain close-wait and --doctor wrap inside the width and nothing is cut.

The catalogs come from the build tree (TCPSTATE_LOCALEDIR=BUILDDIR/po). Needs the
zh_CN.UTF-8 and zh_TW.UTF-8 locales (tests/run generates them); exits 77 without."""
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata

binary = os.environ.get("TCPSTATE")
srcdir = os.environ.get("TCPSTATE_SRCDIR", ".")
builddir = os.environ.get("TCPSTATE_BUILDDIR", ".")
if not binary:
    print("SKIP: TCPSTATE is not set (run through meson test)")
    sys.exit(77)
localedir = os.path.join(builddir, "po")
for lang in ("zh_CN", "zh_TW"):
    if not os.path.exists(os.path.join(localedir, lang, "LC_MESSAGES", "tcpstate.mo")):
        print("SKIP: no %s catalog in %s" % (lang, localedir))
        sys.exit(77)
have = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE, text=True).stdout.lower()
for loc in ("zh_cn.utf8", "zh_tw.utf8"):
    if loc not in have.split():
        print("SKIP: the %s locale is not generated (tests/run makes it: locale-gen)" % loc)
        sys.exit(77)

DUMP = os.path.join(srcdir, "tests", "data", "fixture-all.nldump")
failures = []

# Characters only one script uses: Simplified text must show the first set and none of
# the second, Traditional the reverse.
SIMPLIFIED = set("这连关发说为对应处与态网线数个们过时间进务将输错误无计项见显选设认读写开")
TRADITIONAL = set("這連關發說為對應處與態網線數個們過時間進務將輸錯誤無計項見顯選設認讀寫開")


def env_for(**lc):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    env["TCPSTATE_LOCALEDIR"] = localedir
    env.update(lc)
    return env


def run(args, **lc):
    return subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, env=env_for(**lc), timeout=30)


def po_messages(path):
    """The msgids of a .po or .pot file (msgid_plural too), unescaped."""
    ids, cur, key = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'(msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if m:
                key = m.group(1)
                if key in ("msgid", "msgid_plural"):
                    ids.append(eval(m.group(2)))  # a C-like string literal
            elif line.startswith('"') and key in ("msgid", "msgid_plural"):
                ids[-1] += eval(line)
    return [i for i in ids if i]


# English sentences that must not appear in translated output: every fragment of 16 or
# more characters between the format directives of every message, unless it is code or a
# name that the translation keeps (it then also appears in the translation itself).
catalog = po_messages(os.path.join(srcdir, "po", "tcpstate.pot"))
translations = {}
for lang in ("zh_CN", "zh_TW"):
    with open(os.path.join(srcdir, "po", lang + ".po"), encoding="utf-8") as f:
        translations[lang] = f.read()
fragments = set()
for msg in catalog:
    for frag in re.split(r"%[-#0-9.*$]*[a-zA-Z%]|[\n()]", msg):
        frag = frag.strip(" :;,.'\"")
        if len(frag) >= 16 and re.search(r"[a-z]{3,} [a-z]{2,} [a-z]{2,}", frag):
            fragments.add(frag)


def check_chinese(what, lang, text):
    want, avoid = (SIMPLIFIED, TRADITIONAL) if lang == "zh_CN" else (TRADITIONAL, SIMPLIFIED)
    if not set(text) & want:
        failures.append("%s under %s: no %s text: %r" % (what, lang, lang, text[:200]))
    wrong = set(text) & avoid
    if wrong:
        failures.append("%s under %s: characters of the other script %s" %
                        (what, lang, "".join(sorted(wrong))))
    for frag in fragments:
        if frag in text and frag not in translations[lang]:
            failures.append("%s under %s falls back to English: %r" % (what, lang, frag))


CASES = [
    # (what, args, expected exit, stream that must hold the text)
    ("--help", ["--help"], 0, "stdout"),
    ("--usage", ["--usage"], 0, "stdout"),
    ("a usage error", ["--format", "bogus"], 2, "stderr"),
    ("a filter error", ["state", "nosuch"], 2, "stderr"),
    ("a note", ["--replay", DUMP, "-K", "--dry-run", "--dport", "1"], 0, "stderr"),
    ("--explain time-wait", ["--explain", "time-wait"], 0, "stdout"),
    ("--explain handshake", ["--explain", "handshake"], 0, "stdout"),
    ("--explain close", ["--explain", "close"], 0, "stdout"),
    ("--explain 2msl", ["--explain", "2msl"], 0, "stdout"),
    ("--explain sysctl", ["--explain", "sysctl"], 0, "stdout"),
    ("--doctor", ["--replay", DUMP, "--doctor"], 3, "stdout"),
    # the dump has no tcp_info: the CLOSE_WAIT check says what it skipped
    ("the --doctor note", ["--replay", DUMP, "--doctor"], 3, "stderr"),
    ("--diagram", ["--replay", DUMP, "--diagram"], 0, "stdout"),
    ("-s", ["--replay", DUMP, "-s"], 0, "stdout"),
    ("--hist", ["--replay", DUMP, "--hist", "state", "--top", "2"], 0, "stdout"),
]

for lang in ("zh_CN", "zh_TW"):
    for what, args, code, stream in CASES:
        r = run(args, LANG=lang + ".UTF-8")
        text = getattr(r, stream).decode("utf-8", "replace")
        if r.returncode != code:
            failures.append("%s under %s: exit %d, want %d: %r" %
                            (what, lang, r.returncode, code, r.stderr[:200]))
        if code == 2 and r.stdout:
            failures.append("%s under %s: stdout not empty" % (what, lang))
        check_chinese(what, lang, text)
    # -c WORD: a word no filter knows is a bad interval in every language
    err = run(["-c", "abc"], LANG=lang + ".UTF-8").stderr.decode()
    if "-c" not in err or "abc" not in err or "--continuous" not in err:
        failures.append("-c abc under %s is not a bad interval: %r" % (lang, err))
    # -c: the frame header in a pipe ("=== DATE  every 0.1s  total N")
    out = run(["--replay", DUMP, "-s", "-c", "0.1", "--count", "1"],
              LANG=lang + ".UTF-8").stdout.decode()
    head = out.splitlines()[0] if out else ""
    if not head.startswith("=== ") or "every" in head or "每" not in head:
        failures.append("-c header under %s: %r" % (lang, head))
    # -s: the state names stay, the Total row is translated
    out = run(["--replay", DUMP, "-s"], LANG=lang + ".UTF-8").stdout.decode()
    rows = [l.split()[0] for l in out.splitlines() if l.strip()]
    if "TIME_WAIT" not in rows or "ESTABLISHED" not in rows or "Total" in rows[1:]:
        failures.append("-s under %s: state names must stay, the Total row must not: %r"
                        % (lang, rows))

# Which catalog: LANGUAGE > LC_ALL > LC_MESSAGES > LANG; C or a missing catalog: English.
SELECT = [
    ({"LANG": "C"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_TW"}, "zh_TW"),
    ({"LANG": "C.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh_TW"),
    ({"LANG": "zh_TW.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "C", "LANGUAGE": "zh_CN"}, "en"),  # gettext ignores LANGUAGE under C
    ({"LANG": "fr_FR.UTF-8"}, "en"),  # no such catalog (nor locale)
]
english = run(["--explain", "close-wait"], LANG="C").stdout
for lc, want in SELECT:
    r = run(["--explain", "close-wait"], **lc)
    out = r.stdout.decode()
    got = ("zh_CN" if set(out) & SIMPLIFIED else "zh_TW" if set(out) & TRADITIONAL
           else "en")
    if got != want:
        failures.append("%s: got %s, want %s" % (lc, got, want))
    if want == "en" and r.stdout != english:
        failures.append("%s: English differs from LANG=C" % lc)
r = subprocess.run([binary, "--explain", "close-wait"], stdout=subprocess.PIPE,
                   env=dict(env_for(LANG="zh_CN.UTF-8"), TCPSTATE_LOCALEDIR="/nonexistent"))
if r.stdout != english:
    failures.append("a missing catalog does not give English")

# Machine formats: byte-identical in every locale.
for args in (["-a"], ["-a", "-e", "-o", "-i"], ["-s"], ["--hist", "state,lport"],
             ["--doctor"]):
    for fmt in ("json", "jsonl", "csv", "openmetrics", "lines"):
        outs = {}
        for lang in ("C", "zh_CN.UTF-8", "zh_TW.UTF-8"):
            r = run(["--replay", DUMP, "--format", fmt] + args, LANG=lang)
            outs[lang] = (r.returncode, r.stdout)
        if len(set(outs.values())) != 1:
            failures.append("--format %s %s differs between locales" % (fmt, args))
        elif not outs["C"][1] and outs["C"][0] == 0:
            failures.append("--format %s %s printed nothing" % (fmt, args))


def width(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def squeeze(text):
    return re.sub(r"\s+", "", text)


tmux_runs = [0]


def tmux_check(args):
    """Run args under zh_CN.UTF-8 in a detached 60-column tmux window; every line fits
    and, whitespace aside, the text equals what a pipe gets (nothing is cut)."""
    tmux_runs[0] += 1  # a server of its own each time: a killed one takes a moment to go
    session = "tcpstate-i18n-%d-%d" % (os.getpid(), tmux_runs[0])
    done = os.path.join(builddir, session + ".done")
    # stdout only: notes on stderr are single lines the terminal wraps (CASES check them)
    cmd = "env -u LANGUAGE -u LC_ALL -u LC_MESSAGES %s %s %s 2>/dev/null; echo $? > %s; " \
        "sleep 60" % (
        " ".join("%s=%s" % kv for kv in (("LANG", "zh_CN.UTF-8"),
                                         ("TCPSTATE_LOCALEDIR", localedir))),
        binary, " ".join(args), done)
    subprocess.run(["tmux", "-L", session, "new-session", "-d", "-s", session,
                    "-x", "60", "-y", "200", cmd], check=True, env=env_for())
    try:
        deadline = time.time() + 30
        while not os.path.exists(done) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)
        pane = subprocess.run(["tmux", "-L", session, "capture-pane", "-p", "-J", "-t",
                               session], stdout=subprocess.PIPE).stdout.decode()
    finally:
        subprocess.run(["tmux", "-L", session, "kill-server"], stderr=subprocess.DEVNULL)
        if os.path.exists(done):
            os.unlink(done)
    lines = [l.rstrip() for l in pane.splitlines()]
    wide = [l for l in lines if width(l) > 60]
    if wide:
        failures.append("%s in 60 columns: %d lines wider, e.g. %r" % (args, len(wide),
                                                                       wide[0]))
    piped = run(args, LANG="zh_CN.UTF-8").stdout.decode()
    if squeeze(pane) != squeeze(piped):
        failures.append("%s in 60 columns: text cut or changed:\n%s" % (args, pane))
    if not set(pane) & SIMPLIFIED:
        failures.append("%s in 60 columns: not in Chinese" % args)


if shutil.which("tmux"):
    tmux_check(["--explain", "close-wait"])
    tmux_check(["--replay", DUMP, "--doctor"])
else:
    print("note: no tmux, the 60-column check is left out")

for f in failures:
    print("FAIL:", f)
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
