#!/bin/sh
# translate.sh PO4A-TRANSLATE MAN PO OUT - the man page in the language of PO (po4a), with
# groff's CJK line breaking (zh.tmac; without it man(1) cannot break a line between two
# Chinese characters) and left-aligned text (justifying lines of mixed CJK and ASCII makes
# wide gaps and "cannot adjust line" warnings, which lintian counts). A paragraph the
# catalog lacks stays English (-k 0: a change to the English page never breaks the build);
# tests/docs/check_po.py fails until it is translated.
set -e
out=$("$1" -f man -m "$2" -p "$3" -l "$4.tmp" -M UTF-8 -L UTF-8 -k 0 2>&1) || {
	printf '%s\n' "$out" >&2
	exit 1
}
printf '%s\n' "$out" | grep -v 'is deprecated' >&2 || true
awk '/^\.TH/ && !done {
	print ".\\\" CJK line breaking and punctuation rules"
	print ".mso zh.tmac"
	print
	print ".ad l"
	done = 1
	next
} { print }' "$4.tmp" >"$4"
rm -f "$4.tmp"
