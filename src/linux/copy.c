/* SPDX-License-Identifier: MIT */
/*
 * The copy accelerators: FICLONE (reflink) and copy_file_range; the sync
 * of a directory pinned O_PATH.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "linux.h"

/* From <linux/fs.h>, which musl's toolchain does not ship. */
#ifndef FICLONE
#define FICLONE _IOW(0x94, 9, int)
#endif

PS__MISSING_FLAG copy_range_missing;

int ps__os_clone(int src, int dst)
{
	return PS__SYS(ioctl(dst, FICLONE, src));
}

int64_t ps__os_copy_range(int src, off_t *src_off, int dst, off_t *dst_off,
    size_t len)
{
	ssize_t n;

	if (PS__MISSING(copy_range_missing))
		return PS__ENOROUTE;
	n = copy_file_range(src, src_off, dst, dst_off, len, 0);
	if (n >= 0)
		return n;
	switch (errno) {
	case ENOSYS:		/* before 4.5 */
		PS__SET_MISSING(copy_range_missing);
		return PS__ENOROUTE;
	case EXDEV:		/* across filesystems, per kernel version */
	case EINVAL:		/* procfs and other special files */
	case EOPNOTSUPP:
	case EPERM:		/* seccomp, or a file read/write still serves */
	case ETXTBSY:
		return PS__ENOROUTE;
	}
	return -errno;
}

/* An O_PATH directory cannot be fsync'ed and without read permission
 * cannot be opened otherwise: its filesystem, which holds fd, is synced. */
int ps__os_sync_dir(int dirfd, int fd)
{
	(void)dirfd;
	return PS__SYS(syncfs(fd));
}
