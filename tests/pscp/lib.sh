# Shared by the pscp test scripts: one line per item, "ok - NAME",
# "FAIL - NAME" (followed by indented output) or "skip - NAME (WHY)";
# tests/ci.d/50-pscp.sh counts them.
#
# A test is a function run in a subshell in a fresh directory (cd'ed to),
# and fails at its first failed "need".  $PSCP is the installed binary.
# With SHOW_LOG set, what a passing test printed is shown too.

# need CMD...: the assertion CMD must hold.
need() {
	"$@" || { echo "assertion failed: $*"; exit 1; }
}

# refute CMD...: CMD must fail.
refute() {
	! "$@" || { echo "assertion failed: not $*"; exit 1; }
}

# run CMD...: runs CMD; its status in $rc, its output in the files out
# and err of the scratch directory's parent (not listed by the tests).
run() {
	rc=0
	"$@" >"$OUT" 2>"$ERR" || rc=$?
}
out() { cat "$OUT"; }
err() { cat "$ERR"; }

# t NAME FUNCTION: runs the test FUNCTION, named after what it asserts.
t() {
	local name=$1 fn=$2 dir
	dir=$(mktemp -d "${PSCP_SCRATCH:-/tmp}/t.XXXXXX")
	if (cd "$dir" && OUT=$dir.out ERR=$dir.err && "$fn") >"$dir.log" 2>&1
	then
		echo "ok - $name"
		[ -n "${SHOW_LOG:-}" ] && sed 's/^/    /' "$dir.log"
	else
		echo "FAIL - $name"
		sed 's/^/    /' "$dir.log" | head -20
		[ -s "$dir.err" ] && sed 's/^/    stderr: /' "$dir.err" | head -5
	fi
	rm -rf "$dir" "$dir.log" "$dir.out" "$dir.err"
}

skip() {
	echo "skip - $1 ($2)"
}

# Is every file below "$1" free of the library's hidden names?
no_hidden() {
	[ -z "$(find "$1" -name '.pathsafe-*')" ]
}

# in_namespace SCRIPT ARGS...: as root, runs the script again in a mount
# namespace of its own (with PSCP_NS=1), so that its mounts go with it.
in_namespace() {
	if [ "$(id -u)" = 0 ] && [ -z "${PSCP_NS:-}" ] &&
		unshare -m --propagation private true 2>/dev/null; then
		PSCP_NS=1 exec unshare -m --propagation private bash "$@"
	fi
}
