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
 *		paths; every descriptor returned is walked up by ".." and
 *		must reach the root, never "/".  Naive: openat of the path.
 *	mkdirs-in-root, mkdirs-beneath    ps_mkdirs of both paths + "/new";
 *		nothing may appear outside.  Naive: mkdirat of each prefix.
 *	remove-tree-in-root, remove-tree-beneath    ps_remove_tree of
 *		a/b/victim, a small tree 20 directories deep, while victim/d1
 *		is exchanged with a symlink to outside/sentinel and
 *		victim/deep is moved out and back; the sentinel must
 *		survive intact.  Naive: a recursive lstat-opendir-unlink by
 *		path, as rm -r does without *at calls.
 *
 * Each prints the table line of tests/race/race.c, the library's
 * outcomes (EAGAIN and EXDEV counted) and the "summary:" lines
 * tests/ci.d/65-race.sh adds up; it exits 1 if the library lost once,
 * leaked a descriptor, or if the naive code never lost.  Run it under
 * ps-emulate no-openat2 to attack the userspace walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

#define PREFIX_DEPTH 16
#define VICTIM_DEPTH 20
#define SENTINEL_FILES 4

struct ctx {
	char path[4096];	/* the scratch directory */
	char prefix[4 * PREFIX_DEPTH + 1];
	int d, root, out, b;	/* scratch, root, outside, root/PREFIX/a/b */
	int t, t2, mirror;	/* the in-root targets' directories */
	struct stat root_st, slash_st, known[3];
	unsigned rflags;
	int phase;		/* 0 library, 1 naive */
	atomic_int stop;
	atomic_long hits[2];	/* the attackers' renames that took place */
	long phase_hits[2][2];	/* hits, per phase */
	long outcome[6];	/* ok, EAGAIN, EXDEV, ENOENT, ENOTEMPTY, other */
	const char *route;
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
};

static void tally(struct ctx *c, int r)
{
	int k = r >= 0 ? 0 : errno == EAGAIN ? 1 : errno == EXDEV ? 2 :
	    errno == ENOENT ? 3 : errno == ENOTEMPTY ? 4 : 5;

	if (k == 5)
		fprintf(stderr, "  # library: unexpected %s\n",
		    strerror(errno));
	c->outcome[k]++;
	if (r >= 0)
		c->route = ps_last_route();
}

static int same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * 1 if fd is beneath the root.  The three directories the paths lead to
 * inside the root are known (and never leave it); anything else is
 * walked up by "..", which must reach the root, not "/".
 */
static int beneath(struct ctx *c, int fd)
{
	int cur = fcntl(fd, F_DUPFD_CLOEXEC, 0), next;
	struct stat st;

	RH_CHECK(cur >= 0 && fstat(cur, &st) == 0);
	for (int k = 0; k < 3; k++)
		if (same(&st, &c->known[k])) {
			close(cur);
			return 1;
		}
	while (!same(&st, &c->root_st) && !same(&st, &c->slash_st)) {
		next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
		RH_CHECK(cur >= 0 && fstat(cur, &st) == 0);
	}
	close(cur);
	return same(&st, &c->root_st);
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

/* root/PREFIX/a/b with mv/c/d, t, s/t2 and sl; outside/t and outside/t2,
 * and their mirror root/<scratch>/outside/t2 for PS_IN_ROOT. */
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
	snprintf(buf, sizeof(buf), "%s/outside/t2", c->path + 1);
	mkdir_p(c->root, buf);
	c->mirror = openat(c->root, buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(c->mirror >= 0);
	RH_CHECK(fstat(c->t, &c->known[0]) == 0 &&
	    fstat(c->t2, &c->known[1]) == 0 &&
	    fstat(c->mirror, &c->known[2]) == 0);
}

static void hit(struct ctx *c, int k)
{
	atomic_fetch_add_explicit(&c->hits[k], 1, memory_order_relaxed);
}

static void *move_out(void *arg)
{
	struct ctx *c = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (renameat(c->b, "mv", c->out, "mv") == 0 &&
		    renameat(c->out, "mv", c->b, "mv") == 0)
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

/* The victim's two paths, alternately. */
static const char *vpath(struct ctx *c, long i, const char *suffix,
    char buf[4200])
{
	snprintf(buf, 4200, "%sa/b/%s%s", c->prefix,
	    i & 1 ? "s/t2" : "mv/c/d/../../../t", suffix);
	return buf;
}

/* open */

static int open_lib(struct ctx *c, long i)
{
	char p[4200];
	int fd = ps_open(c->root, vpath(c, i, "", p), O_PATH | O_DIRECTORY,
	    0, c->rflags), lost;

	tally(c, fd);
	if (fd < 0)
		return 0;
	lost = !beneath(c, fd);
	close(fd);
	return lost;
}

static int open_naive(struct ctx *c, long i)
{
	char p[4200];
	int fd = openat(c->root, vpath(c, i, "", p), O_PATH | O_DIRECTORY |
	    O_CLOEXEC), lost;

	if (fd < 0)
		return 0;
	lost = !beneath(c, fd);
	close(fd);
	return lost;
}

/* mkdirs: "new" in t, t2 or the mirror; anywhere outside is a loss. */

static int new_outside(struct ctx *c)
{
	int lost = 0;

	lost |= unlinkat(c->out, "t/new", AT_REMOVEDIR) == 0;
	lost |= unlinkat(c->out, "t2/new", AT_REMOVEDIR) == 0;
	lost |= unlinkat(c->out, "mv/new", AT_REMOVEDIR) == 0;
	unlinkat(c->t, "new", AT_REMOVEDIR);
	unlinkat(c->t2, "new", AT_REMOVEDIR);
	unlinkat(c->mirror, "new", AT_REMOVEDIR);
	return lost;
}

static int mkdirs_lib(struct ctx *c, long i)
{
	char p[4200];
	int fd = ps_mkdirs(c->root, vpath(c, i, "/new", p), 0755, c->rflags);
	int lost = 0;

	tally(c, fd);
	if (fd >= 0) {
		lost = !beneath(c, fd);
		close(fd);
	}
	return new_outside(c) || lost;
}

static int mkdirs_naive(struct ctx *c, long i)
{
	char p[4200];

	vpath(c, i, "/new", p);
	for (char *s = p; (s = strchr(s + 1, '/')); ) {
		*s = '\0';
		mkdirat(c->root, p, 0755);
		*s = '/';
	}
	mkdirat(c->root, p, 0755);
	return new_outside(c);
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

/* outside/sentinel: k0..k3 and sub/k; 1 if any is missing (restored). */
static int sentinel_damaged(struct ctx *c)
{
	static const char *const names[] = { "k0", "k1", "k2", "k3",
		"sub/k" };
	char p[64];
	int damaged = 0;

	mkdirat(c->out, "sentinel", 0755);
	mkdirat(c->out, "sentinel/sub", 0755);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(p, sizeof(p), "sentinel/%s", names[i]);
		if (faccessat(c->out, p, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			damaged = 1;
			write_file(c->out, p);
		}
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
 * A fresh victim, made under another name and renamed into place while
 * the attackers run; what is left of the last one (after an EAGAIN, or
 * a deep/ the attacker moved out and could not put back) is renamed
 * away from the attackers' names first, then removed.
 */
static void make_victim(struct ctx *c)
{
	char p[4200], deep[4200];
	int v, d;

	snprintf(p, sizeof(p), "%s/root/%sa/b/old", c->path, c->prefix);
	while (renameat(c->b, "victim", c->b, "old") == 0 ||
	    errno != ENOENT)
		clear(c->b, "old", p);
	snprintf(p, sizeof(p), "%s/outside/old-deep", c->path);
	while (renameat(c->out, "deep", c->out, "old-deep") == 0 ||
	    errno != ENOENT)
		clear(c->out, "old-deep", p);
	v = mkdir_open(c->b, "new");
	d = mkdir_open(v, "d1");
	for (int k = 0; k < SENTINEL_FILES; k++) {
		snprintf(p, sizeof(p), "f%d", k);
		write_file(d, p);
	}
	close(mkdir_open(d, "sub"));
	write_file(d, "sub/f");
	close(d);
	snprintf(p, sizeof(p), "%s/outside/sentinel", c->path);
	RH_CHECK(symlinkat(p, v, "dl") == 0);
	snprintf(deep, sizeof(deep), "deep");
	for (int k = 0; k < VICTIM_DEPTH; k++)
		strcat(deep, "/x");
	mkdir_p(v, deep);
	strcat(deep, "/f");
	write_file(v, deep);
	close(v);
	RH_CHECK(renameat(c->b, "new", c->b, "victim") == 0);
}

/* One round: a victim, removed under attack; the sentinel checked. */
static int remove_round(struct ctx *c, void (*rm)(struct ctx *c))
{
	make_victim(c);
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
	(void)i;
	return remove_round(c, rm_lib);
}

static int remove_naive(struct ctx *c, long i)
{
	(void)i;
	return remove_round(c, rm_naive);
}

static void setup_remove(struct ctx *c)
{
	setup_paths(c);
	sentinel_damaged(c);
}

static const struct attack attacks[] = {
	{ "open-in-root", PS_IN_ROOT, "openat of the path", setup_paths,
	  { move_out, exchange_s }, open_lib, open_naive, 100000,
	  10000 },
	{ "open-beneath", PS_BENEATH, "openat of the path", setup_paths,
	  { move_out, exchange_s }, open_lib, open_naive, 100000,
	  10000 },
	{ "mkdirs-in-root", PS_IN_ROOT, "mkdirat of each prefix",
	  setup_paths, { move_out, exchange_s }, mkdirs_lib, mkdirs_naive,
	  10000, 5000 },
	{ "mkdirs-beneath", PS_BENEATH, "mkdirat of each prefix",
	  setup_paths, { move_out, exchange_s }, mkdirs_lib, mkdirs_naive,
	  10000, 5000 },
	{ "remove-tree-in-root", PS_IN_ROOT,
	  "lstat, opendir or unlink, by path", setup_remove,
	  { exchange_victim, move_victim }, remove_lib, remove_naive, 1000,
	  500 },
	{ "remove-tree-beneath", PS_BENEATH,
	  "lstat, opendir or unlink, by path", setup_remove,
	  { exchange_victim, move_victim }, remove_lib, remove_naive, 1000,
	  500 },
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
	struct ctx c = { .rflags = a->rflags, .route = "" };
	struct timespec t0, t1, c0, c1;
	/* The naive code loses within a few thousand: it needs no more. */
	long lib, naive, m = n < a->naive_max ? n : a->naive_max;
	int fds, leaked, failed;

	c.d = rh_scratch(c.path);
	fds = pst_fd_count();
	c.root = mkdir_open(c.d, "root");
	c.out = mkdir_open(c.d, "outside");
	RH_CHECK(fstat(c.root, &c.root_st) == 0 && stat("/", &c.slash_st) == 0);
	a->setup(&c);
	rh_pin(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	lib = run_phase(&c, a, 0, n);
	naive = run_phase(&c, a, 1, m);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(c.root), close(c.out), close(c.b);
	close(c.t), close(c.t2), close(c.mirror);
	leaked = pst_fd_count() - fds;
	printf("attack, iterations, library losses, naive losses\n");
	printf("%s[%s], %ld, %ld, %ld\n", a->name, c.route, n, lib, naive);
	printf("  # naive code run %ld times\n", m);
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
	    "directories deep; %.1f s (the victim's CPU: %.1f s); fds leaked: "
	    "%d\n", PREFIX_DEPTH + 2,
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9,
	    leaked);
	rh_summary("attacks", 1);
	rh_summary("iterations", n + m);
	rh_summary("library-losses", lib);
	rh_summary("naive-losses", naive);
	close(c.d);
	rh_remove_tree(c.path);
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
