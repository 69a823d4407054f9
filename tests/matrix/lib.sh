# shellcheck shell=bash
# The matrix's cells: one test program run under one set of conditions
# (a ps-emulate profile, a /proc environment, a filesystem), its cmocka
# output read as TAP, its routes read from $PS_ROUTE_LOG.  Sourced by
# tests/matrix/*.sh, which call mx_init, then mx_run per cell, then
# mx_table and mx_summary.

# mx_init BUILD: where the programs are; results go to a fresh directory.
mx_init() {
	MX_BUILD=$(cd "$1" && pwd)
	MX_EMULATE=$MX_BUILD/tests/emulate/ps-emulate
	MX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/psmatrix.XXXXXX")
	MX_RESULTS=$MX_DIR/results
	MX_TIMEOUT=${MX_TIMEOUT:-300}
	: >"$MX_RESULTS"
	mapfile -t MX_TESTS < <(sed 's|^|tests/|' "$MX_BUILD/unit-tests.txt")
	MX_TESTS+=(tests/matrix/test_profiles tests/matrix/test_copy)
	local t
	for t in "$MX_EMULATE" "${MX_TESTS[@]/#/$MX_BUILD/}"; do
		[[ -x $t ]] || { echo "matrix: $t is not built" >&2; exit 1; }
	done
}

# mx_no_mount_ns: nothing if this process can mount in a private mount
# namespace of its own, else why not.  unshare needs root (CAP_SYS_ADMIN),
# and --propagation private fails where / is not a mount point (a plain
# chroot) or the namespace is not ours (many containers).
mx_no_mount_ns() {
	local err
	if [[ $(id -u) -ne 0 ]]; then
		echo "mounts need root"
	elif ! err=$(unshare -m --propagation private true 2>&1); then
		echo "no private mount namespace here (${err:-unshare -m failed})"
	fi
}

# mx_no_loop: nothing if a loop device can be attached here, else why not
# (no /dev/loop-control, none free, or a container that denies them).
mx_no_loop() {
	local img err dev
	img=$(mktemp "${TMPDIR:-/tmp}/psloop.XXXXXX") || return
	truncate -s 1M "$img"
	if dev=$(losetup --find --show "$img" 2>&1); then
		losetup -d "$dev"
	else
		err=$dev
		echo "no loop device here (${err:-losetup failed})"
	fi
	rm -f "$img"
}

# mx_run GROUP TEST PROFILE [ENV=VALUE...] -- [WRAPPER...]: runs
# BUILD/TEST under ps-emulate PROFILE (with $PS_EMULATE_PROFILE), inside
# the wrapper if any, and records the cell GROUP x TEST.
mx_run() {
	local group=$1 test=$2 profile=$3 vars=() wrap=()
	shift 3
	while [[ $# -gt 0 && $1 != -- ]]; do vars+=("$1"); shift; done
	[[ $# -gt 0 ]] && shift
	wrap=("$@")
	local name=${test##*/} dir=$MX_DIR/${group//[^A-Za-z0-9.,_-]/_}
	mkdir -p "$dir"
	local log=$dir/$name.log routes=$dir/$name.routes rc
	: >"$routes"
	env "${vars[@]}" PS_EMULATE_PROFILE="$profile" PS_ROUTE_LOG="$routes" \
		CMOCKA_MESSAGE_OUTPUT=TAP timeout "$MX_TIMEOUT" \
		"${wrap[@]}" "$MX_EMULATE" "$profile" -- "$MX_BUILD/$test" \
		>"$log" 2>&1 </dev/null
	rc=$?
	mx_record "$group" "$name" "$rc" "$log" "$routes"
}

# mx_record GROUP NAME RC LOG ROUTES: reads a finished cell.
mx_record() {
	local plan ok fail skip result seen
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$4" | head -1)
	ok=$(grep -c '^ok ' "$4")
	skip=$(grep -c '^not ok [0-9]* # SKIP' "$4")
	fail=$(grep '^not ok ' "$4" | grep -vc '# SKIP')
	if [[ $3 -ne 0 || -z $plan || $fail -gt 0 ||
		$((ok + skip)) -ne $plan ]]; then
		result="failed $ok/${plan:-?}"
		[[ $3 -ne 0 ]] && result+=" (exit $3)"
	elif [[ $ok -eq 0 && $skip -gt 0 ]]; then
		result="skipped"
	else
		result="passed $ok/$plan"
		[[ $skip -gt 0 ]] && result+=" ($skip skip)"
	fi
	seen=$(sort -u "$5" | paste -sd, -)
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$result" "${seen:--}" "$4" \
		>>"$MX_RESULTS"
}

# mx_check GROUP DESCRIPTION COMMAND...: a cell that is a shell check.
mx_check() {
	local group=$1 what=$2
	shift 2
	if "$@"; then
		printf '%s\t%s\tpassed\t-\t-\n' "$group" "$what" >>"$MX_RESULTS"
	else
		printf '%s\t%s\tfailed\t-\t-\n' "$group" "$what" >>"$MX_RESULTS"
	fi
}

# mx_skip GROUP WHAT REASON: a part not run here, for want of a privilege
# or a tool (a test that skips itself is a cell like any other).
mx_skip() {
	printf '%s\t%s\tskipped\t%s\t-\n' "$1" "$2" "$3" >>"$MX_RESULTS"
}

# mx_routes GROUP: every route the cells of GROUP logged.
mx_routes() {
	awk -F'\t' -v g="$1" '$1 == g && $4 != "-" { print $4 }' \
		"$MX_RESULTS" | tr , '\n' | sort -u
}

# mx_expect GROUP ROUTE...: a cell that passes when GROUP's tests asserted
# every ROUTE (so each profile proves the route it forces).
mx_expect() {
	local group=$1 missing=() seen r
	shift
	seen=$(mx_routes "$group")
	for r in "$@"; do
		grep -qx -- "$r" <<<"$seen" || missing+=("$r")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		printf '%s\t%s\tpassed\t%s\t-\n' "$group" "routes asserted" \
			"$(IFS=,; echo "$*")" >>"$MX_RESULTS"
	else
		printf '%s\t%s\tfailed\tmissing %s\t-\n' "$group" \
			"routes asserted" "$(IFS=,; echo "${missing[*]}")" \
			>>"$MX_RESULTS"
	fi
}

# mx_table TITLE: the table, then the logs of the failed cells.
mx_table() {
	printf "\n%-44s %-22s %-22s %s\n" "$1" test result routes
	awk -F'\t' '{ printf "%-44s %-22s %-22s %s\n", \
		($1 == last ? "" : $1), $2, $3, $4; last = $1 }' "$MX_RESULTS"
	awk -F'\t' '$3 ~ /^failed/ && $5 != "-" { print $1 "\t" $2 "\t" $5 }' \
		"$MX_RESULTS" | while IFS=$'\t' read -r g n log; do
		printf '\n--- %s / %s (%s):\n' "$g" "$n" "$log"
		grep -v '^ok ' "$log" | tail -n 40
	done
}

# mx_summary: "N passed, M failed, K skipped" over the cells; the status.
mx_summary() {
	local p f s
	p=$(awk -F'\t' '$3 ~ /^passed/' "$MX_RESULTS" | wc -l)
	f=$(awk -F'\t' '$3 ~ /^failed/' "$MX_RESULTS" | wc -l)
	s=$(awk -F'\t' '$3 ~ /^skipped/' "$MX_RESULTS" | wc -l)
	# What was not run, for coverage.sh to tell from tests that skip.
	awk -F'\t' '$3 == "skipped" && $4 != "-" {
		print "not run: " $1 ", " $2 ": " $4 }' "$MX_RESULTS"
	echo "$p passed, $f failed, $s skipped"
	[[ $f -eq 0 ]]
}
