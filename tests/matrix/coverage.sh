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

# The attack programs of 65-race, briefly: their error paths (a rename
# racing the walk, a tree changed under ps_remove_tree, a mount over the
# fd directory, hostile names, injected faults) are behaviour that the
# unit tests cannot provoke.  Their verdicts are 65-race's to report.
attacks() {
	local r=$build/tests/race e=$build/tests/emulate/ps-emulate a p
	for a in chmod funlink publish-trunc publish-rename reopen flink sweep
	do
		"$r/ps-race" "$a" -n 300
	done
	"$e" fchmodat2-enosys -- "$r/ps-race" chmod -n 300
	"$e" linkat-old -- "$r/ps-race" flink -n 300
	"$e" no-tmpfile -- "$r/ps-race" publish-rename -n 300
	for p in none no-openat2; do
		for a in open-in-root open-beneath mkdirs-in-root \
		    mkdirs-beneath remove-tree-in-root remove-tree-beneath; do
			"$e" "$p" -- "$r/ps-rooted" "$a" -n 200
		done
	done
	"$e" fchmodat2-enosys,linkat-old -- "$r/ps-mntrace" -n 2000
	"$e" fchmodat2-enosys,linkat-old,no-mount-api -- "$r/ps-mntrace" -n 500
	"$build/tests/attack/ps-sentinel" --profile none --flags all
	# The /proc routes too: on a current kernel's procfs handle, and on an
	# unprivileged old one's /proc walked without openat2 or mount ids.
	old=fchmodat2-enosys,linkat-old,no-mount-api,no-openat2,no-statx
	for p in no-openat2 no-renameat2 link-denied,no-tmpfile,no-renameat2 \
	    fchmodat2-enosys,linkat-old "$old"; do
		"$e" "$p" -- "$build/tests/attack/ps-sentinel" --profile "$p"
	done
	for a in chmod flink reopen funlink; do
		"$e" "$old" -- "$r/ps-race" "$a" -n 300
	done
	"$e" "$old" -- "$r/ps-mntrace" -n 500
	"$e" no-statx -- "$r/ps-rooted" remove-tree-in-root -n 100
	for p in none link-denied no-tmpfile; do
		"$e" "$p" -- "$r/ps-faults" emfile
		"$e" "$p" -- "$r/ps-faults" full
	done
	"$e" link-denied -- "$r/ps-copies" -n 2
	# The copy engine's modes, through pscp: a progress bar, reflinks
	# refused or never tried, a sparse file, a pipe.
	local pscp=$build/examples/pscp/pscp w
	w=$(mktemp -d)
	head -c 40000000 /dev/urandom >"$w/big"
	truncate -s 100M "$w/sparse"
	echo data | dd of="$w/sparse" bs=1 seek=50000000 conv=notrunc
	for a in --reflink=never --reflink=auto --reflink=always; do
		"$pscp" --progress "$a" "$w/big" "$w/big$a"
		"$pscp" --atomic --progress "$a" "$w/sparse" "$w/sparse$a"
	done
	"$e" no-copy-accel -- "$pscp" --progress "$w/big" "$w/big.rw"
	"$e" link-denied -- "$pscp" --atomic "$w/sparse" "$w/sparse.ld"
	cat "$w/big" | "$pscp" --progress /dev/stdin "$w/piped"
	rm -rf "$w"
}
attacks >"$out/attacks.log" 2>&1
echo "  attacks: $(grep -c '^summary: library-losses 0' "$out/attacks.log") runs with no library loss"

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
