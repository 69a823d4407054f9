/* SPDX-License-Identifier: MIT */
/*
 * ps-rooted ATTACK [-n N | --soak]: resolution beneath a root, attacked
 * as libpathrs's race tests attack it, and the naive code beside it.
 *
 * The root holds a deep path, PREFIX/a/b/..., where the attacker, on
 * another CPU and with no pause, (1) renames the directory a/b/mv out of
 * the root and back, so that ".." taken inside it climbs outside, and
 * (2) exchanges (RENAME_EXCHANGE) the directory a/b/s with a/b/sl, a
 * symlink to the absolute path of a directory outside the root.  Paths
 * through both, PREFIX/a/b/mv/c/d/../../../t and PREFIX/a/b/s/t2, have a
 * twin outside (outside/t, outside/t2) where an escape lands.
 *
 *	open-in-root, open-beneath    ps_open(O_PATH|O_DIRECTORY) of both
 *		paths, 100,000 times; every descriptor returned is walked up
 *		by ".." and must reach the root, never "/".  Naive: openat
 *		of the path.
 *	mkdirs-in-root, mkdirs-beneath    ps_mkdirs of both paths + "/new",
 *		100,000 times; nothing may appear outside.  1 round in 8 is
 *		deep (18 directories to a/b, from the root); the others give
 *		ps_mkdirs a root 14 directories lower, and the same attacked
 *		a/b 4 below it, at a fraction of the cost.  The attacker puts
 *		mv back as soon as it can: a b/mv ps_mkdirs made while mv
 *		was out is cleared each round (it stalled the attack for
 *		good before).  Naive: mkdirat of each prefix.
 *	remove-tree-in-root, remove-tree-beneath    ps_remove_tree of
 *		a/b/victim, 100,000 small trees, while victim/d1 is
 *		exchanged with a symlink to outside/sentinel and victim/deep
 *		is moved out and back; the sentinel must survive intact.
 *		1 round in 32 has a victim/deep 21 directories deep, past
 *		the directories ps_remove_tree keeps open (its climbs by ".."
 *		attacked too); the others 2.  Naive: a recursive
 *		lstat-opendir-unlink by path, as rm -r does without *at
 *		calls.
 *
 * mkdirs and remove-tree make and remove directories every round: they
 * run on a private tmpfs where they may (a disk filesystem's journal
 * makes most of the time; the attack is on the VFS).  Each prints the
 * table line of tests/race/race.c, the library's outcomes (EAGAIN and
 * EXDEV counted, and EAGAIN in deep rounds), how often the attackers'
 * renames took place, and the "summary:" lines tests/ci.d/65-race.sh
 * adds up; it exits 1 if the library lost once, leaked a descriptor, or
 * if the naive code never lost.  Run it under ps-emulate no-openat2 to
 * attack the userspace walk (ps_mkdirs always walks).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

#define PREFIX_DEPTH 16
/* The second root's depth above a/b: see struct ctx's sroot. */
#define SHALLOW_DEPTH 2
#define VICTIM_DEPTH 20
/* mkdirs: 1 round in this many is a deep one; remove-tree: in 4 times
 * as many, for its deep rounds cost some 5 shallow ones. */
#define DEEP_EVERY 8
#define SENTINEL_FILES 4

/*
 * Two roots lead to one attacked a/b: root, PREFIX_DEPTH directories
 * above it, and sroot, a directory of that prefix SHALLOW_DEPTH above it.
 * A deep round resolves the long path from root; a shallow one resolves
 * the short path from sroot, a root as good as the other (its own
 * mirror, escapes judged against it), through the very same attacked
 * names, at a fraction of the cost.
 */
struct ctx {
	char path[4096];	/* the scratch directory */
	char prefix[4 * PREFIX_DEPTH + 1];
	int d, root, out, b;	/* scratch, root, outside, root/PREFIX/a/b */
	int sroot;		/* root/PREFIX minus its last SHALLOW_DEPTH */
	int t, t2, mirror[2];	/* the in-root targets' directories */
	struct stat root_st[2], slash_st, known[2][3], mv_st;
	long deep_every;	/* 1 round in deep_every is a deep one */
	long deep_rounds;
	int cur_deep;		/* this round is a deep one */
	long deep_eagain;	/* EAGAIN in deep rounds */
	unsigned rflags;
	int phase;		/* 0 library, 1 naive */
	atomic_int stop;
	atomic_long hits[2];	/* the attackers' renames that took place */
	long phase_hits[2][2];	/* hits, per phase */
	long outcome[6];	/* ok, EAGAIN, EXDEV, ENOENT, ENOTEMPTY, other */
	const char *route;
	const char *fs;		/* where the scratch directory is */
};

struct attack {
	const char *name;
	unsigned rflags;
	const char *naive;
	void (*setup)(struct ctx *c);
	void *(*attacker[2])(void *);
	int (*lib)(struct ctx *c, long i);
	int (*naive_iter)(struct ctx *c, long i);
	long def;		/* default iterations */
	long naive_max;		/* the naive code loses within these */
	long deep_every;	/* deep rounds: 1 in this many */
	int tmpfs;		/* on a private tmpfs where we may */
};

static void tally(struct ctx *c, int r)
{
	int k = r >= 0 ? 0 : errno == EAGAIN ? 1 : errno == EXDEV ? 2 :
	    errno == ENOENT ? 3 : errno == ENOTEMPTY ? 4 : 5;

	if (k == 5)
		fprintf(stderr, "  # library: unexpected %s\n",
		    strerror(errno));
	c->outcome[k]++;
	c->deep_eagain += k == 1 && c->cur_deep;
	if (r >= 0)
		c->route = ps_last_route();
}

static int same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Round i's kind: 1 deep (from root), 0 shallow (from sroot).  Both
 * paths get deep rounds, for they alternate. */
static int deep(struct ctx *c, long i)
{
	int d = (i >> 1) % c->deep_every == 0;

	c->deep_rounds += d && !c->phase;
	c->cur_deep = d;
	return d;
}

/*
 * 1 if fd is beneath the root of a deep (1) or shallow (0) round.  The
 * three directories the paths lead to inside that root are known (and
 * never leave it); anything else is walked up by "..", which must reach
 * that root, not "/" (nor, for sroot, the root above it).
 */
static int beneath(struct ctx *c, int fd, int d)
{
	int cur = fcntl(fd, F_DUPFD_CLOEXEC, 0), next;
	struct stat st;

	RH_CHECK(cur >= 0 && fstat(cur, &st) == 0);
	for (int k = 0; k < 3; k++)
		if (same(&st, &c->known[d][k])) {
			close(cur);
			return 1;
		}
	while (!same(&st, &c->root_st[d]) && !same(&st, &c->root_st[1]) &&
	    !same(&st, &c->slash_st)) {
		next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
		RH_CHECK(cur >= 0 && fstat(cur, &st) == 0);
	}
	close(cur);
	return same(&st, &c->root_st[d]);
}

static int mkdir_open(int dirfd, const char *name)
{
	int fd;

	RH_CHECK(mkdirat(dirfd, name, 0755) == 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(fd >= 0);
	return fd;
}

static void mkdir_p(int dirfd, const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf; (p = strchr(p + 1, '/')); ) {
		*p = '\0';
		RH_CHECK(mkdirat(dirfd, buf, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	RH_CHECK(mkdirat(dirfd, buf, 0755) == 0 || errno == EEXIST);
}

/* root/<scratch>/outside/t2 (as sroot's), where PS_IN_ROOT leads sl. */
static int mirror(struct ctx *c, int root, struct stat *st)
{
	char buf[4200];
	int fd;

	snprintf(buf, sizeof(buf), "%s/outside/t2", c->path + 1);
	mkdir_p(root, buf);
	fd = openat(root, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(fd >= 0 && fstat(fd, st) == 0);
	return fd;
}

/* root/PREFIX/a/b with mv/c/d, t, s/t2 and sl; outside/t and outside/t2,
 * and their mirrors in root and sroot. */
static void setup_paths(struct ctx *c)
{
	char buf[4200];
	int fd;

	c->prefix[0] = '\0';
	for (int i = 0; i < PREFIX_DEPTH; i++)
		strcat(c->prefix, "p/");
	snprintf(buf, sizeof(buf), "%sa/b/mv/c/d", c->prefix);
	mkdir_p(c->root, buf);
	snprintf(buf, sizeof(buf), "%sa/b", c->prefix);
	c->b = openat(c->root, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(c->b >= 0);
	c->t = mkdir_open(c->b, "t");
	fd = mkdir_open(c->b, "s");
	c->t2 = mkdir_open(fd, "t2");
	close(fd);
	snprintf(buf, sizeof(buf), "%s/outside", c->path);
	RH_CHECK(symlinkat(buf, c->b, "sl") == 0);
	close(mkdir_open(c->out, "t"));
	close(mkdir_open(c->out, "t2"));
	snprintf(buf, sizeof(buf), "%.*s", 2 * (PREFIX_DEPTH - SHALLOW_DEPTH) -
	    1, c->prefix);
	c->sroot = openat(c->root, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(c->sroot >= 0 && fstat(c->sroot, &c->root_st[0]) == 0 &&
	    fstat(c->root, &c->root_st[1]) == 0);
	RH_CHECK(fstat(c->t, &c->known[0][0]) == 0 &&
	    fstat(c->t2, &c->known[0][1]) == 0 &&
	    fstatat(c->b, "mv", &c->mv_st, AT_SYMLINK_NOFOLLOW) == 0);
	memcpy(c->known[1], c->known[0], sizeof(c->known[0]));
	c->mirror[0] = mirror(c, c->sroot, &c->known[0][2]);
	c->mirror[1] = mirror(c, c->root, &c->known[1][2]);
}

static void hit(struct ctx *c, int k)
{
	atomic_fetch_add_explicit(&c->hits[k], 1, memory_order_relaxed);
}

/*
 * b/mv made by mkdirs while the attacker had mv outside (inside the
 * root, as it should be): removed, for mv to come back.  Its c and d go
 * by its descriptor; its name only once empty, which the real mv (never
 * empty) can have taken meanwhile: then rmdir fails, as it should.
 */
static void clear_stray(struct ctx *c)
{
	struct stat st;
	int fd;

	if (fstatat(c->b, "mv", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    same(&st, &c->mv_st))
		return;
	fd = openat(c->b, "mv", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && !same(&st, &c->mv_st)) {
		unlinkat(fd, "c/d", AT_REMOVEDIR);
		unlinkat(fd, "c", AT_REMOVEDIR);
		unlinkat(c->b, "mv", AT_REMOVEDIR);
	}
	close(fd);
}

static void *move_out(void *arg)
{
	struct ctx *c = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (renameat(c->b, "mv", c->out, "mv") < 0)
			continue;
		/* Back as soon as the name is free: mkdirs may have made a
		 * b/mv meanwhile, which the victim's round clears (and this
		 * thread, once the victim has stopped).  Without this the
		 * attack stalls for good at the first such b/mv. */
		for (long k = 0; renameat(c->out, "mv", c->b, "mv") < 0; )
			if (atomic_load(&c->stop)) {
				RH_CHECK(k++ < 1000000);
				clear_stray(c);
			}
		hit(c, 0);
	}
	return NULL;
}

static void *exchange_s(void *arg)
{
	struct ctx *c = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed))
		if (rh_exchange(c->b, "s", "sl") == 0)
			hit(c, 1);
	return NULL;
}

/* The victim's two paths, alternately, from root (d) or sroot. */
static const char *vpath(struct ctx *c, int d, long i, const char *suffix,
    char buf[4200])
{
	snprintf(buf, 4200, "%sa/b/%s%s",
	    c->prefix + (d ? 0 : 2 * (PREFIX_DEPTH - SHALLOW_DEPTH)),
	    i & 1 ? "s/t2" : "mv/c/d/../../../t", suffix);
	return buf;
}

static int root_of(const struct ctx *c, int d)
{
	return d ? c->root : c->sroot;
}

/* open */

static int open_lib(struct ctx *c, long i)
{
	char p[4200];
	int d = deep(c, i), fd = ps_open(root_of(c, d), vpath(c, d, i, "", p),
	    O_PATH | O_DIRECTORY, 0, c->rflags), lost;

	tally(c, fd);
	if (fd < 0)
		return 0;
	lost = !beneath(c, fd, d);
	close(fd);
	return lost;
}

static int open_naive(struct ctx *c, long i)
{
	char p[4200];
	int d = deep(c, i), fd = openat(root_of(c, d), vpath(c, d, i, "", p),
	    O_PATH | O_DIRECTORY | O_CLOEXEC), lost;

	if (fd < 0)
		return 0;
	lost = !beneath(c, fd, d);
	close(fd);
	return lost;
}

/*
 * mkdirs: "new" in t, t2 or the round's mirror; anywhere outside the
 * round's root is a loss (root's mirror is outside sroot).
 */
static int new_outside(struct ctx *c, int d)
{
	int lost = 0;

	lost |= unlinkat(c->out, "t/new", AT_REMOVEDIR) == 0;
	lost |= unlinkat(c->out, "t2/new", AT_REMOVEDIR) == 0;
	lost |= unlinkat(c->out, "mv/new", AT_REMOVEDIR) == 0;
	lost |= unlinkat(c->mirror[1], "new", AT_REMOVEDIR) == 0 && !d;
	unlinkat(c->mirror[0], "new", AT_REMOVEDIR);
	unlinkat(c->t, "new", AT_REMOVEDIR);
	unlinkat(c->t2, "new", AT_REMOVEDIR);
	clear_stray(c);
	return lost;
}

static int mkdirs_lib(struct ctx *c, long i)
{
	char p[4200];
	int d = deep(c, i), fd = ps_mkdirs(root_of(c, d),
	    vpath(c, d, i, "/new", p), 0755, c->rflags), lost = 0;

	tally(c, fd);
	if (fd >= 0) {
		lost = !beneath(c, fd, d);
		close(fd);
	}
	return new_outside(c, d) || lost;
}

static int mkdirs_naive(struct ctx *c, long i)
{
	char p[4200];
	int d = deep(c, i);

	vpath(c, d, i, "/new", p);
	for (char *s = p; (s = strchr(s + 1, '/')); ) {
		*s = '\0';
		mkdirat(root_of(c, d), p, 0755);
		*s = '/';
	}
	mkdirat(root_of(c, d), p, 0755);
	return new_outside(c, d);
}

/* remove-tree */

static void *exchange_victim(void *arg)
{
	struct ctx *c = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed))
		if (rh_exchange(c->b, "victim/d1", "victim/dl") == 0)
			hit(c, 1);
	return NULL;
}

static void *move_victim(void *arg)
{
	struct ctx *c = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (renameat(c->b, "victim/deep", c->out, "deep") == 0 &&
		    renameat(c->out, "deep", c->b, "victim/deep") == 0)
			hit(c, 0);
	}
	return NULL;
}

static void write_file(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);

	RH_CHECK(fd >= 0 && write(fd, name, strlen(name)) > 0);
	close(fd);
}

/* An empty file, in one call. */
static void make_file(int dirfd, const char *name)
{
	RH_CHECK(mknodat(dirfd, name, S_IFREG | 0644, 0) == 0);
}

/* outside/sentinel: k0..k3 and sub/k; 1 if any is missing (restored). */
static int sentinel_damaged(struct ctx *c)
{
	static const char *const names[] = { "k0", "k1", "k2", "k3",
		"sub/k" };
	char p[64];
	int damaged = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(p, sizeof(p), "sentinel/%s", names[i]);
		if (faccessat(c->out, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		damaged = 1;
		mkdirat(c->out, "sentinel", 0755);
		mkdirat(c->out, "sentinel/sub", 0755);
		write_file(c->out, p);
	}
	return damaged;
}

/*
 * Removes dirfd/name (path): again while it is there, for a rename
 * begun before it got that name can still move a directory into it.
 */
static void clear(int dirfd, const char *name, const char *path)
{
	for (int k = 0; faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0; k++) {
		RH_CHECK(k < 1000);
		rh_remove_tree(path);
	}
}

/*
 * A fresh victim, made under another name by descriptors (no path
 * lookups) and renamed into place while the attackers run; deep/ is
 * VICTIM_DEPTH directories deep in a deep round, which takes the
 * remover past the WINDOW of directories ps_remove_tree keeps open (its
 * climbs by ".." are then attacked too), else 1.  What is left of the
 * last one (after an EAGAIN, or a deep/ the attacker moved out and could
 * not put back) is renamed away from the attackers' names first, then
 * removed.
 */
static void make_victim(struct ctx *c, int depth)
{
	char p[4200];
	int d, x;

	snprintf(p, sizeof(p), "%s/root/%sa/b/old", c->path, c->prefix);
	while (renameat(c->b, "victim", c->b, "old") == 0 ||
	    errno != ENOENT)
		clear(c->b, "old", p);
	snprintf(p, sizeof(p), "%s/outside/old-deep", c->path);
	while (renameat(c->out, "deep", c->out, "old-deep") == 0 ||
	    errno != ENOENT)
		clear(c->out, "old-deep", p);
	/* One call an entry: "new" is no name the attackers touch. */
	RH_CHECK(mkdirat(c->b, "new", 0755) == 0 &&
	    mkdirat(c->b, "new/d1", 0755) == 0);
	for (int k = 0; k < SENTINEL_FILES; k++) {
		snprintf(p, sizeof(p), "new/d1/f%d", k);
		make_file(c->b, p);
	}
	RH_CHECK(mkdirat(c->b, "new/d1/sub", 0755) == 0);
	make_file(c->b, "new/d1/sub/f");
	snprintf(p, sizeof(p), "%s/outside/sentinel", c->path);
	RH_CHECK(symlinkat(p, c->b, "new/dl") == 0 &&
	    mkdirat(c->b, "new/deep", 0755) == 0);
	if (depth == 1) {
		RH_CHECK(mkdirat(c->b, "new/deep/x", 0755) == 0);
		make_file(c->b, "new/deep/x/f");
	} else {
		d = openat(c->b, "new/deep", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		RH_CHECK(d >= 0);
		for (int k = 0; k < depth; k++) {
			x = mkdir_open(d, "x");
			close(d);
			d = x;
		}
		make_file(d, "f");
		close(d);
	}
	RH_CHECK(renameat(c->b, "new", c->b, "victim") == 0);
}

/* One round: a victim, removed under attack; the sentinel checked. */
static int remove_round(struct ctx *c, long i, void (*rm)(struct ctx *c))
{
	make_victim(c, deep(c, i) ? VICTIM_DEPTH : 1);
	rm(c);
	return sentinel_damaged(c);
}

static void rm_lib(struct ctx *c)
{
	char p[4200];

	snprintf(p, sizeof(p), "%sa/b/victim", c->prefix);
	tally(c, ps_remove_tree(c->root, p, c->rflags));
}

/* rm -r without *at calls: lstat, then opendir or unlink, by path. */
static void naive_rm(const char *path)
{
	char sub[4200];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		naive_rm(sub);
	}
	closedir(d);
	rmdir(path);
}

static void rm_naive(struct ctx *c)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/root/%sa/b/victim", c->path, c->prefix);
	naive_rm(p);
}

static int remove_lib(struct ctx *c, long i)
{
	return remove_round(c, i, rm_lib);
}

static int remove_naive(struct ctx *c, long i)
{
	return remove_round(c, i, rm_naive);
}

static void setup_remove(struct ctx *c)
{
	setup_paths(c);
	sentinel_damaged(c);
}

static const struct attack attacks[] = {
	{ "open-in-root", PS_IN_ROOT, "openat of the path", setup_paths,
	  { move_out, exchange_s }, open_lib, open_naive, 100000,
	  10000, 1, 0 },
	{ "open-beneath", PS_BENEATH, "openat of the path", setup_paths,
	  { move_out, exchange_s }, open_lib, open_naive, 100000,
	  10000, 1, 0 },
	{ "mkdirs-in-root", PS_IN_ROOT, "mkdirat of each prefix",
	  setup_paths, { move_out, exchange_s }, mkdirs_lib, mkdirs_naive,
	  100000, 2000, DEEP_EVERY, 1 },
	{ "mkdirs-beneath", PS_BENEATH, "mkdirat of each prefix",
	  setup_paths, { move_out, exchange_s }, mkdirs_lib, mkdirs_naive,
	  100000, 2000, DEEP_EVERY, 1 },
	{ "remove-tree-in-root", PS_IN_ROOT,
	  "lstat, opendir or unlink, by path", setup_remove,
	  { exchange_victim, move_victim }, remove_lib, remove_naive, 100000,
	  1000, 4 * DEEP_EVERY, 1 },
	{ "remove-tree-beneath", PS_BENEATH,
	  "lstat, opendir or unlink, by path", setup_remove,
	  { exchange_victim, move_victim }, remove_lib, remove_naive, 100000,
	  1000, 4 * DEEP_EVERY, 1 },
};

static long run_phase(struct ctx *c, const struct attack *a, int naive,
    long n)
{
	pthread_t th[2];
	long losses = 0;

	c->phase = naive;
	atomic_store(&c->stop, 0);
	for (int k = 0; k < 2; k++)
		RH_CHECK(pthread_create(&th[k], NULL, a->attacker[k], c) == 0);
	for (long i = 0; i < n; i++)
		losses += (naive ? a->naive_iter : a->lib)(c, i);
	atomic_store(&c->stop, 1);
	for (int k = 0; k < 2; k++) {
		pthread_join(th[k], NULL);
		c->phase_hits[naive][k] = atomic_exchange(&c->hits[k], 0);
	}
	return losses;
}

static int run(const struct attack *a, long n)
{
	static const char *const names[] = { "done", "EAGAIN", "EXDEV",
		"ENOENT", "ENOTEMPTY", "other" };
	struct ctx c = { .rflags = a->rflags, .route = "",
		.deep_every = a->deep_every,
		.fs = "the scratch directory's filesystem" };
	struct timespec t0, t1, c0, c1;
	/* The naive code loses within a few thousand: it needs no more. */
	long lib, naive, m = n < a->naive_max ? n : a->naive_max;
	int fds, leaked, failed;

	c.d = rh_scratch(c.path);
	/* A private tmpfs where we may, for the attacks that make and remove
	 * directories every round: on a disk filesystem each mkdir, mknod
	 * and rmdir waits some 0.2 ms for its journal, which would make the
	 * most of the time, and the attack is on the VFS, the same on both. */
	if (a->tmpfs && unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("psrooted", c.path, "tmpfs", 0, "size=64m,mode=0700") == 0) {
		close(c.d);
		c.d = open(c.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		RH_CHECK(c.d >= 0);
		c.fs = "a private tmpfs";
	}
	fds = pst_fd_count();
	c.root = mkdir_open(c.d, "root");
	c.out = mkdir_open(c.d, "outside");
	RH_CHECK(stat("/", &c.slash_st) == 0);
	a->setup(&c);
	rh_pin(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	lib = run_phase(&c, a, 0, n);
	naive = run_phase(&c, a, 1, m);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(c.root), close(c.out), close(c.b);
	close(c.t), close(c.t2), close(c.sroot);
	close(c.mirror[0]), close(c.mirror[1]);
	leaked = pst_fd_count() - fds;
	printf("attack, iterations, library losses, naive losses\n");
	printf("%s[%s], %ld, %ld, %ld\n", a->name, c.route, n, lib, naive);
	printf("  # naive code run %ld times\n", m);
	if (a->deep_every > 1 && a->lib == remove_lib)
		printf("  # library: %ld deep rounds (victim/deep %d "
		    "directories deep; EAGAIN in %ld), the others 2\n",
		    c.deep_rounds, VICTIM_DEPTH + 1, c.deep_eagain);
	else if (a->deep_every > 1)
		printf("  # library: %ld deep rounds (%d directories to a/b, "
		    "from the root; EAGAIN in %ld), the others %d (from a "
		    "root %d below)\n", c.deep_rounds, PREFIX_DEPTH + 2,
		    c.deep_eagain, SHALLOW_DEPTH + 2,
		    PREFIX_DEPTH - SHALLOW_DEPTH);
	printf("  # library:");
	for (int k = 0; k < 6; k++)
		if (c.outcome[k])
			printf(" %s %ld,", names[k], c.outcome[k]);
	printf(" route %s\n  # naive: %s\n", c.route, a->naive);
	for (int k = 0; k < 2; k++)
		printf("  # %s phase: the attacker moved out and back %ld "
		    "times, exchanged %ld times (%.1f and %.1f per call)\n",
		    k ? "naive" : "library", c.phase_hits[k][0],
		    c.phase_hits[k][1],
		    (double)c.phase_hits[k][0] / (k ? m : n),
		    (double)c.phase_hits[k][1] / (k ? m : n));
	printf("  # attacker: a rename out of the root and a RENAME_EXCHANGE "
	    "with a symlink outside, in tight loops on another CPU, %d "
	    "directories deep, on %s; %.1f s (the victim's CPU: %.1f s); fds "
	    "leaked: %d\n", PREFIX_DEPTH + 2, c.fs,
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9,
	    leaked);
	rh_summary("attacks", 1);
	rh_summary("iterations", n + m);
	rh_summary("library-losses", lib);
	rh_summary("naive-losses", naive);
	close(c.d);
	rh_remove_tree(c.path);
	if (strcmp(c.fs, "the scratch directory's filesystem") != 0) {
		RH_CHECK(umount2(c.path, MNT_DETACH) == 0);
		RH_CHECK(rmdir(c.path) == 0);
	}
	failed = lib || leaked || !naive;
	if (lib || leaked)
		printf("FAIL %s: the library lost %ld time(s), leaked %d "
		    "fd(s)\n", a->name, lib, leaked);
	else if (!naive)
		printf("FAIL %s: the naive code never lost: the attacker "
		    "proves nothing\n", a->name);
	else
		printf("PASS %s\n", a->name);
	return failed;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc > 1 && i < sizeof(attacks) / sizeof(*attacks);
	    i++)
		if (!strcmp(argv[1], attacks[i].name))
			return run(&attacks[i],
			    rh_iterations(argc, argv, attacks[i].def));
	fprintf(stderr, "usage: ps-rooted ATTACK [-n N | --soak]\nattacks:");
	for (size_t i = 0; i < sizeof(attacks) / sizeof(*attacks); i++)
		fprintf(stderr, " %s", attacks[i].name);
	fprintf(stderr, "\n");
	return 2;
}
