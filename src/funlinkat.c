/* SPDX-License-Identifier: MIT */
/*
 * ps_funlinkat, ps_funlink: remove a name only if it still is the open
 * file.  Routes: the kernel's funlinkat (FreeBSD 13); rename-verify: take
 * the name aside to a hidden name (renameat2 NOREPLACE, else renameat),
 * compare st_dev/st_ino, then remove it or put it back (NOREPLACE, else
 * link + unlink) without clobbering a name that reappeared.
 */
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int take_aside(int pd, const char *base,
    char hidden[PS__HIDDEN_SIZE])
{
	int r = -EEXIST;

	/* Only a collision of 64 random bits retries. */
	for (int i = 0; i < 4 && r == -EEXIST; i++) {
		ps__hidden_name(hidden, PS__ASIDE_PREFIX);
		r = ps__os_rename_noreplace(pd, base, hidden);
		if (r == PS__ENOROUTE)
			r = PS__SYS(renameat(pd, base, pd, hidden));
	}
	return r;
}

/*
 * Put the entry back, never over a name that reappeared: renameat2
 * NOREPLACE, or a hard link, which refuses to replace.  Where neither
 * exists (directories, sandboxes denying links) a rename checked to find
 * no name is the one window left.  Failing all, the entry stays under its
 * hidden name: kept, not lost.
 */
static void put_back(int pd, const char *hidden, const char *base,
    int isdir)
{
	struct stat st;
	int r = ps__os_rename_noreplace(pd, hidden, base);

	if (r != PS__ENOROUTE)
		return;
	if (!isdir)
		r = PS__SYS(linkat(pd, hidden, pd, base, 0));
	if (r == 0)
		unlinkat(pd, hidden, 0);
	else if (r != -EEXIST && fstatat(pd, base, &st, AT_SYMLINK_NOFOLLOW) < 0
	    && errno == ENOENT)
		renameat(pd, hidden, pd, base);
}

int ps__unlink_if(int pfd, const char *name, const struct stat *st)
{
	char hidden[PS__HIDDEN_SIZE];
	struct stat ast;
	int r = take_aside(pfd, name, hidden);

	if (r < 0)
		return r;
	r = PS__SYS(fstatat(pfd, hidden, &ast, AT_SYMLINK_NOFOLLOW));
	if (r < 0)
		return r;
	if (!ps__same_inode(st, &ast))
		r = -EDEADLK;
	else
		r = PS__SYS(unlinkat(pfd, hidden,
		    S_ISDIR(ast.st_mode) ? AT_REMOVEDIR : 0));
	if (r < 0)
		put_back(pfd, hidden, name, S_ISDIR(ast.st_mode));
	return r;
}

/* The name resolved under rflags, then removed if it is fd's file. */
static int funlinkat_stat(int dirfd, const char *name, unsigned rflags,
    int fd, const struct stat *st)
{
	struct ps__parent p;
	int r = ps__resolve_parent(dirfd, name, rflags, &p);

	if (r < 0)
		return r;
	if (!strcmp(p.base, "."))
		r = -EINVAL;
	/* "name/" names a directory, which fd's file is not. */
	else if (p.must_dir && !S_ISDIR(st->st_mode))
		r = -ENOTDIR;
	else
		r = ps__os_funlinkat(p.fd, p.base, fd, S_ISDIR(st->st_mode));
	if (r == PS__ENOROUTE) {
		r = ps__unlink_if(p.fd, p.base, st);
		if (r == 0)
			ps__set_route("rename-verify");
	}
	ps__parent_close(&p);
	return r;
}

int ps_funlinkat(int dirfd, const char *name, int fd, unsigned flags)
{
	struct stat st;
	int r = flags & ~PS__RESOLVE_FLAGS ? -EINVAL : 0;

	if (r == 0 && !name)
		r = -EFAULT;
	if (r == 0)
		r = PS__SYS(fstat(fd, &st));
	if (r == 0)
		r = funlinkat_stat(dirfd, name, flags, fd, &st);
	return ps__ret(r);
}

int ps_funlink(int fd, unsigned flags)
{
	char path[PATH_MAX];
	struct stat st;
	int r = flags ? -EINVAL : PS__SYS(fstat(fd, &st));

	if (r == 0 && st.st_nlink == 0)
		r = -ENOENT;
	/* A directory's link count counts its subdirectories. */
	else if (r == 0 && st.st_nlink > 1 && !S_ISDIR(st.st_mode))
		r = -EMLINK;
	if (r == 0)
		r = ps__os_fd_path(fd, path, sizeof(path));
	if (r == 0)
		r = funlinkat_stat(AT_FDCWD, path, 0, fd, &st);
	return ps__ret(r);
}
