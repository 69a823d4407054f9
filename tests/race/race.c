/* SPDX-License-Identifier: MIT */
/*
 * ps-race ATTACK [-n N | --soak]: attack one primitive while it runs, and
 * the naive POSIX code it replaces under the same attacker.
 *
 * The victim loop runs on one CPU, the attacker threads on another, with
 * renameat2(RENAME_EXCHANGE) (or dup3) in a tight loop: real races, with
 * no sleep or yield between any check and use.  The attacker owns the
 * directory the victim works in and, as attackers do (Cai et al., "A
 * filesystem maze", IEEE S&P 2009), puts it at the end of a maze: the
 * victim's names go through "m", a symlink to MAZE nested directories,
 * so that every path lookup the victim makes is slow.  Both the library
 * and the naive code get the same names.  Each attack prints
 *
 *	attack, iterations, library losses, naive losses
 *
 * and exits 1 if the library lost even once, or if the naive code never
 * did (then the attacker proves nothing).  Run it under ps-emulate to
 * attack the fallback routes; the route seen is part of the attack name.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

#define MAZE 24
#define HIDDEN ".pathsafe-0123456789abcdef"

struct ctx {
	int d;			/* the scratch directory */
	int w;			/* the attacker's, at the end of the maze */
	char path[4096];
	int fd[3];
	struct stat st[2];
	int phase;		/* 0 library, 1 naive */
	atomic_int stop;
	atomic_ulong seq;	/* fd flips: even when stable */
	atomic_long partial[2];	/* the reader's incomplete reads */
	long seen;		/* partial[phase] at the last iteration */
	long detail[2][2];	/* per attack, named in struct attack */
	const char *route;
	char routes[64];
};

typedef void step_fn(struct ctx *c);
typedef int iter_fn(struct ctx *c, long i);

struct attack {
	const char *name;
	const char *naive;	/* what the naive code does */
	void (*setup)(struct ctx *c);
	step_fn *thread[2];	/* attacker steps, each in a tight loop */
	int lib_only;		/* thread[1] attacks the library only */
	iter_fn *lib, *naive_iter;
	const char *detail[2];
};

/* The victim's absolute path to name, through the maze. */
static const char *vpath(struct ctx *c, const char *name, char buf[4200])
{
	snprintf(buf, 4200, "%s/m/%s", c->path, name);
	return buf;
}

static int same(int fd, const struct stat *st)
{
	struct stat s;

	RH_CHECK(fstat(fd, &s) == 0);
	return s.st_dev == st->st_dev && s.st_ino == st->st_ino;
}

static int same_at(struct ctx *c, const char *name, const struct stat *st)
{
	struct stat s;

	return fstatat(c->w, name, &s, AT_SYMLINK_NOFOLLOW) == 0 &&
	    s.st_dev == st->st_dev && s.st_ino == st->st_ino;
}

/* A file of version 0 in the attacker's directory, opened again. */
static int create(struct ctx *c, const char *name, mode_t mode, int oflags)
{
	int fd = openat(c->w, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode);

	RH_CHECK(fd >= 0 && rh_version_write(fd, 0) == 0);
	RH_CHECK(fchmod(fd, mode) == 0);
	close(fd);
	fd = openat(c->w, name, oflags | O_NOFOLLOW | O_CLOEXEC);
	RH_CHECK(fd >= 0);
	return fd;
}

static void make_file(struct ctx *c, const char *name)
{
	close(create(c, name, 0644, O_RDONLY));
}

static void make_symlink(struct ctx *c, const char *name)
{
	RH_CHECK(symlinkat("nowhere", c->w, name) == 0);
}

static void note_route(struct ctx *c)
{
	c->route = ps_last_route();
}

/* A library call's result: done, or refused with the one errno due. */
static void tally(struct ctx *c, int r, int refusal)
{
	if (r == 0)
		note_route(c);
	else
		RH_CHECK(errno == refusal);
	c->detail[0][r != 0]++;
}

static long nlink(int fd)
{
	struct stat st;

	RH_CHECK(fstat(fd, &st) == 0);
	return st.st_nlink;
}

/*
 * A removed file cannot be linked again, so a new one takes its place,
 * made aside and renamed into whichever of the names a, b is missing:
 * the attacker's exchange fails while one is, so this is not racy.
 */
static void respawn(struct ctx *c, int k, const char *a, const char *b,
    void (*make)(struct ctx *c, const char *name))
{
	if (nlink(c->fd[k]))
		return;
	close(c->fd[k]);
	make(c, "spare");
	c->fd[k] = openat(c->w, "spare", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	RH_CHECK(c->fd[k] >= 0 && fstat(c->fd[k], &c->st[k]) == 0);
	if (renameat2(c->w, "spare", c->w, a, RENAME_NOREPLACE) < 0)
		RH_CHECK(errno == EEXIST && renameat2(c->w, "spare", c->w, b,
		    RENAME_NOREPLACE) == 0);
}

/* chmod: "t" flips between our file and a symlink to "victim". */

static void chmod_setup(struct ctx *c)
{
	c->fd[0] = create(c, "victim", 0644, O_RDONLY);
	make_file(c, "t");
	RH_CHECK(symlinkat("victim", c->w, "l") == 0);
}

static void chmod_attack(struct ctx *c)
{
	rh_exchange(c->w, "t", "l");
}

static int victim_changed(struct ctx *c)
{
	struct stat st;

	RH_CHECK(fstat(c->fd[0], &st) == 0);
	if ((st.st_mode & 07777) == 0644)
		return 0;
	RH_CHECK(fchmod(c->fd[0], 0644) == 0);
	return 1;
}

static int chmod_lib(struct ctx *c, long i)
{
	tally(c, ps_fchmod_nofollow(c->d, "m/t", i & 1 ? 0600 : 0640, 0),
	    EOPNOTSUPP);
	return victim_changed(c);
}

static int chmod_naive(struct ctx *c, long i)
{
	char p[4200];
	struct stat st;

	vpath(c, "t", p);
	if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode) &&
	    chmod(p, i & 1 ? 0600 : 0640) == 0)
		c->detail[1][0]++;
	else
		c->detail[1][1]++;
	return victim_changed(c);
}

/* funlink: "t" flips between the open file and an impostor "i". */

static void funlink_setup(struct ctx *c)
{
	c->fd[0] = create(c, "t", 0644, O_PATH);
	c->fd[1] = create(c, "i", 0644, O_PATH);
	RH_CHECK(fstat(c->fd[0], &c->st[0]) == 0);
}

static void funlink_attack(struct ctx *c)
{
	rh_exchange(c->w, "t", "i");
}

static int impostor_removed(struct ctx *c)
{
	int lost = nlink(c->fd[1]) == 0;

	respawn(c, 0, "t", "i", make_file);
	respawn(c, 1, "t", "i", make_file);
	return lost;
}

static int funlink_lib(struct ctx *c, long i)
{
	(void)i;
	tally(c, ps_funlinkat(c->d, "m/t", c->fd[0], 0), EDEADLK);
	return impostor_removed(c);
}

static int funlink_naive(struct ctx *c, long i)
{
	char p[4200];
	struct stat st;

	(void)i;
	vpath(c, "t", p);
	if (stat(p, &st) == 0 && st.st_dev == c->st[0].st_dev &&
	    st.st_ino == c->st[0].st_ino && unlink(p) == 0)
		c->detail[1][0]++;
	else
		c->detail[1][1]++;
	return impostor_removed(c);
}

/*
 * publish: the path "d" of the pinned directory flips with a symlink to
 * "o"; between flips the attacker also reads "f" from the pinned
 * directory, as any reader would, and checks the version it sees.
 */

static void publish_setup(struct ctx *c)
{
	RH_CHECK(mkdirat(c->w, "d", 0755) == 0 &&
	    mkdirat(c->w, "o", 0755) == 0);
	RH_CHECK(symlinkat("o", c->w, "dl") == 0);
	c->fd[0] = openat(c->w, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c->fd[1] = openat(c->w, "o", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(c->fd[0] >= 0 && c->fd[1] >= 0);
	RH_CHECK(fstat(c->fd[0], &c->st[0]) == 0);
	make_file(c, "d/f");
}

static void publish_attack(struct ctx *c)
{
	uint32_t v;

	rh_exchange(c->w, "d", "dl");
	if (rh_version_read(c->fd[0], "f", &v) != 1)
		c->partial[c->phase]++;
}

/* Entries that landed in "o", removed; 1 if there were any. */
static int landed_outside(struct ctx *c)
{
	char buf[4096];
	int n, lost = 0;

	RH_CHECK(lseek(c->fd[1], 0, SEEK_SET) == 0);
	while ((n = syscall(SYS_getdents64, c->fd[1], buf, sizeof(buf))) > 0) {
		for (int at = 0; at < n; ) {
			const char *name = buf + at + 19;	/* d_name */

			at += *(unsigned short *)(buf + at + 16); /* reclen */
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			RH_CHECK(unlinkat(c->fd[1], name, 0) == 0);
			lost = 1;
		}
	}
	return lost;
}

/* A loss: data outside, or the reader saw a partial file meanwhile. */
static int publish_lost(struct ctx *c)
{
	long p = atomic_load(&c->partial[c->phase]);
	int lost = landed_outside(c) || p != c->seen;

	c->seen = p;
	return lost;
}

/* The victim's one look at the path: a directory, not a symlink; while
 * it is not, the victim waits, far from any check-to-use window. */
static int open_checked_dir(struct ctx *c)
{
	int fd;

	while ((fd = openat(c->d, "m/d", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0)
		RH_CHECK(errno == ELOOP || errno == ENOTDIR);
	RH_CHECK(same(fd, &c->st[0]));
	return fd;
}

static void stat_checked_dir(struct ctx *c)
{
	char p[4200];
	struct stat st;

	vpath(c, "d", p);
	while (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		;
}

static int publish_lib(struct ctx *c, long i)
{
	int pin = open_checked_dir(c);
	ps_tmpfile *t = ps_tmpfile_open(pin, ".", 0644, 0);

	RH_CHECK(t);
	snprintf(c->routes, sizeof(c->routes), "%s+", ps_last_route());
	RH_CHECK(rh_version_write(ps_tmpfile_fd(t), i + 1) == 0);
	RH_CHECK(ps_publish_tmpfile(t, "f", PS_REPLACE | PS_NO_SYNC) >= 0);
	strncat(c->routes, ps_last_route(), sizeof(c->routes) - 32);
	c->route = c->routes;
	ps_tmpfile_close(t);
	close(pin);
	return publish_lost(c);
}

static int publish_trunc(struct ctx *c, long i)
{
	char p[4200];
	int fd;

	stat_checked_dir(c);
	fd = open(vpath(c, "d/f", p), O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644);
	if (fd >= 0) {
		RH_CHECK(rh_version_write(fd, i + 1) == 0);
		close(fd);
	}
	return publish_lost(c);
}

static int publish_rename(struct ctx *c, long i)
{
	char tmp[4200], p[4200];
	int fd;

	stat_checked_dir(c);
	vpath(c, "d/.tmpXXXXXX", tmp);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		RH_CHECK(rh_version_write(fd, i + 1) == 0);
		RH_CHECK(fchmod(fd, 0644) == 0);
		close(fd);
		if (rename(tmp, vpath(c, "d/f", p)) < 0)
			unlink(tmp);
	}
	return publish_lost(c);
}

/* reopen: "t", the file open O_PATH, flips with another file "x". */

static void reopen_setup(struct ctx *c)
{
	c->fd[0] = create(c, "t", 0644, O_PATH);
	make_file(c, "x");
	RH_CHECK(fstat(c->fd[0], &c->st[0]) == 0);
}

static void reopen_attack(struct ctx *c)
{
	rh_exchange(c->w, "t", "x");
}

static int reopened_other(struct ctx *c, int fd)
{
	int lost;

	RH_CHECK(fd >= 0);
	lost = !same(fd, &c->st[0]);
	close(fd);
	return lost;
}

static int reopen_lib(struct ctx *c, long i)
{
	int fd = ps_reopen(c->fd[0], O_RDONLY, 0);

	(void)i;
	note_route(c);
	return reopened_other(c, fd);
}

static int reopen_naive(struct ctx *c, long i)
{
	char p[4200];

	(void)i;
	return reopened_other(c, open(vpath(c, "t", p), O_RDONLY | O_CLOEXEC));
}

/*
 * flink: the path "src" of file A flips with file B, and (library only)
 * another thread dup3()s B, then A again, onto the very fd number being
 * linked.  seq is odd during a flip and seq % 4 == 0 while fd is A.
 */

static void flink_setup(struct ctx *c)
{
	c->fd[0] = create(c, "src", 0644, O_RDONLY);
	c->fd[1] = create(c, "x", 0644, O_RDONLY);
	c->fd[2] = fcntl(c->fd[0], F_DUPFD_CLOEXEC, 0);
	RH_CHECK(c->fd[2] >= 0);
	RH_CHECK(fstat(c->fd[0], &c->st[0]) == 0);
	RH_CHECK(fstat(c->fd[1], &c->st[1]) == 0);
}

static void flink_attack(struct ctx *c)
{
	rh_exchange(c->w, "src", "x");
}

static void flink_flip(struct ctx *c)
{
	for (int k = 0; k < 2; k++) {
		atomic_fetch_add(&c->seq, 1);
		RH_CHECK(dup3(c->fd[!k], c->fd[2], O_CLOEXEC) == c->fd[2]);
		atomic_fetch_add(&c->seq, 1);
	}
}

static int flink_lib(struct ctx *c, long i)
{
	unsigned long s1 = atomic_load(&c->seq), s2;
	int r = ps_flink(c->fd[2], c->d, "m/new", 0), e = errno, a, b;

	(void)i;
	s2 = atomic_load(&c->seq);
	a = same_at(c, "new", &c->st[0]);
	b = same_at(c, "new", &c->st[1]);
	unlinkat(c->w, "new", 0);
	if (r < 0) {
		/* A stray link left by a failed call is a loss too. */
		c->detail[0][e == EXDEV]++;
		return a || b;
	}
	note_route(c);
	if (s1 == s2 && s1 % 4 == 0)
		return !a;	/* fd was A all along */
	if (s1 == s2 && s1 % 4 == 2)
		return !b;
	return !a && !b;
}

static int flink_naive(struct ctx *c, long i)
{
	char src[4200], dst[4200];
	int lost = 0;

	(void)i;
	if (link(vpath(c, "src", src), vpath(c, "new", dst)) == 0) {
		lost = !same_at(c, "new", &c->st[0]);
		RH_CHECK(unlinkat(c->w, "new", 0) == 0);
	}
	return lost;
}

/* sweep: a stale hidden file flips with someone's symlink "keep". */

static void sweep_setup(struct ctx *c)
{
	c->fd[0] = create(c, HIDDEN, 0600, O_PATH);
	make_symlink(c, "keep");
	c->fd[1] = openat(c->w, "keep", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	RH_CHECK(c->fd[1] >= 0);
}

static void sweep_attack(struct ctx *c)
{
	rh_exchange(c->w, HIDDEN, "keep");
}

static int keep_removed(struct ctx *c)
{
	int lost = nlink(c->fd[1]) == 0;

	respawn(c, 0, HIDDEN, "keep", make_file);
	respawn(c, 1, HIDDEN, "keep", make_symlink);
	return lost;
}

static int sweep_lib(struct ctx *c, long i)
{
	int n = ps_tmpfile_sweep(c->d, "m", 0);

	(void)i;
	RH_CHECK(n >= 0);
	note_route(c);
	c->detail[0][0] += n;
	return keep_removed(c);
}

static int sweep_naive(struct ctx *c, long i)
{
	char p[4200];
	struct stat st;

	(void)i;
	vpath(c, HIDDEN, p);
	if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && unlink(p) == 0)
		c->detail[1][0]++;
	return keep_removed(c);
}

static const struct attack attacks[] = {
	{ "chmod", "lstat, then chmod if not a symlink",
	  chmod_setup, { chmod_attack }, 0, chmod_lib, chmod_naive,
	  { "changed", "refused" } },
	{ "funlink", "stat, compare dev/ino, unlink",
	  funlink_setup, { funlink_attack }, 0, funlink_lib, funlink_naive,
	  { "removed", "refused" } },
	{ "publish-trunc", "check the dir, open(O_TRUNC) + write by path",
	  publish_setup, { publish_attack }, 0,
	  publish_lib, publish_trunc, { "", "" } },
	{ "publish-rename", "check the dir, mkstemp + rename by path",
	  publish_setup, { publish_attack }, 0,
	  publish_lib, publish_rename, { "", "" } },
	{ "reopen", "open(path) again",
	  reopen_setup, { reopen_attack }, 0, reopen_lib, reopen_naive,
	  { "", "" } },
	{ "flink", "link(old path, new name)",
	  flink_setup, { flink_attack, flink_flip }, 1, flink_lib,
	  flink_naive, { "failed", "EXDEV (fd swap caught)" } },
	{ "sweep", "lstat, unlink if a regular file",
	  sweep_setup, { sweep_attack }, 0, sweep_lib, sweep_naive,
	  { "removed", "" } },
};

/* The attacker's directory at the end of MAZE directories, and "m". */
static void make_maze(struct ctx *c)
{
	char rel[2 * MAZE + 1] = "";

	c->w = fcntl(c->d, F_DUPFD_CLOEXEC, 0);
	for (int k = 0; k < MAZE; k++) {
		int next;

		RH_CHECK(mkdirat(c->w, "x", 0755) == 0);
		next = openat(c->w, "x", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		RH_CHECK(next >= 0);
		close(c->w);
		c->w = next;
		strcat(rel, k ? "/x" : "x");
	}
	RH_CHECK(symlinkat(rel, c->d, "m") == 0);
}

struct runner {
	struct ctx *c;
	step_fn *step;
};

static void *run_attacker(void *arg)
{
	struct runner *r = arg;

	rh_pin(1);
	while (!atomic_load_explicit(&r->c->stop, memory_order_relaxed))
		r->step(r->c);
	return NULL;
}

static long run_phase(struct ctx *c, const struct attack *a, int naive,
    long n)
{
	struct runner run[2];
	pthread_t th[2];
	long losses = 0;
	int nth = 0;

	c->phase = naive;
	atomic_store(&c->stop, 0);
	for (int k = 0; k < 2 && a->thread[k]; k++) {
		if (k == 1 && a->lib_only && naive)
			continue;
		run[nth] = (struct runner){ c, a->thread[k] };
		RH_CHECK(pthread_create(&th[nth], NULL, run_attacker,
		    &run[nth]) == 0);
		nth++;
	}
	for (long i = 0; i < n; i++)
		losses += (naive ? a->naive_iter : a->lib)(c, i);
	atomic_store(&c->stop, 1);
	while (nth--)
		pthread_join(th[nth], NULL);
	return losses;
}

static void print_details(const struct ctx *c, const struct attack *a)
{
	for (int p = 0; p < 2; p++) {
		printf("  # %s:", p ? "naive" : "library");
		for (int k = 0; k < 2; k++)
			if (a->detail[k][0])
				printf(" %s %ld,", a->detail[k],
				    c->detail[p][k]);
		if (c->partial[p])
			printf(" reader saw %ld partial or missing file(s),",
			    (long)c->partial[p]);
		printf(p ? " %s\n" : " route %s\n", p ? a->naive : c->route);
	}
}

static int run(const struct attack *a, long n)
{
	struct ctx c = { .fd = { -1, -1, -1 }, .route = "" };
	struct timespec t0, t1;
	long lib, naive;
	int fds, leaked, failed;

	c.d = rh_scratch(c.path);
	fds = pst_fd_count();
	make_maze(&c);
	a->setup(&c);
	rh_pin(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lib = run_phase(&c, a, 0, n);
	naive = run_phase(&c, a, 1, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int k = 0; k < 3; k++)
		if (c.fd[k] >= 0)
			close(c.fd[k]);
	close(c.w);
	leaked = pst_fd_count() - fds;
	printf("attack, iterations, library losses, naive losses\n");
	printf("%s[%s], %ld, %ld, %ld\n", a->name, c.route, n, lib, naive);
	print_details(&c, a);
	printf("  # attacker: RENAME_EXCHANGE in a tight loop on another CPU,"
	    " the victim's names %d directories deep; %.1f s; fds leaked:"
	    " %d\n", MAZE, (t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9, leaked);
	rh_summary("attacks", 1);
	rh_summary("iterations", 2 * n);
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
	long n = rh_iterations(argc, argv, 20000);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc > 1 && i < sizeof(attacks) / sizeof(*attacks);
	    i++)
		if (!strcmp(argv[1], attacks[i].name))
			return run(&attacks[i], n);
	fprintf(stderr, "usage: ps-race ATTACK [-n N | --soak]\nattacks:");
	for (size_t i = 0; i < sizeof(attacks) / sizeof(*attacks); i++)
		fprintf(stderr, " %s", attacks[i].name);
	fprintf(stderr, "\n");
	return 2;
}
