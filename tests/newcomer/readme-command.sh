#!/bin/sh
# readme-command.sh N [README]: prints the README's Nth command (1: build
# and run the main job, 2: the test suite), as written: the lines of its
# first indented block, one command a line.  CI (.ci/run) and
# tests/newcomer/debootstrap.sh run what this prints, so they run exactly
# what a reader copies.
set -eu
readme=${2:-$(dirname "$0")/../../README.md}
cmd=$(awk -v n="$1" '
	/^    [^ ]/ { block = 1; if (++i == n) { sub(/^    /, ""); print } next }
	block { exit }' "$readme")
if [ -z "$cmd" ]; then
	echo "readme-command.sh: $readme has no command $1 in its first" \
		"indented block" >&2
	exit 1
fi
printf '%s\n' "$cmd"
