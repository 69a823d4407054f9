#!/usr/bin/env bash
# valgrind.sh BUILD: every unit test program of BUILD once under valgrind
# (memcheck, definite leaks are errors) with --track-fds=yes.  valgrind
# only lists the descriptors open at exit, so a cell fails on any that the
# program opened itself: those inherited from this script do not count.
# Only the program's own process is read for descriptors; the children it
# forks (pst_as_nobody) exit with its descriptors by design, and report
# their memory errors through their exit status.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/matrix/lib.sh
. "$here/lib.sh"
mx_init "$1"

# leaked_fds LOG: the descriptors the program opened and never closed.
leaked_fds() {
	awk '/Open (file|AF_[A-Z0-9]+ socket) descriptor [0-9]+:/ {
			fd = $0; sub(/^==[0-9]+== */, "", fd); next }
		fd != "" { if ($0 !~ /<inherited from parent>/) print fd
			fd = "" }' "$1"
}

vg_profile=none
if ! valgrind -q "$MX_BUILD/tests/emulate/ps-emulate-probe" 2>/dev/null |
	grep -qx 'fchmodat2 OK'; then
	vg_profile=fchmodat2-enosys
fi
for t in "${MX_TESTS[@]}"; do
	name=${t##*/} dir=$MX_DIR/valgrind
	mkdir -p "$dir"
	log=$dir/$name.log
	# valgrind 3.19 does not know fchmodat2 and answers ENOSYS.
	PS_EMULATE_PROFILE=$vg_profile \
	CMOCKA_MESSAGE_OUTPUT=TAP PS_ROUTE_LOG=$dir/$name.routes \
		timeout "$MX_TIMEOUT" valgrind --track-fds=yes \
		--error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite \
		--log-file="$dir/$name.vg.%p" "$MX_BUILD/$t" \
		>"$log" 2>&1 </dev/null &
	parent=$!
	wait $parent
	rc=$?
	touch "$dir/$name.routes"
	# The program's own log is the one whose parent is timeout.
	main=$(grep -l "^==[0-9]*== Parent PID: $parent\$" "$dir/$name".vg.*)
	leaks=$(leaked_fds "$main")
	if [[ -z $main || -n $leaks ]]; then
		printf 'valgrind: descriptors open at exit:\n%s\n' \
			"${leaks:-(no log of the program found)}" >>"$log"
		rc=${rc/#0/1}
	fi
	# Errors valgrind found, in the program or its children.
	grep -L 'ERROR SUMMARY: 0 errors' "$dir/$name".vg.* |
		xargs -r awk '/FILE DESCRIPTORS/ { nextfile } { print }' |
		head -n 60 >>"$log"
	mx_record valgrind "$name" "$rc" "$log" "$dir/$name.routes"
done

mx_table "valgrind --track-fds=yes, as $vg_profile"
if mx_summary; then rm -rf "$MX_DIR"; else echo "logs: $MX_DIR"; exit 1; fi
