/* SPDX-License-Identifier: MIT */
/*
 * ps_remove_tree: rm -rf of a path, resolved under the resolution flags.
 * Route: remove-tree, one depth-first pass with descriptors only.  The
 * parent of the path is pinned by the one resolution step; below it every
 * directory is opened by a single name relative to the directory above,
 * O_NOFOLLOW, checked to be the inode the listing named and on the same
 * mount, and removed, once emptied, only if its name still is it
 * (ps__unlink_if).  A symlink is never followed, only unlinked as a name.
 * That is the fix of CVE-2022-21658 (Rust's remove_dir_all) and what
 * systemd's rm_rf_children does, with a bounded number of descriptors.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Directories kept open above the one being emptied: deeper trees close
 * the oldest and reopen it by "..", checked, so a tree of any depth uses
 * at most WINDOW + 1 descriptors besides the caller's. */
#define WINDOW 16
/* Directories found not empty after their pass (a listing that missed an
 * entry, or a file created meanwhile): listed again this many times. */
#define RELISTS 16
/* Walks of a tree that changed under them before EAGAIN is returned. */
#define RETRIES 8

struct level {
	DIR *d;			/* NULL while outside the window */
	int fd;			/* d's descriptor */
	struct ps__ident id;
	char *name;		/* its name in the level above */
};

struct tree {
	int pfd;		/* the pinned parent of the top directory */
	struct ps__ident pid;
	struct level *lv;
	size_t depth, cap;
	int relists;
};

static int same_mount(const struct ps__ident *a, const struct ps__ident *b)
{
	/* The mount id tells bind mounts of one filesystem apart; where the
	 * kernel gives none, st_dev decides alone. */
	return a->dev == b->dev && (!a->mnt || !b->mnt || a->mnt == b->mnt);
}

static int level_fd(const struct tree *t, size_t i)
{
	return i ? t->lv[i - 1].fd : t->pfd;
}

static const struct ps__ident *level_id(const struct tree *t, size_t i)
{
	return i ? &t->lv[i - 1].id : &t->pid;
}

/*
 * Opens name, found as the directory ino in the deepest open level (the
 * top's parent when the tree is empty), and makes it the deepest level.
 * 0 when the name is gone already.
 */
static int enter(struct tree *t, const char *name, ino_t ino)
{
	/* A copy: the array it lives in may move below. */
	struct ps__ident up = *level_id(t, t->depth);
	struct level *l;
	int fd, r;

	fd = PS__SYS(openat(level_fd(t, t->depth), name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (fd == -ENOENT)
		return 0;
	/* A symlink or a file now: the listing is stale. */
	if (fd == -ELOOP || fd == -ENOTDIR)
		return -EAGAIN;
	if (fd < 0)
		return fd;
	if (t->depth == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		struct level *lv = realloc(t->lv, cap * sizeof(*lv));

		if (!lv) {
			close(fd);
			return -ENOMEM;
		}
		t->lv = lv;
		t->cap = cap;
	}
	l = &t->lv[t->depth];
	r = ps__os_ident(fd, &l->id);
	if (r == 0 && !same_mount(&l->id, &up))
		r = -EXDEV;
	/* Another directory than the one listed was swapped in. */
	else if (r == 0 && l->id.ino != ino)
		r = -EAGAIN;
	if (r == 0 && !(l->name = strdup(name)))
		r = -ENOMEM;
	l->fd = fd;
	if (r == 0 && !(l->d = fdopendir(fd))) {
		r = -errno;
		free(l->name);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	t->depth++;
	if (t->depth > WINDOW + 1 && t->lv[t->depth - WINDOW - 2].d) {
		closedir(t->lv[t->depth - WINDOW - 2].d);
		t->lv[t->depth - WINDOW - 2].d = NULL;
	}
	return 0;
}

/* Opens level i again by ".." from level i + 1: only if it is still the
 * same directory, which a rename of level i + 1 elsewhere would change. */
static int reopen_up(struct tree *t, size_t i)
{
	struct ps__ident id;
	int fd = PS__SYS(openat(t->lv[i + 1].fd, "..",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	int r = fd < 0 ? fd : ps__os_ident(fd, &id);

	if (r == 0 && (id.dev != t->lv[i].id.dev ||
	    id.ino != t->lv[i].id.ino))
		r = -EAGAIN;
	t->lv[i].fd = fd;
	if (r == 0 && !(t->lv[i].d = fdopendir(fd)))
		r = -errno;
	if (r < 0 && fd >= 0)
		close(fd);
	return r;
}

/* The deepest level is empty: remove it, if its name still is it. */
static int leave(struct tree *t)
{
	struct level *l = &t->lv[t->depth - 1];
	struct stat st = { .st_dev = l->id.dev, .st_ino = l->id.ino };
	char *name = l->name;
	int r = 0;

	if (t->depth >= 2 && !t->lv[t->depth - 2].d)
		r = reopen_up(t, t->depth - 2);
	closedir(l->d);
	t->depth--;
	if (r == 0)
		r = ps__unlink_if(level_fd(t, t->depth), name, &st);
	/* Gone, as rm -f allows; or something new in it: list it again
	 * (enter may move t->lv, hence name and st kept aside). */
	if (r == -ENOENT)
		r = 0;
	else if (r == -ENOTEMPTY && t->relists++ < RELISTS)
		r = enter(t, name, st.st_ino);
	else if (r == -EDEADLK)
		r = -EAGAIN;
	free(name);
	return r;
}

/* A name that is not a directory: unlinked, never followed. */
static int remove_name(int dfd, const char *name)
{
	struct stat st;
	int r = PS__SYS(unlinkat(dfd, name, 0));

	/* A directory took the name after the listing: Linux says EISDIR,
	 * FreeBSD EPERM (which may also be a sticky directory's refusal). */
	if (r == -EISDIR || (r == -EPERM && fstatat(dfd, name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)))
		return -EAGAIN;
	return r == -ENOENT ? 0 : r;
}

/* One step of the walk: the next entry of the deepest level. */
static int next(struct tree *t)
{
	struct level *l = &t->lv[t->depth - 1];
	struct dirent *e;
	struct stat st;

	errno = 0;
	while ((e = readdir(l->d)) && (!strcmp(e->d_name, ".") ||
	    !strcmp(e->d_name, "..")))
		;
	if (!e)
		return errno ? -errno : leave(t);
	if (e->d_type == DT_UNKNOWN && fstatat(l->fd, e->d_name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		e->d_type = DT_DIR;
	if (e->d_type == DT_DIR)
		return enter(t, e->d_name, e->d_fileno);
	return remove_name(l->fd, e->d_name);
}

/* "x/." names x, but rm(1) refuses it, and so does a call that removes
 * a whole tree: an archive member "dir/." must not remove dir. */
static int ends_in_dot(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return path[n - 1] == '.' && (n == 1 || path[n - 2] == '/');
}

static int remove_top(int pfd, const char *base, int must_dir, int dot)
{
	struct tree t = { .pfd = pfd };
	struct stat st;
	int r = PS__SYS(fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW));

	if (r == 0 && !S_ISDIR(st.st_mode))
		return must_dir ? -ENOTDIR : remove_name(pfd, base);
	if (r == 0 && dot)
		return -EINVAL;
	if (r == 0)
		r = ps__os_ident(pfd, &t.pid);
	if (r == 0)
		r = enter(&t, base, st.st_ino);
	while (r >= 0 && t.depth)
		r = next(&t);
	while (t.depth--) {
		if (t.lv[t.depth].d)
			closedir(t.lv[t.depth].d);
		free(t.lv[t.depth].name);
	}
	free(t.lv);
	return r;
}

int ps_remove_tree(int dirfd, const char *path, unsigned flags)
{
	struct ps__parent p;
	int r = 0, cwd = -1;

	/* Checked here too: a path without a directory part may never reach
	 * the resolver's own check. */
	if ((flags & ~PS__RESOLVE_FLAGS) || (flags & PS_BENEATH &&
	    flags & PS_IN_ROOT))
		r = -EINVAL;
	if (r == 0 && !path)
		r = -EFAULT;
	if (r == 0)
		r = ps__resolve_parent(dirfd, path, flags, &p);
	if (r < 0)
		return ps__ret(r);
	/* The walk needs the parent's identity, which AT_FDCWD has not. */
	if (!p.owned && p.fd == AT_FDCWD)
		r = cwd = PS__SYS(openat(AT_FDCWD, ".",
		    O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (r >= 0 && !strcmp(p.base, "."))
		r = -EINVAL;
	/* A tree that changed under the walk (EAGAIN) is walked again from
	 * its top, a few times, as ps_open retries openat2's EAGAIN. */
	for (int i = 0; r >= 0 && i < RETRIES; i++) {
		r = remove_top(cwd >= 0 ? cwd : p.fd, p.base, p.must_dir,
		    ends_in_dot(path));
		if (r != -EAGAIN)
			break;
	}
	if (cwd >= 0)
		close(cwd);
	ps__parent_close(&p);
	if (r == 0)
		ps__set_route("remove-tree");
	return ps__ret(r);
}
