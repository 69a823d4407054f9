/* SPDX-License-Identifier: MIT */
/*
 * --preserve.  Ownership first, since chown clears the set-user-ID and
 * set-group-ID bits; then the extended attributes and the mode; the
 * timestamps last, since everything before may touch them.  Files and
 * directories by descriptor; symlinks and special files by name, never
 * followed (fd < 0), and without extended attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __FreeBSD__
#include <sys/types.h>
#include <sys/extattr.h>
#else
#include <sys/xattr.h>
#endif

#include <pathsafe/pathsafe.h>

#include "pscp.h"

static int own(int fd, const struct loc *dst, uid_t uid, gid_t gid)
{
	if (fd >= 0)
		return fchown(fd, uid, gid);
	return fchownat(dst->dirfd, dst->name, uid, gid, AT_SYMLINK_NOFOLLOW);
}

static int keep_owner(int fd, const struct loc *dst, const struct stat *st)
{
	int e;

	if (own(fd, dst, st->st_uid, st->st_gid) == 0)
		return 0;
	e = errno;
	/* As cp: without privilege, keep at least the group, silently. */
	if ((e == EPERM || e == EINVAL) && geteuid() != 0) {
		own(fd, dst, (uid_t)-1, st->st_gid);
		return 0;
	}
	return fail(e, "failed to preserve ownership for '%s'", dst->path);
}

#ifdef __FreeBSD__
/*
 * FreeBSD's extattr(2), user namespace: the names without Linux's "user."
 * prefix.  Its list is length-prefixed; rewritten in place into Linux's
 * NUL-terminated names (same length).  A value that grew since the probe
 * is cut short instead of failing with ERANGE.
 */
#define ENODATA ENOATTR

static ssize_t flistxattr(int fd, char *buf, size_t size)
{
	ssize_t n = extattr_list_fd(fd, EXTATTR_NAMESPACE_USER, buf, size);

	for (ssize_t i = 0; buf && i < n; ) {
		unsigned char len = buf[i];

		memmove(buf + i, buf + i + 1, len);
		buf[i + len] = '\0';
		i += len + 1;
	}
	return n;
}

static ssize_t fgetxattr(int fd, const char *name, void *buf, size_t size)
{
	return extattr_get_fd(fd, EXTATTR_NAMESPACE_USER, name, buf, size);
}

static int fsetxattr(int fd, const char *name, const void *value,
    size_t size, int flags)
{
	(void)flags;
	return extattr_set_fd(fd, EXTATTR_NAMESPACE_USER, name, value,
	    size) < 0 ? -1 : 0;
}
#endif

/* The list of names (name NULL) or a value, into a buffer that fits:
 * it may grow between the probe and the read. */
static ssize_t fetch(int fd, const char *name, char **buf)
{
	ssize_t n;
	char *grown;

	for (;;) {
		n = name ? fgetxattr(fd, name, NULL, 0) :
		    flistxattr(fd, NULL, 0);
		if (n <= 0)
			return n;
		if (!(grown = realloc(*buf, n))) {
			errno = ENOMEM;
			return -1;
		}
		*buf = grown;
		n = name ? fgetxattr(fd, name, *buf, n) :
		    flistxattr(fd, *buf, n);
		if (n >= 0 || errno != ERANGE)
			return n;
	}
}

static int copy_xattrs(int sfd, int fd, const struct loc *dst)
{
	char *names = NULL, *value = NULL, *p;
	ssize_t n, len;
	int r = 0;

	n = fetch(sfd, NULL, &names);
	if (n < 0 && errno != ENOTSUP)
		r = fail(errno, "cannot list extended attributes for '%s'",
		    dst->path);
	for (p = names; r == 0 && n > 0 && p < names + n;
	    p += strlen(p) + 1) {
		len = fetch(sfd, p, &value);
		if (len < 0 && errno == ENODATA)
			continue;	/* removed meanwhile */
		if (len < 0 || fsetxattr(fd, p, value, len, 0) < 0)
			r = fail(errno, "cannot preserve extended attribute "
			    "'%s' for '%s'", p, dst->path);
	}
	free(names);
	free(value);
	return r;
}

static int set_mode(int fd, const struct loc *dst, mode_t mode)
{
	if (fd >= 0)
		return fchmod(fd, mode);
	return ps_fchmod_nofollow(dst->dirfd, dst->name, mode, 0);
}

static int set_times(int fd, const struct loc *dst, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fd >= 0)
		return futimens(fd, ts);
	return utimensat(dst->dirfd, dst->name, ts, AT_SYMLINK_NOFOLLOW);
}

int keep_attrs(int fd, const struct loc *dst, const struct stat *st,
    int sfd, int private)
{
	mode_t mode = opt.keep & KEEP_MODE ? st->st_mode & 07777 :
	    st->st_mode & 0777 & ~opt.umask;
	int r = 0;

	if ((opt.keep & KEEP_OWNER) && keep_owner(fd, dst, st) < 0)
		r = -1;
	if ((opt.keep & KEEP_XATTR) && fd >= 0 && sfd >= 0 &&
	    copy_xattrs(sfd, fd, dst) < 0)
		r = -1;
	if (!S_ISLNK(st->st_mode) && (private || (opt.keep & KEEP_MODE)) &&
	    set_mode(fd, dst, mode) < 0)
		r = fail(errno, "preserving permissions for '%s'", dst->path);
	if ((opt.keep & KEEP_TIMES) && set_times(fd, dst, st) < 0)
		r = fail(errno, "preserving times for '%s'", dst->path);
	return r;
}
