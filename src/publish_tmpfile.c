/* SPDX-License-Identifier: MIT */
/*
 * ps_publish_tmpfile: give a handle's file its name, atomically.  From
 * O_TMPFILE, the ps_flink routes with the copy fallback always allowed;
 * from a hidden file, rename: renameat2 NOREPLACE (or renameat to
 * replace), else link-unlink: linkat, then unlink of the hidden name.
 * Never a check-then-rename.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

static int publish_named(ps_tmpfile *t, const char *name, int replace)
{
	const char *route;
	int r = ps__place(t->dirfd, t->name, name, replace, &route);

	if (r == 0)
		ps__set_route(route);
	return r;
}

/* The new entry made durable: fsync of the directory, or where it is
 * pinned O_PATH (not readable) the OS's other way; r on success. */
static int sync_dir(ps_tmpfile *t, int r)
{
	int s = PS__SYS(fsync(t->dirfd));

	if (s == -EBADF)
		s = ps__os_sync_dir(t->dirfd, t->fd);
	return s < 0 ? s : r;
}

int ps_publish_tmpfile(ps_tmpfile *t, const char *name, unsigned flags)
{
	int sync = !(flags & PS_NO_SYNC), r;

	r = ps__check_name(name);
	if ((flags & ~(PS_REPLACE | PS_NO_SYNC)) || !t || t->published)
		r = -EINVAL;
	if (r == 0 && sync)
		r = PS__SYS(fsync(t->fd));
	if (r == 0 && t->name[0])
		r = publish_named(t, name, flags & PS_REPLACE);
	else if (r == 0)
		r = ps__give_name(t->fd, t->dirfd, name,
		    PS__NAME_COPY | PS__NAME_TMPFILE |
		    (flags & PS_REPLACE ? PS__NAME_REPLACE : 0) |
		    (sync ? PS__NAME_SYNC : 0), t->name);
	if (r < 0)
		return ps__ret(r);
	t->published = 1;
	if (sync)
		r = sync_dir(t, r);
	return ps__ret(r);
}
