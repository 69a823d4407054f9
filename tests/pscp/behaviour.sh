#!/usr/bin/env bash
# pscp's behaviour, option by option, on the installed binary.
#   behaviour.sh PREFIX BUILD   (PREFIX: the staged install; BUILD: the
#   build holding tests/pscp/pscp-helper and tests/emulate/ps-emulate)
set -u
. "$(dirname "$0")/lib.sh"
PREFIX=$1
PSCP=$PREFIX/bin/pscp
HELPER=$(realpath "$2/tests/pscp/pscp-helper")
EMULATE=$(realpath "$2/tests/emulate/ps-emulate")
umask 022

inode() { stat -c %i "$1"; }
mode() { stat -c %a "$1"; }

# --- installation, --help, --version

t_installed() {
	need [ -x "$PSCP" ]
	need [ -f "$PREFIX/share/man/man1/pscp.1" ]
	run mandoc -Tlint -Wwarning "$PREFIX/share/man/man1/pscp.1"
	need [ "$rc" = 0 ] && need [ ! -s "$OUT" ] && need [ ! -s "$ERR" ]
	if command -v groff >/dev/null; then
		run groff -ww -mandoc -Tutf8 -z "$PREFIX/share/man/man1/pscp.1"
		need [ "$rc" = 0 ] && need [ ! -s "$ERR" ]
	fi
}
t "installed: bin/pscp and share/man/man1/pscp.1, lint-clean (mandoc, groff)" t_installed

t_help() {
	run "$PSCP" --help
	need [ "$rc" = 0 ]
	need grep -q -- '--atomic' "$OUT"
	need grep -q 'REPLACED, not written' "$OUT"
	need grep -q "hard links keep the old content" "$OUT"
	need grep -q 'O_WRONLY|O_TRUNC' "$OUT"
	need grep -q 'never writes through a symlink' "$OUT"
	need grep -q -- '--routes' "$OUT"
	need grep -q -- '--sweep' "$OUT"
}
t "--help exits 0 and states --atomic's replace, the in-place semantics and symlinks" t_help

t_version() {
	local v
	v=$(sed -n 's/^Version: *//p' "$(find "$PREFIX" -name pathsafe.pc)")
	run "$PSCP" --version
	need [ "$rc" = 0 ]
	need [ "$(out)" = "pscp (libpathsafe) $v" ]
}
t "--version prints the library's version (ps_version)" t_version

# --- usage errors: exit 1, as cp

t_usage() {
	run "$PSCP"
	need [ "$rc" = 1 ]
	need grep -qx "pscp: missing file operand" "$ERR"
	echo a >a
	run "$PSCP" a
	need [ "$rc" = 1 ]
	need grep -qx "pscp: missing destination file operand after 'a'" "$ERR"
	run "$PSCP" --bogus a b
	need [ "$rc" = 1 ]
	need grep -qx "pscp: unrecognized option '--bogus'" "$ERR"
	run "$PSCP" --reflink=sometimes a b
	need [ "$rc" = 1 ]
	need grep -q "pscp: invalid argument .sometimes. for .--reflink." "$ERR"
	run "$PSCP" --preserve=mode,colour a b
	need [ "$rc" = 1 ]
	need grep -q "pscp: invalid argument .colour. for .--preserve." "$ERR"
	need [ ! -e b ]
}
t "usage errors (operands, options, --reflink and --preserve values) exit 1" t_usage

# --- plain copies

t_new_file() {
	printf 'hello\n' >a
	chmod 750 a
	run "$PSCP" a b
	need [ "$rc" = 0 ]
	need cmp a b
	need [ "$(mode b)" = 750 ]
	(umask 077 && "$PSCP" a c)
	need [ "$(mode c)" = 700 ]
}
t "a new file gets the content and the source's mode minus the umask" t_new_file

t_in_place() {
	echo new >a
	echo "old, longer" >b
	chmod 600 b
	ln b b2
	local ino
	ino=$(inode b)
	run "$PSCP" a b
	need [ "$rc" = 0 ]
	need [ "$(inode b)" = "$ino" ]
	need [ "$(cat b2)" = new ]
	need [ "$(mode b)" = 600 ]
}
t "without --atomic an existing file is truncated and written in place" t_in_place

t_atomic() {
	echo new >a
	echo old >b
	chmod 600 b
	ln b b2
	local ino
	ino=$(inode b)
	run "$PSCP" --atomic a b
	need [ "$rc" = 0 ]
	need [ "$(inode b)" != "$ino" ]
	need [ "$(cat b)" = new ]
	need [ "$(cat b2)" = old ]
	need [ "$(mode b)" = 644 ]
	need no_hidden .
}
t "--atomic replaces the file by a new inode with the source's mode" t_atomic

t_empty() {
	: >a
	echo old >b
	run "$PSCP" --atomic a b
	need [ "$rc" = 0 ]
	need [ ! -s b ]
	run "$PSCP" a c
	need [ "$rc" = 0 ]
	need [ -f c ] && need [ ! -s c ]
}
t "an empty file copies as an empty file" t_empty

t_into_dir() {
	echo a >a
	echo b >b
	mkdir d
	ln -s d link
	run "$PSCP" --atomic a b d/
	need [ "$rc" = 0 ]
	need cmp a d/a
	need cmp b d/b
	run "$PSCP" a link
	need [ "$rc" = 0 ]
	need [ -L link ]
}
t "SOURCE... DIRECTORY copies into the directory (a symlink to one too)" t_into_dir

t_not_dir() {
	echo a >a
	echo b >b
	run "$PSCP" a b c
	need [ "$rc" = 1 ]
	need grep -qx "pscp: target 'c': No such file or directory" "$ERR"
	run "$PSCP" a nodir/
	need [ "$rc" = 1 ]
	need grep -qx "pscp: cannot create regular file 'nodir/': Not a directory" "$ERR"
	need [ ! -e c ] && need [ ! -e nodir ]
}
t "several sources need a directory; DEST/ must be one" t_not_dir

t_cannot_stat() {
	run "$PSCP" nope x
	need [ "$rc" = 1 ]
	need [ "$(err)" = "pscp: cannot stat 'nope': No such file or directory" ]
}
t "a missing source is reported as cp does, exit 1" t_cannot_stat

t_continue() {
	echo a >a
	echo b >b
	mkdir d
	run "$PSCP" --atomic a nope b d
	need [ "$rc" = 1 ]
	need [ "$(wc -l <"$ERR")" = 1 ]
	need cmp a d/a
	need cmp b d/b
}
t "a failure gives one line and the next file is still copied" t_continue

t_same_file() {
	echo a >a
	ln a h
	mkdir d
	for opt in "" --atomic; do
		run "$PSCP" $opt a a
		need [ "$rc" = 1 ]
		need grep -qx "pscp: 'a' and 'a' are the same file" "$ERR"
		run "$PSCP" $opt a h
		need grep -qx "pscp: 'a' and 'h' are the same file" "$ERR"
		run "$PSCP" $opt d/../a .
		need [ "$rc" = 1 ]
		need grep -q "are the same file" "$ERR"
	done
	need [ "$(cat a)" = a ]
	need no_hidden .
}
t "a file is never copied onto itself (same inode, hard link too)" t_same_file

t_unreadable() {
	chmod 755 .
	echo secret >a
	chmod 600 a
	mkdir d
	chmod 777 d
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PSCP" a d/b
	need [ "$rc" = 1 ]
	need grep -qx "pscp: cannot open 'a' for reading: Permission denied" "$ERR"
	need [ ! -e d/b ]
}
t_atomic_dir_unwritable() {
	chmod 755 .
	echo new >a
	mkdir d
	echo old >d/b
	chmod 666 d/b
	chmod 555 d
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PSCP" --atomic a d/b
	need [ "$rc" = 1 ]
	need grep -qx "pscp: cannot create regular file 'd/b': Permission denied" "$ERR"
	need [ "$(cat d/b)" = old ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PSCP" a d/b
	need [ "$rc" = 0 ] && need [ "$(cat d/b)" = new ]
	need no_hidden .
}
# As cp 9.1 as a user (the differential test runs as root): the words
# for a target the user may not write, -i's question, -f's "removed".
t_unwritable_target() {
	chmod 777 .
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	for opt in "" --atomic; do
		rm -f a b
		echo new >a
		echo old >b
		chown 65534 a b
		chmod 444 b
		run "${nobody[@]}" "$PSCP" $opt -v a b
		need [ "$rc" = 1 ] && need [ "$(out)" = "'a' -> 'b'" ]
		need grep -qx "pscp: cannot create regular file 'b': Permission denied" "$ERR"
		need [ "$(cat b)" = old ]
		run "${nobody[@]}" "$PSCP" $opt -i a b <<<n
		need [ "$rc" = 0 ]
		need [ "$(err)" = "pscp: unwritable 'b' (mode 0444, r--r--r--); try anyway? " ]
		run "${nobody[@]}" "$PSCP" $opt -fv a b
		need [ "$rc" = 0 ] && need [ "$(cat b)" = new ]
		need [ "$(out)" = "'a' -> 'b'"$'\n'"removed 'b'" ]
	done
	need no_hidden .
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	t "an unreadable source is reported and nothing is created" t_unreadable
	t "a target the user may not write: cp's words, -i's question, -f's removed line (--atomic too)" t_unwritable_target
	t "--atomic fails where the directory is not writable (cp writes in place; pscp without --atomic too)" t_atomic_dir_unwritable
else
	skip "unreadable source" "needs root and setpriv to act as nobody"
fi

t_proc() {
	run "$PSCP" /proc/version v
	need [ "$rc" = 0 ]
	need [ -s v ]
	need cmp v /proc/version
	run "$PSCP" --atomic --routes /proc/version w
	need cmp w /proc/version
	need grep -q "read-write" "$OUT"
}
t "procfs files (size 0, copy_file_range gives 0) are read" t_proc

t_pipe() {
	seq 100000 >expected
	seq 100000 | "$PSCP" --atomic /dev/stdin a
	need cmp expected a
	mkfifo f
	seq 100000 >f &
	run "$PSCP" f b
	wait
	need [ "$rc" = 0 ]
	need cmp expected b
}
t "a pipe or fifo operand (no offset) is read" t_pipe

t_not_regular_target() {
	echo a >a
	mkfifo f
	mkdir d
	for opt in "" --atomic; do
		run "$PSCP" $opt a f
		need [ "$rc" = 1 ]
		need grep -qx "pscp: cannot overwrite non-regular file 'f'" "$ERR"
		need [ -p f ]
	done
}
t "a special file is never overwritten by a copy" t_not_regular_target

t_symlink_target() {
	mkdir outside
	echo precious >outside/f
	echo new >a
	ln -s outside/f b
	run "$PSCP" a b
	need [ "$rc" = 1 ]
	need grep -qx "pscp: not writing through symbolic link 'b'" "$ERR"
	need [ "$(cat outside/f)" = precious ]
	run "$PSCP" --atomic a b
	need [ "$rc" = 1 ]
	need grep -qx "pscp: not writing through symbolic link 'b'" "$ERR"
	need [ -L b ]
	ln -s nowhere c
	run "$PSCP" --atomic a c
	need [ "$rc" = 1 ]
	need grep -qx "pscp: not writing through dangling symlink 'c'" "$ERR"
	need [ -L c ]
	run "$PSCP" --atomic --remove-destination a b
	need [ "$rc" = 0 ]
	need [ ! -L b ]
	need [ "$(cat b)" = new ]
	need [ "$(cat outside/f)" = precious ]
	need no_hidden .
}
t "a symlink at the target is refused, with --atomic too; --remove-destination replaces it" t_symlink_target

# --- -n

t_no_clobber() {
	echo new >a
	echo old >b
	for opt in "" --atomic; do
		run "$PSCP" -n $opt a b
		need [ "$rc" = 0 ]
		need [ "$(cat b)" = old ]
	done
	run "$PSCP" -n --atomic a c
	need [ "$(cat c)" = new ]
	need no_hidden .
}
t "-n keeps an existing file, silently, and still copies new ones" t_no_clobber

# --- -p / --preserve

t_preserve_mode() {
	echo x >a
	chmod 4751 a
	run "$PSCP" a plain
	need [ "$(mode plain)" = 751 ]
	touch -d '2001-02-03 04:05:06' a
	for opt in "" --atomic; do
		rm -f b
		echo old >b
		run "$PSCP" -p $opt a b
		need [ "$rc" = 0 ]
		need [ "$(mode b)" = 4751 ]
		need [ "$(stat -c %y b)" = "$(stat -c %y a)" ]
	done
	rm b
	run "$PSCP" --preserve a b
	need [ "$(mode b)" = 4751 ]
	need [ "$(stat -c %y b)" = "$(stat -c %y a)" ]
}
t "-p and bare --preserve keep mode (set-user-ID included) and times, as cp" t_preserve_mode

t_preserve_owner() {
	echo x >a
	chown 1234:5678 a
	chmod 6755 a
	for opt in "" --atomic; do
		rm -f b
		run "$PSCP" $opt --preserve=mode,ownership a b
		need [ "$rc" = 0 ]
		need [ "$(stat -c %u:%g b)" = 1234:5678 ]
		# chown clears set-user-ID: it must come before the chmod.
		need [ "$(mode b)" = 6755 ]
	done
	run "$PSCP" a c
	need [ "$(stat -c %u:%g c)" = 0:0 ]
}
t_preserve_owner_unprivileged() {
	chmod 755 .
	echo x >a
	chmod 644 a
	mkdir d
	chmod 777 d
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PSCP" --atomic --preserve=ownership a d/b
	need [ "$rc" = 0 ]
	need [ ! -s "$ERR" ]
	need [ "$(stat -c %u d/b)" = 65534 ]
}
if [ "$(id -u)" = 0 ]; then
	t "--preserve=ownership as root: owner and group, chown before chmod" t_preserve_owner
	t "--preserve=ownership without privilege fails silently, as cp" t_preserve_owner_unprivileged
else
	skip "--preserve=ownership" "needs root to give files away"
fi

t_preserve_times() {
	echo x >a
	touch -d '2001-02-03 04:05:06.123456789' a
	for opt in "" --atomic; do
		rm -f b
		run "$PSCP" $opt --preserve=timestamps a b
		need [ "$rc" = 0 ]
		need [ "$(stat -c %y a)" = "$(stat -c %y b)" ]
	done
	run "$PSCP" a c
	need [ "$(stat -c %Y c)" != "$(stat -c %Y a)" ]
}
t "--preserve=timestamps keeps the times to the nanosecond" t_preserve_times

t_preserve_xattr() {
	echo x >a
	"$HELPER" xattr-set a user.colour blue
	for opt in "" --atomic; do
		rm -f b
		run "$PSCP" $opt --preserve=xattr a b
		need [ "$rc" = 0 ]
		need [ "$("$HELPER" xattr-get b user.colour)" = blue ]
	done
	run "$PSCP" a c
	need [ "$rc" = 0 ]
	need [ -z "$("$HELPER" xattr-get c user.colour 2>/dev/null)" ]
	mkdir -p t/s
	"$HELPER" xattr-set t/s user.colour red
	run "$PSCP" -r --preserve=all t t2
	need [ "$("$HELPER" xattr-get t2/s user.colour)" = red ]
}
probe=$(mktemp "${PSCP_SCRATCH:-/tmp}/xattr.XXXXXX")
if "$HELPER" xattr-set "$probe" user.probe 1 2>/dev/null; then
	t "--preserve=xattr copies extended attributes of files and directories" t_preserve_xattr
else
	skip "--preserve=xattr" "no user extended attributes on $(stat -f -c %T "$probe")"
fi
rm -f "$probe"

# --- --reflink (this directory's filesystem cannot clone: see large.sh)

t_reflink() {
	local fs
	fs=$(stat -f -c %T .)
	echo data >a
	run "$PSCP" --routes --atomic --reflink=never a b
	need [ "$rc" = 0 ]
	need grep -q ", read-write, " "$OUT"
	case $fs in btrfs|xfs) echo "on $fs: clones work"; return 0 ;; esac
	run "$PSCP" --routes --atomic --reflink=auto a c
	need [ "$rc" = 0 ]
	need cmp a c
	for opt in --atomic ""; do
		run "$PSCP" $opt --reflink a d
		need [ "$rc" = 1 ]
		need grep -q "^pscp: failed to clone 'd' from 'a': " "$ERR"
		need [ ! -e d ]
	done
	need no_hidden .
}
t "--reflink=never reads and writes; =auto falls back; =always fails, leaves nothing" t_reflink

# --- --no-sync

t_sync() {
	echo x >a
	run strace -f -e trace=fsync,fdatasync "$PSCP" --atomic a b
	need [ "$(grep -c '^fsync(' "$ERR")" = 2 ]
	run strace -f -e trace=fsync,fdatasync "$PSCP" --atomic --no-sync a c
	need [ "$(grep -c 'sync(' "$ERR")" = 0 ]
	need cmp a c
}
if command -v strace >/dev/null; then
	t "--atomic fsyncs the file and its directory; --no-sync does not" t_sync
else
	skip "--no-sync" "strace is not installed"
fi

# --- -v: the routes

t_verbose() {
	echo x >a
	run "$PSCP" --routes --atomic a b
	need grep -qx "'a' -> 'b' \[o-tmpfile, copy-file-range, linkat-empty-path\]" "$OUT"
	run "$PSCP" --routes a c
	need grep -qx "'a' -> 'c' \[in-place, copy-file-range\]" "$OUT"
	run "$PSCP" -v --atomic a e
	need [ "$(out)" = "'a' -> 'e'" ]
	run "$PSCP" a d
	need [ ! -s "$OUT" ]
}
t "-v prints cp's lines; --routes adds each copy's routes" t_verbose

# Under each ps-emulate profile, -v shows the routes of a copy to a new
# name and of one that replaces a file.
t_routes() {
	local profile made method new replace
	seq 100000 >a
	while read -r profile made method new replace; do
		rm -f b
		run "$EMULATE" "$profile" -- "$PSCP" --routes --atomic a b
		need [ "$rc" = 0 ]
		need grep -qx "'a' -> 'b' \[$made, $method, $new\]" "$OUT"
		run "$EMULATE" "$profile" -- "$PSCP" --routes --atomic a b
		need grep -qx "'a' -> 'b' \[$made, $method, $replace\]" "$OUT"
		need cmp a b
		need no_hidden .
	done <<-'EOF'
	no-tmpfile named-tmpfile copy-file-range rename rename
	no-tmpfile,no-renameat2 named-tmpfile copy-file-range link-unlink rename
	linkat-old o-tmpfile copy-file-range linkat-proc linkat-proc
	link-denied o-tmpfile copy-file-range copy copy
	no-copy-accel o-tmpfile read-write linkat-empty-path linkat-empty-path
	EOF
}
if [ -x "$EMULATE" ]; then
	t "--routes shows the fallback routes forced by ps-emulate" t_routes
else
	skip "fallback routes" "no ps-emulate in the build"
fi

# --- --progress

t_progress() {
	head -c 3000000 /dev/urandom >a
	run "$PSCP" --progress a b
	need [ "$rc" = 0 ]
	need grep -q "b 100% 2.9 MiB / 2.9 MiB .*B/s" "$ERR"
	run "$PSCP" a c
	need [ ! -s "$ERR" ]
	truncate -s 100M big
	run "$PSCP" big big2
	need [ ! -s "$ERR" ]
	run "$PSCP" --no-progress big big3
	need [ ! -s "$ERR" ]
}
t "--progress shows percent and bytes/s; none by default off a terminal" t_progress

t_progress_tty() {
	truncate -s 100M big
	echo small >small
	script -qec "'$PSCP' --atomic big big2 && '$PSCP' small small2" \
		/dev/null >tty.out </dev/null
	need grep -q "big2 100% 100.0 MiB / 100.0 MiB" tty.out
	refute grep -q "small" tty.out
	need cmp small small2
	script -qec "'$PSCP' --no-progress big big3 2>&1" /dev/null >tty.out \
		</dev/null
	need [ ! -s tty.out ]
}
if command -v script >/dev/null; then
	t "on a terminal a large file shows a bar by itself, a small one not" t_progress_tty
else
	skip "progress on a terminal" "script(1) is not installed"
fi

# --- -r

t_recursive() {
	mkdir -p src/a/b src/empty
	echo 1 >src/one
	seq 1000 >src/a/b/two
	ln -s ../one src/a/link
	ln -s nowhere src/dangling
	mkfifo src/fifo
	truncate -s 10M src/a/sparse
	chmod 700 src/a
	for opt in "" --atomic; do
		rm -rf dst
		run "$PSCP" -r $opt src dst
		need [ "$rc" = 0 ]
		need diff -r --no-dereference -x fifo src dst
		need [ "$(readlink dst/a/link)" = ../one ]
		need [ -L dst/dangling ]
		need [ -p dst/fifo ]
		need [ -d dst/empty ]
		need [ "$(mode dst/a)" = 700 ]
		need [ "$(du -k dst/a/sparse | cut -f1)" -lt 100 ]
	done
	run "$PSCP" -R src dst
	need [ -d dst/src/a/b ]
	need no_hidden .
}
t "-r copies a tree: symlinks as symlinks, fifos, modes, holes" t_recursive

t_recursive_merge() {
	mkdir -p src/sub dst/sub
	echo new >src/sub/f
	echo old >dst/sub/f
	echo keep >dst/sub/g
	run "$PSCP" -r --atomic src/. dst
	need [ "$rc" = 0 ]
	need [ "$(cat dst/sub/f)" = new ]
	need [ "$(cat dst/sub/g)" = keep ]
	echo newer >src/sub/f
	run "$PSCP" -rn src/. dst
	need [ "$(cat dst/sub/f)" = new ]
}
t "-r merges into existing directories (SRC/. copies the contents)" t_recursive_merge

t_recursive_symlinks_in_dst() {
	mkdir -p src/sub outside dst
	echo new >src/sub/f
	echo new >src/g
	ln -s ../outside dst/sub
	ln -s ../outside/g dst/g
	echo precious >outside/g
	run "$PSCP" -r src/. dst
	need [ "$rc" = 1 ]
	need grep -qx "pscp: cannot overwrite non-directory 'dst/./sub' with directory 'src/./sub'" "$ERR"
	need grep -qx "pscp: not writing through symbolic link 'dst/./g'" "$ERR"
	need [ -z "$(ls outside | grep -v '^g$')" ]
	need [ "$(cat outside/g)" = precious ]
	run "$PSCP" -r --atomic src/. dst
	need [ "$rc" = 1 ]
	need [ "$(cat outside/g)" = precious ]
	need [ -L dst/g ]
	run "$PSCP" -r --atomic --remove-destination src/. dst
	need [ "$(cat outside/g)" = precious ]
	need [ ! -L dst/g ] && need [ "$(cat dst/g)" = new ]
}
t "-r never follows a symlink in the destination tree" t_recursive_symlinks_in_dst

t_recursive_symlink_operand() {
	mkdir real
	echo x >real/f
	ln -s real link
	run "$PSCP" -r link copy
	need [ "$rc" = 0 ]
	need [ "$(readlink copy)" = real ]
	run "$PSCP" -r link/ copy2
	need [ -d copy2 ] && need [ ! -L copy2 ] && need cmp real/f copy2/f
	run "$PSCP" link/f plain
	need [ -f plain ] && need [ ! -L plain ]
}
t "-r copies a symlink operand as a symlink unless written LINK/" t_recursive_symlink_operand

t_recursive_errors() {
	mkdir -p d/e
	echo x >f
	run "$PSCP" d x
	need [ "$rc" = 1 ]
	need grep -qx "pscp: -r not specified; omitting directory 'd'" "$ERR"
	run "$PSCP" -r d d/e
	need [ "$rc" = 1 ]
	need grep -qx "pscp: cannot copy a directory, 'd', into itself, 'd/e/d'" "$ERR"
	need [ ! -e d/e/d ]
	run "$PSCP" -r d f
	need grep -qx "pscp: cannot overwrite non-directory 'f' with directory 'd'" "$ERR"
	mkdir -p s/x t/x/x
	echo y >s/x/x
	run "$PSCP" -r s/. t
	need grep -qx "pscp: cannot overwrite directory 't/./x/x' with non-directory" "$ERR"
}
t "-r refuses: no -r, a directory into itself, dir/non-dir clashes" t_recursive_errors

t_replace_symlink() {
	mkdir -p src dst
	ln -s new src/l
	ln -s old dst/l
	run "$PSCP" -rn src/. dst
	need [ "$(readlink dst/l)" = old ]
	run "$PSCP" -r src/. dst
	need [ "$rc" = 0 ]
	need [ "$(readlink dst/l)" = new ]
	need no_hidden .
}
t "-r replaces an existing symlink by rename, unless -n" t_replace_symlink

t_fd_leak() {
	mkdir -p src
	for i in $(seq 40); do
		mkdir -p "src/d$((i % 4))/e"
		echo "$i" >"src/d$((i % 4))/e/f$i"
		ln -sf "f$i" "src/d$((i % 4))/e/l$i"
	done
	run bash -c "ulimit -n 20 && '$PSCP' -r --atomic -p src dst"
	need [ "$rc" = 0 ]
	need diff -r --no-dereference src dst
}
t "no descriptor leaks: 120 entries copy under ulimit -n 20" t_fd_leak

t_sparse_small() {
	truncate -s 64M s
	echo data | dd of=s bs=1 seek=$((30 << 20)) conv=notrunc status=none
	for opt in "" --atomic; do
		rm -f d
		run "$PSCP" $opt s d
		need cmp s d
		need [ "$(du -k d | cut -f1)" -lt 1024 ]
	done
	run "$EMULATE" no-copy-accel -- "$PSCP" --atomic s e
	need cmp s e
	need [ "$(du -k e | cut -f1)" -lt 1024 ]
}
t "holes stay holes (copy_file_range and read-write)" t_sparse_small

# --sparse=never and =always on every route (the differential test sees
# the default ones): blocks allocated (du) against the size.
t_sparse_modes() {
	truncate -s 8M s
	echo data | dd of=s bs=1 seek=$((3 << 20)) conv=notrunc status=none
	{ echo head; head -c 1M /dev/zero; echo tail; } >z
	for pre in "" "$EMULATE no-copy-accel --"; do
		for opt in "" --atomic; do
			rm -f d e
			run $pre "$PSCP" $opt --sparse=never s d
			need [ "$rc" = 0 ] && need cmp s d
			need [ "$(du -k d | cut -f1)" -ge 8192 ]
			run $pre "$PSCP" $opt --sparse=always z e
			need [ "$rc" = 0 ] && need cmp z e
			need [ "$(du -k e | cut -f1)" -lt 64 ]
		done
	done
	need no_hidden .
}
t "--sparse=never fills holes, =always makes them of zeros (every route, --atomic)" t_sparse_modes

# --- --sweep

t_sweep() {
	mkdir d
	echo x >d/.pathsafe-0123456789abcdef
	echo keep >d/.pathsafe-notours
	echo keep >d/f
	run "$PSCP" --sweep d --older-than 3600
	need [ "$rc" = 0 ]
	need [ -e d/.pathsafe-0123456789abcdef ]
	run "$PSCP" -v --sweep d
	need [ "$rc" = 0 ]
	need [ "$(out)" = "removed 1 hidden file from 'd'" ]
	need [ ! -e d/.pathsafe-0123456789abcdef ]
	need [ -e d/.pathsafe-notours ] && need [ -e d/f ]
	run "$PSCP" --sweep nodir
	need [ "$rc" = 1 ]
	need grep -q "^pscp: cannot sweep 'nodir': No such file or directory" "$ERR"
	run "$PSCP" --sweep d extra
	need [ "$rc" = 1 ]
	need grep -qx "pscp: extra operand 'extra'" "$ERR"
}
t "--sweep removes the hidden names killed copies left (ps_tmpfile_sweep)" t_sweep

# --- what cp 9.1 does not say: data is never lost to a same-file copy

t_same_file_symlink() {
	echo precious >a
	ln -s a sl
	for opt in -r "-r --atomic" "" --atomic -a "-a --atomic"; do
		run "$PSCP" $opt sl a
		need [ "$rc" = 1 ]
		need grep -qx "pscp: 'sl' and 'a' are the same file" "$ERR"
		need [ "$(cat a)" = precious ] && need [ ! -L a ]
	done
	need no_hidden .
}
t "a symlink copied onto its target is refused, nothing written (-r, -a, --atomic)" t_same_file_symlink

# --- what cp 9.1 does not refuse: a backup over the source's only name

t_backup_source_only_name() {
	for opt in "" --atomic -l -s; do
		rm -rf ./*
		echo src >a~
		echo dst >a
		ln -s a~ l
		run "$PSCP" $opt -b l a
		need [ "$rc" = 1 ]
		need grep -qx "pscp: backing up 'a' might destroy source;  'l' not copied" "$ERR"
		need [ "$(cat a~)" = src ] && need [ "$(cat a)" = dst ]
		need [ ! -e a.~1~ ]
	done
	rm -rf ./*
	echo 1 >x
	echo 2 >y
	ln -s x l~
	ln -s y l
	for opt in -bP -rb "-rb --atomic"; do
		run "$PSCP" $opt l~ l
		need [ "$rc" = 1 ]
		need grep -q "might destroy source;  'l~' not copied" "$ERR"
		need [ "$(readlink l~)" = x ] && need [ "$(readlink l)" = y ]
	done
	need no_hidden .
}
t "a backup that would take the source's only name is refused, nothing written (cp loses the source)" t_backup_source_only_name
