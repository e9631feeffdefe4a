#!/usr/bin/env bash
# tests/package.sh - the release and the Debian package end to end; a step of tests/run.
#
#   1. meson dist: the tarball of HEAD, built and tested from the unpacked tarball
#   2. dpkg-buildpackage -us -uc from that tarball (the unit and cli suites run inside)
#      and every po/LANG.po in it as a .mo file
#   3. lintian on the .changes (so the .dsc and .deb too): no error, no warning
#   4. the .deb installed; as nobody with the default PATH: tcpstate -s, man tcpstate
#   5. zsh (compinit, default fpath), bash (bash-completion) and fish complete
#      "tcpstate --sta<TAB>" from the installed files, typed into tmux
#   6. systemd-analyze verify on both units; the service's ExecStart run 50 times under a
#      reader loop (tests/integration/test_textfile.py against the installed files)
#   7. readelf -d shows BIND_NOW; hardening-check passes
#
# Needs root (it installs the package, and removes it again unless it was installed
# before) and what tests/run installs. Exits 77 with one line when dpkg-buildpackage
# cannot run here. meson dist takes HEAD: commit first (uncommitted changes are left out,
# with a warning). Work directory: build-package/. Ends with one PASS/FAIL line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
work=$top/build-package
start=$SECONDS
failed=()
passed=0

skip() {
	echo "package: SKIP: $*"
	exit 77
}
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage not found (apt-get install dpkg-dev debhelper)"
[ "$(id -u)" = 0 ] || skip "not root (installing the package needs it)"
if [ ! -e "$top/.git" ] || ! command -v git >/dev/null; then
	skip "not a git checkout (meson dist needs one)"
fi
for t in lintian dh tmux zsh fish man systemd-analyze hardening-check readelf runuser; do
	command -v "$t" >/dev/null || skip "$t not found (tests/run installs it)"
done

# step NAME CMD...: run a check, its output in $work/NAME.log; count it.
step() {
	local name=$1
	shift
	if "$@" >"$work/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $name$(summary "$name")"
	else
		failed+=("$name")
		echo "FAIL - $name"
		tail -40 "$work/$name.log" | sed 's/^/    /'
	fi
}
# The one-line summary a step leaves in $work/NAME.summary, if any.
summary() { [ -s "$work/$1.summary" ] && echo ": $(cat "$work/$1.summary")"; }

rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"

# --- 1. meson dist, then its tests from the unpacked tarball ---------------------------
dist() {
	meson setup "$work/build-dist" "$top" &&
		meson dist -C "$work/build-dist" --formats xztar --allow-dirty || return 1
	tarball=$(find "$work/build-dist/meson-dist" -name 'tcpstate-*.tar.xz' | head -1)
	{
		echo -n "$(basename "$tarball"), its tests: "
		grep -E '^(Ok|Fail|Skipped): ' "$work/dist.log" | tr -s ' \n' ' '
	} >"$work/dist.summary"
}
step dist dist
tarball=$(find "$work/build-dist/meson-dist" -name 'tcpstate-*.tar.xz' 2>/dev/null | head -1)
if [ -z "$tarball" ]; then
	echo "package: FAIL: no tarball from meson dist ($((SECONDS - start)) s)"
	exit 1
fi

# --- 2. the Debian package from the tarball --------------------------------------------
build() {
	mkdir -p "$work/deb" && tar -C "$work/deb" -xf "$tarball" || return 1
	src=$(ls -d "$work"/deb/tcpstate-*/) || return 1
	(cd "$src" && dpkg-buildpackage -us -uc) || return 1
	# the unit and cli suites ran during the build, and nocheck turns them off
	grep -q 'meson test --suite unit --suite cli' "$work/build.log" || return 1
	grep -E '^(Ok|Fail): ' "$work/build.log" | tr -s ' \n' ' ' >"$work/build.summary"
	(cd "$src" && DEB_BUILD_OPTIONS=nocheck debian/rules override_dh_auto_test) \
		>"$work/nocheck.log" 2>&1 || return 1
	! grep -q 'meson test' "$work/nocheck.log" || { echo "nocheck ignored"; return 1; }
}
step build build
deb=$(ls "$work"/deb/tcpstate_*_"$(dpkg --print-architecture)".deb 2>/dev/null)
changes=$(ls "$work"/deb/tcpstate_*.changes 2>/dev/null)

# Translations: every po/LANG.po (when po/ exists) is in the package as a .mo file.
translations() {
	local po lang n=0
	[ -n "$deb" ] || return 1
	for po in "$top"/po/*.po; do
		[ -e "$po" ] || continue
		lang=$(basename "$po" .po)
		dpkg-deb -c "$deb" | grep -q "/usr/share/locale/$lang/LC_MESSAGES/tcpstate.mo" ||
			{ echo "no $lang translation in $(basename "$deb")"; return 1; }
		n=$((n + 1))
	done
	echo "$n languages in the package (po/*.po)" >"$work/translations.summary"
}
step translations translations

# --- 3. lintian -------------------------------------------------------------------------
lint() {
	[ -n "$changes" ] || return 1
	lintian --fail-on error,warning --info --pedantic "$changes" >"$work/lintian.txt"
	local rc=$? e w i
	cat "$work/lintian.txt"
	e=$(grep -c '^E: ' "$work/lintian.txt") w=$(grep -c '^W: ' "$work/lintian.txt")
	i=$(grep -c '^[IP]: ' "$work/lintian.txt")
	echo "$e errors, $w warnings, $i info/pedantic on $(basename "$changes") (.dsc, .deb)" \
		>"$work/lint.summary"
	[ "$rc" = 0 ] && [ "$e" = 0 ] && [ "$w" = 0 ]
}
step lint lint

# --- 4. installed: PATH, unprivileged -s, man -------------------------------------------
was_installed=false
dpkg-query -W -f='${Status}' tcpstate 2>/dev/null | grep -q 'install ok installed' &&
	was_installed=true
cleanup() {
	[ -n "${tmux_sock:-}" ] && tmux -L "$tmux_sock" kill-server 2>/dev/null
	$was_installed || dpkg --purge tcpstate >/dev/null 2>&1
	rm -rf "$home"
}
trap cleanup EXIT
# in /tmp: nobody may not be able to reach a checkout under /root
home=$(mktemp -d /tmp/tcpstate-package-home.XXXXXX)
chown nobody "$home"
# the PATH login(1) and su(1) give a user on Debian
user_path=$(sed -n 's/^ENV_PATH[[:space:]]*PATH=//p' /etc/login.defs)
user_path=${user_path:-/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games}
as_user() { (cd "$home" && runuser -u nobody -- env -i HOME="$home" PATH="$user_path" \
	LANG=C.UTF-8 TERM=screen "$@"); }

install_deb() {
	[ -n "$deb" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$deb"
}
step install install_deb

run_as_user() {
	local out
	out=$(as_user sh -c 'command -v tcpstate && tcpstate -s') || return 1
	echo "$out"
	[ "$(echo "$out" | head -1)" = /usr/bin/tcpstate ] &&
		echo "$out" | grep -q '^ESTABLISHED ' || return 1
	echo "nobody, PATH=$user_path: /usr/bin/tcpstate -s exit 0" >"$work/user-s.summary"
}
step user-s run_as_user

man_page() {
	local out
	out=$(as_user env MANPAGER=cat MANWIDTH=80 man tcpstate) || return 1
	echo "$out" | head -20
	echo "$out" | grep -q '^FILES' && echo "$out" | grep -q 'tcpstate-textfile.timer' &&
		echo "$(man -w tcpstate): $(echo "$out" | wc -l) lines, FILES section" \
			>"$work/man.summary"
}
step man man_page

# --- 5. completion in three shells, from the installed files ----------------------------
tmux_sock=tcpstate-pkg-$$
# complete SHELL SETUP: start SHELL as nobody in tmux, run SETUP, type "tcpstate --sta"
# and TAB until both --state and --stats are offered on the screen (deadline 20 s).
complete_in() {
	local sh=$1 setup=$2 ready="$home/ready-$1" screen deadline tries=0
	local env_cmd="cd $home && runuser -u nobody -- env -i HOME=$home PATH=$user_path"
	env_cmd+=" LANG=C.UTF-8 TERM=screen"
	case $sh in
	zsh) env_cmd+=" zsh -f" ;;
	bash) env_cmd+=" bash --norc --noprofile -i" ;;
	fish) env_cmd+=" fish" ;;
	esac
	tmux -L "$tmux_sock" new-session -d -s "$sh" -x 160 -y 40 "$env_cmd" || return 1
	tmux -L "$tmux_sock" send-keys -t "$sh" "$setup && touch $ready" Enter
	deadline=$((SECONDS + 20))
	until [ -e "$ready" ]; do
		[ $SECONDS -lt $deadline ] || { echo "$sh did not start"; return 1; }
		sleep 0.1
	done
	tmux -L "$tmux_sock" send-keys -t "$sh" 'tcpstate --sta' Tab
	while [ $SECONDS -lt $deadline ]; do
		sleep 0.2
		screen=$(tmux -L "$tmux_sock" capture-pane -p -t "$sh")
		if grep -q -- '--state' <<<"$screen" && grep -q -- '--stats' <<<"$screen"; then
			echo "$screen" | grep -v '^$'
			echo "$sh: --state and --stats offered" >"$work/complete-$sh.summary"
			tmux -L "$tmux_sock" kill-session -t "$sh"
			return 0
		fi
		# bash and zsh insert the common prefix (--stat) first and list on the next TAB
		tries=$((tries + 1))
		[ $((tries % 5)) = 0 ] && tmux -L "$tmux_sock" send-keys -t "$sh" Tab
	done
	echo "$sh: no --state and --stats on the screen:"
	echo "$screen"
	return 1
}
step complete-zsh complete_in zsh 'autoload -Uz compinit && compinit'
step complete-bash complete_in bash 'source /usr/share/bash-completion/bash_completion'
step complete-fish complete_in fish 'true'

# --- 6. the units -------------------------------------------------------------------------
unitdir=/lib/systemd/system
verify_units() {
	local out
	out=$(systemd-analyze verify "$unitdir/tcpstate-textfile.service" \
		"$unitdir/tcpstate-textfile.timer" 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
	# how exposed the service is, by systemd's own measure (informative)
	out=$(systemd-analyze security --offline=true "$unitdir/tcpstate-textfile.service" \
		2>&1 | sed -n 's/.*Overall exposure level for [^:]*: //p')
	echo "tcpstate-textfile.service and .timer: no complaint; exposure ${out:-unknown}" \
		>"$work/units.summary"
}
step units verify_units

textfile() {
	local out
	out=$(TCPSTATE=/usr/bin/tcpstate TCPSTATE_UNIT=$unitdir/tcpstate-textfile.service \
		/usr/bin/python3 "$top/tests/integration/test_textfile.py" 2>&1) ||
		{ echo "$out"; return 1; }
	echo "$out"
	grep '^ok - a reader' <<<"$out" | sed 's/^ok - //' >"$work/textfile.summary"
}
step textfile textfile

# --- 7. hardening -----------------------------------------------------------------------
# Control-flow protection (IBT/SHSTK) cannot be had on Debian 12: its crt1.o lacks the
# CET property note, so the linker drops it from any program (--nocfprotection).
hardening() {
	readelf -d /usr/bin/tcpstate | grep -E 'FLAGS' &&
		readelf -d /usr/bin/tcpstate | grep -q 'BIND_NOW' &&
		hardening-check --nocfprotection /usr/bin/tcpstate || return 1
	echo "BIND_NOW, PIE, RELRO, stack protector, fortify" >"$work/hardening.summary"
}
step hardening hardening

took=$((SECONDS - start))
if [ ${#failed[@]} -gt 0 ]; then
	echo "package: FAIL: ${failed[*]} ($passed passed, ${took} s; logs in build-package/)"
	exit 1
fi
echo "package: PASS: $passed steps in ${took} s"
