/* SPDX-License-Identifier: MIT */
/*
 * ps_flink: give an open file a (new) name.  Routes: linkat-empty-path;
 * on ENOENT (no CAP_DAC_READ_SEARCH before Linux 6.10) linkat-proc; copy,
 * when asked and the kernel refuses the link.  PS_REPLACE names a random
 * hidden name first, then renames it over the target.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The answers of a kernel that will not link this file here. */
static int link_refused(int r)
{
	switch (r) {
	case -EPERM:		/* an LSM, or a filesystem without links */
	case -EACCES:
	case -EMLINK:
	case -EXDEV:
	case -ENOENT:		/* a deleted file that is not O_TMPFILE */
	case -EOPNOTSUPP:	/* no route left that can link it */
		return 1;
	}
	return 0;
}

/* A readable description of fd: fd itself, or a reopened one. */
static int readable(int fd, const struct stat *st)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if ((fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY)
		return ps__reopen(fd, st, O_RDONLY);
	return fd;
}

static int copy_as(int fd, int dirfd, const char *name, int how, int err)
{
	struct ps__copy c = { .keep_holes = !!(how & PS__NAME_TMPFILE) };
	struct stat st, dst_st;
	int src, dst, r;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* Directories and special files are never copied. */
	if (!S_ISREG(st.st_mode))
		return err;
	src = readable(fd, &st);
	/* Out of descriptors or memory the copy was never tried: say so,
	 * not the refusal it would have worked around. */
	if (src == -EMFILE || src == -ENFILE || src == -ENOMEM)
		return src;
	if (src < 0)
		return err;
	/* A reopened description's offset is ours to move. */
	c.keep_holes |= src != fd;
	r = dst = PS__SYS(openat(dirfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0));
	if (dst >= 0) {
		/* The same mode, whatever the umask. */
		r = PS__SYS(fchmod(dst, st.st_mode & 07777));
		if (r == 0)
			r = ps__copy_fd(src, dst, &c);
		if (r == 0 && (how & PS__NAME_SYNC))
			r = PS__SYS(fsync(dst));
		if (r < 0 && fstat(dst, &dst_st) == 0)
			ps__unlink_if(dirfd, name, &dst_st);
		close(dst);
	}
	if (src != fd)
		close(src);
	if (r < 0)
		return r;
	ps__set_route("copy");
	return PS_COPIED;
}

static int name_once(int fd, int dirfd, const char *name, int how)
{
	int r = ps__os_link_empty_path(fd, dirfd, name);

	if (r == -ENOENT || r == PS__ENOROUTE) {
		r = ps__os_link_fdpath(fd, dirfd, name);
		if (r == PS__ENOROUTE)
			r = -EOPNOTSUPP;
	}
	if ((how & PS__NAME_COPY) && link_refused(r))
		r = copy_as(fd, dirfd, name, how, r);
	return r;
}

int ps__give_name(int fd, int dirfd, const char *name, int how,
    char kept[PS__HIDDEN_SIZE])
{
	char hidden[PS__HIDDEN_SIZE];
	const char *base;
	int pd, r, m;

	if (!(how & PS__NAME_REPLACE))
		return name_once(fd, dirfd, name, how);
	r = ps__open_parent(dirfd, name, &pd, &base);
	if (r < 0)
		return r;
	/* Only a collision of 64 random bits retries. */
	r = -EEXIST;
	for (int i = 0; i < 4 && r == -EEXIST; i++) {
		ps__hidden_name(hidden, PS__HIDDEN_PREFIX);
		r = name_once(fd, pd, hidden, how);
	}
	if (r >= 0) {
		m = PS__SYS(renameat(pd, hidden, pd, base));
		/* When both names already were one inode, rename does nothing
		 * and the hidden name would survive. */
		if (m < 0 && r == 0 && kept)
			memcpy(kept, hidden, PS__HIDDEN_SIZE);
		else if (m < 0 || (r == 0 && !(how & PS__NAME_TMPFILE)))
			unlinkat(pd, hidden, 0);
		if (m < 0)
			r = m;
	}
	ps__close_parent(pd, dirfd);
	return r;
}

int ps_flink(int fd, int dirfd, const char *name, unsigned flags)
{
	int r = ps__check_name(name, 0);

	if (flags & ~(PS_REPLACE | PS_COPY_FALLBACK))
		r = -EINVAL;
	/* Checked here, so an LSM refusing links cannot answer first. */
	else if (r == 0 && (fd < 0 || (dirfd < 0 && dirfd != AT_FDCWD)))
		r = -EBADF;
	if (r == 0)
		r = ps__give_name(fd, dirfd, name,
		    (flags & PS_REPLACE ? PS__NAME_REPLACE : 0) |
		    (flags & PS_COPY_FALLBACK ? PS__NAME_COPY : 0), NULL);
	return ps__ret(r);
}
