#!/usr/bin/env bash
# debootstrap.sh [COMMIT]: a newcomer's first hour, replayed.  Builds a
# brand-new Debian 12 root (debootstrap --variant=minbase bookworm, from
# the mirror this machine's apt uses), clones this repository into it at
# COMMIT (default HEAD) as /root/libpathsafe, and runs the README's two
# commands there, exactly as written (read from the clone's README.md by
# readme-command.sh), one after the other, as root, from the clone's top
# directory: in a chroot with /proc, /sys and /dev bound in, inside a
# private mount namespace, so nothing the suite mounts reaches this
# machine.  In such a chroot / is not a mount point, so the suite's own
# private mount namespaces fail: what needs them must skip, not fail.
#
# Not a CI stage: it downloads about 400 MiB and runs the whole suite.
# Needs root, debootstrap, git and unshare.  Prints each command's exit
# status and time, the suite's stage table, and the peak of shared memory
# (tmpfs) during the suite over its level before; writes the same to
# DIR/summary and the full output to DIR/*.log.  The root is removed at
# the end unless PS_NEWCOMER_KEEP=1.  The README records the last run.
#   PS_MIRROR        the Debian mirror (default: apt's source for bookworm)
#   PS_NEWCOMER_DIR  where to work (default: a new /var/tmp/ps-newcomer.*)
#   PS_NEWCOMER_ONLY=1  the first command alone (a few minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
commit=$(git -C "$repo" rev-parse --verify "${1:-HEAD}^{commit}")
[[ $(id -u) -eq 0 ]] || { echo "debootstrap.sh: needs root" >&2; exit 2; }
for tool in debootstrap git unshare chroot; do
	command -v "$tool" >/dev/null ||
		{ echo "debootstrap.sh: $tool is not installed" >&2; exit 2; }
done

# The first mirror apt's sources give for bookworm (one-line or deb822).
apt_mirror() {
	local f files=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	awk '
	function found(u) { if (!done) print u; done = 1; exit }
	FNR == 1 { uri = suites = "" }
	/^deb / { sub(/\[[^]]*\] /, ""); if ($3 == "bookworm") found($2) }
	/^URIs:/ { uri = $2 }
	/^Suites:/ { suites = $0 " " }
	/^[[:space:]]*$/ || /^Types:/ {
		if (uri != "" && suites ~ / bookworm /) found(uri)
	}
	END { if (!done && uri != "" && suites ~ / bookworm /) print uri }
	' "${files[@]}"
}
mirror=${PS_MIRROR:-$(apt_mirror)}
[[ -n $mirror ]] || { echo "debootstrap.sh: no bookworm mirror in" \
	"/etc/apt/sources.list*; set PS_MIRROR" >&2; exit 2; }

dir=${PS_NEWCOMER_DIR:-$(mktemp -d /var/tmp/ps-newcomer.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root
clone=$root/root/libpathsafe
summary=$dir/summary
# shellcheck disable=SC2317 # the trap calls it
cleanup() {
	[[ ${PS_NEWCOMER_KEEP:-0} == 1 ]] ||
		rm -rf --one-file-system "$root"
}
trap cleanup EXIT
say() { printf '%s\n' "$*" | tee -a "$summary"; }

: >"$summary"
say "newcomer run, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
say "host: $(uname -sr), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" \
	>"$dir/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$dir/debootstrap.log"; say "debootstrap failed"; exit 1; }
say "debootstrap --variant=minbase bookworm $mirror:" \
	"$((SECONDS - start))s, $(du -sm "$root" | cut -f1) MiB"
# The network, as the machine's; nothing else of the host goes in.
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-hardlinks "$repo" "$clone"
git -C "$clone" checkout -q --detach "$commit"

# inside N: runs the README's command N in the chroot, in the clone,
# with a fresh root login's environment; its output goes to DIR/N.log.
inside() {
	local cmd
	cmd=$("$here/readme-command.sh" "$1" "$clone/README.md")
	say "command $1: $cmd"
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private bash -c '
		set -e
		for fs in proc sys dev; do mount --rbind "/$fs" "$1/$fs"; done
		exec env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			chroot "$1" /bin/bash -c "cd /root/libpathsafe && $2"
	' - "$root" "$cmd" </dev/null >"$dir/$1.log" 2>&1
}

# The peak of Shmem (tmpfs, shared memory) while the suite runs, over its
# level before: the whole machine's, so other work there shows too.
shmem() { awk '/^Shmem:/ { print int($2 / 1024) }' /proc/meminfo; }
watch_shmem() {
	local peak=0 now
	while sleep 1; do
		now=$(shmem)
		((now > peak)) && peak=$now && echo "$peak" >"$dir/shmem.peak"
	done
}

commands="1 2"
[[ ${PS_NEWCOMER_ONLY:-} == 1 ]] && commands=1
for n in $commands; do
	start=$SECONDS
	if ((n == 2)); then
		base=$(shmem)
		echo 0 >"$dir/shmem.peak"
		watch_shmem &
		watcher=$!
	fi
	rc=0
	inside "$n" || rc=$?
	say "command $n: exit $rc after $((SECONDS - start))s (log: $dir/$n.log)"
	if ((n == 1)); then
		say "  its last line: $(tail -n 1 "$dir/1.log")"
		((rc == 0)) || exit 1
	fi
done
[[ $commands == 1 ]] && { say "result: command 1 passed"; exit 0; }
kill "$watcher"
wait "$watcher" 2>/dev/null || true
say "shared memory (tmpfs) peak during the suite: +$(($(cat \
	"$dir/shmem.peak") - base)) MiB over ${base} MiB before"
say "root at the end: $(du -sm "$root" | cut -f1) MiB"
sed -n '/^=== summary/,$p' "$dir/2.log" | tee -a "$summary"
say "result: command 1 passed; command 2 exit $rc"
exit "$rc"
