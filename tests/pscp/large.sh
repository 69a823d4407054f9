#!/usr/bin/env bash
# 1 GiB files, dense and sparse, on tmpfs and ext4; reflinks on xfs and
# btrfs.  The filesystems are a tmpfs and loop images on it, mounted in a
# mount namespace of our own, so nothing outlives the script.
#   large.sh PREFIX [BUILD]   (BUILD unused)
set -u
if [ "$(id -u)" = 0 ] && [ -z "${PSCP_NS:-}" ] &&
	unshare -m --propagation private true 2>/dev/null; then
	PSCP_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
PSCP=$1/bin/pscp
if [ -z "${PSCP_NS:-}" ]; then
	skip "large files" "needs root and unshare -m to mount filesystems"
	exit 0
fi
work=$(mktemp -d)
mounts=()
trap 'for m in "${mounts[@]}"; do umount "$m"; done; rm -rf "$work"' EXIT
mount -t tmpfs -o size=12g tmpfs "$work" || {
	skip "large files" "cannot mount a tmpfs"; exit 0; }
mounts=("$work")
SRC=$work/src
mkdir "$SRC"
export PSCP_SCRATCH=$work

# The sources: 1 GiB of random bytes, and 1 GiB with three small data
# extents (the start, the middle, the end).
start=$SECONDS
head -c 1G /dev/urandom >"$SRC/dense"
truncate -s 1G "$SRC/sparse"
for at in 0 $((512 << 20)) $(((1 << 30) - 4096)); do
	head -c 4096 /dev/urandom |
		dd of="$SRC/sparse" bs=4096 seek=$((at / 4096)) conv=notrunc \
			status=none
done
echo "(sources made in $((SECONDS - start))s)"

kib() { du -k "$1" | cut -f1; }

# mount_image FS DIR MKFS...: a 4 GiB loop image on the tmpfs.
mount_image() {
	local fs=$1 dir=$2
	shift 2
	truncate -s 4G "$work/$fs.img"
	"$@" "$work/$fs.img" >/dev/null 2>&1 &&
		mkdir "$dir" && mount -o loop "$work/$fs.img" "$dir" ||
		return 1
	mounts=("$dir" "${mounts[@]}")
}

# The tests run with FS and D (the directory on it) set.
t_dense() {
	run "$PSCP" --atomic -v "$SRC/dense" "$D/dense"
	need [ "$rc" = 0 ]
	out
	need cmp "$SRC/dense" "$D/dense"
	run "$PSCP" -v "$D/dense" "$D/dense2"
	need [ "$rc" = 0 ]
	out
	need grep -q "in-place, copy-file-range" "$OUT"
	need cmp "$D/dense" "$D/dense2"
	rm "$D/dense2"
}

t_sparse() {
	run "$PSCP" --atomic "$SRC/sparse" "$D/sparse"
	need [ "$rc" = 0 ]
	need cmp "$SRC/sparse" "$D/sparse"
	need [ "$(kib "$D/sparse")" -le 1024 ]
	run "$PSCP" --atomic -v --reflink=never "$D/sparse" "$D/sparse2"
	need [ "$rc" = 0 ]
	out
	need cmp "$SRC/sparse" "$D/sparse2"
	need [ "$(kib "$D/sparse2")" -le 1024 ]
	echo "du: $(kib "$D/sparse") KiB and $(kib "$D/sparse2") KiB"
}

# A clone shares every extent (FIEMAP's shared flag) and takes no space.
t_reflink() {
	local used extents shared
	run "$PSCP" --atomic "$SRC/dense" "$D/dense"
	need [ "$rc" = 0 ]
	sync -f "$D"
	used=$(df --output=used -k "$D" | tail -1)
	run "$PSCP" --atomic -v --reflink=always "$D/dense" "$D/clone"
	need [ "$rc" = 0 ]
	out
	need grep -q ", reflink, " "$OUT"
	need cmp "$D/dense" "$D/clone"
	filefrag -v "$D/clone" >frag
	extents=$(grep -cE '^ *[0-9]+:' frag)
	shared=$(grep -E '^ *[0-9]+:' frag | grep -c shared)
	echo "$shared of $extents extents shared"
	need [ "$extents" -gt 0 ] && need [ "$shared" = "$extents" ]
	sync -f "$D"
	used=$(($(df --output=used -k "$D" | tail -1) - used))
	echo "the clone took $used KiB"
	need [ "$used" -lt 16384 ]
}

timed() {
	local s=$SECONDS
	SHOW_LOG=1 t "$@"
	echo "    ($((SECONDS - s))s)"
}

D=$work/tmpfs
mkdir "$D"
timed "tmpfs: 1 GiB dense, --atomic and in place, content equal" t_dense
timed "tmpfs: 1 GiB sparse stays sparse (du), content equal" t_sparse
rm -f "$D"/*

D=$work/ext4
if mount_image ext4 "$D" mkfs.ext4 -q -F; then
	timed "ext4: 1 GiB dense, --atomic and in place, content equal" t_dense
	timed "ext4: 1 GiB sparse stays sparse (du), content equal" t_sparse
	umount "$D" && mounts=("${mounts[@]:1}") && rm "$work/ext4.img"
else
	skip "ext4 large files" "cannot make or mount an ext4 loop image"
fi

D=$work/xfs
if mount_image xfs "$D" mkfs.xfs -q -f -m reflink=1; then
	timed "xfs: --reflink=always shares all extents, takes no space" t_reflink
	umount "$D" && mounts=("${mounts[@]:1}") && rm "$work/xfs.img"
else
	skip "xfs reflink" "cannot make or mount an xfs loop image"
fi

D=$work/btrfs
if mount_image btrfs "$D" mkfs.btrfs -q -f; then
	timed "btrfs: --reflink=always shares all extents, takes no space" t_reflink
	umount "$D" && mounts=("${mounts[@]:1}") && rm "$work/btrfs.img"
else
	skip "btrfs reflink" "cannot make or mount a btrfs loop image"
fi
