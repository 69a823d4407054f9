/* SPDX-License-Identifier: MIT */
/*
 * ps_linkat: the hard link of a name, never following a symlink there.
 * Routes: linkat, one system call that links exactly what it finds; where
 * that is refused, or to replace, the name is opened O_PATH|O_NOFOLLOW and
 * that inode is given its name by ps_flink's routes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The inode at old, to be linked: never a directory, nor through "x/". */
static int open_old(const struct ps__parent *op)
{
	struct stat st;
	int fd = PS__SYS(openat(op->fd, op->base,
	    O_PATH | O_NOFOLLOW | O_CLOEXEC)), r;

	if (fd < 0)
		return fd;
	r = PS__SYS(fstat(fd, &st));
	if (r == 0 && S_ISDIR(st.st_mode))
		r = -EPERM;
	else if (r == 0 && op->must_dir)
		r = -ENOTDIR;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int link_parents(const struct ps__parent *op,
    const struct ps__parent *np, unsigned flags)
{
	int how = (flags & PS_REPLACE ? PS__NAME_REPLACE : 0) |
	    (flags & PS_COPY_FALLBACK ? PS__NAME_COPY : 0), fd, r;

	if (!strcmp(op->base, ".") || !strcmp(np->base, "."))
		return -EINVAL;
	if (np->must_dir)
		return -ENOTDIR;
	if (!(flags & PS_REPLACE) && !op->must_dir) {
		r = PS__SYS(linkat(op->fd, op->base, np->fd, np->base, 0));
		if (r == 0)
			ps__set_route("linkat");
		/* Only a refused link goes on, to be copied. */
		if (r != -EPERM && r != -EMLINK && r != -EXDEV &&
		    r != -EACCES && r != -EOPNOTSUPP)
			return r;
		if (!(flags & PS_COPY_FALLBACK))
			return r;
	}
	fd = open_old(op);
	if (fd < 0)
		return fd;
	r = ps__give_name(fd, np->fd, np->base, how, NULL);
	close(fd);
	return r;
}

int ps_linkat(int olddirfd, const char *oldname, int newdirfd,
    const char *newname, unsigned flags)
{
	unsigned rflags = flags & PS__RESOLVE_FLAGS;
	struct ps__parent op = { .owned = 0 }, np = { .owned = 0 };
	int r = 0;

	if (flags & ~(PS_REPLACE | PS_COPY_FALLBACK | PS__RESOLVE_FLAGS))
		r = -EINVAL;
	/* Checked here, so an LSM refusing links cannot answer first. */
	else if ((olddirfd < 0 && olddirfd != AT_FDCWD) ||
	    (newdirfd < 0 && newdirfd != AT_FDCWD))
		r = -EBADF;
	if (r == 0)
		r = ps__resolve_parent(olddirfd, oldname, rflags, &op);
	if (r == 0)
		r = ps__resolve_parent(newdirfd, newname, rflags, &np);
	if (r == 0)
		r = link_parents(&op, &np, flags);
	ps__parent_close(&op);
	ps__parent_close(&np);
	return ps__ret(r);
}
