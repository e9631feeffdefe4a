#!/usr/bin/env bash
# fuzz/run-ci.sh - build the libFuzzer targets with clang and run each one for a short while.
#
#   fuzz/run-ci.sh                 CI: FUZZ_SECONDS (default 45) per target, corpus untouched
#   fuzz/run-ci.sh --minimize      merge what a run found into fuzz/corpus/ (smallest set)
#   FUZZ_SECONDS=600 fuzz/run-ci.sh   a longer local run
#
# Seeds: the committed corpus (fuzz/corpus/TARGET), the recorded dumps in tests/data (each
# recv() buffer alone and each whole file) and the cli suite's argument vectors. New inputs
# go to a scratch directory, so CI never changes the tree. A crash, leak, sanitizer report
# or timeout fails the run; the input is kept in $FUZZ_OUT (default build-fuzz/fuzz-out)
# and the last line says how to reproduce it. Ends with one PASS/FAIL line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-45}
out=${FUZZ_OUT:-$top/$build/fuzz-out}
minimize=0
[ "${1:-}" = --minimize ] && minimize=1

fail() {
	echo "fuzz: FAIL: $*"
	exit 1
}

command -v clang >/dev/null || fail "clang not found (apt-get install clang libclang-rt-14-dev)"
if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized >"/tmp/tcpstate-fuzz-setup.log" 2>&1 ||
		{ cat /tmp/tcpstate-fuzz-setup.log; fail "meson setup $build"; }
fi
ninja -C "$build" fuzz/fuzz_diag fuzz/fuzz_filter >"/tmp/tcpstate-fuzz-build.log" 2>&1 ||
	{ tail -30 /tmp/tcpstate-fuzz-build.log; fail "building the fuzz targets"; }

rm -rf "$out"
mkdir -p "$out/seeds/diag" "$out/seeds/filter" "$out/new/diag" "$out/new/filter" \
	"$out/artifacts"

# Seeds from the recorded dumps: mode byte 0 + one recv() buffer, mode byte 1 + a file.
/usr/bin/python3 - "$top/tests/data" "$out/seeds/diag" <<'PY' || fail "making the seeds"
import glob, hashlib, os, struct, sys
src, dst = sys.argv[1:]
def put(b):
    with open(os.path.join(dst, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)
for path in sorted(glob.glob(os.path.join(src, "*.nldump"))):
    data = open(path, "rb").read()
    put(b"\x01" + data)
    off = 0
    while off + 4 <= len(data):
        (n,) = struct.unpack_from("<I", data, off)
        put(b"\x00" + data[off + 4:off + 4 + n])
        off += 4 + n
PY
# Seeds from the cli suite: the argument words of every line of its tables
# ("EXIT | MESSAGE | ARGS"), as an expression to parse.
for f in tests/cli/*.txt; do
	[ -f "$f" ] || continue
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$f" | sed 's/.*|[[:space:]]*//' |
		head -2000 | split -l 1 -a 4 - "$out/seeds/filter/cli-$(basename "$f" .txt)-"
done

status=0
for t in diag filter; do
	corpus=fuzz/corpus/$t
	mkdir -p "$corpus"
	echo "fuzz: fuzz_$t for ${seconds}s (seeds: $(ls "$corpus" | wc -l) committed," \
		"$(ls "$out/seeds/$t" | wc -l) generated)"
	# ASan/UBSan/LSan reports are fatal; libFuzzer counts a 10 s input as a hang.
	ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
		"$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
		"$out/new/$t" "$corpus" "$out/seeds/$t" >"$out/$t.log" 2>&1
	rc=$?
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
		"$out/$t.log" | sed "s/^/fuzz: fuzz_$t /"
	if [ $rc -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/$t.log" | head -20
		for a in "$out/artifacts/$t-"*; do
			[ -e "$a" ] && echo "fuzz: reproduce with: $build/fuzz/fuzz_$t $a"
		done
		echo "fuzz: fuzz_$t failed (exit $rc), log: $out/$t.log"
		status=1
		continue
	fi
	if [ $minimize = 1 ]; then
		# Keep only what adds coverage to the generated seeds (they are made again
		# from tests/data on every run), so the committed corpus stays small.
		rm -rf "$out/min/$t" && mkdir -p "$out/min/$t"
		cp "$out/seeds/$t/"* "$out/min/$t/" 2>/dev/null
		# (inputs cut to 4 KiB: the long ones are mostly the seeds' records again)
		"$build/fuzz/fuzz_$t" -merge=1 -max_len=4096 "$out/min/$t" "$corpus" "$out/new/$t" \
			>"$out/$t-merge.log" 2>&1 || fail "merging the fuzz_$t corpus"
		for f in "$out/seeds/$t/"*; do
			[ -e "$f" ] && rm -f "$out/min/$t/$(basename "$f")"
		done
		rm -rf "$corpus" && mv "$out/min/$t" "$corpus"
		echo "fuzz: fuzz/corpus/$t now $(ls "$corpus" | wc -l) inputs," \
			"$(cat "$corpus"/* 2>/dev/null | wc -c) bytes"
	fi
done
[ $status = 0 ] || fail "a fuzz target found a bug (see above)"
echo "fuzz: PASS: fuzz_diag and fuzz_filter ran ${seconds}s each without a finding"
