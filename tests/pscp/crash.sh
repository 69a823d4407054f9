#!/usr/bin/env bash
# pscp --atomic killed at random moments while a reader checks the
# destination without pause: always exactly the old or the new content,
# and no temporary name left (see pscp-helper.c, "crash").
#   crash.sh PREFIX BUILD
# As root it runs in its own mount namespace, on a fresh tmpfs.
set -u
. "$(dirname "$0")/lib.sh"
in_namespace "$0" "$@"
PSCP=$1/bin/pscp
HELPER=$(realpath "$2/tests/pscp/pscp-helper")
EMULATE=$(realpath "$2/tests/emulate/ps-emulate")
work=$(mktemp -d)
trap 'umount -l "$work" 2>/dev/null; rm -rf "$work"' EXIT
mount -t tmpfs -o size=512m tmpfs "$work" 2>/dev/null ||
	echo "(not root: on $(stat -f -c %T "$work") instead of a tmpfs)"

# crash NAME KILLS SIGNAL [-l] -- [WRAPPER...]
crash() {
	local name=$1 kills=$2 sig=$3 opts=() dir
	shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	dir=$(mktemp -d "$work/c.XXXXXX")
	if "$HELPER" crash -k "$kills" -s "$sig" "${opts[@]}" "$dir" -- \
		"$@" "$PSCP" --atomic >"$dir.log" 2>&1; then
		echo "ok - $name"
	else
		echo "FAIL - $name"
	fi
	sed 's/^/    /' "$dir.log"
	rm -rf "$dir" "$dir.log"
}

route=$(echo x >"$work/x" && "$PSCP" --routes --atomic "$work/x" "$work/y" |
	sed 's/.*\[\([^,]*\),.*/\1/')
echo "(on this filesystem pscp's tmpfile route is $route)"
# A replace goes through a hidden name (the library's PS_REPLACE: link,
# then rename over the target); SIGKILL between the two leaves it, for
# ps_tmpfile_sweep(3).  Those are counted, not failed.  A new name takes
# a single link: nothing may remain.  Catchable signals never leave one.
crash "SIGKILL x500 ($route, replacing): old or new, never torn; hidden names counted" \
	500 9 -l --
crash "SIGKILL x200 ($route, new name): absent or new, never torn, no name left" \
	200 9 -f --
crash "SIGTERM x100 ($route, replacing): old or new, never torn, no name left" \
	100 15 --
if [ -x "$EMULATE" ]; then
	crash "SIGKILL x100 (named-tmpfile): never torn; hidden names counted" \
		100 9 -l -- "$EMULATE" no-tmpfile --
	crash "SIGTERM x100 (named-tmpfile): never torn, the handler removes the name" \
		100 15 -- "$EMULATE" no-tmpfile --
	crash "SIGINT x50 (named-tmpfile): never torn, the handler removes the name" \
		50 2 -- "$EMULATE" no-tmpfile --
else
	skip "crash on the named-tmpfile route" "no ps-emulate in the build"
fi
