#!/usr/bin/env bash
# pscp (issue 4), on its installed binary: behaviour (every option and
# error), the crash test (killed at random moments under a reader) and
# large files (1 GiB dense and sparse on tmpfs and ext4, reflinks on xfs
# and btrfs).  The parts print "ok", "FAIL" and "skip" lines, counted
# here.
set -u
root=${PS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${PS_BUILD:-$root/build/ci}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if ! cmake --install "$build" --prefix "$stage/prefix" >"$stage/install.log"
then
	cat "$stage/install.log"
	echo "FAIL - staged install"
	echo "0 passed, 1 failed"
	exit 1
fi
for part in behaviour differential crash large; do
	start=$SECONDS
	echo "--- $part"
	bash "$root/tests/pscp/$part.sh" "$stage/prefix" "$build" |
		tee -a "$stage/results"
	echo "--- $part: $((SECONDS - start))s"
done
pass=$(grep -c '^ok - ' "$stage/results")
fail=$(grep -c '^FAIL - ' "$stage/results")
skip=$(grep -c '^skip - ' "$stage/results")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
