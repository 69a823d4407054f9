#!/usr/bin/env bash
# The whole test suite: every stage in tests/ci.d, in order.  Each stage is
# a script that prints its own results and exits non-zero on failure; a
# failed stage does not stop the later ones.  Stages share one build,
# made by the first, in $PS_BUILD.
set -u
cd "$(dirname "$0")/.."
PS_ROOT=$PWD
# shellcheck source=tests/stage-env.sh
. tests/stage-env.sh
failed=0 total=0 summary=""
for stage in tests/ci.d/*.sh; do
	name=$(basename "$stage" .sh)
	echo "=== stage $name"
	start=$SECONDS
	if bash "$stage"; then result=passed; else result=FAILED; failed=$((failed + 1)); fi
	total=$((total + 1))
	summary+=$(printf '%-22s %-7s %5ds' "$name" "$result" $((SECONDS - start)))$'\n'
	# Later stages need the build.
	[ "$name" = 10-build ] && [ "$result" = FAILED ] && break
done
echo "=== summary"
printf '%s' "$summary"
echo "stages: $((total - failed)) passed, $failed failed, in ${SECONDS}s"
[ "$failed" -eq 0 ]
