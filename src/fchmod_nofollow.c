/* SPDX-License-Identifier: MIT */
/*
 * ps_fchmod_nofollow: chmod that never follows a symlink.  Routes: the
 * kernel's own (fchmodat2 on Linux 6.6, fchmodat on FreeBSD) on the last
 * component in its pinned parent; then an O_PATH|O_NOFOLLOW open and a
 * chmod of that very inode (proc-chmod).  Never a path-based chmod.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The file open on fd, checked to be what the name promised. */
static int chmod_fd(int fd, mode_t mode, int must_dir)
{
	struct stat st;
	int r = PS__SYS(fstat(fd, &st));

	/* "x/" through a symlink is never followed: x is not a directory. */
	if (r == 0 && must_dir && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	/* Linux cannot change a symlink's mode, and one is never followed. */
	else if (r == 0 && S_ISLNK(st.st_mode))
		r = -EOPNOTSUPP;
	if (r == 0)
		r = ps__os_fchmod_nofollow(fd, "", mode, 1);
	if (r == PS__ENOROUTE)
		r = ps__os_fchmod_fd(fd, &st, mode);
	return r == PS__ENOROUTE ? -EOPNOTSUPP : r;
}

/* By descriptor: PS_EMPTY_PATH's dirfd, or the last component opened
 * O_PATH|O_NOFOLLOW (AT_FDCWD's is the current directory, as the
 * kernel's AT_EMPTY_PATH has it). */
static int chmod_opened(int pfd, const char *base, mode_t mode, int must_dir)
{
	int fd, r;

	if (!base)
		return chmod_fd(pfd, mode, must_dir);
	fd = PS__SYS(openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	if (fd < 0)
		return fd;
	r = chmod_fd(fd, mode, must_dir);
	close(fd);
	return r;
}

int ps_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    unsigned flags)
{
	struct ps__parent p = { .owned = 0 };
	int empty = !!(flags & PS_EMPTY_PATH), r = 0;

	if ((flags & ~(PS_EMPTY_PATH | PS__RESOLVE_FLAGS)) || (mode & ~07777))
		r = -EINVAL;
	else if (!path)
		r = -EFAULT;
	else if (empty && path[0])
		r = -EINVAL;
	else if (empty)
		r = ps__os_fchmod_nofollow(dirfd, "", mode, 1);
	else
		r = ps__resolve_parent(dirfd, path, flags & PS__RESOLVE_FLAGS,
		    &p);
	if (r == 0 && !empty && !p.must_dir)
		r = ps__os_fchmod_nofollow(p.fd, p.base, mode, 0);
	/* A trailing slash needs the type of what the name holds, so the
	 * chmod goes through the descriptor that was checked. */
	else if (r == 0 && !empty)
		r = PS__ENOROUTE;
	if (r == PS__ENOROUTE && empty && dirfd == AT_FDCWD)
		r = chmod_opened(AT_FDCWD, ".", mode, 0);
	else if (r == PS__ENOROUTE)
		r = chmod_opened(empty ? dirfd : p.fd, empty ? NULL : p.base,
		    mode, p.must_dir);
	ps__parent_close(&p);
	return ps__ret(r);
}
