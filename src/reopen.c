/* SPDX-License-Identifier: MIT */
/*
 * ps_reopen: a new descriptor for the same inode, with new flags.
 * Routes: openat-dot for directories; the OS route otherwise (Linux
 * proc-reopen, FreeBSD o-empty-path), checked to be the same inode.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

/* FreeBSD has no O_TMPFILE: nothing more to refuse there.  A name of
 * this file's own, since the library is one translation unit. */
#ifdef O_TMPFILE
#define REOPEN_TMPFILE O_TMPFILE
#else
#define REOPEN_TMPFILE 0
#endif

/* Access as read and write bits; O_PATH, and the access mode 3 that
 * allows only ioctls, as none. */
static int access_bits(int fl)
{
	if (fl & O_PATH)
		return 0;
	switch (fl & O_ACCMODE) {
	case O_RDONLY:
		return 1;
	case O_WRONLY:
		return 2;
	case O_RDWR:
		return 3;
	}
	return 0;
}

/* The reopen restriction proposed for the kernel: no access fd lacks. */
static int upgrade_refused(int fd, int oflags)
{
	int fl = fcntl(fd, F_GETFL), want = access_bits(oflags);

	if (fl < 0)
		return -errno;
	if ((want & ~access_bits(fl)) || (oflags & O_TRUNC &&
	    !(access_bits(fl) & 2)))
		return -EPERM;
	/* Writing without O_APPEND would lift an append-only restriction. */
	if ((want & 2) && (fl & O_APPEND) && !(oflags & O_APPEND))
		return -EPERM;
	return 0;
}

int ps__reopen(int fd, const struct stat *st, int oflags)
{
	/* As open(2), O_TRUNC truncates regular files only; decided here,
	 * so a FIFO or a device is opened as asked or not at all. */
	int trunc = (oflags & O_TRUNC) && !(oflags & O_PATH) &&
	    S_ISREG(st->st_mode), nfd, r = 0;
	struct stat nst;

	/* Truncation waits for the check, so no other file can lose its
	 * data; on a read-only open it is unspecified, so refused. */
	if ((oflags & O_TRUNC) && !(oflags & O_PATH) &&
	    (oflags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	nfd = ps__os_reopen(fd, st, oflags & ~O_TRUNC);
	if (nfd == PS__ENOROUTE)
		return -EOPNOTSUPP;
	if (nfd < 0)
		return nfd;
	if (fstat(nfd, &nst) < 0 || !ps__same_inode(st, &nst))
		r = PS__EVERIFY;
	else if (trunc)
		r = PS__SYS(ftruncate(nfd, 0));
	if (r < 0) {
		close(nfd);
		return r;
	}
	return nfd;
}

int ps_reopen(int fd, int oflags, unsigned flags)
{
	struct stat st;
	int r = 0;

	/* O_TMPFILE contains O_DIRECTORY, which alone is fine. */
	if ((flags & ~PS_NO_UPGRADE) || (oflags & (O_CREAT | O_EXCL)) ||
	    (REOPEN_TMPFILE && (oflags & REOPEN_TMPFILE) == REOPEN_TMPFILE))
		r = -EINVAL;
	else
		r = PS__SYS(fstat(fd, &st));
	if (r == 0 && S_ISLNK(st.st_mode))
		r = -ELOOP;
	/* Answered here, the same whichever route would run. */
	else if (r == 0 && (oflags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r == 0 && (flags & PS_NO_UPGRADE))
		r = upgrade_refused(fd, oflags);
	if (r < 0)
		return ps__ret(r);
	if (S_ISDIR(st.st_mode)) {
		/* "." of a directory is always itself: no /proc needed. */
		r = PS__SYS(openat(fd, ".", oflags | O_CLOEXEC));
		if (r >= 0)
			ps__set_route("openat-dot");
		return ps__ret(r);
	}
	return ps__ret(ps__reopen(fd, &st, oflags));
}
