#!/usr/bin/python3
"""check_po.py - the translations are complete: a tcpstate.pot freshly extracted from the
sources (the same xgettext call as po/meson.build) has no message that zh_CN.po or
zh_TW.po lacks or leaves untranslated or fuzzy; `msgfmt --check --statistics` agrees;
po/POTFILES names every source file that marks a message; the committed tcpstate.pot is
current; man/po/zh_CN.po translates every paragraph of man/tcpstate.8 (po4a, when it is
installed). Exits 77 without xgettext."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

src = os.environ.get("TCPSTATE_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
po = os.path.join(src, "po")
if not shutil.which("xgettext") or not shutil.which("msgfmt"):
    print("SKIP: gettext (xgettext, msgfmt) is not installed")
    sys.exit(77)
failures = []


def parse(path):
    """{msgid: (translations, fuzzy)} of a .po/.pot file; msgid_plural is folded into the
    key so a changed plural counts as a new message."""
    out, ent, key = {}, None, None

    def flush():
        if ent and ent["id"]:
            out[ent["id"] + "\0" + ent.get("plural", "")] = (ent["str"], ent["fuzzy"])

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                ent = None
                continue
            if ent is None:
                ent = {"id": "", "str": {}, "fuzzy": False}
            if line.startswith("#,") and "fuzzy" in line:
                ent["fuzzy"] = True
            if line.startswith("#"):
                continue
            m = re.match(r'(msgid|msgid_plural|msgstr(?:\[(\d+)\])?) (".*")$', line)
            if m:
                key = m.group(1) if not m.group(2) else "msgstr" + m.group(2)
                val = eval(m.group(3))  # a C-like string literal
            elif line.startswith('"'):
                val = eval(line)
            else:
                continue
            if key == "msgid":
                ent["id"] = ent["id"] + val if not m else val
            elif key == "msgid_plural":
                ent["plural"] = ent.get("plural", "") + val if not m else val
            else:
                ent["str"][key] = ent["str"].get(key, "") + val if not m else val
        flush()
    return out


with open(os.path.join(po, "POTFILES")) as f:
    potfiles = [l.strip() for l in f if l.strip() and not l.startswith("#")]
for dirpath, _, names in os.walk(os.path.join(src, "src")):
    for n in names:
        if n.endswith(".c"):
            rel = os.path.relpath(os.path.join(dirpath, n), src)
            with open(os.path.join(src, rel), encoding="utf-8") as f:
                text = f.read()
            if re.search(r"\b(N_|_|ngettext)\(\s*\"", text) and rel not in potfiles:
                failures.append("po/POTFILES lacks %s, which marks messages" % rel)

with tempfile.TemporaryDirectory() as tmp:
    fresh = os.path.join(tmp, "tcpstate.pot")
    subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments=TRANSLATORS:",
                    "--package-name=tcpstate", "--keyword=_", "--keyword=N_", "--keyword=NC_:1c,2", "--no-wrap",
                    "-D", src, "-o", fresh] + potfiles, check=True)
    want = parse(fresh)
committed = parse(os.path.join(po, "tcpstate.pot"))
if set(want) != set(committed):
    failures.append("po/tcpstate.pot is stale (%d messages new, %d gone): ninja -C build "
                    "tcpstate-pot" % (len(set(want) - set(committed)),
                                      len(set(committed) - set(want))))
with open(os.path.join(po, "LINGUAS")) as f:
    linguas = f.read().split()
for lang in linguas:
    path = os.path.join(po, lang + ".po")
    have = parse(path)
    for msg in want:
        shown = msg.split("\0")[0][:70]
        if msg not in have:
            failures.append("%s.po lacks %r" % (lang, shown))
            continue
        strs, fuzzy = have[msg]
        if fuzzy:
            failures.append("%s.po: fuzzy %r" % (lang, shown))
        if not strs or not all(strs.values()):
            failures.append("%s.po: untranslated %r" % (lang, shown))
    r = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, path],
                       stderr=subprocess.PIPE, text=True)
    print("%s: %s" % (lang, r.stderr.strip()))
    if r.returncode != 0 or "fuzzy" in r.stderr or "untranslated" in r.stderr:
        failures.append("msgfmt --check --statistics %s: %s" % (lang, r.stderr.strip()))

# The man page: every paragraph po4a extracts from man/tcpstate.8 has a translation.
updatepo = shutil.which("po4a-updatepo")
if updatepo:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "tcpstate.8.pot")
        subprocess.run([updatepo, "-f", "man", "-M", "UTF-8", "-m",
                        os.path.join(src, "man", "tcpstate.8"), "-p", fresh],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        want = parse(fresh)
    have = parse(os.path.join(src, "man", "po", "zh_CN.po"))
    stale = [m for m in want if m not in have or have[m][1] or not all(have[m][0].values())]
    print("man/po/zh_CN.po: %d of %d paragraphs translated" % (len(want) - len(stale),
                                                               len(want)))
    for m in stale[:10]:
        failures.append("man/po/zh_CN.po lacks a translation of %r (ninja -C build "
                        "tcpstate-man-update-po, then translate)" % m.split("\0")[0][:70])
    if len(stale) > 10:
        failures.append("... and %d more man page paragraphs" % (len(stale) - 10))
    # this parser forgives what msgfmt (and so po4a, at build time) does not
    r = subprocess.run(["msgfmt", "--check", "-o", os.devnull,
                        os.path.join(src, "man", "po", "zh_CN.po")],
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        failures.append("msgfmt --check man/po/zh_CN.po: %s" % r.stderr.strip())
else:
    print("note: po4a is not installed, the man page translation is not checked")

for f in failures:
    print("FAIL:", f)
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
