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
    const struct stat *st, int how, int *made, struct stat *made_st)
{
	struct stat dst_st;
	int fd, r = check_target(src, dst, st, &dst_st, 0);

	*made = 0;
	if (r < 0 || r == SKIP)
		return -1;
	/* Refused before anything is made (cp makes a level first). */
	if ((how & TOP) && inside(dst->dirfd, st))
		return fail(0, "cannot copy a directory, %s, into itself, %s",
		    q(src->path), q(dst->path));
	if (r == ABSENT) {
		if (opt.verbose)
			verbose_line(src, dst, NULL, opt.routes ? "mkdir" :
			    NULL);
		if (mkdirat(dst->dirfd, dst->name, S_IRWXU) == 0)
			*made = 1;
		else if (errno != EEXIST)
			return fail(errno, "cannot create directory %s",
			    q(dst->path));
	}
	fd = openat(dst->dirfd, dst->name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "cannot open directory %s", q(dst->path));
	if (*made && fstat(fd, made_st) < 0)
		made_st->st_mode = 0;
	return fd;
}

struct child {
	ino_t ino;
	char *name;
};

static int by_inode(const void *a, const void *b)
{
	const struct child *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* A directory's entries are copied in inode order, as cp 9.1 reads them
 * (gnulib's savedir, SAVEDIR_SORT_FASTREAD): -v lines, messages and
 * whatever depends on the order come as cp's. */
static int copy_children(DIR *d, const struct loc *src, int dfd,
    const struct loc *dst, dev_t dev)
{
	struct child *list = NULL, *grown;
	size_t n = 0, size = 0;
	struct dirent *e;
	int r = 0;

	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == size) {
			size = size * 2 + 16;
			if (!(grown = realloc(list, size * sizeof(*list)))) {
				errno = ENOMEM;
				break;
			}
			list = grown;
		}
		if (!(list[n].name = strdup(e->d_name))) {
			errno = ENOMEM;
			break;
		}
		list[n++].ino = e->d_ino;
	}
	/* As cp, a directory that cannot be read whole is not copied. */
	if (errno)
		r = fail(errno, "cannot read directory %s", q(src->path));
	else if (n)
		qsort(list, n, sizeof(*list), by_inode);
	for (size_t i = 0, read_all = !r; i < n; i++) {
		struct loc s = { dirfd(d), list[i].name, NULL },
		    t = { dfd, list[i].name, NULL };

		if (read_all) {
			s.path = join(src->path, list[i].name);
			t.path = join(dst->path, list[i].name);
			r |= copy_entry(&s, &t, 0, dev);
			free((char *)s.path);
			free((char *)t.path);
		}
		free(list[i].name);
	}
	free(list);
	return r;
}

/* The source directories being copied, innermost first: one met again
 * below itself (-L through a symlink to an ancestor) is refused, as cp
 * does, rather than copied until the descriptors run out. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	struct ancestor *up;
};
static struct ancestor *ancestors;

static int copy_dir(const struct loc *src, const struct loc *dst, int how,
    dev_t dev)
{
	struct stat at, made_st;
	struct ancestor me, *a;
	int sfd, dfd, made, r;
	DIR *d;

	sfd = openat(src->dirfd, src->name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | (how & FOLLOW ? 0 : O_NOFOLLOW));
	if (sfd < 0 || fstat(sfd, &at) < 0 || !(d = fdopendir(sfd))) {
		r = fail(errno, "cannot access %s", q(src->path));
		if (sfd >= 0)
			close(sfd);
		return r;
	}
	for (a = ancestors; a; a = a->up)
		if (a->dev == at.st_dev && a->ino == at.st_ino) {
			closedir(d);
			return fail(0, "cannot copy cyclic symbolic link %s",
			    q(src->path));
		}
	me = (struct ancestor){ at.st_dev, at.st_ino, ancestors };
	ancestors = &me;
	r = dfd = open_dir(src, dst, &at, how, &made, &made_st);
	if (dfd >= 0) {
		/* -x: the directory is made, what is mounted there is not
		 * copied (and that is no failure). */
		r = 0;
		if (!opt.one_fs || !dev || dev == at.st_dev)
			r = copy_children(d, src, dfd, dst,
			    dev ? dev : at.st_dev);
		/* Last, so that the contents cannot change the times.  A
		 * new directory keeps a set-group-ID bit it inherited. */
		if (made && !(opt.keep & KEEP_MODE))
			at.st_mode = (at.st_mode & ~S_ISGID) |
			    (made_st.st_mode & S_ISGID);
		r |= keep_attrs(dfd, dst, &at, sfd, made);
		close(dfd);
	}
	ancestors = me.up;
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
	fail(grown ? errno : ENOMEM, "cannot read symbolic link %s",
	    q(src->path));
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
		if (r == 0 || errno != EEXIST || opt.interactive == ASK_NO)
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

void verbose_line(const struct loc *src, const struct loc *dst,
    const char *backup, const char *routes)
{
	printf("%s -> %s", q(src->path), q(dst->path));
	if (backup)
		printf(" (backup: %s)", q(backup));
	if (routes)
		printf(" [%s]", routes);
	putchar('\n');
}

/* A symlink or a special file. */
static int copy_node(const struct loc *src, const struct loc *dst,
    const struct stat *st, int how)
{
	const char *what = S_ISLNK(st->st_mode) ? "symbolic link" :
	    S_ISFIFO(st->st_mode) ? "fifo" : "special file";
	char *target = NULL, *backup = NULL;
	struct stat dst_st, new_st;
	int r = check_target(src, dst, st, &dst_st, how), exists;

	if (r == SKIP || r < 0)
		return r == SKIP ? 0 : -1;
	exists = r == EXISTS;
	if (link_tracked(st, how) && (r = link_known(st, dst, exists)) != 0)
		return r < 0 ? -1 : 0;
	if (S_ISLNK(st->st_mode) && !(target = read_link(src, st)))
		return -1;
	r = clear_target(dst, exists, &backup);
	if (r >= 0 && opt.verbose)
		verbose_line(src, dst, backup, !opt.routes ? NULL :
		    target ? "symlink" : "mknod");
	if (r < 0) {
		r = -1;
	} else if (place(target, st, dst, exists && r == 0) < 0) {
		r = errno == EEXIST && opt.interactive == ASK_NO ? 0 :
		    fail(errno, "cannot create %s %s", what, q(dst->path));
	} else {
		r = keep_attrs(-1, dst, st, -1, 2);
		if (fstatat(dst->dirfd, dst->name, &new_st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			made_remember(&new_st);
		if (r == 0 && link_tracked(st, how))
			link_remember(st, dst);
	}
	free(backup);
	free(target);
	return r;
}

int copy_entry(const struct loc *src, const struct loc *dst, int how,
    dev_t dev)
{
	int sfd, r;
	struct stat st;

	if (opt.deref == DEREF_ALWAYS)
		how |= FOLLOW;
	if (fstatat(src->dirfd, src->name, &st,
	    how & FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return fail(errno, "cannot stat %s", q(src->path));
	if (S_ISDIR(st.st_mode) && !opt.recursive)
		return fail(0, "-r not specified; omitting directory %s",
		    q(src->path));
	if (S_ISDIR(st.st_mode))
		return copy_dir(src, dst, how, dev);
	/* DEST/ for a file: cp's stat of an existing one says so. */
	if (how & SLASH)
		return fail(ENOTDIR, "%s %s", fstatat(dst->dirfd, dst->name,
		    &st, 0) == 0 ? "cannot stat" : "cannot create regular file",
		    q(dst->path));
	if (opt.hard_link || opt.sym_link)
		return make_link(src, &st, dst, how);
	if (S_ISLNK(st.st_mode) || (opt.recursive && !S_ISREG(st.st_mode) &&
	    !opt.copy_contents))
		return copy_node(src, dst, &st, how);
	/* In a tree, a file swapped for a fifo must not block the walk
	 * (unless --copy-contents asks to read fifos). */
	sfd = openat(src->dirfd, src->name, O_RDONLY | O_NOCTTY | O_CLOEXEC |
	    (how & FOLLOW ? 0 : O_NOFOLLOW) |
	    (opt.recursive && !opt.copy_contents ? O_NONBLOCK : 0));
	if (sfd < 0)
		return fail(errno, "cannot open %s for reading", q(src->path));
	if (fstat(sfd, &st) < 0)
		r = fail(errno, "cannot stat %s", q(src->path));
	else if (S_ISDIR(st.st_mode) ||
	    (opt.recursive && !opt.copy_contents && !S_ISREG(st.st_mode)))
		r = fail(0, "%s changed while being copied", q(src->path));
	else
		r = copy_regular(sfd, &st, src, dst, how);
	close(sfd);
	return r;
}
