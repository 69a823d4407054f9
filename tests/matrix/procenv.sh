#!/usr/bin/env bash
# procenv.sh ENV DECOY COMMAND...: run COMMAND with /proc as ENV, inside a
# private mount namespace of its own (the host's /proc is never touched).
#   present    the real /proc
#   absent     /proc unmounted
#   fake       a tmpfs on /proc whose self/fd/N and thread-self/fd/N
#              (N = 0..255) are symlinks to DECOY
#   overmount  a directory of such symlinks bind-mounted over just the
#              command's /proc/PID/fd and /proc/PID/task/PID/fd (its
#              main thread's, which /proc/thread-self names)
#   foreign    another process's /proc/PID/fd, where every fd from 3 to
#              250 is DECOY, bind-mounted over the command's two
# COMMAND runs with PS_TEST_PROC=ENV and PS_DECOY=DECOY.  A mount over
# /proc/self/fd lands on one PID's directory, so the script mounts over
# its own and then becomes COMMAND by exec, keeping its PID.
set -euo pipefail
if [[ ${1-} != --inside ]]; then
	exec unshare -m --propagation private "$0" --inside "$@"
fi
shift
env=$1 decoy=$2
shift 2
export PS_TEST_PROC=$env PS_DECOY=$decoy

# A directory of fd symlinks that all point at the decoy.
links() {
	mkdir -p "$1"
	for n in $(seq 0 255); do ln -s "$decoy" "$1/$n"; done
}

case $env in
present) ;;
absent)
	umount -l /proc
	;;
fake)
	mount -t tmpfs -o size=1m pstfake /proc
	links /proc/self/fd
	ln -s self /proc/thread-self
	;;
overmount)
	mount -t tmpfs -o size=1m pstfake /mnt
	links /mnt/fd
	mount --bind /mnt/fd "/proc/$$/fd"
	mount --bind /mnt/fd "/proc/$$/task/$$/fd"
	;;
foreign)
	# The holder keeps the decoy open until COMMAND, which inherits the
	# pipe's write end, exits.
	# shellcheck disable=SC2034 # keep is only held open
	exec {keep}> >(
		for n in $(seq 3 250); do eval "exec $n<\"\$decoy\""; done
		exec cat >/dev/null)
	holder=$!
	# Wait until the holder has opened its last fd.
	for _ in $(seq 100); do
		[[ -e /proc/$holder/fd/250 ]] && break
		sleep 0.05
	done
	mount --bind "/proc/$holder/fd" "/proc/$$/fd"
	mount --bind "/proc/$holder/fd" "/proc/$$/task/$$/fd"
	;;
*)
	echo "procenv.sh: unknown environment '$env'" >&2
	exit 2
	;;
esac
exec "$@"
