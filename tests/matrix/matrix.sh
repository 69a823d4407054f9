#!/usr/bin/env bash
# matrix.sh BUILD [--no-proc] [PROFILE...]: every unit test program of
# BUILD (unit-tests.txt and tests/matrix/test_profiles) under every
# ps-emulate profile and the combinations below (or only the PROFILEs
# given), each profile's runs checked to have asserted the routes it
# forces; then, unless --no-proc, the /proc environments of procenv.sh:
# the unit tests without /proc, and test_hostile_proc in each.  Prints a
# table and "N passed, M failed, K skipped"; exits 1 on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/matrix/lib.sh
. "$here/lib.sh"
mx_init "$1"
shift
proc=1
if [[ ${1-} == --no-proc ]]; then proc=0; shift; fi

# What each profile forces, as the routes its runs must assert.
declare -A forces=(
	[none]="fchmodat2 linkat-empty-path o-tmpfile openat-dot openat2 proc-reopen remove-tree rename-verify"
	[fchmodat2-enosys]="proc-chmod"
	[fchmodat2-eperm]="proc-chmod"
	[linkat-old]="linkat-proc"
	[linkat-einval]="linkat-proc"
	[no-getrandom]="linkat-empty-path rename-verify"
	[no-getrandom,no-tmpfile]="named-tmpfile rename rename-verify"
	[link-denied]="copy"
	[no-tmpfile]="named-tmpfile rename"
	[tmpfile-eisdir]="named-tmpfile rename"
	[no-openat2]="fchmodat2 linkat-empty-path o-tmpfile proc-reopen walk"
	[no-fsopen]="fchmodat2 linkat-empty-path o-tmpfile proc-reopen rename-verify"
	[no-mount-api]="fchmodat2 linkat-empty-path o-tmpfile proc-reopen rename-verify"
	[no-statx]="fchmodat2 linkat-empty-path o-tmpfile openat2 proc-reopen rename-verify"
	[fchmodat2-enosys,linkat-old,no-mount-api,no-openat2,no-statx]="proc-chmod linkat-proc o-tmpfile proc-reopen rename-verify"
	[no-renameat2]="rename-verify"
	[renameat2-einval]="rename-verify"
	[no-copy-accel]="read-write"
	[link-denied,no-tmpfile]="named-tmpfile rename"
	[linkat-old,fchmodat2-enosys]="linkat-proc proc-chmod"
	[no-tmpfile,no-renameat2]="link-unlink"
	[no-tmpfile,renameat2-einval]="link-unlink"
	[link-denied,no-tmpfile,no-renameat2]="named-tmpfile rename"
	[link-denied,no-copy-accel]="copy read-write"
)
# shellcheck disable=SC2054 # the commas join profiles
combos=(link-denied,no-tmpfile linkat-old,fchmodat2-enosys
	no-tmpfile,no-renameat2 no-tmpfile,renameat2-einval
	link-denied,no-tmpfile,no-renameat2 link-denied,no-copy-accel
	no-getrandom,no-tmpfile
	fchmodat2-enosys,linkat-old,no-mount-api,no-openat2,no-statx)
if [[ $# -gt 0 ]]; then
	profiles=("$@")
else
	mapfile -t profiles < <("$MX_EMULATE" --list | awk '{ print $1 }')
	profiles+=("${combos[@]}")
fi

for p in "${profiles[@]}"; do
	for t in "${MX_TESTS[@]}"; do
		mx_run "$p" "$t" "$p"
	done
	if [[ -n ${forces[$p]-} ]]; then
		# shellcheck disable=SC2086 # a list of routes
		mx_expect "$p" ${forces[$p]}
	else
		mx_check "$p" "routes asserted (none expected: add one)" false
	fi
done

if ((proc)) && why=$(mx_no_mount_ns) && [[ -n $why ]]; then
	mx_skip "/proc" "all environments" "$why"
	proc=0
fi
if ((proc)); then
	decoy_dir=$(mktemp -d "${TMPDIR:-/tmp}/psdecoy.XXXXXX")
	decoy=$decoy_dir/decoy
	printf 'the decoy: no pathsafe call may reach it\n' >"$decoy"
	chmod 0604 "$decoy"
	before=$(stat -c '%i %a %h %s %Y.%y' "$decoy")
	penv=("$here/procenv.sh")
	for t in "${MX_TESTS[@]}"; do
		mx_run "/proc absent" "$t" none -- "${penv[@]}" absent "$decoy"
	done
	for env in present absent fake overmount foreign; do
		for p in none fchmodat2-enosys,linkat-old \
			fchmodat2-enosys,linkat-old,no-fsopen \
			fchmodat2-enosys,linkat-old,no-mount-api; do
			mx_run "/proc $env, $p" tests/matrix/test_hostile_proc \
				"$p" -- "${penv[@]}" "$env" "$decoy"
		done
	done
	# The library's own procfs (root) needs no /proc; a clone of /proc
	# leaves the mounts over the fd directories behind.
	for env in present absent fake overmount foreign; do
		mx_expect "/proc $env, fchmodat2-enosys,linkat-old" \
			proc-chmod linkat-proc proc-reopen rename-verify
	done
	for env in present overmount foreign; do
		mx_expect "/proc $env, fchmodat2-enosys,linkat-old,no-fsopen" \
			proc-chmod linkat-proc proc-reopen rename-verify
	done
	mx_expect "/proc present, fchmodat2-enosys,linkat-old,no-mount-api" \
		proc-chmod linkat-proc proc-reopen rename-verify
	for env in absent fake overmount foreign; do
		mx_expect "/proc $env, none" fchmodat2 linkat-empty-path \
			openat-dot o-tmpfile rename-verify
	done
	decoy_same() {
		[[ $(stat -c '%i %a %h %s %Y.%y' "$decoy") == "$before" ]] &&
		grep -qx 'the decoy: no pathsafe call may reach it' "$decoy"
	}
	mx_check "/proc decoy" "mode, content, links, mtime" decoy_same
	rm -rf "$decoy_dir"
fi

mx_table profile
if mx_summary; then rm -rf "$MX_DIR"; else echo "logs: $MX_DIR"; exit 1; fi
