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

static int open_dir(int dirfd, const char *dir, int oflags, unsigned rflags)
{
	oflags |= O_DIRECTORY | O_CLOEXEC;
	if (!rflags)
		return PS__SYS(openat(dirfd, dir, oflags));
	return ps__resolve(dirfd, dir, oflags, 0, rflags);
}

/*
 * The directory, pinned: readable, so that a durable publish can fsync
 * it; where only write and search are allowed (mode 0300), O_PATH, which
 * is all that creating and linking in it need (the publish then makes it
 * durable another way).  With PS_EMPTY_PATH, the caller's dirfd itself.
 */
static int pin(ps_tmpfile *t, int dirfd, const char *dir, unsigned flags)
{
	unsigned rflags = flags & PS__RESOLVE_FLAGS;

	t->borrowed = (flags & PS_EMPTY_PATH) && dirfd != AT_FDCWD;
	if (t->borrowed) {
		t->dirfd = dirfd;
		return dirfd < 0 ? -EBADF : 0;
	}
	/* AT_FDCWD's empty path is the current directory, pinned now. */
	if (flags & PS_EMPTY_PATH)
		dir = ".";
	t->dirfd = open_dir(dirfd, dir, O_RDONLY, rflags);
	if (t->dirfd == -EACCES)
		t->dirfd = open_dir(dirfd, dir, O_PATH, rflags);
	return t->dirfd < 0 ? t->dirfd : 0;
}

ps_tmpfile *ps_tmpfile_open(int dirfd, const char *dir, mode_t mode,
    unsigned flags)
{
	ps_tmpfile *t = NULL;
	int r = 0;

	if ((flags & ~(PS_EMPTY_PATH | PS__RESOLVE_FLAGS)) || (mode & ~07777))
		r = -EINVAL;
	else if (!dir)
		r = -EFAULT;
	else if ((flags & PS_EMPTY_PATH) && dir[0])
		r = -EINVAL;
	else if (!(t = malloc(sizeof(*t))))
		r = -ENOMEM;
	if (r < 0)
		goto fail;
	t->published = 0;
	t->name[0] = '\0';
	r = pin(t, dirfd, dir, flags);
	if (r < 0)
		goto fail;
	r = t->fd = ps__os_tmpfile(t->dirfd, mode);
	if (r == PS__ENOROUTE)
		r = t->fd = named_tmpfile(t->dirfd, mode, t->name);
	if (r >= 0) {
		ps__ret(0);	/* records the route */
		return t;
	}
	if (!t->borrowed)
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

/* close()'s own error is the one returned: with PS_NO_SYNC it is the
 * only news of data lost after the publish (NFS reports it there). */
int ps_tmpfile_close(ps_tmpfile *t)
{
	struct stat st;
	int r;

	if (!t)
		return 0;
	if (!t->published && t->name[0] && fstat(t->fd, &st) == 0)
		ps__unlink_if(t->dirfd, t->name, &st);
	r = PS__SYS(close(t->fd));
	if (!t->borrowed)
		close(t->dirfd);
	free(t);
	return ps__ret(r);
}
