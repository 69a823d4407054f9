/* SPDX-License-Identifier: MIT */
/*
 * The /proc/self/fd routes: link (linkat-proc), chmod (proc-chmod), reopen
 * (proc-reopen) and the name of an fd.  /proc has been used to escape
 * containers (CVE-2019-5736, CVE-2025-52881), so every call checks that it
 * reached procfs and, through the magic link, the inode open on fd; a
 * check that fails is an error, never a reason to try a weaker route.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"

/* From <linux/magic.h>, which musl's toolchain does not ship. */
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

int ps__linux_proc_fd_dir(int fd, char ent[PS__FDNAME_SIZE])
{
	struct statfs sfs;
	int dfd;

	dfd = PS__SYS(openat(AT_FDCWD, "/proc/self/fd",
	    O_PATH | O_DIRECTORY | O_CLOEXEC));
	switch (dfd) {
	case -ENOENT:	/* no /proc mounted, as in many sandboxes */
	case -EACCES:	/* hidepid or an LSM hides it */
	case -ENOTDIR:	/* something else stands at the path */
	case -ELOOP:
		return -EOPNOTSUPP;
	}
	if (dfd < 0)
		return dfd;
	if (fstatfs(dfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(dfd);
		return -EOPNOTSUPP;
	}
	snprintf(ent, PS__FDNAME_SIZE, "%d", fd);
	return dfd;
}

/* Another /proc (or a mount over one entry) shows another inode. */
static int check_entry(int dfd, const char *ent, const struct stat *st)
{
	struct stat pst;
	int r = PS__SYS(fstatat(dfd, ent, &pst, 0));

	if (r == 0 && !ps__same_inode(st, &pst))
		r = PS__EVERIFY;
	return r;
}

int ps__os_link_fdpath(int fd, int dirfd, const char *name)
{
	char ent[PS__FDNAME_SIZE];
	struct stat st, lst;
	int dfd, r;

	r = PS__SYS(fstat(fd, &st));
	if (r < 0)
		return r;
	dfd = ps__linux_proc_fd_dir(fd, ent);
	if (dfd < 0)
		return dfd;
	r = check_entry(dfd, ent, &st);
	if (r == 0)
		r = PS__SYS(linkat(dfd, ent, dirfd, name, AT_SYMLINK_FOLLOW));
	close(dfd);
	if (r == 0)
		r = PS__SYS(fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW));
	if (r == 0 && !ps__same_inode(&st, &lst)) {
		/* Remove exactly the wrong link made here, nothing else. */
		ps__unlink_if(dirfd, name, &lst);
		r = PS__EVERIFY;
	}
	if (r == 0)
		ps__set_route("linkat-proc");
	return r;
}

int ps__os_fchmod_fd(int fd, const struct stat *st, mode_t mode)
{
	char ent[PS__FDNAME_SIZE];
	int dfd, r;

	dfd = ps__linux_proc_fd_dir(fd, ent);
	if (dfd < 0)
		return dfd;
	r = check_entry(dfd, ent, st);
	if (r == 0)
		r = PS__SYS(fchmodat(dfd, ent, mode, 0));
	close(dfd);
	if (r == 0)
		ps__set_route("proc-chmod");
	return r;
}

int ps__os_reopen(int fd, const struct stat *st, int oflags)
{
	char ent[PS__FDNAME_SIZE];
	int dfd, nfd;

	dfd = ps__linux_proc_fd_dir(fd, ent);
	if (dfd < 0)
		return dfd;
	/* Checked before the open too: an open of another file can have
	 * effects of its own (a device), or block (a FIFO). */
	nfd = check_entry(dfd, ent, st);
	/* fd is no symlink, and O_NOFOLLOW would refuse the magic link. */
	if (nfd == 0)
		nfd = PS__SYS(openat(dfd, ent,
		    (oflags & ~O_NOFOLLOW) | O_CLOEXEC));
	close(dfd);
	if (nfd >= 0)
		ps__set_route("proc-reopen");
	return nfd;
}

int ps__os_fd_path(int fd, char *buf, size_t size)
{
	char ent[PS__FDNAME_SIZE];
	struct stat st;
	int dfd, len;

	len = PS__SYS(fstat(fd, &st));
	if (len < 0)
		return len;
	dfd = ps__linux_proc_fd_dir(fd, ent);
	if (dfd < 0)
		return dfd;
	/* Another process's fd directory names its files, not ours. */
	len = check_entry(dfd, ent, &st);
	if (len == 0)
		len = PS__SYS(readlinkat(dfd, ent, buf, size));
	close(dfd);
	if (len < 0)
		return len;
	if ((size_t)len >= size)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	/* Sockets, pipes and anonymous inodes have no path to remove. */
	if (buf[0] != '/')
		return -ENOENT;
	return 0;
}

int ps__linux_filtered(long nr, long a, long b, long c, long d, long e)
{
	return syscall(nr, a, b, c, d, e) < 0 && errno == EPERM;
}
