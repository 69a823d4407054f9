/* SPDX-License-Identifier: MIT */
/*
 * ps_flink: give an open file a (new) name.  Routes: linkat-empty-path;
 * on ENOENT (no CAP_DAC_READ_SEARCH before Linux 6.10) linkat-proc; copy,
 * when asked and the kernel refuses the link.  Every route but a plain
 * linkat-empty-path makes the file under a random hidden name in the
 * pinned parent first and then places it there, so that the name appears
 * complete or not at all and nothing is ever removed by a second lookup.
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
	/* O_PATH, O_WRONLY, and access mode 3, which reads nothing. */
	if ((fl & O_PATH) || ((fl & O_ACCMODE) != O_RDONLY &&
	    (fl & O_ACCMODE) != O_RDWR))
		return ps__reopen(fd, st, O_RDONLY);
	return fd;
}

/* Copies fd's bytes into a new file hidden (in pfd), made O_EXCL with no
 * permissions until its attributes are set. */
static int copy_as(int fd, int pfd, const char *hidden, int how, int err)
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
	r = dst = PS__SYS(openat(pfd, hidden,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0));
	if (dst >= 0) {
		r = ps__copy_fd(src, dst, &c);
		if (r == 0)
			r = ps__copy_attrs(src, dst, &st);
		if (r == 0 && (how & PS__NAME_SYNC))
			r = PS__SYS(fsync(dst));
		if (r < 0 && fstat(dst, &dst_st) == 0)
			ps__unlink_if(pfd, hidden, &dst_st);
		close(dst);
	}
	if (src != fd)
		close(src);
	if (r < 0)
		return r;
	ps__set_route("copy");
	return PS_COPIED;
}

/* A link through the OS's fd namespace, checked to have linked fd's
 * inode; a wrong one is removed as exactly the inode that was found. */
static int link_fdpath(int fd, int pfd, const char *hidden)
{
	struct stat st, lst;
	int r = PS__SYS(fstat(fd, &st));

	if (r == 0)
		r = ps__os_link_fdpath(fd, pfd, hidden);
	if (r == PS__ENOROUTE)
		return -EOPNOTSUPP;
	if (r == 0)
		r = PS__SYS(fstatat(pfd, hidden, &lst, AT_SYMLINK_NOFOLLOW));
	if (r == 0 && !ps__same_inode(&st, &lst)) {
		ps__unlink_if(pfd, hidden, &lst);
		r = PS__EVERIFY;
	}
	return r;
}

/* hidden := fd's inode, given empty, linkat-empty-path's answer for it. */
static int link_or_copy(int fd, int pfd, const char *hidden, int how,
    int empty)
{
	int r = empty;

	if (r == -ENOENT || r == PS__ENOROUTE)
		r = link_fdpath(fd, pfd, hidden);
	if ((how & PS__NAME_COPY) && link_refused(r))
		r = copy_as(fd, pfd, hidden, how, r);
	return r;
}

static int name_hidden(int fd, int pfd, char hidden[PS__HIDDEN_SIZE],
    int how, int empty)
{
	int r = -EEXIST, tried = empty != -EEXIST;

	/* Only a collision of 64 random bits retries. */
	for (int i = 0; i < 4 && r == -EEXIST; i++) {
		ps__hidden_name(hidden, PS__HIDDEN_PREFIX);
		if (!tried)
			empty = ps__os_link_empty_path(fd, pfd, hidden);
		r = empty == 0 ? 0 : link_or_copy(fd, pfd, hidden, how, empty);
	}
	return r;
}

int ps__place(int pfd, const char *from, const char *to, int replace,
    const char **route)
{
	int r;

	*route = "rename";
	if (replace)
		return PS__SYS(renameat(pfd, from, pfd, to));
	r = ps__os_rename_noreplace(pfd, from, to);
	if (r != PS__ENOROUTE)
		return r;
	/* The link fails if to exists: atomic for the target name. */
	*route = "link-unlink";
	r = PS__SYS(linkat(pfd, from, pfd, to, 0));
	if (r == -EPERM || r == -EMLINK)
		return -EOPNOTSUPP;
	if (r == 0)
		unlinkat(pfd, from, 0);
	return r;
}

int ps__give_name(int fd, int pfd, const char *base, int how,
    char kept[PS__HIDDEN_SIZE])
{
	char hidden[PS__HIDDEN_SIZE];
	const char *route;
	int r = -EEXIST, m;

	/* The one route that needs no hidden name: the kernel's own link,
	 * which fails rather than replace. */
	if (!(how & PS__NAME_REPLACE)) {
		r = ps__os_link_empty_path(fd, pfd, base);
		if (r == 0 || !(r == -ENOENT || r == PS__ENOROUTE ||
		    ((how & PS__NAME_COPY) && link_refused(r))))
			return r;
	}
	r = name_hidden(fd, pfd, hidden, how, r);
	if (r < 0)
		return r;
	m = ps__place(pfd, hidden, base, how & PS__NAME_REPLACE, &route);
	/* When both names already were one inode, rename does nothing and
	 * the hidden name would survive. */
	if (m < 0 && r == 0 && kept)
		memcpy(kept, hidden, PS__HIDDEN_SIZE);
	else if (m < 0 || (r == 0 && (how & PS__NAME_REPLACE) &&
	    !(how & PS__NAME_TMPFILE)))
		unlinkat(pfd, hidden, 0);
	return m < 0 ? m : r;
}

int ps_flink(int fd, int dirfd, const char *name, unsigned flags)
{
	struct ps__parent p;
	int r = 0;

	if (flags & ~(PS_REPLACE | PS_COPY_FALLBACK | PS__RESOLVE_FLAGS))
		r = -EINVAL;
	/* Checked here, so an LSM refusing links cannot answer first. */
	else if (fd < 0 || (dirfd < 0 && dirfd != AT_FDCWD))
		r = -EBADF;
	if (r == 0)
		r = ps__resolve_parent(dirfd, name, flags & PS__RESOLVE_FLAGS,
		    &p);
	if (r < 0)
		return ps__ret(r);
	if (!strcmp(p.base, "."))
		r = -EINVAL;
	/* A file is never given a directory's name. */
	else if (p.must_dir)
		r = -ENOTDIR;
	else
		r = ps__give_name(fd, p.fd, p.base,
		    (flags & PS_REPLACE ? PS__NAME_REPLACE : 0) |
		    (flags & PS_COPY_FALLBACK ? PS__NAME_COPY : 0), NULL);
	ps__parent_close(&p);
	return ps__ret(r);
}
