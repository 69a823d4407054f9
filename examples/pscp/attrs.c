/* SPDX-License-Identifier: MIT */
/*
 * --preserve, as cp 9.1.  Ownership first, since chown clears the
 * set-user-ID and set-group-ID bits; then the extended attributes and
 * the mode; the timestamps last, since everything before may touch them.
 * Files and directories by descriptor; symlinks and special files by
 * name, never followed (fd < 0), and without extended attributes.
 *
 * ACLs follow cp's rules: they go with the mode (-p, --preserve=mode),
 * not with xattr, which copies what /etc/xattr.conf does not reserve.
 * And --preserve=links: the first copy of a file with several links is
 * remembered, later ones are linked to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

#include "internal.h"
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
	return fail(e, "failed to preserve ownership for %s", q(dst->path));
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

/* Linux's ACL attributes (system.posix_acl_*) are no user attributes
 * here: not found, so nothing is copied or removed.  FreeBSD's ACLs
 * would need acl_get_fd(3)/acl_set_fd(3): not kept. */
static int fremovexattr(int fd, const char *name)
{
	return extattr_delete_fd(fd, EXTATTR_NAMESPACE_USER, name);
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

/* What libattr's attr_copy_fd leaves out under Debian's
 * /etc/xattr.conf: ACLs (kept with the mode) and what only the kernel or
 * xfs may write. */
static int reserved(const char *name)
{
	static const char *const skip[] = { "system.nfs4_acl",
		"system.nfs4acl", "system.posix_acl_access",
		"system.posix_acl_default", "trusted.SGI_ACL_DEFAULT",
		"trusted.SGI_ACL_FILE", "trusted.SGI_CAP_FILE",
		"trusted.SGI_MAC_FILE", "security.evm", NULL };

	for (int i = 0; skip[i]; i++)
		if (!strcmp(name, skip[i]))
			return 1;
	return !strncmp(name, "trusted.SGI_DMI_", 16) ||
	    !strncmp(name, "xfsroot.", 8) || !strncmp(name, "user.Beagle.", 12) ||
	    !strncmp(name, "afs.", 4);
}

static int copy_xattrs(int sfd, int fd, const struct loc *dst)
{
	char *names = NULL, *value = NULL, *p;
	ssize_t n, len;
	int r = 0;

	n = fetch(sfd, NULL, &names);
	if (n < 0 && errno != ENOTSUP)
		r = fail(errno, "listing attributes of %s", q(dst->path));
	for (p = names; r == 0 && n > 0 && p < names + n;
	    p += strlen(p) + 1) {
		if (reserved(p))
			continue;
		len = fetch(sfd, p, &value);
		if (len < 0 && errno == ENODATA)
			continue;	/* removed meanwhile */
		if (len < 0 || fsetxattr(fd, p, value, len, 0) < 0) {
			if (opt.quiet_attrs && errno == ENOTSUP)
				continue;
			r = fail(errno, "setting attribute %s for %s", q(p),
			    q(dst->path));
		}
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

/* One ACL as cp's copy_acl: the source's, or none beyond the mode. */
static int copy_acl(int sfd, int fd, const char *name)
{
	char *value = NULL;
	ssize_t n = fetch(sfd, name, &value);
	int r = 0;

	if (n > 0)
		r = fsetxattr(fd, name, value, n, 0);
	else if ((n == 0 || errno == ENODATA || errno == ENOTSUP) &&
	    fremovexattr(fd, name) < 0 && errno != ENODATA &&
	    errno != ENOTSUP)
		r = -1;
	else if (n < 0 && errno != ENODATA && errno != ENOTSUP)
		r = -1;
	free(value);
	return r;
}

/* -p: the mode, and the ACLs of files and directories. */
static int keep_mode(int fd, const struct loc *dst, const struct stat *st,
    int sfd)
{
	if (set_mode(fd, dst, st->st_mode & 07777) < 0)
		return -1;
	if (fd < 0 || sfd < 0)
		return 0;
	if (copy_acl(sfd, fd, "system.posix_acl_access") < 0 ||
	    (S_ISDIR(st->st_mode) &&
	    copy_acl(sfd, fd, "system.posix_acl_default") < 0))
		return -1;
	/* Setting an ACL may clear set-group-ID: the bits again. */
	return st->st_mode & (S_ISUID | S_ISGID | S_ISVTX) ?
	    set_mode(fd, dst, st->st_mode & 07777) : 0;
}

/* The mode of what pscp made without --preserve=mode: cp's, which is the
 * source's permissions (a directory's sticky bit too) minus the umask,
 * or 0666/0777 minus the umask with --no-preserve=mode. */
static mode_t new_mode(const struct stat *st)
{
	int dir = S_ISDIR(st->st_mode);

	if (opt.no_mode)
		return (dir ? 0777 : 0666) & ~opt.umask;
	return (st->st_mode & (dir ? 01777 : 0777) & ~opt.umask) |
	    (dir ? st->st_mode & S_ISGID : 0);
}

static int set_times(int fd, const struct loc *dst, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fd >= 0)
		return futimens(fd, ts);
	return utimensat(dst->dirfd, dst->name, ts, AT_SYMLINK_NOFOLLOW);
}

int keep_attrs(int fd, const struct loc *dst, const struct stat *st,
    int sfd, int made)
{
	int r = 0;

	if ((opt.keep & KEEP_OWNER) && keep_owner(fd, dst, st) < 0)
		r = -1;
	if ((opt.keep & KEEP_XATTR) && fd >= 0 && sfd >= 0 &&
	    copy_xattrs(sfd, fd, dst) < 0 && !opt.quiet_attrs)
		r = -1;
	if (S_ISLNK(st->st_mode))
		;
	else if (opt.keep & KEEP_MODE) {
		if (keep_mode(fd, dst, st, sfd) < 0)
			r = fail(errno, "preserving permissions for %s",
			    q(dst->path));
	} else if (made == 1 && set_mode(fd, dst, new_mode(st)) < 0) {
		r = fail(errno, "setting permissions for %s", q(dst->path));
	}
	if ((opt.keep & KEEP_TIMES) && set_times(fd, dst, st) < 0)
		r = fail(errno, "preserving times for %s", q(dst->path));
	return r;
}

/* --preserve=links: the copies of files with several links. */
struct copied {
	dev_t dev;
	ino_t ino;
	char *path;
	struct copied *next;
};
static struct copied *copied;

int link_tracked(const struct stat *st, int how)
{
	/* cp: several links, or a file reached through symlinks (-L; -H
	 * for an operand), which another name may reach again. */
	return (opt.keep & KEEP_LINKS) && !opt.hard_link &&
	    (st->st_nlink > 1 || opt.deref == DEREF_ALWAYS ||
	    ((how & TOP) && opt.deref == DEREF_ARGS));
}

int link_known(const struct stat *st, const struct loc *dst, int exists)
{
	char hidden[PS__HIDDEN_SIZE];
	const char *name = dst->name;
	struct copied *c;
	int r, e;

	for (c = copied; c; c = c->next)
		if (c->dev == st->st_dev && c->ino == st->st_ino)
			break;
	if (!c)
		return 0;
	if (opt.verbose)
		verbose_line(&(struct loc){ AT_FDCWD, c->path, c->path }, dst,
		    NULL, opt.routes ? "link" : NULL);
	/* Over an existing name: by a hidden name and a rename, so that
	 * the name never goes missing. */
	if (exists) {
		ps__hidden_name(hidden, PS__HIDDEN_PREFIX);
		name = hidden;
	}
	r = linkat(AT_FDCWD, c->path, dst->dirfd, name, 0);
	if (r == 0 && exists &&
	    renameat(dst->dirfd, hidden, dst->dirfd, dst->name) < 0) {
		e = errno;
		unlinkat(dst->dirfd, hidden, 0);
		errno = e;
		r = -1;
	}
	if (r < 0)
		return fail(errno, "cannot create hard link %s to %s",
		    q(dst->path), q(c->path));
	return 1;
}

void link_remember(const struct stat *st, const struct loc *dst)
{
	struct copied *c = malloc(sizeof(*c));

	if (c && (c->path = strdup(dst->path))) {
		c->dev = st->st_dev;
		c->ino = st->st_ino;
		c->next = copied;
		copied = c;
	} else {
		free(c);
	}
}
