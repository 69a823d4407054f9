/* SPDX-License-Identifier: MIT */
/*
 * Linux's own fd-based calls: linkat AT_EMPTY_PATH (linkat-empty-path),
 * fchmodat2 (fchmodat2, 6.6), renameat2 RENAME_NOREPLACE (3.15) and
 * O_TMPFILE (o-tmpfile, 3.11).  Linux has no funlinkat.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

PS__MISSING_FLAG empty_path_missing, fchmodat2_missing, renameat2_missing;

int ps__os_link_empty_path(int fd, int dirfd, const char *name)
{
	int r;

	if (PS__MISSING(empty_path_missing))
		return PS__ENOROUTE;
	r = PS__SYS(linkat(fd, "", dirfd, name, AT_EMPTY_PATH));
	/* Kernels before 2.6.39 do not know the flag.  ENOENT (no
	 * CAP_DAC_READ_SEARCH before 6.10) depends on credentials, which
	 * change, so it is not cached. */
	if (r == -EINVAL) {
		PS__SET_MISSING(empty_path_missing);
		return PS__ENOROUTE;
	}
	if (r == 0)
		ps__set_route("linkat-empty-path");
	return r;
}

int ps__os_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    int empty)
{
	int r;

	if (PS__MISSING(fchmodat2_missing))
		return PS__ENOROUTE;
	r = PS__SYS(syscall(SYS_fchmodat2, dirfd, path, mode,
	    AT_SYMLINK_NOFOLLOW | (empty ? AT_EMPTY_PATH : 0)));
	/* Before 6.6 ENOSYS; container seccomp policies answer EPERM for
	 * syscalls they do not know, which all-ones flags tell apart from a
	 * real EPERM (the kernel would say EINVAL). */
	if (r == -ENOSYS || (r == -EPERM &&
	    ps__linux_filtered(SYS_fchmodat2, -1, (long)"", 0, -1, 0))) {
		PS__SET_MISSING(fchmodat2_missing);
		return PS__ENOROUTE;
	}
	if (r == 0)
		ps__set_route("fchmodat2");
	return r;
}

int ps__os_rename_noreplace(int dirfd, const char *from, const char *to)
{
	int r;

	if (PS__MISSING(renameat2_missing))
		return PS__ENOROUTE;
	r = PS__SYS(syscall(SYS_renameat2, dirfd, from, dirfd, to,
	    RENAME_NOREPLACE));
	switch (r) {
	case -EINVAL:	/* this filesystem lacks the flag: not cached */
		return PS__ENOROUTE;
	case -EPERM:
		if (!ps__linux_filtered(SYS_renameat2, -1, (long)"", -1,
		    (long)"", -1))
			return r;
		/* A seccomp filter. */
		__attribute__((fallthrough));
	case -ENOSYS:	/* before 3.15 */
		PS__SET_MISSING(renameat2_missing);
		return PS__ENOROUTE;
	}
	return r;
}

int ps__os_funlinkat(int dirfd, const char *name, int fd, int isdir)
{
	(void)dirfd, (void)name, (void)fd, (void)isdir;
	return PS__ENOROUTE;
}

int ps__os_tmpfile(int dirfd, mode_t mode)
{
	int fd = PS__SYS(openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
	    mode));

	switch (fd) {
	case -EOPNOTSUPP:	/* FUSE, NFS, overlay and others */
	case -EISDIR:		/* before 3.11 the flag reads as O_DIRECTORY */
	case -EINVAL:
		return PS__ENOROUTE;
	}
	if (fd >= 0)
		ps__set_route("o-tmpfile");
	return fd;
}
