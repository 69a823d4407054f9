/* SPDX-License-Identifier: MIT */
/*
 * ps_fchmod_nofollow: chmod that never follows a symlink.  Routes: the
 * kernel's own (fchmodat2 on Linux 6.6, fchmodat on FreeBSD); then an
 * O_PATH|O_NOFOLLOW open and a chmod of that very inode (proc-chmod).
 * Never a path-based chmod.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

static int chmod_fd(int fd, mode_t mode)
{
	struct stat st;
	int r = PS__SYS(fstat(fd, &st));

	/* Linux cannot change a symlink's mode, and one is never followed. */
	if (r == 0 && S_ISLNK(st.st_mode))
		r = -EOPNOTSUPP;
	if (r == 0)
		r = ps__os_fchmod_fd(fd, &st, mode);
	return r == PS__ENOROUTE ? -EOPNOTSUPP : r;
}

int ps_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    unsigned flags)
{
	int empty = !!(flags & PS_EMPTY_PATH), fd, r = 0;

	if ((flags & ~PS_EMPTY_PATH) || (mode & ~07777))
		r = -EINVAL;
	else if (!path)
		r = -EFAULT;
	else if (empty && path[0])
		r = -EINVAL;
	if (r == 0)
		r = ps__os_fchmod_nofollow(dirfd, path, mode, empty);
	if (r != PS__ENOROUTE)
		return ps__ret(r);
	if (empty)
		return ps__ret(chmod_fd(dirfd, mode));
	fd = PS__SYS(openat(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	if (fd < 0)
		return ps__ret(fd);
	r = chmod_fd(fd, mode);
	close(fd);
	return ps__ret(r);
}
