/* SPDX-License-Identifier: MIT */
/*
 * The copy accelerators: copy_file_range (13.0); no reflink ioctl.  The
 * extended attributes of a copy; the sync of a directory pinned O_PATH.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/extattr.h>
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

/* An attribute the caller may not read or set there, or one removed
 * meanwhile, is not kept; any other error fails the copy. */
static int skipped(ssize_t r)
{
	return r == -EPERM || r == -EACCES || r == -EOPNOTSUPP ||
	    r == -ENOATTR;
}

/* One attribute of the user namespace; len is its name's length. */
static ssize_t copy_one(int src, int dst, const char *at, size_t len,
    char **buf, size_t *size)
{
	char name[256];
	ssize_t n;
	char *grown;

	memcpy(name, at, len);
	name[len] = '\0';
	n = PS__SYS(extattr_get_fd(src, EXTATTR_NAMESPACE_USER, name, NULL,
	    0));
	if (n >= 0 && (size_t)n >= *size) {
		if (!(grown = realloc(*buf, n + 1)))
			return -ENOMEM;
		*buf = grown;
		*size = n + 1;
	}
	if (n >= 0)
		n = PS__SYS(extattr_get_fd(src, EXTATTR_NAMESPACE_USER, name,
		    *buf, *size));
	if (n >= 0)
		n = PS__SYS(extattr_set_fd(dst, EXTATTR_NAMESPACE_USER, name,
		    *buf, n));
	return skipped(n) ? 0 : n;
}

/*
 * The user namespace only: the system namespace is root's and holds the
 * ACLs, which FreeBSD copies with acl_get_fd/acl_set_fd, not extattrs.
 * The list is a length byte before each name, which has no NUL.
 * FreeBSD has no file capabilities, so owner_kept changes nothing.
 */
int ps__os_copy_xattrs(int src, int dst, int owner_kept)
{
	char *list = NULL, *value = NULL;
	size_t size = 0;
	ssize_t len, n = 0;

	(void)owner_kept;

	len = PS__SYS(extattr_list_fd(src, EXTATTR_NAMESPACE_USER, NULL, 0));
	if (len > 0 && !(list = malloc(len)))
		len = -ENOMEM;
	if (len > 0)
		len = PS__SYS(extattr_list_fd(src, EXTATTR_NAMESPACE_USER, list,
		    len));
	for (ssize_t at = 0, l; at < len && n >= 0; at += 1 + l) {
		l = (unsigned char)list[at];
		if (at + 1 + l > len)
			break;	/* cut short: the list grew meanwhile */
		n = copy_one(src, dst, list + at + 1, l, &value, &size);
	}
	free(value);
	free(list);
	if (skipped(len))
		return 0;
	return len < 0 ? (int)len : (int)n;
}
