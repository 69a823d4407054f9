/* SPDX-License-Identifier: MIT */
/*
 * ps_tmpfile_open, ps_tmpfile_fd, ps_tmpfile_close: an anonymous file in
 * a pinned directory.  Routes: o-tmpfile; named-tmpfile, a hidden random
 * name created O_EXCL|O_NOFOLLOW, where the filesystem lacks O_TMPFILE.
 * O_TMPFILE support is per filesystem, so its absence is never cached.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static int named_tmpfile(int dirfd, mode_t mode,
    char name[PS__HIDDEN_SIZE])
{
	int fd = -EEXIST;

	/* Only a collision of 64 random bits retries. */
	for (int i = 0; i < 4 && fd == -EEXIST; i++) {
		ps__hidden_name(name, PS__HIDDEN_PREFIX);
		fd = PS__SYS(openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode));
	}
	if (fd >= 0)
		ps__set_route("named-tmpfile");
	return fd;
}

ps_tmpfile *ps_tmpfile_open(int dirfd, const char *dir, mode_t mode,
    unsigned flags)
{
	ps_tmpfile *t = NULL;
	int r = 0;

	if (flags || (mode & ~07777))
		r = -EINVAL;
	else if (!dir)
		r = -EFAULT;
	else if (!(t = malloc(sizeof(*t))))
		r = -ENOMEM;
	if (r < 0)
		goto fail;
	t->published = 0;
	t->name[0] = '\0';
	r = t->dirfd = PS__SYS(openat(dirfd, dir,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (r < 0)
		goto fail;
	r = t->fd = ps__os_tmpfile(t->dirfd, mode);
	if (r == PS__ENOROUTE)
		r = t->fd = named_tmpfile(t->dirfd, mode, t->name);
	if (r >= 0) {
		ps__ret(0);	/* records the route */
		return t;
	}
	close(t->dirfd);
fail:
	free(t);
	ps__ret(r);
	return NULL;
}

int ps_tmpfile_fd(const ps_tmpfile *t)
{
	return t ? t->fd : ps__ret(-EINVAL);
}

int ps_tmpfile_close(ps_tmpfile *t)
{
	struct stat st;
	int r;

	if (!t)
		return 0;
	if (!t->published && t->name[0] && fstat(t->fd, &st) == 0)
		ps__unlink_if(t->dirfd, t->name, &st);
	r = PS__SYS(close(t->fd));
	close(t->dirfd);
	free(t);
	return ps__ret(r);
}
