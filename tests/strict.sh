#!/usr/bin/env bash
# tests/strict.sh - the strict builds: -Dwarning_level=3 -Dwerror=true with gcc and with
# clang. Build only, no tests (the other steps run those). What tests/run calls.
#
#   build-strict-gcc    gcc, the whole tree: library, binary, unit tests, faultinject.so
#   build-strict-clang  clang with -Dfuzzing=true, every object file (src/, tests/ and the
#                       fuzz targets; linking a fuzz target needs the sanitizer build
#                       that fuzz/run-ci.sh makes, and warnings come from compiling)
#
# A warning anywhere is an error. Ends with one PASS/FAIL line and exits non-zero on
# failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
failed=()

setup() { # dir cc [meson args...]
	local dir=$1 cc=$2
	shift 2
	if ! command -v "$cc" >/dev/null; then
		echo "strict: $cc not found"
		return 1
	fi
	[ -d "$dir" ] && return 0
	CC=$cc meson setup "$dir" -Dwarning_level=3 -Dwerror=true "$@" \
		>"/tmp/tcpstate-setup-$dir.log" 2>&1 ||
		{ cat "/tmp/tcpstate-setup-$dir.log"; return 1; }
}

build() { # dir [ninja targets...]
	local dir=$1
	shift
	ninja -C "$dir" "$@" >"/tmp/tcpstate-build-$dir.log" 2>&1 ||
		{ grep -E 'error|warning' "/tmp/tcpstate-build-$dir.log" | head -40; return 1; }
}

echo "strict: gcc, warning_level=3, werror (build-strict-gcc)"
if setup build-strict-gcc gcc; then
	build build-strict-gcc || failed+=(gcc)
else
	failed+=(gcc)
fi

echo "strict: clang, warning_level=3, werror, fuzz targets included (build-strict-clang)"
if setup build-strict-clang clang -Dfuzzing=true; then
	mapfile -t objs < <(ninja -C build-strict-clang -t targets all | grep -E '\.o: ' |
		cut -d: -f1)
	build build-strict-clang "${objs[@]}" || failed+=(clang)
else
	failed+=(clang)
fi

if [ ${#failed[@]} -eq 0 ]; then
	echo "strict: PASS (gcc and clang at warning_level=3 with -Werror)"
else
	echo "strict: FAIL: ${failed[*]}"
	exit 1
fi
