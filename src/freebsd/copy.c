/* SPDX-License-Identifier: MIT */
/*
 * The copy accelerators: copy_file_range (13.0); no reflink ioctl.  The
 * sync of a directory pinned O_PATH.
 */
#include <fcntl.h>
#include <unistd.h>

#include "freebsd.h"

/* FreeBSD has no FICLONE; PS__CLONE_ALWAYS callers get the refusal a
 * filesystem without reflinks gives on Linux. */
int ps__os_clone(int src, int dst)
{
	(void)src, (void)dst;
	return -EOPNOTSUPP;
}

int64_t ps__os_copy_range(int src, off_t *src_off, int dst, off_t *dst_off,
    size_t len)
{
	ssize_t n;

	if (ps__freebsd_osrel() < PS__FREEBSD_MIN)
		return PS__ENOROUTE;
	n = copy_file_range(src, src_off, dst, dst_off, len, 0);
	if (n >= 0)
		return n;
	/* Not regular files; read and write serve. */
	if (errno == EINVAL)
		return PS__ENOROUTE;
	return -errno;
}

/* O_SEARCH needs only search permission, and fsync takes it. */
int ps__os_sync_dir(int dirfd, int fd)
{
	int d = PS__SYS(openat(dirfd, ".", O_SEARCH | O_DIRECTORY |
	    O_CLOEXEC)), r;

	(void)fd;
	if (d < 0)
		return d;
	r = PS__SYS(fsync(d));
	close(d);
	return r;
}
