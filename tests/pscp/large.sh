#!/usr/bin/env bash
# 1 GiB files, dense and sparse, on tmpfs and ext4; reflinks on xfs and
# btrfs.  The filesystems are a tmpfs and loop images on it, mounted in a
# mount namespace of our own, so nothing outlives the script.
#   large.sh PREFIX [BUILD]   (BUILD unused)
set -u
. "$(dirname "$0")/lib.sh"
in_namespace "$0" "$@"
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
	run "$PSCP" --atomic --routes "$SRC/dense" "$D/dense"
	need [ "$rc" = 0 ]
	out
	need cmp "$SRC/dense" "$D/dense"
	run "$PSCP" --routes "$D/dense" "$D/dense2"
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
	run "$PSCP" --atomic --routes --reflink=never "$D/sparse" "$D/sparse2"
	need [ "$rc" = 0 ]
	out
	need cmp "$SRC/sparse" "$D/sparse2"
	need [ "$(kib "$D/sparse2")" -le 1024 ]
	echo "du: $(kib "$D/sparse") KiB and $(kib "$D/sparse2") KiB"
}

used_kib() {
	sync -f "$1"
	df --output=used -k "$1" | tail -1
}

# copy_counting WHEN NAME: copies $D/dense to $D/NAME with --reflink=WHEN,
# and sets $extents, $shared (FIEMAP's shared flag) and $used (KiB).
copy_counting() {
	local before
	before=$(used_kib "$D")
	run "$PSCP" --atomic --routes --reflink="$1" "$D/dense" "$D/$2"
	need [ "$rc" = 0 ]
	out
	need cmp "$D/dense" "$D/$2"
	used=$(($(used_kib "$D") - before))
	filefrag -v "$D/$2" >frag
	extents=$(grep -cE '^ *[0-9]+:' frag)
	shared=$(grep -E '^ *[0-9]+:' frag | grep -c shared)
	echo "$shared of $extents extents shared; $used KiB used"
	need [ "$extents" -gt 0 ]
}

# A clone shares every extent and takes no space (O(1), whatever the
# time it took); --reflink=never shares none, though copy_file_range
# alone would clone here.
t_reflink() {
	local used extents shared
	run "$PSCP" --atomic "$SRC/dense" "$D/dense"
	need [ "$rc" = 0 ]
	copy_counting always clone
	need grep -q ", reflink, " "$OUT"
	need [ "$shared" = "$extents" ] && need [ "$used" -lt 16384 ]
	copy_counting never copy
	need grep -q ", read-write, " "$OUT"
	need [ "$shared" = 0 ] && need [ "$used" -ge $((1 << 20)) ]
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
	timed "xfs: --reflink=always shares all extents, takes no space; =never none" t_reflink
	umount "$D" && mounts=("${mounts[@]:1}") && rm "$work/xfs.img"
else
	skip "xfs reflink" "cannot make or mount an xfs loop image"
fi

D=$work/btrfs
if mount_image btrfs "$D" mkfs.btrfs -q -f; then
	timed "btrfs: --reflink=always shares all extents, takes no space; =never none" t_reflink
	umount "$D" && mounts=("${mounts[@]:1}") && rm "$work/btrfs.img"
else
	skip "btrfs reflink" "cannot make or mount a btrfs loop image"
fi
