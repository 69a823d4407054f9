/* SPDX-License-Identifier: MIT */
/*
 * The one resolution step every call shares.  Routes: openat2 (the
 * kernel's resolver, Linux 5.6); walk, a userspace resolver with the same
 * results, one component at a time with O_PATH|O_NOFOLLOW descriptors.
 * The walk never lets the kernel resolve more than one name: symlinks are
 * read and resolved under the same rules, and ".." is checked to land on
 * the directory the walk came from, so a rename racing the walk gives
 * EAGAIN (as openat2 does) and never a step outside the root.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The kernel's limit of nested symlinks (ELOOP); tries on EAGAIN, the
 * first ones with openat2. */
#define MAX_LINKS 40
#define MAX_RETRIES 32
#define KERNEL_TRIES 16
/* A walk that met ".." without the identities to check it: again. */
#define WALK_RECORD (-EAGAIN - 8192)
/* Ancestors remembered without allocating; deeper walks allocate. */
#define STACK_INLINE 32

struct walk {
	int root;		/* dirfd, or "." opened for AT_FDCWD */
	int root_owned;
	unsigned rflags;
	int oflags;
	mode_t mode;
	struct ps__ident root_id;
	int cur;		/* the directory reached so far */
	struct ps__ident id;	/* its identity */
	size_t depth;		/* directories below root (scoped walks) */
	size_t cap;
	struct ps__ident *up;	/* up[i]: the directory at depth i */
	struct ps__ident inline_up[STACK_INLINE];
	int links;
	int record;		/* keep identities: for "..", PS_NO_XDEV */
	int root_seen;		/* an absolute path or ".." met the root */
	size_t link_tail;	/* rest's length after the symlink texts
				 * being resolved; SIZE_MAX: none */
	char rest[2 * PATH_MAX];	/* what is left to resolve */
};

static int scoped(const struct walk *w)
{
	return !!(w->rflags & (PS_BENEATH | PS_IN_ROOT));
}

/* id NULL: a walk that keeps no identities. */
static void set_cur(struct walk *w, int fd, const struct ps__ident *id)
{
	if (w->cur != w->root)
		close(w->cur);
	w->cur = fd;
	if (id)
		w->id = *id;
}

/* Moving from the current directory to id, under PS_NO_XDEV. */
static int crosses(const struct walk *w, const struct ps__ident *id)
{
	if (!(w->rflags & PS_NO_XDEV))
		return 0;
	return id->dev != w->id.dev || id->mnt != w->id.mnt;
}

static int push(struct walk *w, int fd, const struct ps__ident *id)
{
	if (w->depth >= w->cap) {
		size_t cap = w->cap * 2;
		struct ps__ident *up = w->up == w->inline_up ?
		    malloc(cap * sizeof(*up)) : realloc(w->up, cap * sizeof(*up));

		if (!up)
			return -ENOMEM;
		if (w->up == w->inline_up)
			memcpy(up, w->inline_up, sizeof(w->inline_up));
		w->up = up;
		w->cap = cap;
	}
	w->up[w->depth++] = w->id;
	set_cur(w, fd, id);
	return 0;
}

/* An absolute path or symlink: back to the root, or out of it. */
static int jump_root(struct walk *w, int initial)
{
	struct ps__ident id;
	int fd, r;

	if (w->rflags & PS_BENEATH)
		return -EXDEV;
	if (w->rflags & PS_IN_ROOT) {
		if (!initial && crosses(w, &w->root_id))
			return -EXDEV;
		set_cur(w, w->root, &w->root_id);
		w->depth = 0;
		return 0;
	}
	/* openat2 lets a path start at "/"; an absolute symlink may not
	 * cross, and before anything made the kernel look the root up it
	 * counts as crossing (nd_jump_root in fs/namei.c). */
	if (!initial && (w->rflags & PS_NO_XDEV) && !w->root_seen)
		return -EXDEV;
	w->root_seen = 1;
	fd = PS__SYS(openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	r = ps__os_ident(fd, &id);
	if (r == 0 && !initial && crosses(w, &id))
		r = -EXDEV;
	if (r < 0) {
		close(fd);
		return r;
	}
	set_cur(w, fd, &id);
	return 0;
}

static int dotdot(struct walk *w)
{
	struct ps__ident id;
	int fd, r;

	if (scoped(w) && w->depth == 0)
		return w->rflags & PS_BENEATH ? -EXDEV : 0;
	/* The directory to come back to is not known: walk again, keeping
	 * identities this time. */
	if (scoped(w) && !w->record)
		return WALK_RECORD;
	w->root_seen = 1;
	fd = PS__SYS(openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	r = ps__os_ident(fd, &id);
	/* Not the directory the walk came through: it was moved meanwhile,
	 * and ".." may lead anywhere. */
	if (r == 0 && scoped(w) && (id.dev != w->up[w->depth - 1].dev ||
	    id.ino != w->up[w->depth - 1].ino))
		r = -EAGAIN;
	else if (r == 0 && crosses(w, &id))
		r = -EXDEV;
	if (r < 0) {
		close(fd);
		return r;
	}
	if (scoped(w))
		w->depth--;
	set_cur(w, fd, &id);
	return 0;
}

/* Replace the symlink open on fd (found as name) by its text: the rest of
 * the path now starts with it. */
static int follow(struct walk *w, int fd, const char *name, char *after)
{
	char target[PATH_MAX];
	size_t alen = strlen(after);
	int n;

	if (w->rflags & PS_NO_SYMLINKS)
		return -ELOOP;
	if (++w->links > MAX_LINKS)
		return -ELOOP;
	/* Followed by magic, a link may lead anywhere: openat2 refuses it
	 * under PS_BENEATH and PS_IN_ROOT, and under PS_NO_XDEV its target
	 * is (nearly always) on another mount. */
	if (ps__os_magic_link(fd, name))
		return -EXDEV;
	n = ps__os_readlink(fd, w->cur, name, target, sizeof(target));
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	if ((size_t)n + alen >= sizeof(w->rest))
		return -ENAMETOOLONG;
	memmove(w->rest + n, after, alen + 1);
	memcpy(w->rest, target, n);
	if (alen < w->link_tail)
		w->link_tail = alen;
	return target[0] == '/' ? jump_root(w, 0) : 0;
}

static int is_dots(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* One directory component, followed if it is a symlink; with mkdirs a
 * missing one is created. */
static int advance(struct walk *w, int fd, const struct ps__ident *id)
{
	if (scoped(w))
		return push(w, fd, id);
	set_cur(w, fd, id);
	return 0;
}

static int step(struct walk *w, const char *name, char *after)
{
	struct ps__ident id;
	int fd, r, inside;

	if (is_dots(name))
		return name[1] ? dotdot(w) : 0;
	/* Past the symlinks' texts; within them nothing is created, so a
	 * dangling symlink is a name in the way (EEXIST), as for mkdir -p. */
	inside = strlen(after) >= w->link_tail;
	if (!inside)
		w->link_tail = SIZE_MAX;
	/* Most components are directories, and without identities to keep
	 * one open tells (a symlink answers ENOTDIR to O_DIRECTORY). */
	if (!w->record) {
		fd = PS__SYS(openat(w->cur, name, O_PATH | O_NOFOLLOW |
		    O_DIRECTORY | O_CLOEXEC));
		if (fd >= 0)
			return advance(w, fd, NULL);
		if (fd != -ENOTDIR && fd != -ENOENT)
			return fd;
	}
	fd = PS__SYS(openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	if (fd == -ENOENT && (w->rflags & PS__RESOLVE_MKDIRS) && inside)
		return -EEXIST;
	if (fd == -ENOENT && (w->rflags & PS__RESOLVE_MKDIRS)) {
		r = PS__SYS(mkdirat(w->cur, name, w->mode));
		if (r == 0 || r == -EEXIST)
			r = fd = PS__SYS(openat(w->cur, name,
			    O_PATH | O_NOFOLLOW | O_CLOEXEC));
		/* The directory held, or the one just made, was removed
		 * meanwhile (a directory renamed over it): walk again. */
		if (r == -ENOENT)
			return -EAGAIN;
		if (r < 0)
			return r;
	}
	if (fd < 0)
		return fd;
	r = ps__os_ident(fd, &id);
	if (r == 0 && S_ISLNK(id.mode))
		r = follow(w, fd, name, after);
	else if (r == 0 && !S_ISDIR(id.mode))
		r = w->rflags & PS__RESOLVE_MKDIRS ? -EEXIST : -ENOTDIR;
	else if (r == 0 && crosses(w, &id))
		r = -EXDEV;
	else if (r == 0)
		return advance(w, fd, w->record ? &id : NULL);
	close(fd);
	return r;
}

/*
 * The last component, opened with the caller's flags.  O_NOFOLLOW makes
 * the kernel refuse a symlink instead of following it; the walk then
 * follows it by its text, unless the caller asked for O_NOFOLLOW.
 * 1 with *fd the file, 0 when a symlink was followed, or -errno.
 */
static int last(struct walk *w, const char *name, char *after, int *fd)
{
	int follow_ok = !(w->oflags & O_NOFOLLOW), err = 0, r;
	struct ps__ident id;

	/* Never a node whose open yields another file (FreeBSD's fd/N):
	 * EXDEV, as a magic link. */
	*fd = ps__os_open_name(w->cur, name, w->oflags, w->mode);
	/* A symlink answers ELOOP, or ENOTDIR to O_DIRECTORY: look again at
	 * what the name holds, without following it. */
	if (follow_ok && (*fd == -ELOOP ||
	    (*fd == -ENOTDIR && (w->oflags & O_DIRECTORY)))) {
		err = *fd;
		*fd = PS__SYS(openat(w->cur, name,
		    O_PATH | O_NOFOLLOW | O_CLOEXEC));
	}
	if (*fd < 0)
		return *fd;
	/* Only O_PATH opens a symlink itself. */
	if (!err && !(w->oflags & O_PATH) && !(w->rflags & PS_NO_XDEV))
		return 1;
	r = ps__os_ident(*fd, &id);
	if (r == 0 && S_ISLNK(id.mode) && follow_ok)
		r = follow(w, *fd, name, after);
	/* No longer a symlink (swapped since: start again), or never one. */
	else if (r == 0 && err)
		r = err == -ELOOP ? -EAGAIN : err;
	else if (r == 0 && !S_ISLNK(id.mode) && crosses(w, &id))
		r = -EXDEV;
	else if (r == 0)
		return 1;
	close(*fd);
	*fd = -1;
	return r;
}

/* Resolves w->rest, consuming it a component at a time; the opened file,
 * or -errno. */
static int walk(struct walk *w)
{
	char name[PS__NAME_MAX + 1], *p, *end;
	int fd, r = 0, is_last, trailing;
	size_t len;

	if (w->rest[0] == '/')
		r = jump_root(w, 1);
	while (r == 0) {
		p = w->rest + strspn(w->rest, "/");
		/* Nothing left: the directory reached is the file. */
		if (!*p)
			return PS__SYS(openat(w->cur, ".",
			    w->oflags | O_CLOEXEC, w->mode));
		len = strcspn(p, "/");
		if (len > PS__NAME_MAX)
			return -ENAMETOOLONG;
		end = p + len;
		trailing = *end != '\0';
		is_last = !end[strspn(end, "/")];
		memcpy(name, p, len);
		name[len] = '\0';
		memmove(w->rest, end, strlen(end) + 1);
		/* Creating through a trailing slash: never a file. */
		if (is_last && trailing && (w->oflags & O_CREAT))
			return -EISDIR;
		if (!is_last || trailing || is_dots(name) ||
		    (w->rflags & PS__RESOLVE_MKDIRS)) {
			r = step(w, name, w->rest);
			continue;
		}
		r = last(w, name, w->rest, &fd);
		if (r == 1)
			return fd;
	}
	return r;
}

static int walk_from(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags, int record)
{
	struct walk w = { .rflags = rflags, .oflags = oflags, .mode = mode,
		.cap = STACK_INLINE, .link_tail = SIZE_MAX,
		.record = record || (rflags & PS_NO_XDEV) };
	int r;

	w.up = w.inline_up;
	w.root = dirfd;
	if (dirfd == AT_FDCWD) {
		w.root = PS__SYS(openat(AT_FDCWD, ".",
		    O_PATH | O_DIRECTORY | O_CLOEXEC));
		if (w.root < 0)
			return w.root;
		w.root_owned = 1;
	}
	w.cur = w.root;
	strcpy(w.rest, path);
	r = ps__os_ident(w.root, &w.id);
	w.root_id = w.id;
	if (r == 0 && !S_ISDIR(w.id.mode) && path[0] != '/')
		r = -ENOTDIR;
	if (r == 0)
		r = walk(&w);
	if (w.cur != w.root)
		close(w.cur);
	if (w.root_owned)
		close(w.root);
	if (w.up != w.inline_up)
		free(w.up);
	return r;
}

static int walk_path(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	int r;

	/* What openat2 refuses before it resolves anything (O_CREAT with
	 * O_DIRECTORY since Linux 6.4), the walk refuses the same way. */
	if ((oflags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY) ||
	    (oflags & O_PATH && oflags & ~(O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)))
		return -EINVAL;
	if (!path[0])
		return -ENOENT;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	/* Identities are kept only for a path that needs them: one with a
	 * ".." that goes back up (seen only on the way, in the walk). */
	r = walk_from(dirfd, path, oflags, mode, rflags, 0);
	if (r == WALK_RECORD)
		r = walk_from(dirfd, path, oflags, mode, rflags, 1);
	return r;
}

int ps__resolve(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	int mkdirs = !!(rflags & PS__RESOLVE_MKDIRS), r = -EAGAIN;

	if (!path)
		return -EFAULT;
	if ((rflags & ~(PS__RESOLVE_FLAGS | PS__RESOLVE_MKDIRS)) ||
	    (rflags & (PS_BENEATH | PS_IN_ROOT)) == (PS_BENEATH | PS_IN_ROOT))
		return -EINVAL;
	if (!(rflags & PS__RESOLVE_FLAGS) && !mkdirs) {
		ps__set_route("openat");
		return PS__SYS(openat(dirfd, path, oflags | O_CLOEXEC, mode));
	}
	/* Renames racing the resolution: openat2 and the walk both say
	 * EAGAIN, which is worth a few more tries.  openat2 says it for a
	 * ".." when any rename or mount anywhere happened meanwhile (the
	 * kernel's rename_lock and mount_lock are global), which a busy
	 * machine can make happen every time; the walk checks only the
	 * directories of this path, so it takes the later tries.  Not for
	 * PS_NO_XDEV: where a sandbox filters statx the walk tells mounts
	 * only by st_dev, and anyone who can rename could force it.  The
	 * kernel cannot create directories on the way: mkdirs always
	 * walks. */
	for (int i = 0; i < MAX_RETRIES && r == -EAGAIN; i++) {
		r = mkdirs || (i >= KERNEL_TRIES && !(rflags & PS_NO_XDEV)) ?
		    PS__ENOROUTE :
		    ps__os_openat2(dirfd, path, oflags, mode, rflags);
		if (r == PS__ENOROUTE) {
			r = walk_path(dirfd, path, oflags, mode, rflags);
			ps__set_route("walk");
		} else {
			ps__set_route("openat2");
		}
	}
	return r;
}

/* Trailing "/" and "/." name the component before them, which must be a
 * directory; the returned length is what is left. */
static size_t strip_trailing(const char *path, size_t n, int *must_dir)
{
	for (;;) {
		if (n > 1 && path[n - 1] == '/')
			n--;
		else if (n > 2 && path[n - 1] == '.' && path[n - 2] == '/')
			n -= 2;
		else
			return n;
		*must_dir = 1;
	}
}

int ps__resolve_parent(int dirfd, const char *path, unsigned rflags,
    struct ps__parent *p)
{
	char dir[PATH_MAX];
	const char *slash;
	size_t n, blen;

	p->fd = dirfd;
	p->owned = 0;
	p->must_dir = 0;
	p->base = p->name;
	if (!path)
		return -EFAULT;
	if ((rflags & (PS_BENEATH | PS_IN_ROOT)) == (PS_BENEATH | PS_IN_ROOT))
		return -EINVAL;
	if (!path[0])
		return -ENOENT;
	n = strip_trailing(path, strlen(path), &p->must_dir);
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	slash = memrchr(path, '/', n);
	blen = slash ? n - (size_t)(slash + 1 - path) : n;
	if (blen > PS__NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(p->name, path + n - blen, blen);
	p->name[blen] = '\0';
	/* "/", ".", ".." and "a/..": the path is a directory, not a name in
	 * one. */
	if (!blen || !strcmp(p->name, ".") || !strcmp(p->name, "..")) {
		memcpy(dir, path, n);
		dir[n] = '\0';
		strcpy(p->name, ".");
		p->must_dir = 0;
		if (!strcmp(dir, ".") && !(rflags & PS__RESOLVE_FLAGS))
			return 0;
	} else if (slash) {
		n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
	} else {
		return 0;
	}
	p->fd = ps__resolve(dirfd, dir, O_PATH | O_DIRECTORY, 0, rflags);
	if (p->fd < 0)
		return p->fd;
	p->owned = 1;
	return 0;
}

void ps__parent_close(struct ps__parent *p)
{
	if (p->owned)
		close(p->fd);
	p->owned = 0;
}
