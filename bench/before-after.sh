#!/usr/bin/env bash
# The /proc routes before and after issue 11, which asked that its new
# /proc handling (a private procfs handle, thread-self, one lookup) cost
# no more per call than the old: the library as it was at 8bd2edc (the
# last commit before that work) and this tree's, each loaded in turn by
# the same ps-bench, run on the same rows two rounds each, so that both
# meet the same load.  Called by run.sh:
#
#   bench/before-after.sh BENCH EMULATE SCRATCH LIBDIR WORK [-r N]
#
# LIBDIR holds this tree's libpathsafe.so; WORK is a scratch directory
# for the old tree and its build.  Prints a markdown table.
set -euo pipefail

bench=$1 emulate=$2 scratch=$3 libdir=$4 work=$5
shift 5
before=8bd2edc
root=$(cd "$(dirname "$0")/.." && pwd)

if ! git -C "$root" cat-file -e "$before^{commit}" 2>/dev/null; then
	echo "Not run: this tree has no git history with $before."
	exit 0
fi
mkdir -p "$work/src"
git -C "$root" archive "$before" | tar -x -C "$work/src"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
	-DBUILD_TESTING=OFF >/dev/null
cmake --build "$work/build" -j2 --target pathsafe >/dev/null

# One pass of the rows with the library in LIB, its lines tagged TAG.
rows() {
	local lib=$1 tag=$2
	shift 2
	{
		LD_LIBRARY_PATH=$lib "$bench" -d "$scratch" "$@" reopen
		LD_LIBRARY_PATH=$lib "$emulate" fchmodat2-enosys -- "$bench" \
			-d "$scratch" "$@" chmod-old chmod-old-fd
	} 2>/dev/null | awk -F' *\\| *' -v tag="$tag" '
		/^\|/ { printf "| %s | %s | %s | %s | %s |\n", $2, tag, $7,
		    $9, $(NF - 1) }'
}

echo "| operation | library | library/limit | syscalls library | route |"
echo "|---|---|---|---|---|"
for pass in 1 2; do
	rows "$work/build" "before ($before)" "$@"
	rows "$libdir" "after" "$@"
done | sort -s -t'|' -k2,2
