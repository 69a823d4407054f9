#!/usr/bin/env bash
# Runs the benchmarks and writes bench/results.md (also printed).
#
#   bench/run.sh [--quick]
#
# Builds Release into build-bench (not build/, the README's own tree,
# whose bench/ holds that build's ps-bench), then runs ps-bench: the
# in-process rows on the scratch directory build-bench/scratch (on
# whatever filesystem holds the tree) and on a tmpfs, the old-kernel chmod
# row under ps-emulate fchmodat2-enosys, strace for each op's syscall
# sequence, the /proc routes' rows with the library of before issue 11
# beside this one (bench/before-after.sh, which builds that one from git),
# and the copy rows on a tmpfs and loop ext4 and xfs (reflink) images
# under /tmp, removed afterwards.  Runs in a private mount
# namespace, where it also mounts tracefs if the host has not.  Needs root
# (mounts, the syscall tracepoint), strace, e2fsprogs and xfsprogs.
# --quick: few rounds, to try it out.
set -euo pipefail

# Mounts made here are seen by no one else, and go with the namespace.
if [ -z "${PS_BENCH_NS:-}" ]; then
	PS_BENCH_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
# The syscall counter reads the raw_syscalls:sys_enter tracepoint's id.
if [ ! -e /sys/kernel/tracing/events/raw_syscalls ]; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-bench
out=$root/bench/results.md
quick=0
[ "${1:-}" = --quick ] && quick=1
rounds=()
[ $quick = 1 ] && rounds=(-r 3)

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
	-DBUILD_TESTING=ON >/dev/null
targets=(ps-bench ps-emulate)
# pscp is built with the examples, where it exists.
if cmake --build "$build" --target help | grep -w pscp >/dev/null; then
	targets+=(pscp)
fi
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null
bench=$build/bench/ps-bench
emulate=$build/tests/emulate/ps-emulate
pscp=$build/examples/pscp/pscp

work=$(mktemp -d /tmp/ps-bench.XXXXXX)
scratch=$build/scratch
cleanup() {
	local m
	for m in "$work"/mnt/*; do
		if mountpoint -q "$m" 2>/dev/null; then umount "$m"; fi
	done
	if [ -s "$work/loops" ]; then xargs -n1 losetup -d <"$work/loops"; fi
	rm -rf "$work" "$scratch"
}
trap cleanup EXIT
rm -rf "$scratch"
mkdir -p "$scratch" "$work/mnt"
table=$work/table.md

# mnt NAME TYPE: a tmpfs, or a 3 GiB loop image of the type, with direct
# I/O to its file, so that no second page cache writes back meanwhile.
mnt() {
	local m=$work/mnt/$1 img=$work/$1.img dev
	mkdir -p "$m"
	if [ "$2" = tmpfs ]; then
		mount -t tmpfs -o size=3g tmpfs "$m"
		echo "$m"
		return
	fi
	truncate -s 3g "$img"
	case $2 in
	# Inode tables zeroed now, not by a kernel thread during the rows.
	ext4)	mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 "$img" ;;
	xfs)	mkfs.xfs -q -m reflink=1 "$img" ;;
	esac
	dev=$(losetup --direct-io=on -f --show "$img")
	echo "$dev" >>"$work/loops"
	mount "$dev" "$m"
	echo "$m"
}

fast=(chmod publish publish-sync replace replace-sync publish-borrowed
	publish-borrowed-sync replace-borrowed replace-borrowed-sync reopen
	funlinkat flink open-in-root)
tmpfs=$(mnt tmpfs tmpfs)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS
{
	"$bench" -d "$scratch" "${rounds[@]}" "${fast[@]}"
	"$emulate" fchmodat2-enosys -- "$bench" -d "$scratch" \
		"${rounds[@]}" chmod-old chmod-old-fd
	"$bench" -d "$tmpfs" "${rounds[@]}" publish replace publish-borrowed \
		replace-borrowed flink funlinkat
	# The userspace walk, where openat2 is missing.
	"$emulate" no-openat2 -- "$bench" -d "$scratch" "${rounds[@]}" \
		open-in-root
	"$bench" -d "$tmpfs" "${rounds[@]}" remove-tree
	"$bench" -d "$scratch" "${rounds[@]}" remove-tree
} | tee "$table"

# Issue 11's speed clause: the /proc routes' rows with the library of
# before that issue and with this one, in turns.
"$root/bench/before-after.sh" "$bench" "$emulate" "$scratch" "$build" \
	"$work/before" "${rounds[@]}" | tee "$work/before-after.md"

# Each variant's syscalls, one op after the first, between markers.
trace=$work/trace.txt
strace -f -qq -o "$trace" "$bench" -d "$scratch" -t "${fast[@]}"
strace -f -qq -o "$trace.old" "$emulate" fchmodat2-enosys -- \
	"$bench" -d "$scratch" -t chmod-old chmod-old-fd
sequences() {
	awk '/"\/@bench\// {
		match($0, /"\/@bench\/[^"]*"/)
		m = substr($0, RSTART + 9, RLENGTH - 10)
		if (cur != "")
			printf "| %s | %s |\n", cur, seq
		cur = m ~ /\/end$/ ? "" : m
		seq = ""
		next
	}
	cur != "" {
		s = $2
		sub(/\(.*/, "", s)
		if (s == "syscall_0x1c4")
			s = "fchmodat2"
		seq = seq (seq == "" ? "" : ", ") s
	}' "$@"
}

# The copy rows, once pscp exists: 1 GiB of random data on each
# filesystem, not durable and durable; on xfs also 64 MiB, since a
# reflink should take the same time.
copy_rows() {
	local src=$tmpfs/src m fsr
	head -c 1G /dev/urandom >"$src"
	"$bench" -d "$tmpfs" -s "$src" -p "$pscp" "${rounds[@]}" copy \
		copy-sync
	for fs in ext4 xfs; do
		m=$(mnt "$fs" "$fs")
		cp "$src" "$m/src"
		# A reflink takes milliseconds: more rounds.
		[ "$fs" = xfs ] && [ $quick = 0 ] && fsr=(-r 15) || fsr=()
		"$bench" -d "$m" -s "$m/src" -p "$pscp" "${rounds[@]}" \
			"${fsr[@]}" copy copy-sync
	done
	head -c 64M "$src" >"$m/src64"
	"$bench" -d "$m" -s "$m/src64" -p "$pscp" "${rounds[@]}" "${fsr[@]}" \
		copy copy-sync
}
if [ -x "$pscp" ]; then
	copy_rows | tee -a "$table"
else
	echo "| copy 1 GiB | tmpfs, ext4, xfs | not run: pscp missing" \
		"($pscp) | | | | | | | | |" | tee -a "$table"
fi
elapsed=$((SECONDS - start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Goals, read back from the table (columns as in the header below).
goals() {
	awk -F' *\\| *' '
	function med(s) {
		sub(/ \[.*/, "", s)
		return s
	}
	function ns(s,  a, m) {
		split(s, a, " ")
		m = a[2] == "s" ? 1e9 : a[2] == "ms" ? 1e6 : 1
		return a[1] * (a[2] == "µs" ? 1e3 : m)
	}
	# The ratio cells are "median [95% CI]": their number, read as one.
	{ ci = $7; sub(/^[^[]*/, "", ci); $7 += 0; $8 += 0 }
	$4 ~ /^not run/ {
		printf "- %s: %s\n", $2, $4
		next
	}
	# On tmpfs the pinned handle'"'"'s two syscalls are a fifth of a
	# publish (see below): only the borrowed rows are judged there.
	$2 ~ /^(chmod no-follow|publish|flink)/ && $2 !~ /old kernel/ &&
	    ($3 != "tmpfs" || $2 ~ /borrowed/) {
		printf "- %s (%s): library/limit %.2f %s, goal <= 1.05: %s\n",
		    $2, $3, $7, ci, ($7 <= 1.05 ? "met" : "MISSED")
	}
	$2 ~ /^publish/ {
		printf "- %s (%s): %s syscalls vs %s raw, goal no more: %s\n",
		    $2, $3, $9, $10, ($9 <= $10 ? "met" : "MISSED")
	}
	$2 ~ /^open 10 components/ && $(NF - 1) ~ /openat2/ {
		printf "- %s (%s): library/limit %.2f, goal <= 1.05: %s\n",
		    $2, $3, $7, ($7 <= 1.05 ? "met" : "MISSED")
	}
	# The walk: the syscalls beyond openat2 and close, per component.
	$2 ~ /^open 10 components/ && $(NF - 1) ~ /walk/ && $9 ~ /^[0-9.]+$/ {
		c = ($9 - $10) / 10
		printf "- %s, walk: %s syscalls per op, %.1f per component" \
		    " beyond openat2+close, goal <= 2: %s\n", $2, $9, c,
		    (c <= 2 ? "met" : "MISSED")
	}
	$2 ~ /^remove a tree/ {
		printf "- %s (%s): %.2fx the time of rm -rf, %.2fx the" \
		    " unchecked *at removal\n", $2, $3, $8, $7
	}
	$2 == "chmod no-follow" {
		printf "- %s: %.1fx the speed of glibc 2.36 fallback, goal" \
		    " >= 3x: %s\n", $2, 1 / $8, (1 / $8 >= 3 ? "met" : "MISSED")
	}
	$2 == "chmod no-follow, old kernel" {
		printf "- %s: %s syscalls per call, the proc-chmod route'"'"'s" \
		    " own (%s by hand + 4 checks of /proc), no fchmodat2" \
		    " probe after the first call: %s\n", $2, $9, $10,
		    ($9 == $10 + 4 ? "met" : "MISSED")
	}
	# Single ops of half a second on a shared disk: both ratios; met
	# when both are at most 1, even when either is within 5% of it.
	$2 ~ /^copy/ {
		m = ns($4) / ns($5)
		lo = $7 < m ? $7 : m
		hi = $7 < m ? m : $7
		v = "MISSED"
		if (lo <= 1.05)
			v = "even, within the noise of these rows"
		if (hi <= 1)
			v = "met"
		printf "- %s (%s): pscp/cp %.2f per round, %.2f of the" \
		    " medians, goal <= 1: %s\n", $2, $3, $7, m, v
		if ($3 == "xfs")
			xfs[$2] = $4
		d = $2
		sub(/.*, /, "", d)
		durability[d] = 1
	}
	END {
		for (d in durability) {
			big = "copy 1 GiB, " d
			small = "copy 64 MiB, " d
			if (!(big in xfs) || !(small in xfs))
				continue
			printf "- reflink (%s), goal O(1): pscp on xfs takes" \
			    " %s for 1 GiB, %s for 64 MiB: %.1fx the time for" \
			    " 16x the data\n", d, med(xfs[big]), med(xfs[small]),
			    ns(xfs[big]) / ns(xfs[small])
		}
	}
	' "$table" | sed 's/MISSED$/MISSED (see the analysis below)/'
}

{
	echo "# ps-bench results"
	echo
	echo "Written by \`bench/run.sh\`$([ $quick = 1 ] && echo ' --quick')" \
		"on $(date -u '+%Y-%m-%d %H:%M UTC'), in ${elapsed}s."
	echo
	echo "- kernel $(uname -r), $(ldd --version | head -1)," \
		"$(gcc --version | head -1), Release build"
	echo "- CPU:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
		"$(nproc) cores; load average before $load_before," \
		"after $load_after"
	echo "- Caveat: the machine is shared (other builds and tests may" \
		"run meanwhile).  Rounds interleave the three variants, so a"
	echo "  busy spell slows all three; the spread [p25–p75] shows how" \
		"steady each was."
	echo
	echo "Times are the median per op over the rounds, [p25–p75];" \
		"ratios are medians of the per-round ratios (below 1: the" \
		"library is faster), [the 95% confidence interval of that" \
		"median]; syscalls/op are exact counts" \
		"(raw_syscalls:sys_enter) over one batch, divided by its ops."
	echo
	echo "| operation | fs | library | limit | today | library/limit |" \
		"library/today | syscalls library | syscalls limit |" \
		"syscalls today | route |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	cat "$table"
	echo
	echo "## Goals"
	echo
	goals
	echo
	echo "## What one timed op runs"
	echo
	echo "Setup (files to chmod, link, remove; the directory fd) is" \
		"made outside the timed batch; the names removed after it."
	echo
	echo "| operation | library | limit | today |"
	echo "|---|---|---|---|"
	"$bench" -l "${fast[@]}" chmod-old chmod-old-fd copy copy-sync
	echo
	echo "## Syscalls of one op (strace, the op after the first)"
	echo
	echo "| row/variant/op | syscalls |"
	echo "|---|---|"
	sequences "$trace" "$trace.old" | grep -v '/first |' || true
	echo
	echo "First calls, where they differ (one-time probes and setup):"
	echo
	echo "| row/variant/op | syscalls |"
	echo "|---|---|"
	sequences "$trace" "$trace.old" | awk -F' \\| ' '
		{ k = $1; sub(/\/(first|next)$/, "", k) }
		/\/first \|/ { first[k] = $0; fs[k] = $2 }
		/\/next \|/ && fs[k] != $2 { print first[k] }'
	echo
	echo "## The /proc routes before and after issue 11"
	echo
	echo "The same ps-bench, loaded with the library of 8bd2edc (before" \
		"issue 11's private procfs handle, thread-self and single" \
		"lookup) and with this tree's, in turns, two passes each" \
		"(bench/before-after.sh); ratios against the same raw limit."
	echo
	cat "$work/before-after.md"
	echo
	cat "$root/bench/analysis.md"
} >"$out"
cat "$out"
