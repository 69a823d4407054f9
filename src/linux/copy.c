/* SPDX-License-Identifier: MIT */
/*
 * The copy accelerators: FICLONE (reflink) and copy_file_range; the
 * extended attributes of a copy; the sync of a directory pinned O_PATH.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
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

/* An attribute the caller may not read or set there (trusted.* and
 * security.* without the capability, a filesystem without that
 * namespace or without xattrs) or one removed meanwhile is not kept;
 * any other error, such as ENOSPC or EIO, fails the copy. */
static int skipped(ssize_t r)
{
	return r == -EPERM || r == -EACCES || r == -EOPNOTSUPP ||
	    r == -ENODATA;
}

/* The value of name into *buf (grown as needed); its length or -errno. */
static ssize_t get_value(int src, const char *name, char **buf, size_t *size)
{
	ssize_t n = -ERANGE;
	char *grown;

	/* ERANGE: it grew between the two calls; ask its size again. */
	for (int i = 0; i < 4 && n == -ERANGE; i++) {
		n = PS__SYS(fgetxattr(src, name, NULL, 0));
		if (n < 0)
			return n;
		if ((size_t)n >= *size) {
			if (!(grown = realloc(*buf, n + 1)))
				return -ENOMEM;
			*buf = grown;
			*size = n + 1;
		}
		n = PS__SYS(fgetxattr(src, name, *buf, *size));
	}
	return n;
}

/* The names of src's attributes into *list; their total length. */
static ssize_t list_names(int src, char **list)
{
	ssize_t n = -ERANGE, size;

	for (int i = 0; i < 4 && n == -ERANGE; i++) {
		size = n = PS__SYS(flistxattr(src, NULL, 0));
		if (n <= 0)
			return n == -EOPNOTSUPP ? 0 : n;
		free(*list);
		if (!(*list = malloc(size)))
			return -ENOMEM;
		n = PS__SYS(flistxattr(src, *list, size));
	}
	return n;
}

int ps__os_copy_xattrs(int src, int dst, int owner_kept)
{
	char *list = NULL, *value = NULL;
	size_t size = 0;
	ssize_t len = list_names(src, &list), n = 0;

	for (ssize_t at = 0; at < len && n >= 0; at += strlen(list + at) + 1) {
		if (!owner_kept && !strcmp(list + at, "security.capability"))
			continue;
		n = get_value(src, list + at, &value, &size);
		if (n >= 0)
			n = PS__SYS(fsetxattr(dst, list + at, value, n, 0));
		if (skipped(n))
			n = 0;
	}
	free(value);
	free(list);
	return len < 0 ? (int)len : (int)n;
}
