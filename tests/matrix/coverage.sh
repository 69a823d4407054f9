#!/usr/bin/env bash
# coverage.sh BUILD [--html]: BUILD must be configured with --coverage.
# Zeroes its counters, runs every route (ctest, then matrix.sh: each
# profile and /proc environment, then realfs.sh), merges the counts of
# src/ (src/freebsd/ excluded: it cannot run here) with lcov, prints the
# summary and the files, and fails below 90% of lines or 85% of branches,
# unless a run skipped part of itself for want of a privilege or a tool:
# the thresholds are then reported as skipped, not failed.  --html also
# writes BUILD/coverage/html, and then only reports the thresholds: the
# report is wanted most when they are missed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
html=${2-}
# shellcheck disable=SC2034 # read as ${!want} below
min_lines=90 min_branches=85
out=$build/coverage
rc=(--rc lcov_branch_coverage=1)

if ! find "$build" -name '*.gcno' -print -quit | grep -q .; then
	echo "coverage: $build has no .gcno files: configure it with" \
		"-DCMAKE_C_FLAGS=--coverage" >&2
	exit 2
fi
mkdir -p "$out"
lcov -q --zerocounters -d "$build"

# The runs: their own failures are the other stages' to report; here
# only their summary lines are shown.
echo "runs:"
ctest --test-dir "$build" -E install_consumer >"$out/ctest.log" 2>&1
echo "  ctest: $(grep -E 'tests passed' "$out/ctest.log")"
# The children that tests run as nobody add their counts to the files
# the first run made.
find "$build" -name '*.gcda' -exec chmod a+w {} +
# What the runs skipped (no mount namespace, no loop device, a missing
# mkfs) leaves its code unrun: the thresholds are then not judged.
skipped=0
for run in matrix realfs; do
	"$here/$run.sh" "$build" >"$out/$run.log" 2>&1
	counts=$(grep -E "^[0-9]+ passed, " "$out/$run.log")
	echo "  $run: $counts"
	grep '^not run: ' "$out/$run.log" | sed 's/^/    /'
	skipped=$((skipped + $(grep -c '^not run: ' "$out/$run.log")))
done

# The zero counts of every compiled file first: a file no run reached
# counts, at 0%, rather than vanish from the report.
lcov -q "${rc[@]}" --capture --initial -d "$build" -b "$root" \
	-o "$out/base.info" 2>"$out/lcov.log"
lcov -q "${rc[@]}" --capture -d "$build" -b "$root" -o "$out/run.info" \
	2>>"$out/lcov.log"
lcov -q "${rc[@]}" -a "$out/base.info" -a "$out/run.info" \
	-o "$out/all.info" 2>>"$out/lcov.log"
lcov -q "${rc[@]}" --extract "$out/all.info" "$root/src/*" \
	-o "$out/src.info" 2>>"$out/lcov.log"
lcov -q "${rc[@]}" --remove "$out/src.info" "$root/src/freebsd/*" \
	-o "$out/src.info" 2>>"$out/lcov.log"
lcov "${rc[@]}" --list "$out/src.info" | sed "s|$root/||"
summary=$(lcov "${rc[@]}" --summary "$out/src.info" 2>&1)
echo "$summary" | grep -E 'lines|functions|branches'
if [[ $html == --html ]]; then
	genhtml -q "${rc[@]}" --branch-coverage --prefix "$root" \
		-o "$out/html" "$out/src.info" && echo "report: $out/html/index.html"
fi

# percent KIND: the rate lcov printed, as a number.
percent() {
	sed -n "s/^ *$1\.*: \([0-9.]*\)%.*/\1/p" <<<"$summary"
}
# Below a threshold with runs skipped, a rate is not judged: the code
# those runs reach went unrun here.
pass=0 fail=0 skip=0
for kind in lines branches; do
	want=min_$kind rate=$(percent "$kind")
	if [[ -n $rate ]] && awk -v r="$rate" -v m="${!want}" \
		'BEGIN { exit !(r >= m) }'; then
		echo "PASS $kind ${rate}% >= ${!want}%"
		pass=$((pass + 1))
	elif [[ -n $rate ]] && ((skipped)); then
		echo "SKIP $kind ${rate}% < ${!want}%, not judged: $skipped parts" \
			"not run above (a full run needs root, a private mount" \
			"namespace, loop devices, mkfs.xfs and mkfs.btrfs)"
		skip=$((skip + 1))
	else
		echo "FAIL $kind ${rate:-?}% < ${!want}%"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[[ $html == --html ]] || ((fail == 0))
