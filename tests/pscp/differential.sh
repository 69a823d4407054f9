#!/usr/bin/env bash
# pscp against GNU cp on this machine, case by case: each case is set up
# three times, in fresh directories, and run with cp, pscp and
# pscp --atomic.  Compared: the exit status, stderr (pscp's "pscp:" read
# as cp's "cp:"), stdout and the resulting tree (pscp-helper tree: types,
# contents, modes, owners, links, xattrs and ACLs, and the times a copy
# kept).  Prints a table; a difference fails unless the case lists it as
# known, with its reason; a difference where both exit 0 is SILENT.
#   differential.sh PREFIX BUILD
set -u
. "$(dirname "$0")/lib.sh"
# As root, in a mount namespace of its own, for the bind mount cases.
in_namespace "$0" "$@"
PSCP=$1/bin/pscp
HELPER=$(realpath "$2/tests/pscp/pscp-helper")
work=$(mktemp -d "${PSCP_SCRATCH:-/tmp}/diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022
OLD=978307200	# 2001-01-01: every entry a case sets up has this mtime

cp_() { (exec -a cp /bin/cp "$@"); }

root=0
[ "$(id -u)" = 0 ] && root=1
acl=0
xattr=0
probe=$work/probe
: >"$probe"
command -v setfacl >/dev/null && setfacl -m u:1234:r "$probe" 2>/dev/null &&
	acl=1
"$HELPER" xattr-set "$probe" user.probe 1 2>/dev/null && xattr=1
rm -f "$probe"

ncase=0 nfail=0 nknown=0 nskip=0

# prepare: sets up the case once in $work/N/t, every entry dated $OLD;
# each variant then starts from a copy (cp -a: modes, owners, times,
# links, xattrs and ACLs).  A setup that mounts runs once per variant.
# A setup's "later CMD" runs after the stamp (e.g. touch -d), and at
# once in a setup that mounts.
prepare() {
	mkdir -p "$work/$ncase/t"
	: >"$work/later"
	(
		later() { printf '%q ' "$@" >>"$work/later"; echo >>"$work/later"; }
		cd "$work/$ncase/t" && eval "$setup" >/dev/null 2>&1
	)
	"$HELPER" stamp "$work/$ncase/t" "$OLD"
	[ -s "$work/later" ] &&
		(cd "$work/$ncase/t" && . "$work/later" >/dev/null 2>&1)
}
later() { "$@"; }

# slurp VAR FILE: FILE without its trailing newlines, as $(<FILE) but
# without a fork (they are most of a case's time).
slurp() {
	local -n to=$1
	IFS= read -rd '' to <"$2"
	to=${to%"${to##*[!$'\n']}"}
}

# run VARIANT: runs the case in $work/N/VARIANT; its status, stderr (read
# as cp's), stdout and tree in ${res[VARIANT]}.
declare -A res
run() {
	local v=$1 dir=$work/$ncase/$1 err rc out
	if [[ $setup == *mount* ]]; then
		mkdir -p "$dir"
		(cd "$dir" && eval "$setup" >/dev/null 2>&1)
	else
		/bin/cp -a "$work/$ncase/t" "$dir"
	fi
	# In this shell (a subshell is one more fork): the case's commands
	# set nothing but their own environment, and the umask is set again.
	local cmd
	case $v in
	cp) cmd=(cp_) ;;
	pscp) cmd=("$PSCP") ;;
	atomic) cmd=("$PSCP" --atomic) ;;
	esac
	cd "$dir" || exit 1
	eval "\"\${cmd[@]}\" $args" <<<"$input" >"$work/out" 2>"$work/err"
	echo $? >"$work/rc"
	umask 022
	cd "$work" || exit 1
	slurp err "$work/err"
	slurp rc "$work/rc"
	slurp out "$work/out"
	err=${err//pscp: /cp: }
	err=${err//"Try 'pscp --help'"/"Try 'cp --help'"}
	res[$v]="status $rc
--- stderr
$err
--- stdout
$out
--- tree
$("$HELPER" tree "$dir" $((OLD + 1)))"
	if [[ $setup == *mount* ]]; then
		awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' \
			/proc/self/mounts | sort -r | xargs -r umount
	fi
}

# part KIND RESULT: the status, stderr, stdout or tree of a result.
part() {
	local r=${2#*$'\n'--- $1}
	[ "$1" = status ] && r=${2%%$'\n'*}
	echo "${r%%$'\n'---*}"
}

# verdict VARIANT KNOWN: VARIANT against cp in $said, and the details
# if they differ and it is not known.
verdict() {
	local v=$1 known=$2 what="" kind
	local a=${res[cp]} b=${res[$1]}
	[ "$a" = "$b" ] && { said=same; return 0; }
	for kind in status stderr stdout tree; do
		[ "$(part $kind "$a")" = "$(part $kind "$b")" ] ||
			what="$what $kind"
	done
	if [ -n "$known" ]; then
		said="known:$what ($known)"
		return 0
	fi
	if [[ $a == "status 0"* ]] && [[ $b == "status 0"* ]]; then
		said="SILENT:$what"
	else
		said="DIFF:$what"
	fi
	diff <(echo "$a") <(echo "$b") | sed "s/^</    cp    /; s/^>/    $v /" \
		>>"$work/details"
	return 1
}

# c NAME SETUP ARGS [KNOWN-ATOMIC [KNOWN-PLAIN [INPUT]]]: one case.
c() {
	local name=$1 plain atomic r=0
	# ONLY=PATTERN runs the matching cases alone.
	[ -n "${ONLY:-}" ] && [[ $name != *$ONLY* ]] && return
	setup=$2 args=$3 input=${6:-}
	ncase=$((ncase + 1))
	: >"$work/details"
	[[ $setup == *mount* ]] || prepare
	run cp
	run pscp
	run atomic
	verdict pscp "${5:-}" || r=1
	plain=$said
	verdict atomic "${4:-}" || r=1
	atomic=$said
	[[ $plain$atomic == *known:* ]] && nknown=$((nknown + 1))
	printf '%-44s cp=%s | pscp: %s | --atomic: %s\n' "$name" \
		"${res[cp]:7:1}" "$plain" "$atomic"
	if [ "$r" = 0 ]; then
		echo "ok - differential: $name"
	else
		echo "FAIL - differential: $name"
		cat "$work/details"
		nfail=$((nfail + 1))
	fi
	rm -rf "${work:?}/$ncase"
}

# s NAME WHY: a case that cannot run here.
s() {
	skip "differential: $1" "$2"
	nskip=$((nskip + 1))
}

# Reasons for the known differences, each documented in pscp(1).
REPLACE="--atomic replaces the file: mode, owner, xattrs and other links are not the old file's"
DIRTIME="--atomic replaces a file by a rename, which changes its directory's mtime"
INTO="pscp refuses to copy a directory into itself before it makes anything, cp after making a level"
NOFOLLOW="pscp never writes through a symlink at a destination name: it refuses"
SRCGONE="backing up would take the source's only name: cp does, losing the source, then fails or copies the old target; pscp refuses first"

# --- same file: nothing written, cp's message
c "same file: a a" 'echo a >a' 'a a'
c "same file: hard link" 'echo a >a; ln a h' 'a h'
c "same file: symlink to it, -r (data loss case)" 'echo a >a; ln -s a sl' '-r sl a'
c "same file: symlink to it" 'echo a >a; ln -s a sl' 'sl a'
c "same file: symlink to it, -P" 'echo a >a; ln -s a sl' '-P sl a'
c "same file: dst symlink to src" 'echo a >a; ln -s a sl' 'a sl'
c "same file: dst symlink to src, -f" 'echo a >a; ln -s a sl' '-f a sl'
c "same file: dst symlink, --remove-destination" 'echo a >a; ln -s a sl' '--remove-destination a sl'
c "same file: ./a and a" 'echo a >a' './a a'
c "same file: d/../a into ." 'echo a >a; mkdir d' 'd/../a .'
c "same file: a into ." 'echo a >a' 'a .'
c "same file: -r dir onto itself, -T" 'mkdir d; echo x >d/f' '-rT d d'
c "same file: -r d/. onto d" 'mkdir d; echo x >d/f' '-r d/. d'
c "same file: two symlinks, -r" 'echo a >a; ln -s a s1; ln -s a s2' '-r s1 s2'
c "same file: symlink onto itself, -r" 'echo a >a; ln -s a s1' '-r s1 s1'
c "same file: -b onto itself" 'echo a >a' '-b a a'
c "same file: -b hard link" 'echo a >a; ln a h' '-b a h' "$REPLACE"
c "same file: -l onto itself" 'echo a >a' '-l a a'
c "same file: -s onto a symlink" 'echo a >a; ln -s a sl' '-s a sl'
c "same file: --remove-destination hard link" 'echo a >a; ln a h' '--remove-destination a h'
c "same file: inside a dir, -r" 'mkdir -p s/d; echo x >s/d/f; ln -s ../d/f s/l; mkdir t' '-r s/d s/l t'
if [ "$root" = 1 ] && unshare -m --propagation private true 2>/dev/null; then
	c "same file: bind mount" 'mkdir m n; echo a >m/a; mount --bind m n' 'm/a n/a'
	c "same file: bind mount, -r" 'mkdir -p m/d n; echo a >m/d/a; mount --bind m n' '-r m/d n'
	c "same file: bind-mounted file" 'echo a >a; : >b; mount --bind a b' 'a b'
else
	s "same file: bind mount" "needs root and unshare -m"
fi

# --- plain copies
c "new file" 'echo a >a; chmod 750 a' 'a b'
c "existing file" 'echo new >a; echo old >b' 'a b'
c "existing file, other mode" 'echo new >a; echo old >b; chmod 600 b' 'a b' "$REPLACE"
c "existing file, other links" 'echo new >a; echo old >b; ln b b2' 'a b' "$REPLACE"
c "set-user-ID source" 'echo a >a; chmod 4755 a' 'a b'
c "sticky source file" 'echo a >a; chmod 1755 a' 'a b'
c "empty file" ': >a' 'a b'
c "into a directory" 'echo a >a; echo b >b; mkdir d' 'a b d'
c "into a directory, slash" 'echo a >a; mkdir d' 'a d/'
c "into a symlink to a dir" 'echo a >a; mkdir d; ln -s d l' 'a l'
c "missing source" '' 'nope x'
c "missing source among others" 'echo a >a; mkdir d' 'a nope d'
c "missing operand" '' ''
c "missing destination" 'echo a >a' 'a'
c "several sources, no dir" 'echo a >a; echo b >b' 'a b c'
c "several sources, a file" 'echo a >a; echo b >b; echo c >c' 'a b c'
c "DEST/ not a dir" 'echo a >a' 'a nodir/'
c "DEST/ an existing file" 'echo a >a; echo b >b' 'a b/'
c "into a missing dir" 'echo a >a' 'a nodir/x'
c "source twice" 'echo a >a; mkdir d' 'a a d'
c "hard links twice" 'echo a >a; ln a h; mkdir d' 'a h d'
c "just-created" 'mkdir x y d; echo 1 >x/a; echo 2 >y/a' 'x/a y/a d'
c "directory without -r" 'mkdir d' 'd x'
c "directory onto file" 'mkdir d; echo a >f' '-r d f'
c "file onto directory, -T" 'echo a >a; mkdir d' '-T a d'
c "dst is a dangling symlink" 'echo a >a; ln -s nowhere b' 'a b'
c "dst is a dangling symlink, -n" 'echo a >a; ln -s nowhere b' '-n a b'
c "dst is a dangling symlink, -f" 'echo a >a; ln -s nowhere b' '-f a b'
c "dst is a dangling symlink, --remove-destination" 'echo a >a; ln -s nowhere b' '--remove-destination a b'
c "dst is a symlink loop" 'echo a >a; ln -s b b' 'a b'
c "dst is a symlink to a file" 'echo a >a; echo o >o; ln -s o b' 'a b' "$NOFOLLOW" "$NOFOLLOW"
c "dst is a symlink to a file, -n" 'echo a >a; echo o >o; ln -s o b' '-n a b'
c "dst is a symlink to a file, -b" 'echo a >a; echo o >o; ln -s o b' '-b a b'
c "odd names: newline" "printf x >\$'a\\nb'" "\$'a\\nb' \$'c\\nd' nope/"
c "odd names: quote" "echo x >\"it's\"" "\"it's\" nope/"
c "odd names: latin1 byte" "echo x >\$'\\xe9'" "\$'\\xe9' nope/"
c "odd names: utf-8" "echo x >é" "é nope/"
c "odd names: -v" "printf x >\$'a\\nb'" "-v \$'a\\nb' \$'c\\td'"

# --- usage: exit 1, cp's words
c "usage: unknown option" 'echo a >a' '--bogus a b'
c "usage: unknown short option" 'echo a >a' '-Q a b'
c "usage: --preserve value" 'echo a >a' '--preserve=mode,colour a b'
c "usage: --reflink value" 'echo a >a' '--reflink=sometimes a b'
c "usage: --backup value" 'echo a >a' '--backup=x a b'
c "usage: -T extra operand" 'echo a >a' '-T a b c'
c "usage: -t and -T" 'echo a >a; mkdir d' '-t d -T a'
c "usage: -t not a dir" 'echo a >a' '-t a a'
c "usage: -t missing" 'echo a >a' '-t nodir a'
c "usage: -l and -s" 'echo a >a' '-l -s a b'
c "usage: -n and -b" 'echo a >a' '-n -b a b'
c "usage: --parents to a file" 'echo a >a' '--parents a b'

# --- -n, -i, -u, -f
c "-n existing" 'echo new >a; echo old >b' '-n a b'
c "-n new" 'echo new >a' '-n a b'
c "-n -i: last wins" 'echo new >a; echo old >b' '-n -i a b' "" "" "y"
c "-i yes" 'echo new >a; echo old >b' '-i a b' "" "" "y"
c "-i no" 'echo new >a; echo old >b' '-i a b' "" "" "n"
c "-i new file" 'echo new >a' '-i a b' "" "" "n"
c "-u newer source" 'echo new >a; echo old >b; later touch -d 2000-01-01 b' '-u a b'
c "-u same time" 'echo new >a; echo old >b' '-u a b'
c "-u older source" 'echo new >a; echo old >b; later touch -d 2000-01-01 a' '-u a b'
c "-u newer by a fraction" 'echo new >a; echo old >b; later touch -d "2001-01-01 00:00:00.5" a' '-u a b'
c "-pu newer by a fraction" 'echo new >a; echo old >b; later touch -d "2001-01-01 00:00:00.5" a' '-pu a b'
c "-u older by a fraction" 'echo new >a; echo old >b; later touch -d "2001-01-01 00:00:00.5" b' '-u a b'
if [ "$root" = 1 ] && unshare -m --propagation private true 2>/dev/null &&
	command -v mkfs.ext4 >/dev/null; then
	# A filesystem with whole seconds (128-byte inodes): cp -u with the
	# times kept cuts the source's time to them (gnulib's utimecmp).
	SECONDS_FS='truncate -s 4M "$dir.img"; mkfs.ext4 -q -I 128 "$dir.img"; mkdir m; mount -o loop "$dir.img" m; echo new >a; echo old >m/b; touch -d @978307200 m/b'
	c "-pu, whole seconds: same second" "$SECONDS_FS; touch -d @978307200.5 a" '-pu a m/b'
	c "--preserve=timestamps -u, whole seconds" "$SECONDS_FS; touch -d @978307200.999999999 a" '--preserve=timestamps -u a m/b'
	c "-u, whole seconds, no -p: copied" "$SECONDS_FS; touch -d @978307200.5 a" '-u a m/b'
	c "-pu, whole seconds: next second" "$SECONDS_FS; touch -d @978307201.5 a" '-pu a m/b'
	c "-rpu, whole seconds: a tree" "$SECONDS_FS; mkdir s; echo n >s/b; echo n >s/c; touch -d @978307200.5 s/b s/c; mkdir m/s; echo o >m/s/b; touch -d @978307200 m/s/b" '-rpu s m'
else
	s "-u, whole seconds" "needs root, unshare -m and mkfs.ext4"
fi
c "-f unwritable" 'echo new >a; echo old >b; chmod 444 b' '-f a b' "$REPLACE"
c "--remove-destination" 'echo new >a; echo old >b; ln b b2' '--remove-destination a b'
c "-v --remove-destination" 'echo new >a; echo old >b' '-v --remove-destination a b'

# --- -p, --preserve, --no-preserve
c "-p" 'echo a >a; chmod 4751 a' '-p a b'
c "--preserve" 'echo a >a; chmod 640 a' '--preserve a b'
c "--preserve=mode" 'echo a >a; chmod 640 a' '--preserve=mode a b'
c "--preserve=timestamps" 'echo a >a' '--preserve=timestamps a b'
c "-p onto existing" 'echo a >a; chmod 640 a; echo o >b' '-p a b'
c "--no-preserve=mode" 'echo a >a; chmod 700 a' '--no-preserve=mode a b'
c "-a --no-preserve=mode" 'echo a >a; chmod 700 a' '-a --no-preserve=mode a b'
c "--no-preserve=all" 'echo a >a; chmod 700 a' '-p --no-preserve=all a b'
if [ "$root" = 1 ]; then
	c "-p ownership" 'echo a >a; chown 1234:5678 a; chmod 6755 a' '-p a b'
	c "--preserve=ownership" 'echo a >a; chown 1234:5678 a' '--preserve=ownership a b'
	c "no -p: owner is ours" 'echo a >a; chown 1234:5678 a' 'a b'
	c "existing file owned by another" 'echo a >a; echo o >b; chown 1234 b' 'a b' "$REPLACE"
	c "-a tree with owners" 'mkdir -p s/d; echo x >s/d/f; chown -R 1234:5678 s' '-a s t'
else
	s "ownership" "needs root to give files away"
fi
if [ "$xattr" = 1 ]; then
	X="\"$HELPER\" xattr-set"
	c "--preserve=xattr" "echo a >a; $X a user.colour blue" '--preserve=xattr a b'
	c "no --preserve: no xattr" "echo a >a; $X a user.colour blue" 'a b'
	c "-a: xattr" "mkdir s; echo a >s/a; $X s user.c red; $X s/a user.c blue" '-a s t'
	c "xattrs of an existing file" "echo a >a; echo b >b; $X b user.c old" 'a b' "$REPLACE"
else
	s "xattr" "no user extended attributes here"
fi
if [ "$acl" = 1 ]; then
	c "ACL: -p keeps it" 'echo a >a; setfacl -m u:1234:rw a' '-p a b'
	c "ACL: --preserve=mode keeps it" 'echo a >a; setfacl -m u:1234:rw a' '--preserve=mode a b'
	c "ACL: --preserve=xattr does not" 'echo a >a; setfacl -m u:1234:rw a' '--preserve=xattr a b'
	c "ACL: not without -p" 'echo a >a; setfacl -m u:1234:rw a' 'a b'
	c "ACL: -a on a tree, default ACL" 'mkdir s; setfacl -d -m u:1234:rx s; echo a >s/a; setfacl -m g:5678:r s/a' '-a s t'
	c "ACL: -p removes an old one" 'echo a >a; echo b >b; setfacl -m u:1234:rw b' '-p a b' "$REPLACE"
	c "ACL: dir with a default ACL" 'echo a >a; mkdir d; setfacl -d -m u:1234:rw d' 'a d'
else
	s "ACLs" "setfacl (Debian package acl) missing or no ACLs here"
fi

# --- directories, -r
c "-r tree" 'mkdir -p s/a/b s/e; echo 1 >s/one; seq 100 >s/a/b/two; ln -s ../one s/a/link; ln -s nowhere s/dang; mkfifo s/fifo; chmod 700 s/a' '-r s t'
c "-r into existing dir" 'mkdir -p s/x t; echo 1 >s/x/f' '-r s t'
c "-r merge" 'mkdir -p s/x t/x; echo n >s/x/f; echo o >t/x/f; echo k >t/x/g' '-r s/. t' "$DIRTIME"
c "-r dir modes: sticky, setgid" 'mkdir -m 3775 s; mkdir -m 1777 s/tmp' '-r s t'
c "-r dir in setgid parent" 'mkdir -m 2755 p; mkdir -m 755 s' '-r s p/s'
c "-rp dir modes" 'mkdir -m 3775 s; mkdir -m 1777 s/tmp' '-rp s t'
c "-r into itself" 'mkdir -p d/e' '-r d d/e' "$INTO" "$INTO"
c "-r symlink operand" 'mkdir r; echo x >r/f; ln -s r l' '-r l c'
c "-r symlink operand, slash" 'mkdir r; echo x >r/f; ln -s r l' '-r l/ c'
c "-rL symlinks followed" 'mkdir -p s; echo x >s/f; ln -s f s/l' '-rL s t'
c "-rH operand followed" 'mkdir r; echo x >r/f; ln -s f r/l; ln -s r l' '-rH l t'
c "-r dst symlink in tree" 'mkdir -p s t o; echo n >s/g; ln -s ../o/g t/g; echo p >o/g' '-r s/. t' "$NOFOLLOW" "$NOFOLLOW"
c "-r dst dir symlink in tree" 'mkdir -p s/sub t o; echo n >s/sub/f; ln -s ../o t/sub' '-r s/. t'
c "-r replaces a symlink" 'mkdir s t; ln -s new s/l; ln -s old t/l' '-r s/. t'
c "-rn keeps a symlink" 'mkdir s t; ln -s new s/l; ln -s old t/l' '-rn s/. t'
c "-rv" 'mkdir -p s/t; echo x >s/t/f' '-rv s d'
c "-rv existing" 'mkdir -p s/t d/s; echo x >s/t/f' '-rv s d'
c "-x" 'mkdir -p s/d; echo x >s/d/f' '-rx s t'
if [ "$root" = 1 ] && unshare -m --propagation private true 2>/dev/null; then
	c "-x: a mount inside is made, not filled" 'mkdir -p s/m; echo x >s/f; mount -t tmpfs tmpfs s/m; echo y >s/m/g' '-rxv s t'
	c "-ax: a mount inside" 'mkdir -p s/m; echo x >s/f; mount -t tmpfs tmpfs s/m; echo y >s/m/g' '-ax s t'
fi
c "umask 077" 'echo a >a; chmod 666 a' 'a b; umask 077; "${cmd[@]}" a c'
c "-a tree" 'mkdir -p s/d; echo x >s/d/f; ln s/d/f s/h; ln -s d/f s/l; chmod 750 s/d' '-a s t'
c "-a hard links" 'mkdir s; echo x >s/f; ln s/f s/g; ln s/f s/h' '-a s t'
c "--preserve=links" 'mkdir s; echo x >s/f; ln s/f s/g' '-r --preserve=links s t'
c "--preserve=all links" 'mkdir s; echo x >s/f; ln s/f s/g' '-r --preserve=all s t'
c "-d symlink" 'echo a >a; ln -s a l' '-d l m'
c "-P symlink" 'echo a >a; ln -s a l' '-P l m'
c "-L symlink" 'echo a >a; ln -s a l' '-L l m'
c "-av" 'mkdir -p s/d; echo x >s/d/f' '-av s t'
c "-rp combined short" 'mkdir -p s; echo x >s/f; chmod 600 s/f' '-rpv s t'

# --- -t, -T, --parents
c "-t" 'echo a >a; echo b >b; mkdir d' '-t d a b'
c "-T onto file" 'echo a >a; echo b >b' '-T a b'
c "-T dir onto dir" 'mkdir -p s d; echo x >s/f' '-rT s d'
c "--parents" 'mkdir -p x/y d; echo a >x/y/a' '--parents x/y/a d'
c "--parents -p: the directories' times and modes" 'mkdir -p x/y d; chmod 700 x; echo a >x/y/a' '-p --parents x/y/a d'
c "--parents -p: existing directories are not changed" 'mkdir -p x/y d/x/y; chmod 750 x; echo a >x/y/a' '-p --parents x/y/a d'
c "--parents existing, no -p" 'mkdir -p x/y d/x/y; chmod 750 x; echo a >x/y/a' '--parents x/y/a d'
c "--parents -v" 'mkdir -p x/y d; echo a >x/y/a' '-v --parents x/y/a d'

# --- -l, -s
c "-l" 'echo a >a' '-l a b'
c "-l existing" 'echo a >a; echo b >b' '-l a b'
c "-lf existing" 'echo a >a; echo b >b' '-lf a b'
c "-rl tree" 'mkdir -p s/d; echo x >s/d/f; ln -s d/f s/l' '-rl s t'
c "-s" 'echo a >a' '-s a b'
c "-s absolute" 'mkdir d' '-s /dev/null d/b'
c "-s relative elsewhere" 'echo a >a; mkdir d' '-s a d/b'
c "-s relative as ./b" 'echo a >a' '-s a ./b'
c "-s relative, d/.. is here" 'echo a >a; mkdir d' '-s a d/../b'
c "-sf existing" 'echo a >a; echo b >b' '-sf a b'

# --- backups
c "-b" 'echo new >a; echo old >b' '-b a b'
c "-b twice" 'echo new >a; echo old >b; echo older >b~' '-b a b'
c "--backup=numbered" 'echo new >a; echo old >b; echo o1 >b.~1~' '--backup=numbered a b'
c "--backup=existing, none" 'echo new >a; echo old >b' '--backup=existing a b'
c "--backup=numbered: cp's numbers only" 'echo new >a; echo old >b; echo 1 >b.~01~; echo 9 >b.~9x~; echo 0 >b.~0~' '--backup=numbered a b'
c "--backup=existing, numbered" 'echo new >a; echo old >b; echo o1 >b.~3~' '--backup=existing a b'
c "-S suffix" 'echo new >a; echo old >b' '-S .bak a b'
c "-bv" 'echo new >a; echo old >b' '-bv a b'
c "VERSION_CONTROL" 'echo new >a; echo old >b' 'a b --backup 2>&1; VERSION_CONTROL=numbered "${cmd[@]}" --backup a b'

# --- backups that would destroy the source: refused, nothing written
B='echo src >a~; echo dst >a'
c "backup over source: -b a~ a" "$B" '-b a~ a'
c "backup over source: --backup=simple" "$B" '--backup=simple a~ a'
c "backup over source: --backup=existing" "$B" '--backup=existing a~ a'
c "backup over source: existing, numbered there" "$B; echo o >a.~1~" '--backup=existing a~ a'
c "backup over source: numbered is safe" "$B" '--backup=numbered a~ a'
c "backup over source: -S .bak" 'echo src >a.bak; echo dst >a' '-S .bak a.bak a'
c "backup over source: SIMPLE_BACKUP_SUFFIX" 'echo src >a.bak; echo dst >a' '--version >/dev/null; SIMPLE_BACKUP_SUFFIX=.bak "${cmd[@]}" -b a.bak a'
c "backup over source: -f" "$B" '-fb a~ a'
c "backup over source: --remove-destination" "$B" '--remove-destination -b a~ a'
c "backup over source: -u, older target" "$B; later touch -d 2000-01-01 a" '-ub a~ a'
c "backup over source: -i yes" "$B" '-ib a~ a' "" "" "y"
c "backup over source: in a directory" "mkdir d; cd d; $B" '-b d/a~ d/a'
c "backup over source: through a symlinked name" "mkdir d; echo dst >d/a; echo src >a~; ln -s ../a~ d/a~" '-b a~ d/a'
c "backup over source: target a symlink to it" 'echo src >a~; ln -s a~ a' '-b a~ a'
c "backup over source: -bP, target a symlink" 'echo src >a~; ln -s a~ a' '-bP a~ a'
c "backup over source: source a symlink, followed" 'echo x >x; ln -s x a~; echo dst >a' '-b a~ a'
c "backup over source: -r, source a symlink" 'echo x >x; ln -s x a~; echo dst >a' '-rb a~ a' "$SRCGONE" "$SRCGONE"
c "backup over source: symlink to it" "$B; ln -s a~ l" '-b l a' "$SRCGONE" "$SRCGONE"
c "backup over source: hard link to it is safe" "$B; ln a~ h" '-b h a'
c "backup over source: -l" "$B" '-lb a~ a'
c "backup over source: -s" "$B" '-sb a~ a'
c "backup over source: -r" "$B" '-rb a~ a'
c "backup over source: symlinks both, -P" 'echo 1 >x; echo 2 >y; ln -s x l~; ln -s y l' '-bP l~ l' "$SRCGONE" "$SRCGONE"
c "backup over source: symlinks both, followed" 'echo 1 >x; echo 2 >y; ln -s x l~; ln -s y l' '-b l~ l'
c "backup: numbered over just-created" 'mkdir x y d; echo 1 >x/a; echo 2 >y/a' '--backup=numbered x/a y/a d'
c "backup: simple over just-created" 'mkdir x y d; echo 1 >x/a; echo 2 >y/a' '--backup=simple x/a y/a d'

# --- more
c "-ri dir merge, no" 'mkdir -p s t/s; echo n >s/f; echo o >t/s/f' '-ri s t' "" "" "n"
c "-ru tree" 'mkdir -p s t/s; echo n >s/f; echo o >t/s/f; echo n >s/g' '-ru s t'
# Orders are compared in directories of files alone: each variant is a
# copy of the setup, where a directory's inode (ext4 spreads them) may
# fall anywhere among its siblings'.
c "-rL cyclic symlinks" 'mkdir -p s/d; echo x >s/d/f; ln -s .. s/d/up' '-rL s t'
c "-rL cyclic symlink to itself" 'mkdir s; ln -s . s/self' '-rL s t'
c "-rv: cp's order (inode order)" 'mkdir s; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i >s/f$i; done' '-rv s t'
c "-rL: cp's order of messages" 'mkdir s; for i in 1 2 3 4 5 6; do ln -s nowhere s/l$i; done' '-rL s t'
c "-rb: cp's order (a and a~ in the tree)" 'mkdir -p s t/s; echo 1 >s/a; echo 2 >s/a~; echo o >t/s/a; echo o2 >t/s/a~' '-rb s t'
c "-rL dangling" 'mkdir s; ln -s nowhere s/l' '-rL s t'
c "-L dangling operand" 'ln -s nowhere l' '-L l m'
c "-rp times of dirs" 'mkdir -p s/d; echo x >s/d/f' '-rp s t'
c "-a symlink times" 'echo a >a; ln -s a l' '-a l m'
c "--preserve=links -L: two symlinks to one file" 'echo a >a; ln -s a l1; ln -s a l2; mkdir d' '-L --preserve=links l1 l2 d'
c "--preserve=links -H: operands" 'echo a >a; ln -s a l1; mkdir d' '-H --preserve=links a l1 d'
c "--preserve=links -rL: inside a tree" 'mkdir s; echo a >s/a; ln -s a s/l' '-rL --preserve=links s t'
c "--preserve=links operands" 'echo a >a; ln a h; mkdir d' '--preserve=links a h d'
c "-l dir without -r" 'mkdir d' '-l d e'
c "-s into dir" 'echo a >a; mkdir d' '-s a d'
c "odd names: same file" "echo x >\$'a\\nb'" "\$'a\\nb' \$'a\\nb'"
c "--parents -t" 'mkdir -p x/y d; echo a >x/y/a' '--parents -t d x/y/a'
c "-n -r existing dir" 'mkdir -p s t/s; echo n >s/f' '-rn s t'
c "--attributes-only" 'echo a >a; echo b >b' '--attributes-only a b'
c "--copy-contents" 'echo a >a' '-r --copy-contents a b'
c "-Z" 'echo a >a' '-Z a b'
c "--context=CTX" 'echo a >a' '--context=x a b'
c "-r dir onto file symlink" 'mkdir s; echo a >a; ln -s a t' '-r s t'
c "fifo with -r" 'mkfifo p' '-r p q'
c "dst . with slash source" 'mkdir -p x/s; echo a >x/s/f' '-r x/s/ .'

# --- --sparse: holes kept (auto), filled (never), made of zeros (always)
H='mkdir d; truncate -s 1M s; printf abc | dd of=s bs=1 seek=300K conv=notrunc; { head -c 100000 /dev/zero; echo y; } >z'
c "sparse: --sparse=auto" "$H" '--sparse=auto s z d'
c "sparse: --sparse=never fills holes" "$H" '--sparse=never s z d'
c "sparse: --sparse=always makes holes" "$H" '--sparse=always s z d'
c "sparse: --sparse=never over a file" "$H; echo o >d/s" '--sparse=never s d' "$DIRTIME"
c "sparse: -r --sparse=never" "$H; mv s z d" '-r --sparse=never d e'
c "sparse: -a --sparse=always" "$H; mv s z d" '-a --sparse=always d e'
c "sparse: all hole, never" 'truncate -s 1M h' '--sparse=never h g'
c "sparse: --reflink=always --sparse=never" "$H" '--reflink=always --sparse=never s e'
c "sparse: --reflink --sparse=always" "$H" '--reflink --sparse=always s e'
c "sparse: --sparse=sometimes" "$H" '--sparse=sometimes s e'

# --- -v
c "-v" 'echo a >a' '-v a b'
c "-v into dir" 'echo a >a; echo b >b; mkdir d' '-v a b d'

echo "differential: $ncase cases, $nfail failed, $nknown known differences, $nskip skipped"
