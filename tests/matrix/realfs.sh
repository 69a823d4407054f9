#!/usr/bin/env bash
# realfs.sh BUILD: every unit test program of BUILD with its scratch
# directories ($PS_TEST_DIR) on tmpfs, ext4, xfs and btrfs, each made here
# on a sparse loop image; xfs again under no-tmpfile and btrfs under
# no-copy-accel.  Each filesystem must show the routes it forces (reflink
# on xfs and btrfs).  Everything is mounted in a private mount namespace
# and undone by a trap, loop devices included, whatever happens.
# Without root or a private mount namespace it skips, saying why; without
# loop devices, it runs tmpfs only.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/matrix/lib.sh
. "$here/lib.sh"
if [[ ${1-} != --inside ]]; then
	why=$(mx_no_mount_ns)
	if [[ -n $why ]]; then
		echo "not run: every filesystem: $why"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	exec unshare -m --propagation private "$0" --inside "$@"
fi
shift
mx_init "$1"

work=$(mktemp -d "${TMPDIR:-/tmp}/psrealfs.XXXXXX")
# Tests drop to nobody, who must reach the scratch directories.
chmod 0755 "$work"
loops=()
cleanup() {
	local m d
	for m in "$work"/mnt.*; do
		mountpoint -q "$m" && umount "$m"
	done
	for d in "${loops[@]}"; do losetup -d "$d" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mkfs_mount FS SIZE MKFS...: mounts a new FS at $work/mnt.FS.
mkfs_mount() {
	local fs=$1 size=$2 img=$work/$1.img mnt=$work/mnt.$1 dev
	shift 2
	mkdir -p "$mnt"
	if [[ $fs == tmpfs ]]; then
		mount -t tmpfs -o size="$size" pstest "$mnt"
		return
	fi
	truncate -s "$size" "$img" && "$@" "$img" >/dev/null || return
	dev=$(losetup --find --show "$img") || return
	loops+=("$dev")
	mount "$dev" "$mnt"
}

# fs_cells GROUP MOUNT PROFILE ROUTE...: the tests there, then the routes.
fs_cells() {
	local group=$1 mnt=$2 profile=$3 t
	shift 3
	for t in "${MX_TESTS[@]}"; do
		mx_run "$group" "$t" "$profile" PS_TEST_DIR="$mnt"
	done
	mx_expect "$group" "$@"
}

declare -A mkfs=([tmpfs]=: [ext4]="mkfs.ext4 -q -F"
	[xfs]="mkfs.xfs -q -f" [btrfs]="mkfs.btrfs -q -f")
# xfs needs 300 MiB; the images are sparse.
declare -A size=([tmpfs]=256m [ext4]=128M [xfs]=320M [btrfs]=256M)
for fs in tmpfs ext4 xfs btrfs; do
	tool=${mkfs[$fs]%% *}
	if [[ $tool != : ]] && ! command -v "$tool" >/dev/null; then
		mx_skip "$fs" "all tests" "$tool is not installed"
		continue
	fi
	if [[ $fs != tmpfs && -n ${no_loop=$(mx_no_loop)} ]]; then
		mx_skip "$fs" "all tests" "$no_loop"
		continue
	fi
	mnt=$work/mnt.$fs
	# shellcheck disable=SC2086 # the mkfs command and its options
	if ! mkfs_mount "$fs" "${size[$fs]}" ${mkfs[$fs]}; then
		mx_check "$fs" "make and mount a $fs image" false
		continue
	fi
	case $fs in
	tmpfs|ext4)
		fs_cells "$fs" "$mnt" none o-tmpfile copy-file-range ;;
	xfs)
		fs_cells xfs "$mnt" none o-tmpfile reflink
		fs_cells "xfs, no-tmpfile" "$mnt" no-tmpfile named-tmpfile \
			rename ;;
	btrfs)
		fs_cells btrfs "$mnt" none o-tmpfile reflink
		fs_cells "btrfs, no-copy-accel" "$mnt" no-copy-accel read-write ;;
	esac
done

mx_table filesystem
if mx_summary; then rm -rf "$MX_DIR"; else echo "logs: $MX_DIR"; exit 1; fi
