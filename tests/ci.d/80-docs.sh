#!/usr/bin/env bash
# Documentation that stays true.  (1) The examples are built against a
# staged install through pkg-config, as a user builds them, and each runs
# a scenario that asserts its effect, on the best routes and on forced
# fallbacks.  (2) Every manual page passes mandoc -Tlint and groff -ww
# (where installed), every public symbol of the header has a page that
# names it, and every name has an installed page.  (3) The Doxygen
# reference builds with WARN_AS_ERROR.
set -u
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
root=$PS_ROOT
build=$PS_BUILD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0 skip=0

ok() { echo "ok    $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL  $1"
	[ -n "${2:-}" ] && sed 's/^/      /' <<<"$2"
	fail=$((fail + 1))
}
skipped() { echo "skip  $1"; skip=$((skip + 1)); }
summary() { echo "$pass passed, $fail failed, $skip skipped"; }
# check NAME COMMAND...: passes when COMMAND succeeds; shows its output if
# not.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
# want WHY TEST...: a step of a scenario; says WHY when TEST fails.
want() {
	local why=$1
	shift
	"$@" || { echo "$why"; return 1; }
}
# is ACTUAL EXPECTED: string equality, for want.
is() { [ "$1" = "$2" ]; }
modes() { stat -c %a "$@" | tr '\n' ' '; }
entries() { ls -A "$1" | tr '\n' ' '; }

# --- (1) the examples, against the installed library ---------------------
prefix=$work/prefix
if ! out=$(cmake --install "$build" --prefix "$prefix" 2>&1); then
	bad "staged install" "$out"
	summary
	exit 1
fi
pc=$(find "$prefix" -name pathsafe.pc)
if [ -z "$pc" ]; then
	bad "staged install has pathsafe.pc" "$(find "$prefix")"
	summary
	exit 1
fi
ok "staged install in a scratch prefix"
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_PATH=$(dirname "$pc")
# The .pc names the configured prefix; this install went elsewhere.
pkgconf() { pkg-config --define-variable=prefix="$prefix" "$@"; }
bin=$work/bin
mkdir "$bin"
for ex in atomic-install fix-modes install-into-root remove-lock \
	reopen-readonly; do
	check "example $ex builds with pkg-config" \
		cc -Wall -Wextra -Werror "$root/examples/$ex.c" \
		$(pkgconf --cflags --libs pathsafe) -Wl,-rpath,"$libdir" \
		-o "$bin/$ex"
done

emulate=$build/tests/emulate/ps-emulate
# emu PROFILE CMD...: runs CMD under a ps-emulate profile ("none": as is).
emu() {
	local p=$1
	shift
	if [ "$p" = none ]; then "$@"; else "$emulate" "$p" -- "$@"; fi
}
# profiles P...: "none" and, where ps-emulate was built, P...
profiles() {
	if [ -x "$emulate" ]; then echo "none $*"; else echo none; fi
}
[ -x "$emulate" ] ||
	skipped "the examples' fallback runs: no ps-emulate in $build"

# atomic-install: the file appears with the content and mode, replaces an
# old one and leaves no hidden file, whichever route ran, alone or in a
# transaction (-t); a missing directory is an error.
install_case() {
	local p=$1 d=$work/install-$1 out route
	mkdir "$d" && echo old >"$d/app.conf"
	out=$(echo new | (umask 022;
	    emu "$p" "$bin/atomic-install" "$d" app.conf 640)) ||
		{ echo "$out"; return 1; }
	echo "$out"
	want "content" is "$(cat "$d/app.conf")" new &&
	want "mode" is "$(modes "$d/app.conf")" "640 " &&
	want "left behind" is "$(entries "$d")" "app.conf " || return 1
	case $p in
	none) route='tmpfile: o-tmpfile' ;;
	no-tmpfile) route='tmpfile: named-tmpfile, publish: rename' ;;
	link-denied) route='publish: copy, copied' ;;
	esac
	want "not the route $route" grep -q "$route" <<<"$out" || return 1
	# -t: a transaction of two files, PS_NO_SYNC and one syncfs.
	echo one >"$work/one-$p" && echo two >"$work/two-$p"
	out=$(umask 022; emu "$p" "$bin/atomic-install" -t "$d" 604 \
	    "$work/one-$p" "$work/two-$p") || { echo "$out"; return 1; }
	want "transaction content" is "$(cat "$d/one-$p" "$d/two-$p")" \
	    "one"$'\n'"two" &&
	want "transaction modes" is "$(modes "$d/one-$p" "$d/two-$p")" \
	    "604 604 " &&
	want "transaction left behind" is "$(entries "$d")" \
	    "app.conf one-$p two-$p " || return 1
	out=$(: | emu "$p" "$bin/atomic-install" "$d/missing" x 644 2>&1) &&
		{ echo "no error for a missing directory"; return 1; }
	grep -q 'No such file' <<<"$out"
}
for p in $(profiles no-tmpfile link-denied); do
	check "atomic-install publishes, replaces, leaves nothing ($p)" \
		install_case "$p"
done

# fix-modes: the tree gets the modes; the targets of symlinks (a file and
# a directory outside the tree) keep theirs; the symlinks are reported.
modes_case() {
	local p=$1 d=$work/modes-$1 t=$work/modes-$1/tree out route
	mkdir -p "$t/sub/deep" "$d/outside"
	echo x >"$t/f" && echo y >"$t/sub/deep/g" && echo s >"$d/secret"
	chmod 600 "$d/secret" && chmod 700 "$d/outside" && chmod 777 "$t/f"
	ln -s ../../secret "$t/sub/to-file"
	ln -s ../outside "$t/to-dir"
	out=$(emu "$p" "$bin/fix-modes" "$t" 644 755) ||
		{ echo "$out"; return 1; }
	echo "$out"
	want "a symlink was followed" \
		is "$(modes "$d/secret" "$d/outside")" "600 700 " &&
	want "modes not applied" \
		is "$(modes "$t" "$t/sub" "$t/sub/deep" "$t/f" \
		"$t/sub/deep/g")" "755 755 755 644 644 " &&
	want "two symlinks not reported" \
		is "$(grep -c '^skipped symlink' <<<"$out")" 2 || return 1
	case $p in
	none) route='route: fchmodat2' ;;
	*) route='route: proc-chmod' ;;
	esac
	want "not the route $route" grep -q "$route" <<<"$out"
}
for p in $(profiles fchmodat2-enosys fchmodat2-eperm); do
	check "fix-modes applies modes, never follows a symlink ($p)" \
		modes_case "$p"
done

# remove-lock: our lock is removed; a lock replaced meanwhile is not
# (EDEADLK, exit 3) and both files survive; by descriptor too.
lock_case() {
	local p=$1 d=$work/lock-$1 out rc
	local steal='mv "$LOCK" "$LOCK.ours"; echo theirs >"$LOCK"'
	mkdir "$d"
	emu "$p" "$bin/remove-lock" "$d" lock true &&
	want "our lock left" is "$(entries "$d")" "" || return 1
	out=$(emu "$p" "$bin/remove-lock" "$d" lock sh -c "$steal")
	rc=$?
	echo "$out"
	want "exit $rc, not 3" is $rc 3 &&
	want "not reported" grep -q 'no longer ours' <<<"$out" &&
	want "their lock was touched" is "$(cat "$d/lock")" theirs &&
	want "a file went" is "$(entries "$d")" "lock lock.ours " &&
	rm "$d/lock" "$d/lock.ours" &&
	emu "$p" "$bin/remove-lock" --by-fd "$d" lock true &&
	want "our lock left (by fd)" is "$(entries "$d")" ""
}
for p in $(profiles no-renameat2 renameat2-einval); do
	check "remove-lock removes only its own lock ($p)" lock_case "$p"
done

# reopen-readonly: the O_PATH handle is read; PS_NO_UPGRADE refuses
# (EPERM) any access the descriptor lacks and allows the rest; the file is
# unchanged; a symlink handle is refused (ELOOP).
reopen_case() {
	local d=$work/reopen out eperm='refused (Operation not permitted)'
	mkdir "$d" && echo payload >"$d/f" && ln -s f "$d/l"
	out=$("$bin/reopen-readonly" "$d/f") || { echo "$out"; return 1; }
	echo "$out"
	grep -q 'route: proc-reopen): payload' <<<"$out" &&
	grep -qF "O_PATH -> O_RDONLY with PS_NO_UPGRADE: $eperm" <<<"$out" &&
	grep -qF "O_RDONLY -> O_RDWR with PS_NO_UPGRADE: $eperm" <<<"$out" &&
	grep -q 'O_RDONLY -> O_RDONLY with PS_NO_UPGRADE: allowed' \
		<<<"$out" &&
	want "the file changed" is "$(cat "$d/f")" payload || return 1
	out=$("$bin/reopen-readonly" "$d/l" 2>&1) &&
		{ echo "a symlink was reopened"; return 1; }
	grep -q 'Too many levels of symbolic links' <<<"$out"
}
check "reopen-readonly: reads, refuses upgrades (EPERM) and symlinks" \
	reopen_case

# install-into-root: a hostile root, as in issue 12 (usr/lib -> /etc,
# usr/share -> ../../.., var/cache/tool a symlink to a directory outside):
# every file lands inside the root, the host's /etc and the outside
# directory are untouched, the cache symlink is removed as a name.
root_case() {
	local p=$1 r=$work/root-$1 o=$work/outside-$1 out
	[ ! -e /etc/tool ] || { echo "the host has an /etc/tool"; return 1; }
	mkdir -p "$r/usr" "$r/etc" "$r/var/cache" "$o" &&
	echo keep >"$o/keep" && ln -s /etc "$r/usr/lib" &&
	ln -s ../../.. "$r/usr/share" && ln -s "$o" "$r/var/cache/tool" ||
		return 1
	out=$(umask 022; emu "$p" "$bin/install-into-root" "$r") ||
		{ echo "$out"; return 1; }
	echo "$out"
	want "/etc/tool made on the host" is "$(ls -d /etc/tool 2>&1)" \
	    "ls: cannot access '/etc/tool': No such file or directory" &&
	want "outside changed" is "$(entries "$o")$(cat "$o/keep")" \
	    "keep keep" &&
	want "usr/lib not the root's /etc" is \
	    "$(cat "$r/etc/tool/plugin.conf")" "enabled=1" &&
	want "usr/share not clamped at the root" is \
	    "$(cat "$r/doc/tool/README")" "the tool" &&
	want "tool's mode" is "$(modes "$r/usr/bin/tool")" "755 " &&
	want "the cache symlink stayed" is "$(entries "$r/var/cache")" "" &&
	want "routes not printed" grep -q 'remove-tree' <<<"$out"
}
for p in $(profiles no-openat2 no-tmpfile); do
	check "install-into-root stays inside a hostile root ($p)" \
		root_case "$p"
done

# --- (2) the manual pages ------------------------------------------------
pages=$(ls "$root"/man/*.3)
# quiet COMMAND...: fails if COMMAND fails or says anything.
quiet() {
	local out
	out=$("$@" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	[ -z "$out" ]
}
for tool in "mandoc -Tlint -Wwarning" "groff -ww -mandoc -Tutf8 -z"; do
	if ! command -v "${tool%% *}" >/dev/null; then
		skipped "$tool: ${tool%% *} is not installed"
		continue
	fi
	for page in $pages; do
		check "$(cut -d' ' -f1-2 <<<"$tool") $(basename "$page")" \
			quiet $tool "$page"
	done
done
# The names each page's NAME section lists.
named=$(for page in $pages; do
	sed -n '/^\.Sh NAME/,/^\.Sh /s/^\.Nm \([a-z_0-9]*\).*/\1/p' "$page"
done)
symbols=$(sed -n 's/^PS_EXPORT.*[ *]\(ps_[a-z_0-9]*\)(.*/\1/p' \
	"$root/include/pathsafe/pathsafe.h")
[ -n "$symbols" ] || bad "public symbols found in pathsafe.h"
man3=$prefix/share/man/man3
for sym in $symbols; do
	check "$sym has a manual page (NAME) and an installed $sym.3" \
		eval 'grep -qx "$sym" <<<"$named" && [ -s "$man3/$sym.3" ]'
done
for page in $pages; do
	check "$(basename "$page") is installed" \
		cmp "$page" "$man3/$(basename "$page")"
done

# --- (3) the Doxygen reference -------------------------------------------
if command -v doxygen >/dev/null; then
	check "cmake --build --target docs (doxygen, WARN_AS_ERROR)" \
		cmake --build "$build" --target docs
else
	skipped "API reference: doxygen is not installed"
fi

summary
[ "$fail" -eq 0 ]
