/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"

static const char *const outside_paths[LAY_NENTS] = {
	".", "sentinel", "sentdir", "sentdir/secret", ("sentdir/" LAY_HIDDEN),
};

void lay_die(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: harness check failed: %s (errno %d: %s)\n",
	    file, line, what, errno, strerror(errno));
	fflush(stdout);
	_exit(1);
}

static void put(int dirfd, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode);

	LAY_CHECK(fd >= 0);
	LAY_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	LAY_CHECK(fchmod(fd, mode) == 0);	/* whatever the umask */
	close(fd);
}

static void dir(int dirfd, const char *name, mode_t mode)
{
	LAY_CHECK(mkdirat(dirfd, name, mode) == 0);
	LAY_CHECK(fchmodat(dirfd, name, mode, 0) == 0);
}

static void link_to(int dirfd, const char *name, const char *fmt,
    const char *arg)
{
	char target[4200];

	snprintf(target, sizeof(target), fmt, arg);
	LAY_CHECK(symlinkat(target, dirfd, name) == 0);
}


/* What every name shape is made of (see tests/attack/sentinel.c). */
static void fill_tree(const struct layout *l)
{
	int t = l->treefd;

	put(t, "f", "tree file\n", 0644);
	put(t, "src", "linked and copied\n", 0644);
	put(t, LAY_HIDDEN, "stale\n", 0644);
	dir(t, "e", 0755);
	dir(t, "a", 0755);
	dir(t, "a/b", 0755);
	put(t, "a/b/c", "c\n", 0644);
	LAY_CHECK(symlinkat("b", t, "a/lb") == 0);
	LAY_CHECK(symlinkat("c", t, "a/b/lc") == 0);
	LAY_CHECK(symlinkat("../../sentdir", t, "a/lsd") == 0);
	LAY_CHECK(symlinkat("a", t, "la") == 0);
	LAY_CHECK(symlinkat("f", t, "lf") == 0);
	LAY_CHECK(symlinkat("e", t, "le") == 0);
	LAY_CHECK(symlinkat("nowhere", t, "ldang") == 0);
	LAY_CHECK(symlinkat("../sentdir/new", t, "ldangout") == 0);
	LAY_CHECK(symlinkat("../sentinel", t, "ls") == 0);
	LAY_CHECK(symlinkat("../sentdir", t, "lsd") == 0);
	LAY_CHECK(symlinkat("../sentdir/secret", t, "lsec") == 0);
	LAY_CHECK(symlinkat("..", t, "lbase") == 0);
	link_to(t, "lsa", "%s/sentinel", l->base);
	link_to(t, "lsda", "%s/sentdir", l->base);
	link_to(t, "lbasea", "%s", l->base);
}

static void fill(struct layout *l)
{
	fill_tree(l);
	l->pristine = lay_hash(l->treefd, ".");
}

/* Removes what dirfd/name is, never following a symlink; a directory
 * made unreadable by a call is opened up first. */
static void remove_at(int dirfd, const char *name)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		LAY_CHECK(unlinkat(dirfd, name, 0) == 0);
		return;
	}
	fchmodat(dirfd, name, 0700, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	LAY_CHECK(fd >= 0 && (d = fdopendir(fd)));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_at(fd, e->d_name);
	closedir(d);
	if (strcmp(name, "."))
		LAY_CHECK(unlinkat(dirfd, name, AT_REMOVEDIR) == 0);
}

static void open_tree(struct layout *l)
{
	l->treefd = open(l->tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	LAY_CHECK(l->treefd >= 0);
	LAY_CHECK(fchdir(l->treefd) == 0);
}

void lay_create(struct layout *l, const char *base)
{
	int b;

	snprintf(l->base, sizeof(l->base), "%s", base);
	snprintf(l->tree, sizeof(l->tree), "%s/tree", base);
	LAY_CHECK(mkdir(base, 0755) == 0 && chmod(base, 0755) == 0);
	b = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	LAY_CHECK(b >= 0);
	put(b, "sentinel", "sentinel\n", 0640);
	dir(b, "sentdir", 0750);
	put(b, "sentdir/secret", "secret\n", 0600);
	put(b, "sentdir/" LAY_HIDDEN, "stale\n", 0644);
	dir(b, "tree", 0755);
	close(b);
	open_tree(l);
	fill(l);
}

void lay_reset_tree(struct layout *l)
{
	remove_at(l->treefd, ".");
	LAY_CHECK(fchmod(l->treefd, 0755) == 0);
	fill(l);
}

void lay_destroy(struct layout *l)
{
	LAY_CHECK(chdir("/") == 0);
	close(l->treefd);
	chmod(l->base, 0700);
	remove_at(AT_FDCWD, l->base);
}

void lay_reset_all(struct layout *l)
{
	char base[4096];

	memcpy(base, l->base, sizeof(base));
	lay_destroy(l);
	lay_create(l, base);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3u;
}

static uint64_t mix_bytes(uint64_t h, const char *p, size_t n)
{
	while (n--)
		h = mix(h, (unsigned char)*p++);
	return h;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry's data: a file's bytes, a link's text, a directory's
 * entries, each hashed too when deep.  Deep, for the tree, bytes and
 * texts are left out: the times already show every write, and a new
 * link text is a new inode. */
static uint64_t data_hash(int dirfd, const char *path, const struct stat *st,
    int deep)
{
	uint64_t h = 0xcbf29ce484222325u;
	char buf[4096], *names[64];
	struct dirent *e;
	size_t n = 0;
	ssize_t r;
	DIR *d;
	int fd;

	if (deep && !S_ISDIR(st->st_mode))
		return h;
	if (S_ISLNK(st->st_mode)) {
		r = readlinkat(dirfd, path, buf, sizeof(buf));
		return mix_bytes(h, buf, r > 0 ? r : 0);
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return h;
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mix(h, errno);
	if (S_ISREG(st->st_mode)) {
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			h = mix_bytes(h, buf, r);
		close(fd);
		return h;
	}
	LAY_CHECK(d = fdopendir(fd));
	while ((e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			LAY_CHECK(names[n++] = strdup(e->d_name));
	h = mix(h, e != NULL);	/* more than 64 */
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		h = mix_bytes(h, names[i], strlen(names[i]) + 1);
		if (deep)
			h = mix(h, lay_hash(fd, names[i]));
		free(names[i]);
	}
	closedir(d);
	return h;
}

/* With prev, the data is read again only if the inode changed: a write
 * or a new entry changes the times, and nothing can set ctime back. */
static void ent(int dirfd, const char *path, struct lay_ent *o, int deep,
    const struct lay_ent *prev)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		o->err = errno;
		return;
	}
	o->mode = st.st_mode;
	o->uid = st.st_uid;
	o->gid = st.st_gid;
	o->nlink = st.st_nlink;
	o->ino = st.st_ino;
	o->size = S_ISDIR(st.st_mode) ? 0 : st.st_size;
	o->mtime = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	o->ctime = st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	if (prev && !prev->err && prev->mode == o->mode &&
	    prev->uid == o->uid && prev->gid == o->gid &&
	    prev->nlink == o->nlink && prev->ino == o->ino &&
	    prev->size == o->size && prev->mtime == o->mtime &&
	    prev->ctime == o->ctime)
		o->data = prev->data;
	else
		o->data = data_hash(dirfd, path, &st, deep);
}

uint64_t lay_hash(int dirfd, const char *path)
{
	struct lay_ent e;

	ent(dirfd, path, &e, 1, NULL);
	return mix(mix(mix(mix(mix(mix(mix(mix(mix(mix(0, e.err), e.mode),
	    e.uid), e.gid), e.nlink), e.ino), e.size), e.mtime), e.ctime),
	    e.data);
}

void lay_outside(const struct layout *l, struct lay_outside *o,
    const struct lay_outside *prev)
{
	int b = open(l->base, O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* BASE itself may be gone: rm -rf of ".." does that. */
	for (int i = 0; i < LAY_NENTS; i++)
		ent(b < 0 ? AT_FDCWD : b, b < 0 ? "/nonexistent/" :
		    outside_paths[i], &o->e[i], 0, prev ? &prev->e[i] : NULL);
	for (int i = 0; i < LAY_NENTS; i++)
		o->e[i].path = i ? outside_paths[i] : "BASE";
	close(b);
}

#define DIFF(f, fmt) do { if (x->f != y->f) at += snprintf(buf + at, \
	at < n ? n - at : 0, " %s: " #f " " fmt " -> " fmt ";", x->path, \
	x->f, y->f); } while (0)

int lay_outside_diff(const struct lay_outside *a, const struct lay_outside *b,
    char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < LAY_NENTS; i++) {
		const struct lay_ent *x = &a->e[i], *y = &b->e[i];

		if (x->err != y->err) {
			at += snprintf(buf + at, at < n ? n - at : 0,
			    " %s: %s;", x->path, y->err ? "removed" :
			    "created");
			continue;
		}
		DIFF(mode, "%o");
		DIFF(uid, "%u");
		DIFF(gid, "%u");
		DIFF(nlink, "%lu");
		DIFF(ino, "%lu");
		DIFF(size, "%lld");
		DIFF(mtime, "%lld");
		DIFF(ctime, "%lld");
		if (x->data != y->data)
			at += snprintf(buf + at, at < n ? n - at : 0,
			    " %s: %s changed;", x->path, S_ISDIR(x->mode) ?
			    "entries" : "content");
	}
	return at > 0;
}
