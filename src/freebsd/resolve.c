/* SPDX-License-Identifier: MIT */
/*
 * What the resolution step needs of FreeBSD: O_RESOLVE_BENEATH (13.0)
 * serves PS_BENEATH alone; the other flags take the userspace walk.  A
 * mount is told by its filesystem id.  FreeBSD has no magic links.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <unistd.h>

#include "freebsd.h"

int ps__os_openat2(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	int r;

	if (rflags != PS_BENEATH)
		return PS__ENOROUTE;
	r = PS__SYS(openat(dirfd, path,
	    oflags | O_RESOLVE_BENEATH | O_CLOEXEC, mode));
	/* FreeBSD says ENOTCAPABLE where Linux says EXDEV. */
	return r == -ENOTCAPABLE ? -EXDEV : r;
}

int ps__os_ident(int fd, struct ps__ident *id)
{
	struct statfs sfs;
	struct stat st;

	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
		return -errno;
	id->mode = st.st_mode;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	memcpy(&id->mnt, &sfs.f_fsid, sizeof(id->mnt));
	return 0;
}

int ps__os_readlink(int linkfd, int parent, const char *name, char *buf,
    size_t size)
{
	(void)linkfd;
	return PS__SYS(readlinkat(parent, name, buf, size));
}

int ps__os_magic_link(int linkfd, const char *name)
{
	(void)linkfd, (void)name;
	return 0;
}
