/* SPDX-License-Identifier: MIT */
/*
 * Regular files.  With --atomic, each file is written to a ps_tmpfile in
 * its final directory and appears with ps_publish_tmpfile, so a reader
 * sees the old file or the whole new one.  Without it, as cp: the file
 * is opened, truncated and written in place.  Both copy with the
 * library's engine, ps__copy_fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pscp.h"

/* Refuses what a file may not replace: itself, a directory and, for a
 * regular file, a special file or (in place) a symlink to write through. */
static int refuse(const struct loc *src, const struct loc *dst,
    const struct stat *st, const struct stat *dst_st, int regular)
{
	mode_t m = dst_st->st_mode;

	if (dst_st->st_dev == st->st_dev && dst_st->st_ino == st->st_ino)
		return fail(0, "'%s' and '%s' are the same file", src->path,
		    dst->path);
	if (S_ISDIR(m))
		return fail(0, "cannot overwrite directory '%s' with "
		    "non-directory", dst->path);
	if (regular && S_ISLNK(m) && !opt.atomic)
		return fail(0, "not writing through symbolic link '%s'",
		    dst->path);
	if (regular && !S_ISREG(m) && !S_ISLNK(m))
		return fail(0, "cannot overwrite non-regular file '%s'",
		    dst->path);
	return 0;
}

int check_target(const struct loc *src, const struct loc *dst,
    const struct stat *st, struct stat *dst_st, int regular)
{
	if (fstatat(dst->dirfd, dst->name, dst_st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? ABSENT :
		    fail(errno, "cannot stat '%s'", dst->path);
	if (refuse(src, dst, st, dst_st, regular) < 0)
		return -1;
	return opt.no_clobber ? SKIP : EXISTS;
}

static int engine(int sfd, int dfd, const struct stat *st,
    const struct loc *src, const struct loc *dst, const char **method)
{
	struct ps__copy c = { .clone = opt.clone, .keep_holes = 1 };
	struct bar b;
	int r;

	if (bar_start(&b, dst->path, st->st_size)) {
		c.progress = bar_update;
		c.arg = &b;
	}
	r = ps__copy_fd(sfd, dfd, &c);
	if (c.progress)
		bar_end(&b, r == 0);
	*method = c.method ? c.method : "none";
	if (r < 0 && !strcmp(*method, "reflink"))
		return fail(-r, "failed to clone '%s' from '%s'", dst->path,
		    src->path);
	if (r < 0)
		return fail(-r, "error copying '%s' to '%s'", src->path,
		    dst->path);
	return 0;
}

/*
 * A new name takes a single link; replacing one takes the library's
 * PS_REPLACE, through a hidden name, so it is used only on a name that
 * exists (or appeared meanwhile).
 */
static int publish(ps_tmpfile *t, const char *name, int exists)
{
	unsigned flags = opt.sync ? 0 : PS_NO_SYNC;
	int r;

	if (!exists || opt.no_clobber) {
		r = ps_publish_tmpfile(t, name, flags);
		if (r >= 0 || errno != EEXIST || opt.no_clobber)
			return r;
	}
	return ps_publish_tmpfile(t, name, flags | PS_REPLACE);
}

static int copy_atomic(int sfd, const struct stat *st,
    const struct loc *src, const struct loc *dst, int exists)
{
	const char *made, *method, *named = NULL;
	sigset_t old;
	ps_tmpfile *t;
	int r;

	signals_block(&old);
	t = ps_tmpfile_open(dst->dirfd, ".", S_IRUSR | S_IWUSR, 0);
	made = ps_last_route();
	if (t)
		cleanup_arm(t->dirfd, t->name);
	signals_restore(&old);
	if (!t)
		return fail(errno, "cannot create regular file '%s'",
		    dst->path);
	r = engine(sfd, ps_tmpfile_fd(t), st, src, dst, &method);
	/* From here signals wait (the fsync would delay them anyway):
	 * a handler could not remove the hidden name of a replace. */
	signals_block(&old);
	if (r == 0) {
		/* Attributes that cannot be kept are reported, and the
		 * data is published all the same, as cp does. */
		r = keep_attrs(ps_tmpfile_fd(t), dst, st, sfd, 1);
		if (publish(t, dst->name, exists) >= 0)
			named = ps_last_route();
		else if (errno != EEXIST || !opt.no_clobber)
			r = fail(errno, "cannot create regular file '%s'",
			    dst->path);
	}
	cleanup_arm(-1, "");
	ps_tmpfile_close(t);
	signals_restore(&old);
	if (named && opt.verbose)
		printf("'%s' -> '%s' [%s, %s, %s]\n", src->path, dst->path,
		    made, method, named);
	return r;
}

static int copy_in_place(int sfd, const struct stat *st,
    const struct loc *src, const struct loc *dst)
{
	int oflags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC, created = 1, fd, r;
	const char *method;
	struct stat dst_st;

	/* O_EXCL first, to know whether the file is new: an existing one
	 * keeps its mode. */
	fd = openat(dst->dirfd, dst->name, oflags | O_CREAT | O_EXCL,
	    st->st_mode & 0777);
	if (fd < 0 && errno == EEXIST && !opt.no_clobber) {
		created = 0;
		fd = openat(dst->dirfd, dst->name, oflags);
	}
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return fail(errno, created ? "cannot create regular file '%s'" :
		    "cannot open '%s' for writing", dst->path);
	/* Checked again on the open file, and truncated only then: the
	 * name may have changed since check_target. */
	if (fstat(fd, &dst_st) < 0)
		r = fail(errno, "cannot stat '%s'", dst->path);
	else if ((r = refuse(src, dst, st, &dst_st, 1)) == 0 && !created &&
	    ftruncate(fd, 0) < 0)
		r = fail(errno, "cannot truncate '%s'", dst->path);
	if (r == 0)
		r = engine(sfd, fd, st, src, dst, &method);
	/* A file we created and could not fill goes, if it is still ours. */
	if (r < 0 && created)
		ps_funlinkat(dst->dirfd, dst->name, fd, 0);
	else if (r == 0)
		r = keep_attrs(fd, dst, st, sfd, 0);
	if (close(fd) < 0 && r == 0)
		r = fail(errno, "error writing '%s'", dst->path);
	if (r == 0 && opt.verbose)
		printf("'%s' -> '%s' [in-place, %s]\n", src->path, dst->path,
		    method);
	return r;
}

int copy_regular(int sfd, const struct stat *st, const struct loc *src,
    const struct loc *dst)
{
	struct stat dst_st;
	int r = check_target(src, dst, st, &dst_st, 1);

	if (r == SKIP || r < 0)
		return r == SKIP ? 0 : -1;
	return opt.atomic ? copy_atomic(sfd, st, src, dst, r == EXISTS) :
	    copy_in_place(sfd, st, src, dst);
}
