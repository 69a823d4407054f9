/* SPDX-License-Identifier: MIT */
/*
 * What the resolution step needs of FreeBSD: O_RESOLVE_BENEATH (13.0)
 * serves PS_BENEATH alone; the other flags take the userspace walk.  A
 * mount is told by its filesystem id.  FreeBSD has no magic links, but it
 * has their effect: opening devfs's fd/0-2 or a node of fdescfs gives a
 * duplicate of the caller's own descriptor, wherever its file is.  Both
 * routes refuse them (ps__freebsd_fd_node).
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
 * The nodes whose open yields some other file (FreeBSD's counterpart of
 * Linux's magic links): is the file open on fd (st: its fstat) one?
 *  - fdescfs's fd/N, a character device, or a symlink when mounted
 *    linrdlnk (fdesc_getattr): fdesc_open sets td_dupfd to N and fails
 *    with ENODEV (fs/fdescfs/fdesc_vnops.c); its root, the one
 *    directory, opens as itself;
 *  - devfs's fd/0-2: their d_open, fdopen (kern/kern_descrip.c), does
 *    the same.
 * kern_openat (kern/vfs_syscalls.c) answers that ENODEV with dupfdopen:
 * the new descriptor is a duplicate of the caller's own descriptor N,
 * whatever file that is, unless the lookup was strictly relative
 * (NIRES_STRICTREL), which only capability mode (namei_setup,
 * kern/vfs_lookup.c) or a dirfd with limited rights (fgetvp_lookup,
 * kern/kern_descrip.c) makes it; O_RESOLVE_BENEATH does not.
 * fdesc_setattr forwards a chmod the same way.  Only VOP_OPEN does it: an
 * O_PATH open returns before it, and an O_DIRECTORY one refuses a
 * non-directory before it (vn_open_vnode, kern/vfs_vnops.c).
 */
int ps__freebsd_fd_node(int fd, const struct stat *st)
{
	char name[SPECNAMELEN + 1];
	struct statfs sfs;

	if (!S_ISCHR(st->st_mode) && !S_ISLNK(st->st_mode))
		return 0;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (!strcmp(sfs.f_fstypename, "fdescfs"))
		return 1;
	return S_ISCHR(st->st_mode) && !strcmp(sfs.f_fstypename, "devfs") &&
	    devname_r(st->st_rdev, S_IFCHR, name, sizeof(name)) &&
	    !strncmp(name, "fd/", 3);
}

/* openat under how (O_RESOLVE_BENEATH or 0).  FreeBSD says ENOTCAPABLE
 * where Linux says EXDEV: an absolute path or symlink, or a ".." above
 * dirfd (open(2), namei_setup and nameicap_check_dotdot in
 * kern/vfs_lookup.c). */
static int open_how(int dirfd, const char *path, int oflags, mode_t mode,
    int how)
{
	int r = PS__SYS(openat(dirfd, path, oflags | how | O_CLOEXEC, mode));

	return r == -ENOTCAPABLE ? -EXDEV : r;
}

/*
 * Opens path under how as openat would, except a node whose open yields
 * some other file: the name is opened O_PATH, which calls no VOP_OPEN,
 * checked, refused with EXDEV if it is one (as openat2 refuses magic
 * links), and only then opened for real through that descriptor
 * (O_EMPTY_PATH opens its vnode: no second lookup).  A name to be created
 * is created O_EXCL: a new file is a regular file.  A symlink (with
 * O_NOFOLLOW) answers ELOOP as on Linux, where FreeBSD's open says EMLINK
 * (vn_open_vnode).  PS__ENOROUTE: the name was missing twice while being
 * created (removed meanwhile, or a dangling symlink to create through).
 */
static int open_checked(int dirfd, const char *path, int oflags,
    mode_t mode, int how)
{
	int pfd, fd, created = 0;
	struct stat st;

	for (;;) {
		pfd = open_how(dirfd, path,
		    O_PATH | (oflags & (O_NOFOLLOW | O_DIRECTORY)), 0, how);
		if (pfd != -ENOENT || !(oflags & O_CREAT))
			break;
		if (created++)
			return PS__ENOROUTE;
		fd = open_how(dirfd, path, oflags | O_EXCL, mode, how);
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
	else if (fd == 0 && S_ISLNK(st.st_mode))
		fd = -ELOOP;
	else if (fd == 0 && (oflags & O_CREAT) && S_ISDIR(st.st_mode) &&
	    !(oflags & O_DIRECTORY))
		fd = -EISDIR;
	if (fd == 0 && (fd = ps__freebsd_fd_node(pfd, &st)) > 0)
		fd = -EXDEV;
	if (fd == 0)
		fd = PS__SYS(openat(pfd, "", O_EMPTY_PATH | O_CLOEXEC |
		    (oflags & ~(O_CREAT | O_EXCL | O_NOFOLLOW))));
	close(pfd);
	return fd;
}

/* O_RESOLVE_BENEATH for PS_BENEATH alone; a dangling symlink to create
 * through is left to the walk, which follows its text. */
int ps__os_openat2(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	if (rflags != PS_BENEATH)
		return PS__ENOROUTE;
	if (oflags & O_PATH)
		return open_how(dirfd, path, oflags, 0, O_RESOLVE_BENEATH);
	return open_checked(dirfd, path, oflags, mode, O_RESOLVE_BENEATH);
}

/* The walk's last component.  O_PATH and O_DIRECTORY opens reach no
 * VOP_OPEN of an fd/N node (see ps__freebsd_fd_node): one openat. */
int ps__os_open_name(int dirfd, const char *name, int oflags, mode_t mode)
{
	int r;

	if (oflags & (O_PATH | O_DIRECTORY)) {
		r = open_how(dirfd, name, oflags | O_NOFOLLOW, mode, 0);
		/* A symlink: EMLINK (vn_open_vnode), where Linux says
		 * ENOTDIR to O_DIRECTORY and ELOOP otherwise. */
		if (r == -EMLINK)
			r = oflags & O_DIRECTORY ? -ENOTDIR : -ELOOP;
		return r;
	}
	r = open_checked(dirfd, name, oflags | O_NOFOLLOW, mode, 0);
	/* O_NOFOLLOW opens a dangling symlink itself: missing twice is a
	 * name created and removed meanwhile, and the walk starts again. */
	return r == PS__ENOROUTE ? -EAGAIN : r;
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

/* FreeBSD's symlinks are followed by their text, but fdescfs mounted
 * linrdlnk makes its fd/N nodes symlinks (fdesc_readlink gives the path
 * of the caller's descriptor N): refused as Linux's /proc/self/fd/N are.
 * A node that cannot be checked is refused too. */
int ps__os_magic_link(int linkfd, const char *name)
{
	struct stat st;

	(void)name;
	return fstat(linkfd, &st) < 0 || ps__freebsd_fd_node(linkfd, &st);
}
