#!/bin/bash
# selftest.sh PS_EMULATE PROBE: run the probe under no filter and under each
# ps-emulate profile, and check that exactly the expected answers change.
# shellcheck disable=SC2016,SC2053 # quoted $1 for bash -c; globs on purpose
set -u
if [[ $# -ne 2 ]]; then
	echo "usage: selftest.sh PS_EMULATE PROBE" >&2
	exit 2
fi
emu=$1 probe=$2
pass=0 fail=0
declare -A tested

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[[ -z ${2-} ]] || sed 's/^/    /' <<<"$2"
}

# What Linux 6.6 or later answers natively (root before 6.10, for linkat
# AT_EMPTY_PATH; root for fsopen, which checks privilege before flags).  ext4 and tmpfs have no reflink, so ficlone may fail in
# any way: no-copy-accel is proved by ficlone-badsrc, which the kernel
# answers EBADF before looking at the filesystem.  open-tmpfile exists only
# where the architecture has the open syscall.
declare -A native=(
	[fchmodat2]=OK [linkat-empty-path]=OK [linkat-plain]=OK [link]=OK
	[o-tmpfile]=OK [open-tmpfile]=OK [openat2]=OK
	[renameat2-noreplace]=OK [renameat2-glibc]=OK [renameat-plain]=OK
	[getrandom]=OK [copy_file_range]=OK [statx]=OK
	[fsopen-badflags]=EINVAL [open-tree-badflags]=EINVAL
	[ficlone]='*' [ficlone-badsrc]=EBADF [ioctl-fionread]=OK
)

# native_problems RC: complaints about the baseline run, if any.
native_problems() {
	local name answer pattern
	(($1 == 0)) || echo "probe exited $1"
	while read -r name answer; do
		pattern=${native[$name]-}
		if [[ -z $pattern ]]; then
			echo "unexpected line: $name $answer"
		elif [[ $answer != $pattern ]]; then
			echo "$name $answer, expected $pattern"
		fi
	done <<<"$base"
	for name in "${!native[@]}"; do
		[[ $name == open-tmpfile ]] || grep -q "^$name " <<<"$base" ||
			echo "missing line: $name"
	done
}

base=$("$emu" none -- "$probe")
problems=$(native_problems $?)
if [[ -z $problems ]]; then ok none; else bad none "$problems"; fi
tested[none]=1

# check PROFILES 'NAME ANSWER'... [-- COMMAND...]: under PROFILES the probe
# (or COMMAND, which runs it) must print the native answers except for the
# lines given.
check() {
	local profiles=$1 want=$base line actual label
	shift
	while [[ $# -gt 0 && $1 != -- ]]; do
		line=$1
		shift
		if [[ -z ${native[${line%% *}]-} ]]; then
			bad "$profiles" "no probe line ${line%% *}"
			return
		fi
		want=$(sed "s/^${line%% *} .*/$line/" <<<"$want")
	done
	if [[ $# -gt 0 ]]; then shift; else set -- "$probe"; fi
	label=$profiles${2+ (child of $1)}
	actual=$("$emu" "$profiles" -- "$@" 2>&1)
	if [[ $? -eq 0 && $actual == "$want" ]]; then
		ok "$label"
	else
		bad "$label" "$(diff <(echo "$want") <(echo "$actual"))"
	fi
	tested[$profiles]=1
}

check fchmodat2-enosys 'fchmodat2 ENOSYS'
check fchmodat2-eperm 'fchmodat2 EPERM'
check linkat-old 'linkat-empty-path ENOENT'
check linkat-einval 'linkat-empty-path EINVAL'
check no-getrandom 'getrandom ENOSYS'
check link-denied 'linkat-empty-path EPERM' 'linkat-plain EPERM' 'link EPERM'
check no-tmpfile 'o-tmpfile EOPNOTSUPP' 'open-tmpfile EOPNOTSUPP'
check tmpfile-eisdir 'o-tmpfile EISDIR' 'open-tmpfile EISDIR'
check no-openat2 'openat2 ENOSYS'
check no-statx 'statx ENOSYS'
check no-fsopen 'fsopen-badflags EPERM'
check no-mount-api 'fsopen-badflags EPERM' 'open-tree-badflags EPERM'
# glibc's renameat2() answers EINVAL either way: it hides ENOSYS.
check no-renameat2 'renameat2-noreplace ENOSYS' 'renameat2-glibc EINVAL'
check renameat2-einval 'renameat2-noreplace EINVAL' 'renameat2-glibc EINVAL'
check no-copy-accel 'copy_file_range ENOSYS' 'ficlone EOPNOTSUPP' \
	'ficlone-badsrc EOPNOTSUPP'
check link-denied,no-tmpfile 'linkat-empty-path EPERM' 'linkat-plain EPERM' \
	'link EPERM' 'o-tmpfile EOPNOTSUPP' 'open-tmpfile EOPNOTSUPP'
# Overlaps: an unconditional rule wins; equal conditions: the first wins.
check linkat-old,link-denied 'linkat-empty-path EPERM' 'linkat-plain EPERM' \
	'link EPERM'
check renameat2-einval,no-renameat2 'renameat2-noreplace ENOSYS' \
	'renameat2-glibc EINVAL'
check no-tmpfile,tmpfile-eisdir 'o-tmpfile EOPNOTSUPP' \
	'open-tmpfile EOPNOTSUPP'
check tmpfile-eisdir,no-tmpfile 'o-tmpfile EISDIR' 'open-tmpfile EISDIR'

# The filter must survive fork and exec in the command's children.
check link-denied 'linkat-empty-path EPERM' 'linkat-plain EPERM' 'link EPERM' \
	-- bash -c '"$1"; exit $?' sh "$probe"

# expect_exit NAME STATUS STDERR-PATTERN COMMAND...
expect_exit() {
	local name=$1 status=$2 pattern=$3 err
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	local rc=$?
	if [[ $rc -eq $status && $err == $pattern ]]; then
		ok "$name"
	else
		bad "$name" "exit $rc, stderr: $err"
	fi
}

expect_exit "unknown profile" 2 "*unknown profile 'bogus'*" \
	"$emu" link-denied,bogus -- true
expect_exit "empty profile" 2 "*unknown profile ''*" "$emu" none, -- true
expect_exit "missing --" 2 "usage:*" "$emu" none true
expect_exit "missing command" 2 "usage:*" "$emu" none --
expect_exit "exec failure" 127 \
	"ps-emulate: cannot exec '/nonexistent/cmd': No such file*" \
	"$emu" link-denied -- /nonexistent/cmd
expect_exit "command status" 3 "" "$emu" no-tmpfile -- sh -c 'exit 3'

# Every listed profile must have been exercised above.
if list=$("$emu" --list) && [[ -n $list ]]; then
	missing=$(while read -r name _; do
		[[ -n ${tested[$name]-} ]] || echo "not tested: $name"
	done <<<"$list")
	if [[ -z $missing ]]; then ok "--list"; else bad "--list" "$missing"; fi
else
	bad "--list"
fi

echo "$pass passed, $fail failed"
((fail == 0))
