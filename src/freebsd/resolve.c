/* SPDX-License-Identifier: MIT */
/*
 * What the resolution step needs of FreeBSD: O_RESOLVE_BENEATH (13.0)
 * serves PS_BENEATH alone; the other flags take the userspace walk.  A
 * mount is told by its filesystem id.  FreeBSD has no magic links, but it
 * has their effect: opening devfs's fd/0-2 or a node of fdescfs gives a
 * duplicate of the caller's own descriptor, wherever its file is.
 * Kernel functions cited are those of freebsd-src's sys/.
 */
#include <sys/param.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "freebsd.h"

/*
 * Does opening the file open on fd (O_PATH) duplicate one of the caller's
 * descriptors?  devfs's fd/N: fdopen (kern/kern_descrip.c) sets
 * td_dupfd; fdescfs's nodes, character devices unless mounted linrdlnk:
 * fdesc_open (fs/fdescfs/fdesc_vnops.c) does the same; kern_openat then
 * dups descriptor N unless the lookup was strictly relative, which only
 * capability mode makes it (NIRES_STRICTREL: O_RESOLVE_BENEATH sets
 * NI_LCF_STRICTREL alone, namei_setup in kern/vfs_lookup.c).
 */
static int dups_on_open(int fd, const struct stat *st)
{
	char name[SPECNAMELEN + 1];
	struct statfs sfs;

	if (!S_ISCHR(st->st_mode))
		return 0;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (!strcmp(sfs.f_fstypename, "fdescfs"))
		return 1;
	return !strcmp(sfs.f_fstypename, "devfs") &&
	    devname_r(st->st_rdev, S_IFCHR, name, sizeof(name)) &&
	    !strncmp(name, "fd/", 3);
}

static int beneath(int dirfd, const char *path, int oflags, mode_t mode)
{
	int r = PS__SYS(openat(dirfd, path,
	    oflags | O_RESOLVE_BENEATH | O_CLOEXEC, mode));

	/* FreeBSD says ENOTCAPABLE where Linux says EXDEV: an absolute
	 * path or symlink, or a ".." above dirfd (open(2), namei_setup and
	 * nameicap_check_dotdot in kern/vfs_lookup.c). */
	return r == -ENOTCAPABLE ? -EXDEV : r;
}

/*
 * The name is opened O_PATH, which calls no driver's open, checked, and
 * only then opened for real through that descriptor (O_EMPTY_PATH opens
 * its vnode, no second lookup).  A name to be created is created O_EXCL:
 * a new file is a regular file.  The fd/N nodes are refused with EXDEV,
 * as openat2 refuses magic links under RESOLVE_BENEATH.  A dangling
 * symlink to create through is left to the walk, which follows its text.
 */
int ps__os_openat2(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	int pfd, fd, created = 0;
	struct stat st;

	if (rflags != PS_BENEATH)
		return PS__ENOROUTE;
	if (oflags & O_PATH)
		return beneath(dirfd, path, oflags, 0);
	for (;;) {
		pfd = beneath(dirfd, path,
		    O_PATH | (oflags & (O_NOFOLLOW | O_DIRECTORY)), 0);
		if (pfd != -ENOENT || !(oflags & O_CREAT))
			break;
		if (created++)
			return PS__ENOROUTE;
		fd = beneath(dirfd, path, oflags | O_EXCL, mode);
		/* EEXIST: made meanwhile, or a dangling symlink. */
		if (fd != -EEXIST || (oflags & O_EXCL))
			return fd;
	}
	if (pfd < 0)
		return pfd;
	fd = PS__SYS(fstat(pfd, &st));
	/* What open(2) says of an existing name with these flags. */
	if (fd == 0 && (oflags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		fd = -EEXIST;
	else if (fd == 0 && (oflags & O_CREAT) && S_ISDIR(st.st_mode) &&
	    !(oflags & O_DIRECTORY))
		fd = -EISDIR;
	if (fd == 0 && (fd = dups_on_open(pfd, &st)) > 0)
		fd = -EXDEV;
	if (fd == 0)
		fd = PS__SYS(openat(pfd, "", O_EMPTY_PATH | O_CLOEXEC |
		    (oflags & ~(O_CREAT | O_EXCL | O_NOFOLLOW))));
	close(pfd);
	return fd;
}

/*
 * fstat gives the type, inode and st_dev, which is the mount's fsid
 * (vn_stat, kern/vfs_vnops.c).  fstatfs's f_fsid is zeroed for callers
 * without PRIV_VFS_GENERATION (kern_do_statfs, kern/vfs_syscalls.c):
 * then mnt is 0 and st_dev alone decides, which loses nothing here.
 */
int ps__os_ident(int fd, struct ps__ident *id)
{
	struct statfs sfs;
	struct stat st;

	_Static_assert(sizeof(sfs.f_fsid) == sizeof(id->mnt),
	    "fsid_t is not 64 bits");
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
	(void)parent, (void)name;
	/* The very link that was opened, not a second lookup of name:
	 * kern_readlinkat looks its path up with EMPTYPATH, and "" names
	 * the O_PATH descriptor's own vnode (kern/vfs_syscalls.c). */
	return PS__SYS(readlinkat(linkfd, "", buf, size));
}

/* Symlinks are read as text on FreeBSD; the nodes that jump are not
 * symlinks (see dups_on_open). */
int ps__os_magic_link(int linkfd, const char *name)
{
	(void)linkfd, (void)name;
	return 0;
}
