/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD's own fd-based calls: funlinkat (funlinkat, 13.0; the library
 * needs 13.1 for O_PATH), fchmodat AT_SYMLINK_NOFOLLOW (fchmodat), openat
 * O_EMPTY_PATH (o-empty-path), linkat AT_EMPTY_PATH (linkat-empty-path,
 * root outside a jail), F_KINFO (13.1) for the name of an fd and renameat2
 * AT_RENAME_NOREPLACE (16.0) where the headers declare it.  No
 * /proc/self/fd and no O_TMPFILE.  Kernel functions cited are those of
 * freebsd-src's sys/kern.
 */
/* sys/user.h starts with machine/pcb.h, which needs these types. */
#include <sys/types.h>
#include <sys/sysctl.h>
#include <sys/user.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "freebsd.h"

/*
 * The running kernel's __FreeBSD_version, as a hint only: kern.osreldate
 * is the jail's value (jail(8) osreldate), which the jail's creator may
 * set to anything.  A call older than the library's minimum (13.1) is
 * trusted to exist; a newer one is tried only where the hint allows it,
 * and then with SIGSYS blocked (see probe_begin).  getosreldate(3) is not
 * used: it believes $OSVERSION, which ports builds set to a newer release.
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

	/* kern_linkat asks PRIV_VFS_FHOPEN for an AT_EMPTY_PATH source:
	 * root has it outside a jail; prison_priv_check (kern_jail.c) denies
	 * it to jailed root.  Without it EPERM, a refusal the copy fallback
	 * takes.  EINVAL: a kernel older than the flag. */
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
 * renameat2 appeared in FreeBSD 16.0 (rename(2) HISTORY); the headers that
 * declare it define AT_RENAME_NOREPLACE, so a library built with 13.x or
 * 14.x headers never calls it and publishes by link-unlink.
 */
#ifdef AT_RENAME_NOREPLACE
#define RENAMEAT2_SINCE 1600000
PS__MISSING_FLAG renameat2_missing;

/*
 * A syscall the kernel lacks is answered by nosys() (kern_sig.c), which
 * sends SIGSYS to the calling thread and returns ENOSYS; SIGSYS kills by
 * default.  Blocked in this thread only (the process's dispositions are
 * not touched), the signal stays pending to the thread, and probe_end
 * takes it with sigtimedwait before the mask is restored.  A SIGSYS that
 * was already pending is not ours to take: then no probe is made.
 */
static int probe_begin(sigset_t *old)
{
	sigset_t sys, pending;

	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (pthread_sigmask(SIG_BLOCK, &sys, old) != 0)
		return -1;
	if (sigpending(&pending) == 0 && !sigismember(&pending, SIGSYS))
		return 0;
	pthread_sigmask(SIG_SETMASK, old, NULL);
	return -1;
}

static void probe_end(const sigset_t *old, int r)
{
	static const struct timespec now = { 0, 0 };
	sigset_t sys;
	int s;

	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (r == -ENOSYS)
		while ((s = sigtimedwait(&sys, NULL, &now)) == SIGSYS ||
		    (s < 0 && errno == EINTR))
			;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int ps__os_rename_noreplace(int dirfd, const char *from, const char *to)
{
	sigset_t old;
	int r;

	/* Below 16.0 by the hint, not tried: a jail claiming less costs
	 * only the route.  From 16.0 on, since a jail may claim more than
	 * the kernel has, the call is a probe with SIGSYS blocked. */
	if (PS__MISSING(renameat2_missing) ||
	    ps__freebsd_osrel() < RENAMEAT2_SINCE || probe_begin(&old) < 0)
		return PS__ENOROUTE;
	r = PS__SYS(renameat2(dirfd, from, dirfd, to, AT_RENAME_NOREPLACE));
	probe_end(&old, r);
	if (r == -ENOSYS)
		PS__SET_MISSING(renameat2_missing);
	/* EOPNOTSUPP (or EINVAL): a filesystem without the flag, which
	 * others may have.  There, racing a creator of the name, EEXIST
	 * may come instead (rename(2) CAVEATS): the name exists. */
	if (r == -ENOSYS || r == -EOPNOTSUPP || r == -EINVAL)
		return PS__ENOROUTE;
	return r;
}
#else
int ps__os_rename_noreplace(int dirfd, const char *from, const char *to)
{
	(void)dirfd, (void)from, (void)to;
	return PS__ENOROUTE;
}
#endif

/*
 * kern_funlinkat and kern_frmdirat (vfs_syscalls.c) check the type of
 * what they found before the descriptor: a name that is now of the other
 * type gives EPERM (unlink of a directory) or ENOTDIR (rmdir of a file),
 * and a mount's root EBUSY, where it is just not the file open on fd.
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

/*
 * kern_frmdirat looks fd up with getvnode(), which refuses an O_PATH
 * descriptor with EBADF (kern_funlinkat's getvnode_path accepts one).
 * O_EMPTY_PATH opens the descriptor's own vnode, no name looked up
 * (namei_emptypath, vfs_lookup.c), and O_SEARCH asks only for search
 * permission on it (vn_open_vnode, vfs_vnops.c): a caller that may not
 * search the directory gets EACCES.  A vnode gone (forced unmount,
 * revoke) answers ENOENT there; kern_frmdirat says EBADF for it.
 */
static int removable_dir(int fd)
{
	int fl = fcntl(fd, F_GETFL), r;

	if (fl < 0)
		return -errno;
	if (!(fl & O_PATH))
		return fd;
	r = PS__SYS(openat(fd, "",
	    O_EMPTY_PATH | O_SEARCH | O_DIRECTORY | O_CLOEXEC));
	return r == -ENOENT ? -EBADF : r;
}

int ps__os_funlinkat(int dirfd, const char *name, int fd, int isdir)
{
	int r, dfd = fd;

	if (ps__freebsd_osrel() < PS__FREEBSD_MIN)
		return PS__ENOROUTE;
	if (isdir && (dfd = removable_dir(fd)) < 0)
		return dfd;
	r = PS__SYS(funlinkat(dirfd, name, dfd, isdir ? AT_REMOVEDIR : 0));
	if (r == (isdir ? -ENOTDIR : -EPERM) || (isdir && r == -EBUSY))
		r = other_file(dirfd, name, dfd, r);
	if (dfd != fd)
		close(dfd);
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
		/* EINVAL: a kernel without F_KINFO (before 13.1). */
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

/* 0 for a file that stands for itself, EXDEV for an fd/N node (see
 * ps__freebsd_fd_node), or -errno.  AT_FDCWD's is the current
 * directory, never one. */
static int not_fd_node(int fd)
{
	struct stat st;
	int r;

	if (fd == AT_FDCWD)
		return 0;
	r = PS__SYS(fstat(fd, &st));
	if (r == 0)
		r = ps__freebsd_fd_node(fd, &st);
	return r > 0 ? -EXDEV : r;
}

int ps__os_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    int empty)
{
	/* Unlike Linux, FreeBSD changes a symlink's own mode: kern_fchmodat
	 * looks the name up NOFOLLOW and calls setfmode on what it found
	 * (vfs_syscalls.c).  AT_EMPTY_PATH takes dirfd's own vnode, an
	 * O_PATH one too.  An fd/N node would pass the chmod on to the
	 * caller's descriptor N (fdesc_setattr, fs/fdescfs/fdesc_vnops.c):
	 * the name is pinned O_PATH and checked first, and the mode set on
	 * that very vnode. */
	int fd = empty ? dirfd : PS__SYS(openat(dirfd, path,
	    O_PATH | O_NOFOLLOW | O_CLOEXEC));
	int r = !empty && fd < 0 ? fd : not_fd_node(fd);

	if (r == 0)
		r = PS__SYS(fchmodat(fd, "", mode,
		    AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
	if (!empty && fd >= 0)
		close(fd);
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

	if (ps__freebsd_osrel() < PS__FREEBSD_MIN)
		return PS__ENOROUTE;
	/* The kernel opens fd's own vnode: no name is looked up, and the
	 * access asked for is checked against the file's permissions now
	 * (vn_open_vnode, vfs_vnops.c), not against fd's.  Every
	 * supported kernel (13.1+) has O_EMPTY_PATH, so ENOENT is not an
	 * old kernel looking up "" but fd's vnode gone (namei_emptypath,
	 * vfs_lookup.c: VN_IS_DOOMED), and is the answer.  An fd/N node's
	 * open would give a duplicate of the caller's descriptor N instead
	 * (see ps__freebsd_fd_node): EXDEV. */
	nfd = ps__freebsd_fd_node(fd, st);
	if (nfd > 0)
		return -EXDEV;
	if (nfd == 0)
		nfd = PS__SYS(openat(fd, "", O_EMPTY_PATH | oflags |
		    O_CLOEXEC));
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
