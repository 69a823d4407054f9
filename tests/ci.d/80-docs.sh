#!/usr/bin/env bash
# Documentation that stays true.  (1) The examples are built against a
# staged install through pkg-config, as a user builds them, and each runs
# a scenario that asserts its effect, on the best routes and on forced
# fallbacks.  (2) Every manual page passes mandoc -Tlint and groff -ww
# (where installed), every public symbol of the header has a page that
# names it, and every name has an installed page.  (3) The Doxygen
# reference builds with WARN_AS_ERROR.
set -u
root=${PS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PS_BUILD:-$root/build/ci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0 skip=0

ok() { echo "ok    $1"; pass=$((pass + 1)); }
bad() { echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' <<<"$2"; fail=$((fail + 1)); }
skipped() { echo "skip  $1"; skip=$((skip + 1)); }
# check NAME COMMAND...: passes when COMMAND succeeds; shows its output if not.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}

# --- (1) the examples, against the installed library ---------------------
prefix=$work/prefix
if ! out=$(cmake --install "$build" --prefix "$prefix" 2>&1); then
	bad "staged install" "$out"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
pc=$(find "$prefix" -name pathsafe.pc)
if [ -z "$pc" ]; then
	bad "staged install has pathsafe.pc" "$(find "$prefix")"
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
fi
ok "staged install in a scratch prefix"
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc")
# The .pc names the configured prefix; this install went elsewhere.
pkgconf() { pkg-config --define-variable=prefix="$prefix" "$@"; }
mkdir "$work/bin"
examples="atomic-install fix-modes remove-lock reopen-readonly"
for ex in $examples; do
	check "example $ex builds with pkg-config" \
		cc -Wall -Wextra -Werror "$root/examples/$ex.c" \
		$(pkgconf --cflags --libs pathsafe) -Wl,-rpath,"$libdir" \
		-o "$work/bin/$ex"
done
bin=$work/bin

emulate=$build/tests/emulate/ps-emulate
# emu PROFILE CMD...: runs CMD under a ps-emulate profile ("none": as is).
emu() {
	local p=$1
	shift
	if [ "$p" = none ]; then "$@"; else "$emulate" "$p" -- "$@"; fi
}
profiles() {
	if [ -x "$emulate" ]; then echo "none $*"; else echo none; fi
}
[ -x "$emulate" ] || skipped "fallback runs of the examples: no ps-emulate in $build (BUILD_TESTING off)"

# atomic-install: the file appears with the content and mode, replaces an
# old one, and leaves no hidden file, whichever route ran.
install_case() {
	local p=$1 d=$work/install-$1 out
	mkdir "$d" && echo old >"$d/app.conf"
	out=$(echo new | (umask 022; emu "$p" "$bin/atomic-install" "$d" app.conf 640)) || { echo "$out"; return 1; }
	echo "$out"
	[ "$(cat "$d/app.conf")" = new ] || { echo "content: $(cat "$d/app.conf")"; return 1; }
	[ "$(stat -c %a "$d/app.conf")" = 640 ] || { echo "mode: $(stat -c %a "$d/app.conf")"; return 1; }
	[ "$(ls -A "$d")" = app.conf ] || { echo "left behind: $(ls -A "$d")"; return 1; }
	case $p in
	none) grep -q 'tmpfile: o-tmpfile' <<<"$out" ;;
	no-tmpfile) grep -q 'tmpfile: named-tmpfile, publish: rename' <<<"$out" ;;
	link-denied) grep -q 'publish: copy, copied' <<<"$out" ;;
	esac || { echo "unexpected route for $p"; return 1; }
	out=$(: | emu "$p" "$bin/atomic-install" "$d/missing" x 644 2>&1) && { echo "no error for a missing directory"; return 1; }
	grep -q 'No such file' <<<"$out"
}
for p in $(profiles no-tmpfile link-denied); do
	check "atomic-install publishes content and mode, replaces, leaves nothing ($p)" install_case "$p"
done

# fix-modes: the tree gets the modes; the targets of symlinks (a file and
# a directory outside the tree) keep theirs; the symlinks are reported.
modes_case() {
	local p=$1 d=$work/modes-$1 out
	mkdir -p "$d/tree/sub/deep" "$d/outside"
	echo x >"$d/tree/f" && echo y >"$d/tree/sub/deep/g" && echo s >"$d/secret"
	chmod 600 "$d/secret" && chmod 700 "$d/outside" && chmod 777 "$d/tree/f"
	ln -s ../../secret "$d/tree/sub/to-file"
	ln -s ../outside "$d/tree/to-dir"
	out=$(emu "$p" "$bin/fix-modes" "$d/tree" 644 755) || { echo "$out"; return 1; }
	echo "$out"
	[ "$(stat -c %a "$d/secret" "$d/outside" | tr '\n' ' ')" = "600 700 " ] || { echo "a symlink was followed"; return 1; }
	[ "$(stat -c %a "$d/tree" "$d/tree/sub" "$d/tree/sub/deep" "$d/tree/f" "$d/tree/sub/deep/g" | tr '\n' ' ')" = "755 755 755 644 644 " ] || { echo "modes not applied"; return 1; }
	[ "$(grep -c '^skipped symlink' <<<"$out")" = 2 ] || return 1
	case $p in
	none) grep -q 'route: fchmodat2' <<<"$out" ;;
	fchmodat2-enosys | fchmodat2-eperm) grep -q 'route: proc-chmod' <<<"$out" ;;
	esac || { echo "unexpected route for $p"; return 1; }
}
for p in $(profiles fchmodat2-enosys fchmodat2-eperm); do
	check "fix-modes applies modes and never follows a symlink ($p)" modes_case "$p"
done

# remove-lock: our lock is removed; a lock replaced meanwhile is not
# (EDEADLK, exit 3) and both files survive; by descriptor too.
lock_case() {
	local p=$1 d=$work/lock-$1 out rc
	mkdir "$d"
	emu "$p" "$bin/remove-lock" "$d" lock true || return 1
	[ -z "$(ls -A "$d")" ] || { echo "left: $(ls -A "$d")"; return 1; }
	out=$(emu "$p" "$bin/remove-lock" "$d" lock sh -c 'mv "$LOCK" "$LOCK.ours"; echo theirs >"$LOCK"')
	rc=$?
	echo "$out"
	[ $rc = 3 ] || { echo "exit $rc, not 3"; return 1; }
	grep -q 'no longer ours' <<<"$out" || return 1
	[ "$(cat "$d/lock")" = theirs ] || { echo "their lock was touched"; return 1; }
	[ -f "$d/lock.ours" ] || return 1
	[ "$(ls -A "$d" | tr '\n' ' ')" = "lock lock.ours " ] || { echo "left: $(ls -A "$d")"; return 1; }
	rm "$d/lock" "$d/lock.ours"
	emu "$p" "$bin/remove-lock" --by-fd "$d" lock true || return 1
	[ -z "$(ls -A "$d")" ] || { echo "left: $(ls -A "$d")"; return 1; }
}
for p in $(profiles no-renameat2 renameat2-einval); do
	check "remove-lock removes only its own lock ($p)" lock_case "$p"
done

# reopen-readonly: the O_PATH handle is read; PS_NO_UPGRADE refuses
# (EPERM) any access the descriptor lacks and allows the rest; the file is
# unchanged; a symlink handle is refused (ELOOP).
reopen_case() {
	local d=$work/reopen out
	mkdir "$d" && echo "payload" >"$d/f" && ln -s f "$d/l"
	out=$("$bin/reopen-readonly" "$d/f") || { echo "$out"; return 1; }
	echo "$out"
	grep -q 'route: proc-reopen): payload' <<<"$out" &&
	grep -q 'O_PATH -> O_RDONLY with PS_NO_UPGRADE: refused (Operation not permitted)' <<<"$out" &&
	grep -q 'O_RDONLY -> O_RDWR with PS_NO_UPGRADE: refused (Operation not permitted)' <<<"$out" &&
	grep -q 'O_RDONLY -> O_RDONLY with PS_NO_UPGRADE: allowed' <<<"$out" || return 1
	[ "$(cat "$d/f")" = payload ] || return 1
	out=$("$bin/reopen-readonly" "$d/l" 2>&1) && { echo "a symlink was reopened"; return 1; }
	grep -q 'Too many levels of symbolic links' <<<"$out"
}
check "reopen-readonly: read allowed, upgrades refused with EPERM, symlink ELOOP" reopen_case

# --- (2) the manual pages ------------------------------------------------
pages=$(ls "$root"/man/*.3)
if command -v mandoc >/dev/null; then
	for page in $pages; do
		check "mandoc -Tlint $(basename "$page")" \
			bash -c 'out=$(mandoc -Tlint -Wwarning "$1" 2>&1); echo "$out"; [ -z "$out" ]' _ "$page"
	done
else
	skipped "mandoc -Tlint: mandoc is not installed"
fi
if command -v groff >/dev/null; then
	for page in $pages; do
		check "groff -ww -mandoc $(basename "$page")" \
			bash -c 'out=$(groff -ww -mandoc -Tutf8 -z "$1" 2>&1); echo "$out"; [ -z "$out" ]' _ "$page"
	done
else
	skipped "groff -ww: groff is not installed"
fi
# The names each page's NAME section lists.
named=$(for page in $pages; do
	sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm \([a-z_0-9]*\).*/\1/p' "$page"
done)
symbols=$(sed -n 's/^PS_EXPORT.*[ *]\(ps_[a-z_0-9]*\)(.*/\1/p' \
	"$root/include/pathsafe/pathsafe.h")
[ -n "$symbols" ] || bad "public symbols found in pathsafe.h"
for sym in $symbols; do
	check "$sym has a manual page (NAME) and an installed $sym.3" \
		bash -c 'grep -qx "$1" <<<"$2" && [ -s "$3/share/man/man3/$1.3" ]' \
		_ "$sym" "$named" "$prefix"
done
check "every page is installed" bash -c \
	'for p in "$@"; do cmp -s "$p" "'"$prefix"'/share/man/man3/${p##*/}" || { echo "${p##*/}"; exit 1; }; done' _ $pages

# --- (3) the Doxygen reference -------------------------------------------
if command -v doxygen >/dev/null; then
	check "cmake --build --target docs (doxygen, WARN_AS_ERROR)" \
		cmake --build "$build" --target docs
else
	skipped "API reference: doxygen is not installed"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
