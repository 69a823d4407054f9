/* SPDX-License-Identifier: MIT */
/*
 * The tree walk.  Every name below an operand is reached from its
 * directory's descriptor: sources are opened O_NOFOLLOW, destination
 * directories are created with mkdirat and entered with
 * O_NOFOLLOW|O_DIRECTORY, so a symlink planted in either tree is never
 * followed.  Symlinks and special files are created under their name,
 * or under a hidden name renamed over an existing one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pscp.h"

static int same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is the directory open on fd st's directory or below it? */
static int inside(int fd, const struct stat *st)
{
	struct stat at, up;
	int next, r = 0;

	fd = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0 && fstat(fd, &at) == 0 && !(r = same(&at, st))) {
		next = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
		/* The root is its own parent. */
		if (fd >= 0 && (fstat(fd, &up) < 0 || same(&up, &at)))
			break;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* The destination directory, made (privately, until its contents are
 * in) or merged into as cp does. */
static int open_dir(const struct loc *src, const struct loc *dst,
    const struct stat *st, int *made)
{
	struct stat dst_st;
	int fd;

	*made = 0;
	if (fstatat(dst->dirfd, dst->name, &dst_st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (same(&dst_st, st))
			return fail(0, "'%s' and '%s' are the same file",
			    src->path, dst->path);
		if (!S_ISDIR(dst_st.st_mode))
			return fail(0, "cannot overwrite non-directory '%s' "
			    "with directory '%s'", dst->path, src->path);
	} else if (errno != ENOENT) {
		return fail(errno, "cannot stat '%s'", dst->path);
	} else if (mkdirat(dst->dirfd, dst->name, S_IRWXU) == 0) {
		*made = 1;
	} else if (errno != EEXIST) {
		return fail(errno, "cannot create directory '%s'", dst->path);
	}
	fd = openat(dst->dirfd, dst->name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "cannot open directory '%s'", dst->path);
	if (opt.verbose && *made)
		printf("'%s' -> '%s' [mkdir]\n", src->path, dst->path);
	return fd;
}

static int copy_children(DIR *d, const struct loc *src, int dfd,
    const struct loc *dst)
{
	struct dirent *e;
	int r = 0;

	while ((errno = 0, e = readdir(d))) {
		struct loc s = { dirfd(d), e->d_name, NULL },
		    t = { dfd, e->d_name, NULL };

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		s.path = join(src->path, e->d_name);
		t.path = join(dst->path, e->d_name);
		r |= copy_entry(&s, &t, 0);
		free((char *)s.path);
		free((char *)t.path);
	}
	if (errno)
		r = fail(errno, "cannot read directory '%s'", src->path);
	return r;
}

static int copy_dir(const struct loc *src, const struct loc *dst,
    const struct stat *st, int how)
{
	struct stat at;
	int sfd, dfd, made, r;
	DIR *d;

	if ((how & TOP) && inside(dst->dirfd, st))
		return fail(0, "cannot copy a directory, '%s', into itself, "
		    "'%s'", src->path, dst->path);
	sfd = openat(src->dirfd, src->name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | (how & FOLLOW ? 0 : O_NOFOLLOW));
	if (sfd < 0 || fstat(sfd, &at) < 0 || !(d = fdopendir(sfd))) {
		r = fail(errno, "cannot open directory '%s'", src->path);
		if (sfd >= 0)
			close(sfd);
		return r;
	}
	r = dfd = open_dir(src, dst, &at, &made);
	if (dfd >= 0) {
		r = copy_children(d, src, dfd, dst);
		/* Last, so that the contents cannot change the times. */
		r |= keep_attrs(dfd, dst, &at, sfd, made);
		close(dfd);
	}
	closedir(d);
	return r;
}

static char *read_link(const struct loc *src, const struct stat *st)
{
	/* procfs says 0: grow until the target fits. */
	size_t size = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	char *buf = NULL, *grown;
	ssize_t n;

	for (;; size *= 2) {
		if (!(grown = realloc(buf, size)))
			break;
		buf = grown;
		n = readlinkat(src->dirfd, src->name, buf, size);
		if (n < 0)
			break;
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
	}
	fail(grown ? errno : ENOMEM, "cannot read symbolic link '%s'",
	    src->path);
	free(buf);
	return NULL;
}

static int make(const char *target, const struct stat *st, int dirfd,
    const char *name)
{
	if (target)
		return symlinkat(target, dirfd, name);
	return mknodat(dirfd, name, st->st_mode & (S_IFMT | 0777),
	    st->st_rdev);
}

/* Creates the node at dst; replaces an existing one (not a directory)
 * by a rename, so that the name never goes missing. */
static int place(const char *target, const struct stat *st,
    const struct loc *dst, int exists)
{
	char hidden[PS__HIDDEN_SIZE];
	sigset_t old;
	int r, e;

	if (!exists) {
		r = make(target, st, dst->dirfd, dst->name);
		if (r == 0 || errno != EEXIST || opt.no_clobber)
			return r;
	}
	ps__hidden_name(hidden, PS__HIDDEN_PREFIX);
	signals_block(&old);
	r = make(target, st, dst->dirfd, hidden);
	if (r == 0)
		cleanup_arm(dst->dirfd, hidden);
	signals_restore(&old);
	if (r == 0 && renameat(dst->dirfd, hidden, dst->dirfd, dst->name)) {
		e = errno;
		unlinkat(dst->dirfd, hidden, 0);
		errno = e;
		r = -1;
	}
	cleanup_arm(-1, "");
	return r;
}

/* A symlink or a special file. */
static int copy_node(const struct loc *src, const struct loc *dst,
    const struct stat *st)
{
	const char *what = S_ISLNK(st->st_mode) ? "symbolic link" :
	    "special file";
	char *target = NULL;
	struct stat dst_st;
	int r = check_target(src, dst, st, &dst_st, 0);

	if (r == SKIP || r < 0)
		return r == SKIP ? 0 : -1;
	if (S_ISLNK(st->st_mode) && !(target = read_link(src, st)))
		return -1;
	if (place(target, st, dst, r == EXISTS) < 0) {
		r = errno == EEXIST && opt.no_clobber ? 0 :
		    fail(errno, "cannot create %s '%s'", what, dst->path);
	} else {
		r = keep_attrs(-1, dst, st, -1, 0);
		if (opt.verbose)
			printf("'%s' -> '%s' [%s]\n", src->path, dst->path,
			    target ? "symlink" : "mknod");
	}
	free(target);
	return r;
}

int copy_entry(const struct loc *src, const struct loc *dst, int how)
{
	int nofollow = how & FOLLOW ? 0 : O_NOFOLLOW, sfd, r;
	struct stat st;

	if (fstatat(src->dirfd, src->name, &st,
	    nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
		return fail(errno, "cannot stat '%s'", src->path);
	if (S_ISDIR(st.st_mode) && !opt.recursive)
		return fail(0, "-r not specified; omitting directory '%s'",
		    src->path);
	if (S_ISDIR(st.st_mode))
		return copy_dir(src, dst, &st, how);
	if (how & SLASH)
		return fail(ENOTDIR, "cannot create regular file '%s'",
		    dst->path);
	if (opt.recursive && !S_ISREG(st.st_mode))
		return copy_node(src, dst, &st);
	/* In a tree, a file swapped for a fifo must not block the walk. */
	sfd = openat(src->dirfd, src->name, O_RDONLY | O_NOCTTY | O_CLOEXEC |
	    nofollow | (opt.recursive ? O_NONBLOCK : 0));
	if (sfd < 0)
		return fail(errno, "cannot open '%s' for reading", src->path);
	if (fstat(sfd, &st) < 0)
		r = fail(errno, "cannot stat '%s'", src->path);
	else if (S_ISDIR(st.st_mode) ||
	    (opt.recursive && !S_ISREG(st.st_mode)))
		r = fail(0, "'%s' changed while being copied", src->path);
	else
		r = copy_regular(sfd, &st, src, dst);
	close(sfd);
	return r;
}
