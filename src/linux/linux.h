/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Linux routes only. */
#ifndef PS_LINUX_H
#define PS_LINUX_H

#include "../internal.h"

/* The kernel's struct statx (stable ABI), which musl's toolchain lacks. */
struct ps__statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t pad; } atime, btime,
	    ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t subvol;
	uint64_t spare[11];
};
#define PS__STATX_TYPE 0x1U
#define PS__STATX_MODE 0x2U
#define PS__STATX_INO 0x100U
#define PS__STATX_MNT_ID 0x1000U
#define PS__STATX_MNT_ID_UNIQUE 0x4000U
/* statx(2) as >= 0 or -errno. */
PS__HIDDEN int ps__linux_statx(int dirfd, const char *path, int flags,
    unsigned mask, struct ps__statx *stx);

PS__HIDDEN int ps__linux_filtered(long nr, long a, long b, long c, long d,
    long e);

#endif /* PS_LINUX_H */
