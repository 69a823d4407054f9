/* SPDX-License-Identifier: MIT */
/*
 * ps__copy_attrs: a copy keeps what a link would, as far as the caller
 * may set it, once its data is written: owner and group, the extended
 * attributes (ACLs among them), the mode, with setuid and setgid, and
 * file capabilities, only when both owner and group were kept (as cp
 * does for setuid: a privilege that came with another owner must not
 * pass to the caller's copy), then atime and mtime,
 * last, since every other step may change them.
 */
#include <unistd.h>

#include "internal.h"

/* A chown the caller may not make: not privileged, or an id this user
 * namespace does not map. */
static int refused(int r)
{
	return r == -EPERM || r == -EINVAL;
}

/* 1 when dst has both the owner and the group of st, 0 when not (it
 * keeps the group where only that is allowed), or -errno. */
static int keep_owner(int dst, const struct stat *st)
{
	int r = PS__SYS(fchown(dst, st->st_uid, st->st_gid));

	if (r == 0 || !refused(r))
		return r == 0 ? 1 : r;
	r = PS__SYS(fchown(dst, (uid_t)-1, st->st_gid));
	return r == 0 || refused(r) ? 0 : r;
}

int ps__copy_attrs(int src, int dst, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	mode_t mode = st->st_mode & 07777;
	int r = keep_owner(dst, st), owned = r == 1;

	if (!owned)
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	/* Setting a user.* attribute takes write permission on the file,
	 * which the copy, made with none, lacks until now. */
	if (r >= 0)
		r = PS__SYS(fchmod(dst, S_IRUSR | S_IWUSR));
	if (r >= 0)
		r = ps__os_copy_xattrs(src, dst, owned);
	if (r >= 0)
		r = PS__SYS(fchmod(dst, mode));
	if (r >= 0)
		r = PS__SYS(futimens(dst, times));
	return r < 0 ? r : 0;
}
