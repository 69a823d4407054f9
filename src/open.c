/* SPDX-License-Identifier: MIT */
/* ps_open: openat2's resolution, on every kernel. */
#include "internal.h"

int ps_open(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned flags)
{
	return ps__ret(ps__resolve(dirfd, path, oflags, mode, flags));
}

int ps_mkdirs(int dirfd, const char *path, mode_t mode, unsigned flags)
{
	(void)dirfd, (void)path, (void)mode, (void)flags;
	return ps__ret(-ENOSYS);
}

int ps_remove_tree(int dirfd, const char *path, unsigned flags)
{
	(void)dirfd, (void)path, (void)flags;
	return ps__ret(-ENOSYS);
}

int ps_linkat(int olddirfd, const char *oldname, int newdirfd,
    const char *newname, unsigned flags)
{
	(void)olddirfd, (void)oldname, (void)newdirfd, (void)newname;
	(void)flags;
	return ps__ret(-ENOSYS);
}
