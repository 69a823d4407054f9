/* SPDX-License-Identifier: MIT */
/*
 * What is at a destination name, and regular files.  check_target
 * decides as cp 9.1 does, before anything is written: the same file
 * (through symlinks, hard links, any spelling: cp's same_file_ok), -n,
 * -i, -u, directory clashes, a file made earlier by this run.  With
 * --atomic, each file is written to a ps_tmpfile in its final directory
 * and appears with ps_publish_tmpfile, so a reader sees the old file or
 * the whole new one.  Without it, as cp: the file is opened, truncated
 * and written in place.  Both copy with the library's engine,
 * ps__copy_fd.
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

static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The directory holding a loc's last component, stat'ed. */
static int parent_stat(const struct loc *l, struct stat *st)
{
	const char *slash = strrchr(l->name, '/');
	char *dir;
	int r;

	if (!slash)
		return fstatat(l->dirfd, ".", st, 0);
	dir = strndup(l->name, slash == l->name ? 1 : slash - l->name);
	r = fstatat(l->dirfd, dir, st, 0);
	free(dir);
	return r;
}

static const char *last(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

/* cp's same_name: one directory entry, spelled twice. */
static int same_name(const struct loc *src, const struct loc *dst)
{
	struct stat a, b;

	return !strcmp(last(src->name), last(dst->name)) &&
	    parent_stat(src, &a) == 0 && parent_stat(dst, &b) == 0 &&
	    same_inode(&a, &b);
}

enum { SAME_BAD, SAME_OK, SAME_NOTHING };

/* cp's same_file_ok (coreutils 9.1, without mv's cases): may src (s)
 * be copied over dst (d, stat'ed as cp does)? */
static int same_ok(const struct loc *src, const struct stat *s,
    const struct loc *dst, const struct stat *d)
{
	struct stat sl, dl, t1, t2;
	const struct stat *sp = s, *dp = d;
	int same = same_inode(s, d), same_link = same;

	if (same && opt.hard_link)
		return SAME_NOTHING;
	if (opt.deref == DEREF_NEVER) {
		if (S_ISLNK(s->st_mode) && S_ISLNK(d->st_mode)) {
			if (same_name(src, dst))
				return SAME_BAD;
			if (opt.backup != BACKUP_NONE)
				return SAME_OK;
			return same_link ? SAME_NOTHING : SAME_OK;
		}
	} else {
		if (!same)
			return SAME_OK;
		if (fstatat(dst->dirfd, dst->name, &dl, AT_SYMLINK_NOFOLLOW) ||
		    fstatat(src->dirfd, src->name, &sl, AT_SYMLINK_NOFOLLOW))
			return SAME_OK;
		sp = &sl;
		dp = &dl;
		same_link = same_inode(sp, dp);
		if (S_ISLNK(sp->st_mode) && S_ISLNK(dp->st_mode) &&
		    opt.remove_first)
			return SAME_OK;
	}
	if (opt.backup != BACKUP_NONE) {
		if (!same_link)
			return opt.deref != DEREF_NEVER &&
			    S_ISLNK(sp->st_mode) && !S_ISLNK(dp->st_mode) ?
			    SAME_BAD : SAME_OK;
		return same_name(src, dst) ? SAME_BAD : SAME_OK;
	}
	if (opt.remove_first) {
		if (S_ISLNK(dp->st_mode))
			return SAME_OK;
		if (same_link && dp->st_nlink > 1 && !same_name(src, dst))
			return SAME_OK;
	}
	if (!S_ISLNK(sp->st_mode) && !S_ISLNK(dp->st_mode)) {
		if (!same_inode(sp, dp))
			return SAME_OK;
		if (opt.hard_link)
			return SAME_NOTHING;
	}
	if (opt.sym_link && S_ISLNK(dp->st_mode))
		return SAME_OK;
	if (opt.deref == DEREF_NEVER) {
		if (S_ISLNK(sp->st_mode) ?
		    fstatat(src->dirfd, src->name, &t1, 0) : (t1 = *sp, 0))
			return SAME_OK;
		if (S_ISLNK(dp->st_mode) ?
		    fstatat(dst->dirfd, dst->name, &t2, 0) : (t2 = *dp, 0))
			return SAME_OK;
		if (!same_inode(&t1, &t2))
			return SAME_OK;
		if (opt.hard_link)
			return S_ISLNK(dp->st_mode) ? SAME_OK : SAME_NOTHING;
	}
	return SAME_BAD;
}

/* The files this run made: cp's "will not overwrite just-created". */
struct made {
	dev_t dev;
	ino_t ino;
	struct made *next;
};
static struct made *made_list;

void made_remember(const struct stat *st)
{
	struct made *m = malloc(sizeof(*m));

	if (m) {
		*m = (struct made){ st->st_dev, st->st_ino, made_list };
		made_list = m;
	}
}

static int made_before(const struct stat *st)
{
	for (struct made *m = made_list; m; m = m->next)
		if (m->dev == st->st_dev && m->ino == st->st_ino)
			return 1;
	return 0;
}

static char *backup_name(const struct loc *dst);

/*
 * Would backing dst up destroy the source (st)?  cp 9.1 asks when the
 * source is spelled as dst's simple backup (a~ for a) and that name is
 * the source's file (source_is_dst_backup).  pscp also refuses where
 * the backup would take the source's only name under another spelling
 * (a symlink to a~): cp backs up over it and then fails, the source
 * gone.  Numbered backups take a new name.
 */
static int backup_destroys(const struct loc *src, const struct stat *st,
    const struct loc *dst)
{
	const char *base = last(src->name);
	struct stat b;
	char *name;
	int r = 0;

	if (opt.backup == BACKUP_NONE || opt.backup == BACKUP_NUMBERED)
		return 0;
	if (!(name = malloc(strlen(dst->name) + strlen(opt.suffix) + 1))) {
		fail(ENOMEM, "cannot continue");
		exit(1);
	}
	sprintf(name, "%s%s", dst->name, opt.suffix);
	if (!strcmp(base, last(name)) &&
	    fstatat(dst->dirfd, name, &b, 0) == 0 && same_inode(st, &b))
		r = 1;
	else if (st->st_nlink == 1 && fstatat(dst->dirfd, name, &b,
	    AT_SYMLINK_NOFOLLOW) == 0 && same_inode(st, &b)) {
		char *real = backup_name(dst);

		r = !strcmp(real, name);
		free(real);
	}
	free(name);
	return r;
}

/* -i: cp's question, which names a target the user may not write with
 * its mode (as ls shows it, without the type). */
static int ask_overwrite(const struct loc *dst, const struct stat *d)
{
	static const char rwx[] = "rwxrwxrwx";
	mode_t m = d->st_mode;
	char perms[10];

	if (S_ISLNK(m) || geteuid() == 0 ||
	    faccessat(dst->dirfd, dst->name, W_OK, AT_EACCESS) == 0)
		return ask("overwrite %s? ", q(dst->path));
	for (int i = 0; i < 9; i++)
		perms[i] = m & (0400 >> i) ? rwx[i] : '-';
	if (m & S_ISUID)
		perms[2] = m & S_IXUSR ? 's' : 'S';
	if (m & S_ISGID)
		perms[5] = m & S_IXGRP ? 's' : 'S';
	if (m & S_ISVTX)
		perms[8] = m & S_IXOTH ? 't' : 'T';
	perms[9] = '\0';
	return ask("unwritable %s (mode %04o, %s); try anyway? ",
	    q(dst->path), (unsigned)(m & 07777), perms);
}

/* A filesystem's timestamp resolution in ns, as -u found it. */
struct res {
	dev_t dev;
	long long ns;
	int exact;
	struct res *next;
};
#define BILLION 1000000000LL

static int cmp_time(time_t as, long long ans, time_t bs, long long bns)
{
	return as < bs ? -1 : as > bs ? 1 : ans < bns ? -1 : ans > bns;
}

/* A time in seconds cut to a resolution of two seconds. */
static time_t even(time_t s, long long res)
{
	return res == 2 * BILLION ? s & ~(time_t)1 : s;
}

/* An upper bound of dst's filesystem resolution from its three times
 * (no filesystem keeps atime or ctime finer than mtime), at most old. */
static long long res_bound(const struct stat *d, long long old)
{
	long long a = d->st_atim.tv_nsec, c = d->st_ctim.tv_nsec,
	    m = d->st_mtim.tv_nsec, res;
	int odd = (d->st_atim.tv_sec | d->st_ctim.tv_sec |
	    d->st_mtim.tv_sec) & 1;

	for (res = 1; res < old && (a % 10 | c % 10 | m % 10) == 0;
	    res *= 10, a /= 10, c /= 10, m /= 10)
		if (res == BILLION) {
			res *= odd ? 1 : 2;
			break;
		}
	return res;
}

/* The exact resolution: dst's mtime set with digits below bound, read
 * back and set again (its atime is kept). -1: cannot tell. */
static long long res_probe(const struct loc *dst, const struct stat *d,
    long long bound)
{
	struct timespec ts[2] = { d->st_atim, { d->st_mtim.tv_sec |
	    (bound == 2 * BILLION), d->st_mtim.tv_nsec + bound / 9 } };
	struct stat back;
	long long a, res;
	int r;

	if (utimensat(dst->dirfd, dst->name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	r = fstatat(dst->dirfd, dst->name, &back, AT_SYMLINK_NOFOLLOW);
	if (r < 0 || back.st_mtim.tv_sec != d->st_mtim.tv_sec ||
	    back.st_mtim.tv_nsec != d->st_mtim.tv_nsec) {
		ts[1] = d->st_mtim;
		utimensat(dst->dirfd, dst->name, ts, AT_SYMLINK_NOFOLLOW);
	}
	if (r < 0)
		return -1;
	a = BILLION * (back.st_mtim.tv_sec & 1) + back.st_mtim.tv_nsec;
	for (res = 1; a % 10 == 0 && res != bound; a /= 10) {
		if (res == BILLION) {
			res *= 2;
			break;
		}
		res *= 10;
	}
	return res;
}

/*
 * -u: is dst (d) older than the source (s)?  As cp 9.1 (gnulib's
 * utimecmp): with the times kept, the source's mtime is first cut to
 * the resolution of dst's filesystem, so that a copy made with -p on a
 * filesystem with whole seconds is not older than its source.  The
 * resolution comes from dst's times or, where they leave it open, from
 * setting dst's mtime and reading it back (then setting it again),
 * once per filesystem.
 */
static int update_older(const struct loc *dst, const struct stat *d,
    const struct stat *s)
{
	static struct res *known;
	time_t ds = d->st_mtim.tv_sec, ss = s->st_mtim.tv_sec, t;
	long long dns = d->st_mtim.tv_nsec, sns = s->st_mtim.tv_nsec, res;
	struct res *r;

	if (!(opt.keep & KEEP_TIMES) || (ds == ss && dns == sns))
		return cmp_time(ds, dns, ss, sns) < 0;
	if (ds <= ss - 2 || ss <= ds - 2)
		return ds < ss;
	for (r = known; r && r->dev != d->st_dev; r = r->next)
		;
	if (!r && (r = malloc(sizeof(*r))))
		*r = (struct res){ d->st_dev, 2 * BILLION, 0, known };
	if (r && r->next == known)
		known = r;
	res = r ? r->ns : 2 * BILLION;
	if (!r || !r->exact) {
		res = res_bound(d, res);
		if (r)
			r->ns = res;
		if (res > 1) {
			t = even(ss, res);
			if (cmp_time(ss, sns, ds, dns) <= 0)
				return 0;
			if (ds < t || (ds == t && dns < sns - sns % res))
				return 1;
			if ((res = res_probe(dst, d, res)) < 0)
				return 1;
		}
		if (r) {
			r->ns = res;
			r->exact = 1;
		}
	}
	return cmp_time(ds, dns, even(ss, res), sns - sns % res) < 0;
}

/* Will the copy of st replace what is at dst by a rename or removal,
 * rather than write into it?  cp then looks at the name itself. */
static int replaces(const struct stat *st)
{
	return !S_ISREG(st->st_mode) || opt.sym_link || opt.hard_link ||
	    opt.backup != BACKUP_NONE || opt.remove_first;
}

int check_target(const struct loc *src, const struct loc *dst,
    const struct stat *st, struct stat *dst_st, int how)
{
	struct stat lst;
	int r;

	if (fstatat(dst->dirfd, dst->name, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return ABSENT;
		return fail(errno, "cannot stat %s", q(dst->path));
	}
	*dst_st = lst;
	if (S_ISLNK(lst.st_mode) && !replaces(st) &&
	    fstatat(dst->dirfd, dst->name, dst_st, 0) < 0) {
		if (errno == ENOENT)
			return fail(0, "not writing through dangling symlink "
			    "%s", q(dst->path));
		return fail(errno, "cannot stat %s", q(dst->path));
	}
	r = same_ok(src, st, dst, dst_st);
	if (r == SAME_NOTHING)
		return SKIP;
	if (r == SAME_BAD)
		return fail(0, "%s and %s are the same file", q(src->path),
		    q(dst->path));
	if (!S_ISDIR(st->st_mode)) {
		if (opt.update && !update_older(dst, dst_st, st))
			return SKIP;
		if (opt.interactive == ASK_NO)
			return SKIP;
		if (opt.interactive == ASK_USER && !S_ISDIR(dst_st->st_mode) &&
		    !ask_overwrite(dst, dst_st))
			return SKIP;
	}
	if (S_ISDIR(dst_st->st_mode) && !S_ISDIR(st->st_mode))
		return fail(0, "cannot overwrite directory %s with "
		    "non-directory", q(dst->path));
	if (!S_ISDIR(dst_st->st_mode) && S_ISDIR(st->st_mode))
		return fail(0, "cannot overwrite non-directory %s with "
		    "directory %s", q(dst->path), q(src->path));
	if (S_ISDIR(st->st_mode))
		return EXISTS;
	if ((how & TOP) && opt.backup != BACKUP_NUMBERED &&
	    made_before(dst_st))
		return fail(0, "will not overwrite just-created %s with %s",
		    q(dst->path), q(src->path));
	/* Before anything is written, as cp. */
	if (backup_destroys(src, st, dst))
		return fail(0, "backing up %s might destroy source;  %s not "
		    "copied", q(dst->path), q(src->path));
	/* Where cp would write through a symlink or into a fifo or a
	 * device, pscp refuses (documented). */
	if (!replaces(st) && S_ISLNK(lst.st_mode))
		return fail(0, "not writing through symbolic link %s",
		    q(dst->path));
	if (!replaces(st) && !S_ISREG(lst.st_mode))
		return fail(0, "cannot overwrite non-regular file %s",
		    q(dst->path));
	return EXISTS;
}

/* The backup's name: DST~ or DST.~N~ (cp's --backup). */
static char *backup_name(const struct loc *dst)
{
	size_t n = strlen(dst->name);
	unsigned long highest = 0, v;
	struct dirent *e;
	char *name, *end;
	int fd;
	DIR *d;

	if (opt.backup != BACKUP_SIMPLE &&
	    (fd = openat(dst->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0 && (d = fdopendir(fd))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, dst->name, n) &&
			    !strncmp(e->d_name + n, ".~", 2) &&
			    /* As cp: digits, the first not 0. */
			    e->d_name[n + 2] >= '1' && e->d_name[n + 2] <= '9' &&
			    (v = strtoul(e->d_name + n + 2, &end, 10)) &&
			    !strcmp(end, "~") && v > highest)
				highest = v;
		closedir(d);
	}
	if (opt.backup == BACKUP_SIMPLE ||
	    (opt.backup == BACKUP_EXISTING && !highest)) {
		name = malloc(n + strlen(opt.suffix) + 1);
		if (name)
			sprintf(name, "%s%s", dst->name, opt.suffix);
	} else {
		name = malloc(n + 32);
		if (name)
			sprintf(name, "%s.~%lu~", dst->name, highest + 1);
	}
	if (!name) {
		fail(ENOMEM, "cannot continue");
		exit(1);
	}
	return name;
}

/* What replaces dst by a rename keeps the old file under the backup
 * name by a link, so that the name never goes missing; what writes in
 * place renames it aside, as cp. */
int clear_target(const struct loc *dst, int exists, char **backup)
{
	int by_link = opt.atomic;
	char *name;

	*backup = NULL;
	if (!exists)
		return 0;
	if (opt.backup != BACKUP_NONE) {
		name = backup_name(dst);
		/* A backup name already there is replaced, as cp does. */
		if (by_link) {
			unlinkat(dst->dirfd, name, 0);
			if (linkat(dst->dirfd, dst->name, dst->dirfd, name, 0) ==
			    0)
				goto done;
		}
		if (renameat(dst->dirfd, dst->name, dst->dirfd, name) < 0) {
			fail(errno, "cannot backup %s", q(dst->path));
			free(name);
			return -1;
		}
done:
		*backup = malloc(strlen(dst->path) + strlen(name) + 1);
		if (*backup) {
			strcpy(*backup, dst->path);
			strcpy(*backup + strlen(*backup) -
			    strlen(last(dst->path)), name);
		}
		free(name);
		return by_link ? 0 : 1;
	}
	if (opt.remove_first && !by_link) {
		if (unlinkat(dst->dirfd, dst->name, 0) < 0 && errno != ENOENT)
			return fail(errno, "cannot remove %s", q(dst->path));
		if (opt.verbose)
			printf("removed %s\n", q(dst->path));
		return 1;
	}
	if (opt.remove_first && opt.verbose)
		printf("removed %s\n", q(dst->path));
	return 0;
}

static int engine(int sfd, int dfd, const struct stat *st,
    const struct loc *src, const struct loc *dst, const char **method)
{
	struct ps__copy c = { .clone = opt.clone, .keep_holes = 1,
		.holes = opt.holes };
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
		return fail(-r, "failed to clone %s from %s", q(dst->path),
		    q(src->path));
	if (r < 0)
		return fail(-r, "error copying %s to %s", q(src->path),
		    q(dst->path));
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

	if (!exists || opt.interactive == ASK_NO) {
		r = ps_publish_tmpfile(t, name, flags);
		if (r >= 0 || errno != EEXIST || opt.interactive == ASK_NO)
			return r;
	}
	return ps_publish_tmpfile(t, name, flags | PS_REPLACE);
}

/* --atomic over a file the user may not write: cp fails to open it, and
 * so does pscp, unless -f or --remove-destination. */
static int writable(const struct loc *dst)
{
	int fd = openat(dst->dirfd, dst->name, O_WRONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno != EACCES && errno != EPERM && errno != EROFS;
}

/* shown: the verbose line is out already. */
static int copy_atomic(int sfd, const struct stat *st,
    const struct loc *src, const struct loc *dst, int exists,
    const char *backup, int shown)
{
	const char *made, *method, *named = NULL;
	char routes[128];
	struct stat new_st;
	sigset_t old;
	ps_tmpfile *t;
	int r;

	if (opt.verbose && !opt.routes && !shown)
		verbose_line(src, dst, backup, NULL);
	signals_block(&old);
	t = ps_tmpfile_open(dst->dirfd, ".", S_IRUSR | S_IWUSR, 0);
	made = ps_last_route();
	if (t)
		cleanup_arm(t->dirfd, t->name);
	signals_restore(&old);
	if (!t)
		return fail(errno, "cannot create regular file %s",
		    q(dst->path));
	r = engine(sfd, ps_tmpfile_fd(t), st, src, dst, &method);
	/* From here signals wait (the fsync would delay them anyway):
	 * a handler could not remove the hidden name of a replace. */
	signals_block(&old);
	if (r == 0) {
		/* Attributes that cannot be kept are reported, and the
		 * data is published all the same, as cp does. */
		r = keep_attrs(ps_tmpfile_fd(t), dst, st, sfd, 1);
		if (fstat(ps_tmpfile_fd(t), &new_st) == 0)
			made_remember(&new_st);
		if (publish(t, dst->name, exists) >= 0)
			named = ps_last_route();
		else if (errno != EEXIST || opt.interactive != ASK_NO)
			r = fail(errno, "cannot create regular file %s",
			    q(dst->path));
	}
	cleanup_arm(-1, "");
	ps_tmpfile_close(t);
	signals_restore(&old);
	if (named && opt.routes) {
		snprintf(routes, sizeof(routes), "%s, %s, %s", made, method,
		    named);
		verbose_line(src, dst, backup, routes);
	}
	return r;
}

static int copy_in_place(int sfd, const struct stat *st,
    const struct loc *src, const struct loc *dst, int exists,
    const char *backup)
{
	int oflags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC, created = !exists, fd = -1, r;
	const char *method;
	struct stat dst_st;
	char routes[64];

	if (opt.verbose && !opt.routes)
		verbose_line(src, dst, backup, NULL);
	if (exists) {
		fd = openat(dst->dirfd, dst->name, oflags);
		if (fd < 0 && errno == ENOENT)
			created = 1;	/* gone meanwhile: as a new file */
		else if (fd < 0 && opt.force) {
			if (unlinkat(dst->dirfd, dst->name, 0) < 0 &&
			    errno != ENOENT)
				return fail(errno, "cannot remove %s",
				    q(dst->path));
			if (opt.verbose)
				printf("removed %s\n", q(dst->path));
			created = 1;
		} else if (fd < 0) {
			return fail(errno, "cannot create regular file %s",
			    q(dst->path));
		}
	}
	if (created) {
		/* O_EXCL: a name that appeared meanwhile is not ours. */
		fd = openat(dst->dirfd, dst->name, oflags | O_CREAT | O_EXCL,
		    opt.no_mode ? 0666 : st->st_mode & 0777);
		if (fd < 0 && errno == EEXIST && opt.interactive == ASK_NO)
			return 0;
		if (fd < 0)
			return fail(errno, "cannot create regular file %s",
			    q(dst->path));
	}
	/* Checked again on the open file, and truncated only then: the
	 * name may have changed since check_target. */
	r = 0;
	if (fstat(fd, &dst_st) < 0)
		r = fail(errno, "cannot stat %s", q(dst->path));
	else if (same_inode(&dst_st, st))
		r = fail(0, "%s and %s are the same file", q(src->path),
		    q(dst->path));
	else if (!S_ISREG(dst_st.st_mode))
		r = fail(0, "cannot overwrite non-regular file %s",
		    q(dst->path));
	else if (!created && !opt.attrs_only && ftruncate(fd, 0) < 0)
		r = fail(errno, "cannot truncate %s", q(dst->path));
	method = "none";
	if (r == 0 && !opt.attrs_only)
		r = engine(sfd, fd, st, src, dst, &method);
	/* A file we created and could not fill goes, if it is still ours. */
	if (r < 0 && created)
		ps_funlinkat(dst->dirfd, dst->name, fd, 0);
	else if (r == 0)
		r = keep_attrs(fd, dst, st, sfd, created ? 2 : 0);
	if (r == 0 || !created)
		made_remember(&dst_st);
	if (close(fd) < 0 && r == 0)
		r = fail(errno, "error writing %s", q(dst->path));
	if (r == 0 && opt.routes) {
		snprintf(routes, sizeof(routes), "in-place, %s", method);
		verbose_line(src, dst, backup, routes);
	}
	return r;
}

int copy_regular(int sfd, const struct stat *st, const struct loc *src,
    const struct loc *dst, int how)
{
	struct stat dst_st;
	char *backup = NULL;
	int r = check_target(src, dst, st, &dst_st, how), exists, removed = 0;

	if (r == SKIP || r < 0)
		return r == SKIP ? 0 : -1;
	exists = r == EXISTS;
	/* cp opens it and fails, or removes it with -f (and says so). */
	if (exists && opt.atomic && !opt.remove_first &&
	    opt.backup == BACKUP_NONE && !writable(dst)) {
		if (opt.verbose && !opt.routes)
			verbose_line(src, dst, NULL, NULL);
		if (!opt.force)
			return fail(errno, "cannot create regular file %s",
			    q(dst->path));
		if (opt.verbose)
			printf("removed %s\n", q(dst->path));
		removed = 1;
	}
	if (link_tracked(st, how) && (r = link_known(st, dst, exists)) != 0)
		return r < 0 ? -1 : 0;
	r = clear_target(dst, exists, &backup);
	if (r < 0)
		return -1;
	if (r == 1)
		exists = 0;
	/* --attributes-only writes no data: nothing to make atomic. */
	r = opt.atomic && !opt.attrs_only ? copy_atomic(sfd, st, src, dst,
	    exists, backup, removed) :
	    copy_in_place(sfd, st, src, dst, exists, backup);
	if (r == 0 && link_tracked(st, how))
		link_remember(st, dst);
	free(backup);
	return r;
}

/* Is dst's directory the current one (cp: "./b" is)?  As cp, yes when
 * it cannot tell. */
static int in_cwd(const struct loc *dst)
{
	struct stat dot, dir;

	return stat(".", &dot) < 0 || fstat(dst->dirfd, &dir) < 0 ||
	    same_inode(&dot, &dir);
}

/* -l and -s: a new name for src itself, or a symlink to it; over an
 * existing name only with -f or --remove-destination (removed first),
 * or atomically with --atomic. */
int make_link(const struct loc *src, const struct stat *st,
    const struct loc *dst, int how)
{
	char hidden[PS__HIDDEN_SIZE], *backup = NULL;
	const char *name = dst->name;
	struct stat dst_st, new_st;
	int r = check_target(src, dst, st, &dst_st, how), exists, e;
	sigset_t old;

	if (r == SKIP || r < 0)
		return r == SKIP ? 0 : -1;
	exists = r == EXISTS;
	if (opt.sym_link && src->path[0] != '/' && !in_cwd(dst))
		return fail(0, "%s: can make relative symbolic links only in "
		    "current directory", dst->path);
	r = clear_target(dst, exists, &backup);
	if (r < 0)
		return -1;
	if (r == 1)
		exists = 0;
	if (opt.verbose)
		verbose_line(src, dst, backup, NULL);
	/* As cp, an existing name is replaced only with -f,
	 * --remove-destination or --backup; atomically with --atomic. */
	if (exists && (opt.remove_first || opt.backup != BACKUP_NONE)) {
		ps__hidden_name(hidden, PS__HIDDEN_PREFIX);
		name = hidden;
	}
	signals_block(&old);
	r = opt.sym_link ? symlinkat(src->path, dst->dirfd, name) :
	    linkat(src->dirfd, src->name, dst->dirfd, name,
	    opt.deref == DEREF_ALWAYS ? AT_SYMLINK_FOLLOW : 0);
	if (r == 0 && name == hidden)
		cleanup_arm(dst->dirfd, hidden);
	signals_restore(&old);
	if (r == 0 && name == hidden &&
	    renameat(dst->dirfd, hidden, dst->dirfd, dst->name) < 0) {
		e = errno;
		unlinkat(dst->dirfd, hidden, 0);
		errno = e;
		r = -1;
	}
	cleanup_arm(-1, "");
	if (r < 0 && opt.sym_link)
		r = fail(errno, "cannot create symbolic link %s to %s",
		    q(dst->path), q(src->path));
	else if (r < 0)
		r = fail(errno, "cannot create hard link %s to %s",
		    q(dst->path), q(src->path));
	else if (fstatat(dst->dirfd, dst->name, &new_st,
	    AT_SYMLINK_NOFOLLOW) == 0 && opt.sym_link)
		made_remember(&new_st);
	free(backup);
	return r;
}
