/* SPDX-License-Identifier: MIT */
/*
 * The rows: for each operation, the library call, the limit (the fewest
 * raw syscalls that do the same) and what users run today.  Every op runs
 * in the scratch directory, which is also the cwd; the files an op needs
 * are made by prep or init, outside the timed batch.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "bench.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452	/* Linux 6.6; glibc 2.36 lacks the name */
#endif

extern char **environ;

/* Alternate two modes so that every chmod really changes the inode. */
static mode_t mode_of(int i)
{
	return i & 1 ? 0600 : 0644;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int make_file(struct bench *b, const char *name)
{
	int fd = openat(b->dir, name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, b->buf, sizeof(b->buf)) != (ssize_t)sizeof(b->buf)) {
		close(fd);
		return fail(EIO);
	}
	return close(fd);
}

static int put(int fd, struct bench *b)
{
	ssize_t n = write(fd, b->buf, sizeof(b->buf));

	return n == (ssize_t)sizeof(b->buf) ? 0 : fail(n < 0 ? errno : EIO);
}

static int unlink_names(struct bench *b, int k)
{
	for (int i = 0; i < k; i++)
		if (unlinkat(b->dir, b->names[i], 0) < 0)
			return -1;
	return 0;
}

/* Sets up no state. */
static int nothing(struct bench *b, int k)
{
	(void)b, (void)k;
	return 0;
}

static int init_f(struct bench *b)
{
	return make_file(b, "f");
}

/* The row's file "f", held open on b->fd. */
static int open_f(struct bench *b, int oflags)
{
	if (make_file(b, "f") < 0)
		return -1;
	b->fd = openat(b->dir, "f", oflags | O_CLOEXEC);
	return b->fd < 0 ? -1 : 0;
}

/* chmod no-follow. */

static int chmod_lib(struct bench *b, int i)
{
	return ps_fchmod_nofollow(b->dir, "f", mode_of(i), 0);
}

static int chmod_raw(struct bench *b, int i)
{
	return syscall(SYS_fchmodat2, b->dir, "f", mode_of(i),
	    AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

static int chmod_glibc(struct bench *b, int i)
{
	return fchmodat(b->dir, "f", mode_of(i), AT_SYMLINK_NOFOLLOW);
}

/* What a careful program writes without fchmodat2, as glibc does. */
static int chmod_proc(struct bench *b, int i)
{
	char path[32];
	struct stat st;
	int fd = openat(b->dir, "f", O_PATH | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fstat(fd, &st);
	if (r == 0 && S_ISLNK(st.st_mode))
		r = fail(EOPNOTSUPP);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (r == 0)
		r = chmod(path, mode_of(i));
	close(fd);
	return r;
}

/*
 * Publish 4 KiB, under a new name each op or over "r" (replace), durable
 * or not (sync), as the row's init chose.
 */

static int pub_setup(struct bench *b, int replace, int sync)
{
	b->replace = replace;
	b->sync = sync;
	return replace ? make_file(b, "r") : 0;
}

static int init_pub(struct bench *b)
{
	return pub_setup(b, 0, 0);
}

static int init_pubs(struct bench *b)
{
	return pub_setup(b, 0, 1);
}

static int init_rep(struct bench *b)
{
	return pub_setup(b, 1, 0);
}

static int init_reps(struct bench *b)
{
	return pub_setup(b, 1, 1);
}

static const char *pub_name(struct bench *b, int i)
{
	return b->replace ? "r" : b->names[i];
}

static int pub_done(struct bench *b, int k)
{
	return b->replace ? 0 : unlink_names(b, k);
}

/* A handle in dir (flags: how ps_tmpfile_open takes it), written and
 * published. */
static int pub_handle(struct bench *b, int i, const char *dir,
    unsigned flags)
{
	ps_tmpfile *t = ps_tmpfile_open(b->dir, dir, 0644, flags);
	int r;

	if (!t)
		return -1;
	r = put(ps_tmpfile_fd(t), b);
	if (r == 0 && ps_publish_tmpfile(t, pub_name(b, i),
	    (b->replace ? PS_REPLACE : 0) | (b->sync ? 0 : PS_NO_SYNC)) < 0)
		r = -1;
	if (ps_tmpfile_close(t) < 0)
		r = -1;
	return r;
}

static int pub_lib(struct bench *b, int i)
{
	return pub_handle(b, i, ".", 0);
}

/* The held directory borrowed (PS_EMPTY_PATH): the handle opens and
 * closes no directory of its own. */
static int pub_borrowed(struct bench *b, int i)
{
	return pub_handle(b, i, "", PS_EMPTY_PATH);
}

/*
 * The temporary name a replace links before renaming over the target: a
 * fresh one per op, as every program with more than one writer needs (apk
 * names each file ".apk." and 48 hex digits of a hash).  A fixed name
 * would be cheaper than any real program: on tmpfs the kernel finds a
 * name it just used in a dentry hash bucket still in the cache, where a
 * fresh name's bucket is cold (the linkat's d_lookup, about 4% of the op).
 * Same length and shape as the library's hidden names (26 characters, 16
 * hex digits), made as cheaply as possible: a counter, mixed.
 */
static void raw_tmpname(char name[BENCH_NAME])
{
	static const char hex[] = "0123456789abcdef";
	static uint64_t n;
	uint64_t v = ++n * 0x9e3779b97f4a7c15u;

	v ^= v >> 31;
	memcpy(name, ".replacing", 10);
	for (int i = 0; i < 16; i++)
		name[10 + i] = hex[(v >> (4 * i)) & 0xf];
	name[26] = '\0';
}

/* O_TMPFILE in the held directory, linked as its name, or as a fresh
 * temporary name renamed over "r". */
static int pub_raw(struct bench *b, int i)
{
	const char *name = pub_name(b, i);
	char tmp[BENCH_NAME];
	int fd = openat(b->dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644), r;

	if (fd < 0)
		return -1;
	r = put(fd, b);
	if (r == 0 && b->sync)
		r = fsync(fd);
	if (b->replace)
		raw_tmpname(tmp);
	if (r == 0)
		r = linkat(fd, "", b->dir, b->replace ? tmp : name,
		    AT_EMPTY_PATH);
	if (r == 0 && b->replace)
		r = renameat(b->dir, tmp, b->dir, name);
	if (r == 0 && b->sync)
		r = fsync(b->dir);
	close(fd);
	return r;
}

/* google/renameio's WriteFile: a temporary file, its mode, rename. */
static int pub_today(struct bench *b, int i)
{
	const char *name = pub_name(b, i);
	char tmp[BENCH_NAME + 8];
	int fd, dfd, r;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = put(fd, b);
	if (r == 0)
		r = fchmod(fd, 0644);
	if (r == 0 && b->sync)
		r = fsync(fd);
	if (r == 0)
		r = rename(tmp, name);
	if (r == 0 && b->sync) {
		dfd = r = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			r = fsync(dfd);
			close(dfd);
		}
	}
	close(fd);
	return r < 0 ? -1 : 0;
}

/* Reopen an O_PATH descriptor for reading, and close the new one. */

static int init_opath(struct bench *b)
{
	return open_f(b, O_PATH);
}

static int reopen_lib(struct bench *b, int i)
{
	int fd = ps_reopen(b->fd, O_RDONLY, 0);

	(void)i;
	return fd < 0 ? -1 : close(fd);
}

static int reopen_proc(struct bench *b, int i)
{
	char path[32];
	int fd;

	(void)i;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -1 : close(fd);
}

/* chmod of an O_PATH descriptor on an old kernel: proc-chmod on the
 * caller's number (PS_EMPTY_PATH). */
static int chmod_fd_lib(struct bench *b, int i)
{
	return ps_fchmod_nofollow(b->fd, "", mode_of(i), PS_EMPTY_PATH);
}

static int chmod_fd_proc(struct bench *b, int i)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	return chmod(path, mode_of(i));
}

/* The same with the check a careful program makes first. */
static int chmod_fd_checked(struct bench *b, int i)
{
	char path[32];
	struct stat st;

	if (fstat(b->fd, &st) < 0)
		return -1;
	if (S_ISLNK(st.st_mode))
		return fail(EOPNOTSUPP);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	return chmod(path, mode_of(i));
}

/* funlinkat: prep makes k files and keeps each one open. */

static int make_names(struct bench *b, int k)
{
	for (int i = 0; i < k; i++) {
		b->fds[i] = openat(b->dir, b->names[i], O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC, 0644);
		if (b->fds[i] < 0)
			return -1;
	}
	return 0;
}

static int close_fds(struct bench *b, int k)
{
	for (int i = 0; i < k; i++)
		close(b->fds[i]);
	return 0;
}

static int unlink_lib(struct bench *b, int i)
{
	return ps_funlinkat(b->dir, b->names[i], b->fds[i], 0);
}

static int unlink_raw(struct bench *b, int i)
{
	return unlinkat(b->dir, b->names[i], 0);
}

/* Check, then act: the race the library closes. */
static int unlink_checked(struct bench *b, int i)
{
	struct stat fst, nst;

	if (fstat(b->fds[i], &fst) < 0 ||
	    fstatat(b->dir, b->names[i], &nst, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (fst.st_dev != nst.st_dev || fst.st_ino != nst.st_ino)
		return fail(EDEADLK);
	return unlinkat(b->dir, b->names[i], 0);
}

/* flink: name an open, named file k times. */

static int init_open(struct bench *b)
{
	return open_f(b, O_RDONLY);
}

static int flink_lib(struct bench *b, int i)
{
	return ps_flink(b->fd, b->dir, b->names[i], 0);
}

static int flink_raw(struct bench *b, int i)
{
	return linkat(b->fd, "", b->dir, b->names[i], AT_EMPTY_PATH);
}

static int flink_proc(struct bench *b, int i)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", b->fd);
	return linkat(AT_FDCWD, path, b->dir, b->names[i],
	    AT_SYMLINK_FOLLOW);
}

/* Copy: whole programs, run on the source -s names; dst is removed and
 * everything synced between ops, outside the timing. */

static int run(const char *const argv[])
{
	pid_t pid;
	int st, r;

	r = posix_spawnp(&pid, argv[0], NULL, NULL, (char **)argv, environ);
	if (r != 0)
		return fail(r);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "ps-bench: %s failed (status %#x)\n", argv[0],
		    st);
		return fail(EIO);
	}
	return 0;
}

static int copy_label(struct bench *b, const char *durability)
{
	struct stat st;

	if (!b->src || !b->pscp)
		return fail(EINVAL);
	if (stat(b->src, &st) < 0)
		return -1;
	snprintf(b->label, sizeof(b->label), "copy %lld %s, %s",
	    (long long)st.st_size >> (st.st_size >> 30 ? 30 : 20),
	    st.st_size >> 30 ? "GiB" : "MiB", durability);
	return 0;
}

static int init_copy(struct bench *b)
{
	return copy_label(b, "not durable");
}

static int init_copys(struct bench *b)
{
	return copy_label(b, "durable");
}

/* Every copy starts with no destination and nothing dirty anywhere: a
 * writeback still running, or dirty pages throttling the writer, would
 * land on whichever op comes next. */
static int no_dst(struct bench *b, int k)
{
	(void)k;
	if (unlinkat(b->dir, "dst", 0) < 0 && errno != ENOENT)
		return -1;
	sync();
	return 0;
}

static int copy_lib(struct bench *b, int i)
{
	(void)i;
	return run((const char *const[]){ b->pscp, "--atomic", "--no-sync",
	    b->src, "dst", NULL });
}

static int copy_cp(struct bench *b, int i)
{
	(void)i;
	return run((const char *const[]){ "cp", "--reflink=auto", b->src,
	    "dst", NULL });
}

static int copy_mv(struct bench *b, int i)
{
	(void)i;
	if (run((const char *const[]){ "cp", b->src, "dst.tmp", NULL }) < 0)
		return -1;
	return run((const char *const[]){ "mv", "dst.tmp", "dst", NULL });
}

/* Durable: the file's data and the directory entry, as pscp does. */

static int copys_lib(struct bench *b, int i)
{
	(void)i;
	return run((const char *const[]){ b->pscp, "--atomic", b->src, "dst",
	    NULL });
}

static int copys_cp(struct bench *b, int i)
{
	if (copy_cp(b, i) < 0)
		return -1;
	return run((const char *const[]){ "sync", "dst", ".", NULL });
}

static int copys_mv(struct bench *b, int i)
{
	(void)i;
	if (run((const char *const[]){ "cp", b->src, "dst.tmp", NULL }) < 0 ||
	    run((const char *const[]){ "sync", "dst.tmp", NULL }) < 0 ||
	    run((const char *const[]){ "mv", "dst.tmp", "dst", NULL }) < 0)
		return -1;
	return run((const char *const[]){ "sync", ".", NULL });
}

/*
 * Resolution beneath a root: a path of DEPTH components under "r", every
 * one a directory but the last, opened with PS_IN_ROOT; the walk's cost
 * per component is the row run under ps-emulate no-openat2, whose
 * syscalls per op, less the openat2 row's, divided by DEPTH.
 */
#define DEPTH 10
#define DEEP "r/c1/c2/c3/c4/c5/c6/c7/c8/f"

struct open_how32 {
	unsigned long long flags, mode, resolve, zero;
};

static int init_deep(struct bench *b)
{
	char p[sizeof(DEEP)];

	for (char *s = strcpy(p, DEEP); (s = strchr(s + 1, '/')); ) {
		*s = '\0';
		if (mkdirat(b->dir, p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return make_file(b, DEEP);
}

static int open_root_lib(struct bench *b, int i)
{
	int fd = ps_open(b->dir, DEEP, O_RDONLY, 0, PS_IN_ROOT);

	(void)i;
	return fd < 0 ? -1 : close(fd);
}

/* openat2 RESOLVE_IN_ROOT, with the 32-byte open_how ps-emulate's
 * no-openat2 lets through: the kernel's resolver under either. */
static int open_root_raw(struct bench *b, int i)
{
	struct open_how32 how = { .flags = O_RDONLY | O_CLOEXEC,
		.resolve = 0x10 };
	int fd = syscall(SYS_openat2, b->dir, DEEP, &how, sizeof(how));

	(void)i;
	return fd < 0 ? -1 : close(fd);
}

static int open_root_today(struct bench *b, int i)
{
	int fd = openat(b->dir, DEEP, O_RDONLY | O_CLOEXEC);

	(void)i;
	return fd < 0 ? -1 : close(fd);
}

/* A tree of 10,000 entries: 100 directories of 99 files each. */
#define TREE_DIRS 100
#define TREE_FILES 99

static int make_tree(struct bench *b, int k)
{
	char name[32];
	int t, d;

	(void)k;
	if (mkdirat(b->dir, "tree", 0755) < 0)
		return -1;
	t = openat(b->dir, "tree", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; t >= 0 && i < TREE_DIRS; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		if (mkdirat(t, name, 0755) < 0 ||
		    (d = openat(t, name, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			break;
		for (int j = 0; j < TREE_FILES; j++) {
			snprintf(name, sizeof(name), "f%d", j);
			close(openat(d, name, O_WRONLY | O_CREAT | O_CLOEXEC,
			    0644));
		}
		close(d);
	}
	return t < 0 ? -1 : close(t);
}

static int tree_lib(struct bench *b, int i)
{
	(void)i;
	return ps_remove_tree(b->dir, "tree", 0);
}

/* The fewest syscalls: *at calls, no checks (unsafe under attack). */
static int remove_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd)))
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR ? remove_at(fd, e->d_name) :
		    unlinkat(fd, e->d_name, 0)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

static int tree_raw(struct bench *b, int i)
{
	(void)i;
	return remove_at(b->dir, "tree");
}

static int tree_rm(struct bench *b, int i)
{
	(void)b, (void)i;
	return run((const char *const[]){ "rm", "-rf", "tree", NULL });
}

#define V(w, p, o, d) { .what = (w), .prep = (p), .op = (o), .done = (d) }

const struct row bench_rows[] = {
	{ "chmod", "chmod no-follow", 50, 201, 0, init_f, {
	    V("ps_fchmod_nofollow(dir, \"f\")", nothing, chmod_lib, nothing),
	    V("fchmodat2(dir, \"f\", AT_SYMLINK_NOFOLLOW)", nothing,
		chmod_raw, nothing),
	    V("glibc fchmodat(dir, \"f\", AT_SYMLINK_NOFOLLOW)", nothing,
		chmod_glibc, nothing) } },
	{ "chmod-old", "chmod no-follow, old kernel", 50, 201, 0, init_f, {
	    V("ps_fchmod_nofollow(dir, \"f\")", nothing, chmod_lib, nothing),
	    V("openat O_PATH|O_NOFOLLOW, fstat, chmod /proc/self/fd/N, close",
		nothing, chmod_proc, nothing),
	    V("glibc fchmodat(dir, \"f\", AT_SYMLINK_NOFOLLOW)", nothing,
		chmod_glibc, nothing) } },
	{ "publish", "publish 4 KiB, not durable", 10, 1001, 0, init_pub, {
	    V("ps_tmpfile_open, write, ps_publish_tmpfile(PS_NO_SYNC), "
		"ps_tmpfile_close", nothing, pub_lib, pub_done),
	    V("openat(dir, O_TMPFILE), write, linkat AT_EMPTY_PATH, close",
		nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, rename, close", nothing,
		pub_today, pub_done) } },
	{ "publish-sync", "publish 4 KiB, durable", 5, 101, 0, init_pubs, {
	    V("ps_tmpfile_open, write, ps_publish_tmpfile, ps_tmpfile_close",
		nothing, pub_lib, pub_done),
	    V("openat(dir, O_TMPFILE), write, fsync, linkat AT_EMPTY_PATH, "
		"fsync(dir), close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, fsync, rename, open \".\", "
		"fsync, close, close", nothing, pub_today, pub_done) } },
	{ "replace", "publish with replace, not durable", 10, 1001, 0,
	    init_rep, {
	    V("as publish, with PS_REPLACE|PS_NO_SYNC", nothing, pub_lib,
		pub_done),
	    V("openat(dir, O_TMPFILE), write, linkat as a fresh name, "
		"renameat, close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, rename, close", nothing,
		pub_today, pub_done) } },
	{ "replace-sync", "publish with replace, durable", 5, 101, 0,
	    init_reps, {
	    V("as publish, with PS_REPLACE", nothing, pub_lib, pub_done),
	    V("openat(dir, O_TMPFILE), write, fsync, linkat as a fresh name, "
		"renameat, fsync(dir), close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, fsync, rename, open \".\", "
		"fsync, close, close", nothing, pub_today, pub_done) } },
	{ "publish-borrowed", "publish 4 KiB, borrowed dir, not durable",
	    10, 1001, 0, init_pub, {
	    V("ps_tmpfile_open(dir, \"\", PS_EMPTY_PATH), write, "
		"ps_publish_tmpfile(PS_NO_SYNC), ps_tmpfile_close", nothing,
		pub_borrowed, pub_done),
	    V("openat(dir, O_TMPFILE), write, linkat AT_EMPTY_PATH, close",
		nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, rename, close", nothing,
		pub_today, pub_done) } },
	{ "publish-borrowed-sync", "publish 4 KiB, borrowed dir, durable", 5,
	    101, 0, init_pubs, {
	    V("as publish, borrowed dir, without PS_NO_SYNC", nothing,
		pub_borrowed, pub_done),
	    V("openat(dir, O_TMPFILE), write, fsync, linkat AT_EMPTY_PATH, "
		"fsync(dir), close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, fsync, rename, open \".\", "
		"fsync, close, close", nothing, pub_today, pub_done) } },
	{ "replace-borrowed", "publish with replace, borrowed dir, not durable",
	    10, 1001, 0, init_rep, {
	    V("as publish, borrowed dir, with PS_REPLACE|PS_NO_SYNC", nothing,
		pub_borrowed, pub_done),
	    V("openat(dir, O_TMPFILE), write, linkat as a fresh name, "
		"renameat, close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, rename, close", nothing,
		pub_today, pub_done) } },
	{ "replace-borrowed-sync",
	    "publish with replace, borrowed dir, durable", 5, 101, 0,
	    init_reps, {
	    V("as publish, borrowed dir, with PS_REPLACE", nothing,
		pub_borrowed, pub_done),
	    V("openat(dir, O_TMPFILE), write, fsync, linkat as a fresh name, "
		"renameat, fsync(dir), close", nothing, pub_raw, pub_done),
	    V("mkostemp, write, fchmod 0644, fsync, rename, open \".\", "
		"fsync, close, close", nothing, pub_today, pub_done) } },
	{ "reopen", "reopen O_PATH for reading", 50, 201, 0, init_opath, {
	    V("ps_reopen(fd, O_RDONLY), close", nothing, reopen_lib, nothing),
	    V("open(\"/proc/self/fd/N\", O_RDONLY), close", nothing,
		reopen_proc, nothing),
	    V("the same as the limit", nothing, reopen_proc, nothing) } },
	{ "chmod-old-fd", "chmod no-follow of an O_PATH fd, old kernel", 50,
	    201, 0, init_opath, {
	    V("ps_fchmod_nofollow(fd, \"\", PS_EMPTY_PATH)", nothing,
		chmod_fd_lib, nothing),
	    V("chmod(\"/proc/self/fd/N\")", nothing, chmod_fd_proc, nothing),
	    V("fstat(fd), chmod(\"/proc/self/fd/N\")", nothing,
		chmod_fd_checked, nothing) } },
	{ "funlinkat", "funlinkat", 50, 201, 0, NULL, {
	    V("ps_funlinkat(dir, name, fd)", make_names, unlink_lib,
		close_fds),
	    V("unlinkat(dir, name) (unsafe: no check)", make_names,
		unlink_raw, close_fds),
	    V("fstat(fd), fstatat(dir, name), compare, unlinkat (racy)",
		make_names, unlink_checked, close_fds) } },
	{ "flink", "flink", 50, 201, 0, init_open, {
	    V("ps_flink(fd, dir, name)", nothing, flink_lib, unlink_names),
	    V("linkat(fd, \"\", dir, name, AT_EMPTY_PATH)", nothing,
		flink_raw, unlink_names),
	    V("linkat(\"/proc/self/fd/N\", dir, name, AT_SYMLINK_FOLLOW)",
		nothing, flink_proc, unlink_names) } },
	{ "copy", "copy, not durable", 1, 11, 1, init_copy, {
	    V("pscp --atomic --no-sync SRC dst (a process)", no_dst, copy_lib,
		no_dst),
	    V("cp --reflink=auto SRC dst (a process)", no_dst, copy_cp,
		no_dst),
	    V("cp SRC dst.tmp, then mv dst.tmp dst (two processes)", no_dst,
		copy_mv, no_dst) } },
	{ "copy-sync", "copy, durable", 1, 9, 1, init_copys, {
	    V("pscp --atomic SRC dst (fsyncs the file and the directory)",
		no_dst, copys_lib, no_dst),
	    V("cp --reflink=auto SRC dst, sync dst .", no_dst, copys_cp,
		no_dst),
	    V("cp SRC dst.tmp, sync dst.tmp, mv dst.tmp dst, sync .", no_dst,
		copys_mv, no_dst) } },
	{ "open-in-root", "open 10 components, PS_IN_ROOT", 50, 201, 0,
	    init_deep, {
	    V("ps_open(dir, path, O_RDONLY, PS_IN_ROOT), close", nothing,
		open_root_lib, nothing),
	    V("openat2(dir, path, RESOLVE_IN_ROOT), close", nothing,
		open_root_raw, nothing),
	    V("openat(dir, path) (unsafe: follows out of the root), close",
		nothing, open_root_today, nothing) } },
	{ "remove-tree", "remove a tree of 10,000 entries", 1, 11, 1, NULL, {
	    V("ps_remove_tree(dir, \"tree\")", make_tree, tree_lib, nothing),
	    V("openat, getdents, unlinkat per entry, no checks (unsafe)",
		make_tree, tree_raw, nothing),
	    V("rm -rf tree (a process)", make_tree, tree_rm, nothing) } },
	{ .id = NULL }
};
