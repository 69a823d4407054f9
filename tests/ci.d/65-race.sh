#!/usr/bin/env bash
# The attack and crash harness (tests/race, tests/fuzz): every primitive
# and its naive twin under a live attacker, on the default routes and on
# the fallbacks ps-emulate forces; copies under a reader and SIGKILL;
# resolution beneath a root; hostile names against a sentinel;
# SIGKILLed publishers; EMFILE, ENOSPC and
# EFBIG; and the libFuzzer target.  Then a table of what was done.
#   PS_RACE_ITERATIONS  iterations per ps-race attack (default 20000;
#                       ps-rooted makes 100,000 calls per item)
#   PS_RACE_SOAK=1      1,000,000 iterations per attack
#   PS_RACE_KILLS       SIGKILLs per crash run (default 1000)
#   PS_FUZZ_SECONDS     fuzzing time (default 60)
#   PS_FUZZ_NAMES_SECONDS  the hostile-names fuzzer's time (default 20)
set -u
# shellcheck source=tests/stage-env.sh
. "$(dirname "$0")/../stage-env.sh"
build=$PS_BUILD
race=$build/tests/race
emulate=$build/tests/emulate/ps-emulate
fuzz=$build-clang/tests/fuzz
if [ "${PS_RACE_SOAK:-0}" = 1 ]; then
	iter=(--soak)
else
	iter=(-n "${PS_RACE_ITERATIONS:-20000}")
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0

# report NAME PROFILE STATUS OUTFILE: one item's output and verdict, its
# summary lines kept for the table.
report() {
	grep -v '^summary:' "$4" | sed 's/^/    /'
	grep '^summary:' "$4" >>"$log"
	rm -f "$4"
	if [ "$3" -eq 0 ]; then
		echo "PASS $1 ($2)"
		passed=$((passed + 1))
	else
		echo "FAIL $1 ($2): exit $3"
		failed=$((failed + 1))
	fi
}

# run NAME PROFILE CMD...: one item.
run() {
	local name=$1 profile=$2 out
	shift 2
	out=$(mktemp)
	"$emulate" "$profile" -- "$@" >"$out" 2>&1
	report "$name" "$profile" $? "$out"
}

for attack in chmod funlink publish-trunc publish-rename reopen flink sweep; do
	run "attack $attack" none "$race/ps-race" "$attack" "${iter[@]}"
done
# The fallback routes, attacked: proc-chmod, linkat-proc, named-tmpfile.
run "attack chmod" fchmodat2-enosys "$race/ps-race" chmod "${iter[@]}"
run "attack flink" linkat-old "$race/ps-race" flink "${iter[@]}"
run "attack publish-trunc" no-tmpfile "$race/ps-race" publish-trunc "${iter[@]}"
run "attack publish-rename" no-tmpfile "$race/ps-race" publish-rename "${iter[@]}"

# The copy routes under a polling reader and SIGKILL, with the naive
# baseline, on each route a profile gives publish, as root and as nobody.
for p in none no-tmpfile link-denied link-denied,no-tmpfile no-renameat2; do
	run "copies" "$p" "$race/ps-copies"
	run "copies as nobody" "$p" "$race/ps-copies" --nobody
done

# The mount-namespace attacker on every /proc route (root only, else it
# skips): the library's own procfs, then /proc itself (no-mount-api).
mnt=()
[ "${PS_RACE_SOAK:-0}" = 1 ] && mnt=(--soak)
run "attack mount-ns" fchmodat2-enosys,linkat-old "$race/ps-mntrace" "${mnt[@]}"
run "attack mount-ns" fchmodat2-enosys,linkat-old,no-mount-api \
	"$race/ps-mntrace" -n 10000

# Resolution beneath a root (tests/race/rooted.c), 100,000 calls per
# flag (PS_IN_ROOT, PS_BENEATH) and route: ps_open on openat2 and on the
# walk (under no-openat2); ps_mkdirs (always the walk) and
# ps_remove_tree (its own route) with cheaper rounds, 1 in 8 (mkdirs)
# or 32 (remove-tree) as deep as before, on a private tmpfs; those two
# kinds run two at a time (see rooted_pair).
soak=()
[ "${PS_RACE_SOAK:-0}" = 1 ] && soak=(--soak)
for p in none no-openat2; do
	for attack in open-in-root open-beneath; do
		run "rooted $attack" "$p" "$race/ps-rooted" "$attack" \
			"${soak[@]}"
	done
done
# Two at a time: a victim spends most of its time waiting on its own
# attackers' renames (alone, some 90 moves and 220 exchanges per call), so
# a pair takes about the time of one, each call still raced by dozens.
rooted_pair() {
	local a=$1 b=$2 out_a out_b pid status
	out_a=$(mktemp) out_b=$(mktemp)
	"$emulate" none -- "$race/ps-rooted" "$a" "${soak[@]}" >"$out_a" 2>&1 &
	pid=$!
	"$emulate" none -- "$race/ps-rooted" "$b" "${soak[@]}" >"$out_b" 2>&1
	status=$?
	wait $pid
	report "rooted $a" none $? "$out_a"
	report "rooted $b" none $status "$out_b"
}
rooted_pair mkdirs-in-root mkdirs-beneath
rooted_pair remove-tree-in-root remove-tree-beneath

# Hostile names against a sentinel outside the tree (tests/attack): every
# call taking a path, every name shape, every valid combination of the
# resolution flags, as root and as nobody, with the naive baseline; then
# under each profile the calls whose route it changes, with no flag and
# each flag alone.
sentinel=$build/tests/attack/ps-sentinel
run "sentinel" none "$sentinel" --profile none --naive --flags all
while read -r p calls; do
	run "sentinel $calls" "$p" "$sentinel" --profile "$p" --calls "$calls" \
		</dev/null
done <<'LIST'
fchmodat2-enosys fchmod
linkat-old flink,linkat,tmpfile,publish
link-denied flink,linkat,tmpfile,publish
no-tmpfile tmpfile,publish,sweep
no-renameat2 flink,linkat_new,funlinkat,tmpfile,publish,sweep,remove_tree
no-openat2 fchmod,flink,linkat,funlinkat,tmpfile,open,mkdirs,remove_tree
no-openat2,fchmodat2-enosys,linkat-old fchmod,flink,linkat,tmpfile,open
link-denied,no-tmpfile,no-renameat2 flink,linkat,tmpfile,publish
LIST

kills=(-n "${PS_RACE_KILLS:-1000}")
run "crash" none "$race/ps-crash" "${kills[@]}"
run "crash" no-tmpfile "$race/ps-crash" "${kills[@]}"

for p in none fchmodat2-enosys,linkat-old link-denied no-tmpfile; do
	run "faults emfile" "$p" "$race/ps-faults" emfile
done
for p in none link-denied no-tmpfile; do
	run "faults full" "$p" "$race/ps-faults" full
done

# fuzz NAME TARGET SECONDS: one libFuzzer target; a crash input is kept.
fuzz() {
	local name=$1 target=$fuzz/$2 secs=$3 dir out status runs
	if [ ! -x "$target" ]; then
		echo "SKIP $name: no $target (needs clang with libFuzzer, stage 10)"
		skipped=$((skipped + 1))
		return
	fi
	dir=$(mktemp -d)
	out=$(cd "$dir" && PS_FUZZ_DIR=$dir "$target" -max_total_time="$secs" \
		-artifact_prefix="$dir/" -print_final_stats=1 2>&1)
	status=$?
	runs=$(printf '%s\n' "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
	printf '%s\n' "$out" | grep -E 'sandbox|invariant|ERROR|SUMMARY|^Done' |
		sed 's/^/    /'
	echo "summary: fuzz-executions ${runs:-0}" >>"$log"
	if [ $status -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS $name ($secs s, $runs executions)"
		passed=$((passed + 1))
		rm -rf "$dir"
	else
		echo "FAIL $name: exit $status; crash input kept in $dir"
		ls "$dir" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}
fuzz fuzz ps-fuzz "${PS_FUZZ_SECONDS:-60}"
fuzz "fuzz names" ps-fuzz-names "${PS_FUZZ_NAMES_SECONDS:-20}"

sum() { awk -v k="$1" '$2 == k { s += $3 } END { print s + 0 }' "$log"; }
echo "=== attack and crash summary"
printf '%-26s %12s\n' \
	"attacks run" "$(sum attacks)" \
	"iterations" "$(sum iterations)" \
	"library losses" "$(sum library-losses)" \
	"naive losses" "$(sum naive-losses)" \
	"SIGKILLs" "$(sum kills)" \
	"hidden files left, swept" "$(sum hidden-left)" \
	"faults injected" "$(sum faults)" \
	"fuzz executions" "$(sum fuzz-executions)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
