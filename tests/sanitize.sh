#!/usr/bin/env bash
# tests/sanitize.sh - every suite under AddressSanitizer + UndefinedBehaviorSanitizer, then
# the unit and integration suites under valgrind. What .ci/run (tests/run) calls.
#
#   tests/sanitize.sh            both steps
#   tests/sanitize.sh asan       only the sanitizer build (build-asan)
#   tests/sanitize.sh valgrind   only valgrind (build-valgrind)
#
# Any ASan/UBSan/LSan report aborts the binary (halt_on_error, abort_on_error,
# detect_leaks), so the test that ran it fails. Valgrind runs the binary through
# TCPSTATE_WRAPPER, which tests/lib/harness.py honours; a memory error or a definite or
# indirect leak makes it exit 99, so the test fails. Ends with one PASS/FAIL line and
# exits non-zero on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
what=${1:-all}
jobs=${SANITIZE_JOBS:-2}
failed=()

setup() { # dir [meson args...]
	local dir=$1
	shift
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >"/tmp/tcpstate-setup-$dir.log" 2>&1 ||
			{ cat "/tmp/tcpstate-setup-$dir.log"; return 1; }
	fi
	ninja -C "$dir" >"/tmp/tcpstate-build-$dir.log" 2>&1 ||
		{ tail -40 "/tmp/tcpstate-build-$dir.log"; return 1; }
}

if [ "$what" = all ] || [ "$what" = asan ]; then
	echo "sanitize: ASan+UBSan build (build-asan), all suites"
	if setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
		ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		LSAN_OPTIONS=report_objects=1 \
			meson test -C build-asan --num-processes "$jobs" --print-errorlogs \
			--timeout-multiplier 3 ${SANITIZE_TEST_ARGS:-} ||
			failed+=("asan")
	else
		failed+=("asan build")
	fi
fi

if [ "$what" = all ] || [ "$what" = valgrind ]; then
	if ! command -v valgrind >/dev/null; then
		echo "sanitize: valgrind not found (apt-get install valgrind)"
		failed+=("valgrind missing")
	else
		echo "sanitize: valgrind (build-valgrind), unit and integration suites"
		vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect"
		vg+=" --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
		if setup build-valgrind; then
			# unit tests are C programs: wrap them directly
			meson test -C build-valgrind --suite unit --num-processes "$jobs" \
				--print-errorlogs --timeout-multiplier 10 --wrap="$vg" ||
				failed+=("valgrind unit")
			# integration tests are Python: the harness wraps each tcpstate run
			TCPSTATE_WRAPPER="$vg" meson test -C build-valgrind --suite integration \
				--num-processes "$jobs" --print-errorlogs --timeout-multiplier 5 ||
				failed+=("valgrind integration")
		else
			failed+=("valgrind build")
		fi
	fi
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "sanitize: FAIL: ${failed[*]}"
	exit 1
fi
case $what in
asan) echo "sanitize: PASS: ASan+UBSan on every suite" ;;
valgrind) echo "sanitize: PASS: valgrind on the unit and integration suites" ;;
*) echo "sanitize: PASS: ASan+UBSan on every suite, valgrind on unit and integration" ;;
esac
