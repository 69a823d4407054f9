/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD's own fd-based calls: funlinkat (funlinkat, 13.0), fchmodat
 * AT_SYMLINK_NOFOLLOW (fchmodat), openat O_EMPTY_PATH (o-empty-path),
 * linkat AT_EMPTY_PATH (linkat-empty-path, root only), F_KINFO for the
 * name of an fd and renameat2 AT_RENAME_NOREPLACE where both the headers
 * and the kernel have it (15.x).  No /proc/self/fd and no O_TMPFILE.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysctl.h>
#include <sys/user.h>
#include <unistd.h>

#include "freebsd.h"

/*
 * A syscall the kernel lacks is not ENOSYS here but SIGSYS, so calls that
 * an old kernel may lack ask for its version first.  kern.osreldate is
 * read rather than getosreldate(3), which believes $OSVERSION, and ports
 * builds set that to a release newer than the kernel they run on.
 */
int ps__freebsd_osrel(void)
{
	static atomic_int osrel;
	int v = atomic_load_explicit(&osrel, memory_order_relaxed);
	size_t len = sizeof(v);

	if (v != 0)
		return v;
	if (sysctlbyname("kern.osreldate", &v, &len, NULL, 0) < 0)
		v = -1;
	atomic_store_explicit(&osrel, v, memory_order_relaxed);
	return v;
}

int ps__os_link_empty_path(int fd, int dirfd, const char *name)
{
	int r = PS__SYS(linkat(fd, "", dirfd, name, AT_EMPTY_PATH));

	/* Without PRIV_VFS_FHOPEN (root) the answer is EPERM, a refusal the
	 * copy fallback takes.  EINVAL: a kernel older than the flag. */
	if (r == -EINVAL)
		return PS__ENOROUTE;
	if (r == 0)
		ps__set_route("linkat-empty-path");
	return r;
}

int ps__os_link_fdpath(int fd, int dirfd, const char *name)
{
	(void)fd, (void)dirfd, (void)name;
	return PS__ENOROUTE;
}

/*
 * renameat2 is new (main commit 28599a1e5f1b, manual page March 2026); the
 * headers that declare it define AT_RENAME_NOREPLACE.  The version that
 * first has it is not pinned here, so a kernel is trusted with it only on
 * the branch of the headers this was built with, at their version or
 * later.
 */
#ifdef AT_RENAME_NOREPLACE
#include <sys/param.h>
#define RENAMEAT2_SINCE __FreeBSD_version

static int renameat2_noreplace(int dirfd, const char *from, const char *to)
{
	return PS__SYS(renameat2(dirfd, from, dirfd, to, AT_RENAME_NOREPLACE));
}
#else
#define RENAMEAT2_SINCE 0	/* these headers have no renameat2 */

static int renameat2_noreplace(int dirfd, const char *from, const char *to)
{
	(void)dirfd, (void)from, (void)to;
	return PS__ENOROUTE;
}
#endif

int ps__os_rename_noreplace(int dirfd, const char *from, const char *to)
{
	int v = ps__freebsd_osrel(), r;

	if (!RENAMEAT2_SINCE || v < RENAMEAT2_SINCE ||
	    v / 100000 != RENAMEAT2_SINCE / 100000)
		return PS__ENOROUTE;
	r = renameat2_noreplace(dirfd, from, to);
	/* A filesystem without the flag; others may have it. */
	if (r == -EOPNOTSUPP || r == -EINVAL)
		return PS__ENOROUTE;
	return r;
}

/*
 * funlinkat checks the type of what it found before the descriptor: a
 * name that is now of the other type gives EPERM (unlink of a directory)
 * or ENOTDIR (rmdir of a file) where it is just not the file open on fd.
 */
static int other_file(int dirfd, const char *name, int fd, int r)
{
	struct stat a, b;

	if (fstat(fd, &a) == 0 &&
	    fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !ps__same_inode(&a, &b))
		return -EDEADLK;
	return r;
}

int ps__os_funlinkat(int dirfd, const char *name, int fd, int isdir)
{
	int r;

	if (ps__freebsd_osrel() < PS__FREEBSD_MIN)
		return PS__ENOROUTE;
	r = PS__SYS(funlinkat(dirfd, name, fd, isdir ? AT_REMOVEDIR : 0));
	if (r == (isdir ? -ENOTDIR : -EPERM))
		r = other_file(dirfd, name, fd, r);
	if (r == 0)
		ps__set_route("funlinkat");
	return r;
}

int ps__os_fd_path(int fd, char *buf, size_t size)
{
	struct kinfo_file kf;
	size_t len;

	kf.kf_structsize = sizeof(kf);
	if (fcntl(fd, F_KINFO, &kf) < 0)
		/* EINVAL: a kernel without F_KINFO. */
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	len = strnlen(kf.kf_path, sizeof(kf.kf_path));
	if (len >= size)
		return -ENAMETOOLONG;
	/* Sockets and pipes have no name; a vnode whose name the kernel no
	 * longer knows has none to give either. */
	if (kf.kf_path[0] != '/')
		return -ENOENT;
	memcpy(buf, kf.kf_path, len + 1);
	return 0;
}

int ps__os_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    int empty)
{
	/* Unlike Linux, FreeBSD changes a symlink's own mode. */
	int r = PS__SYS(fchmodat(dirfd, path, mode,
	    AT_SYMLINK_NOFOLLOW | (empty ? AT_EMPTY_PATH : 0)));

	if (r == 0)
		ps__set_route("fchmodat");
	return r;
}

/* Never reached: fchmodat above is always there. */
int ps__os_fchmod_fd(int fd, const struct stat *st, mode_t mode)
{
	(void)fd, (void)st, (void)mode;
	return PS__ENOROUTE;
}

int ps__os_reopen(int fd, const struct stat *st, int oflags)
{
	int nfd;

	(void)st;
	/* The kernel opens fd's own vnode: no name is looked up. */
	nfd = PS__SYS(openat(fd, "", O_EMPTY_PATH | oflags | O_CLOEXEC));
	/* A kernel without O_EMPTY_PATH looks up "" and finds nothing. */
	if (nfd == -ENOENT)
		return PS__ENOROUTE;
	if (nfd >= 0)
		ps__set_route("o-empty-path");
	return nfd;
}

/* No O_TMPFILE: the portable hidden named file serves. */
int ps__os_tmpfile(int dirfd, mode_t mode)
{
	(void)dirfd, (void)mode;
	return PS__ENOROUTE;
}
