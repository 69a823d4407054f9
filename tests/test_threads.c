/* SPDX-License-Identifier: MIT */
/*
 * The /proc routes and threads (issue 11, points 4, 5 and 7): a thread
 * with its own fd table while another thread reuses the same numbers; a
 * process whose main thread has exited; per-thread seccomp filters, each
 * thread keeping its own best route; and the procfs handle the library
 * keeps, closed by the program and its number reused.  The /proc routes
 * are forced per thread with a seccomp filter (libseccomp): fchmodat2 ->
 * ENOSYS gives proc-chmod, linkat AT_EMPTY_PATH -> ENOENT linkat-proc;
 * proc-reopen and ps_funlink's name lookup always use /proc.  Where a
 * naive baseline exists it is run too and must lose.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_fchmodat2	/* see tests/emulate/emulate.c */
#define __NR_fchmodat2 (__NR_openat2 + 15)
#endif

#define ROUNDS 300

/* The first failed check of a thread, asserted by the main thread. */
static char failure[256];
#define TCHECK(cond) do { if (!(cond)) { snprintf(failure, \
	sizeof(failure), "%s:%d: %s", __FILE__, __LINE__, #cond); \
	goto out; } } while (0)

/* The /proc routes must work here. */
static void need_proc_routes(void)
{
	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: the /proc routes cannot work here\n");
		skip();
	}
	/* The threads force their own routes: only the profiles that change
	 * the procfs handle or its lookup add anything (and CI time). */
	const char *p = getenv("PS_EMULATE_PROFILE");

	if (p && strcmp(p, "none") && strcmp(p, "no-fsopen") &&
	    strcmp(p, "no-mount-api") && strcmp(p, "no-openat2")) {
		fprintf(stderr, "skipped: %s changes no procfs handle\n", p);
		skip();
	}
}

/* Some cases also need /proc mounted: the naive baseline reads it, or
 * a thread without the mount API has nothing else. */
static void need_proc_mounted(void)
{
	struct stat st;

	if (stat("/proc/self/fd", &st) < 0) {
		fprintf(stderr, "skipped: no /proc mounted\n");
		skip();
	}
}

static void assert_no_failure(void)
{
	if (failure[0])
		fail_msg("%s", failure);
}

/* This thread's /proc routes: fchmodat2 and linkat AT_EMPTY_PATH gone;
 * with mount_api, fsopen and open_tree refused as to the unprivileged. */
static int filter_thread(int mount_api)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -1;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), __NR_fchmodat2, 0);
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOENT),
		    SCMP_SYS(linkat), 1, SCMP_A4(SCMP_CMP_MASKED_EQ,
		    AT_EMPTY_PATH, AT_EMPTY_PATH));
	if (r == 0 && mount_api)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(fsopen), 0);
	if (r == 0 && mount_api)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(open_tree), 0);
	/* Without SCMP_FLTATR_CTL_TSYNC: this thread only. */
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static int same_file(int fd, const struct stat *st)
{
	struct stat s;

	return fstat(fd, &s) == 0 && s.st_dev == st->st_dev &&
	    s.st_ino == st->st_ino;
}

static mode_t mode_of(int fd)
{
	struct stat s;

	return fstat(fd, &s) == 0 ? s.st_mode & 07777 : (mode_t)-1;
}

/* The four /proc routes on fd (whose stat is st), in dirfd: each must
 * reach fd's file under its /proc route name. */
static int proc_routes(int dirfd, int fd, const struct stat *st, mode_t mode)
{
	struct stat l;
	int nfd, ok = 0;

	TCHECK(ps_fchmod_nofollow(fd, "", mode, PS_EMPTY_PATH) == 0);
	TCHECK(!strcmp(ps_last_route(), "proc-chmod"));
	TCHECK(mode_of(fd) == mode);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	TCHECK(nfd >= 0);
	TCHECK(!strcmp(ps_last_route(), "proc-reopen"));
	ok = same_file(nfd, st);
	close(nfd);
	TCHECK(ok);
	TCHECK(ps_flink(fd, dirfd, "link", 0) == 0);
	TCHECK(!strcmp(ps_last_route(), "linkat-proc"));
	TCHECK(fstatat(dirfd, "link", &l, AT_SYMLINK_NOFOLLOW) == 0);
	TCHECK(unlinkat(dirfd, "link", 0) == 0);
	TCHECK(l.st_dev == st->st_dev && l.st_ino == st->st_ino);
	return 0;
out:
	return -1;
}

/* A file of the scratch directory, opened. */
static int make_file(int dirfd, const char *name, mode_t mode)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode);

	if (fd >= 0 && fchmod(fd, mode) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Own fd table: thread T unshares its fd table and opens its files; the
 * main thread keeps putting a decoy at the very same numbers in its own
 * table.  /proc/self/fd shows the main thread's table, so the naive
 * chmod through it reaches the decoy; the library must not.
 */
struct own_table {
	int dirfd, decoy;
	atomic_int fd[2];	/* T's numbers, -1 until known */
	atomic_int naive;	/* T: the naive part begins */
	atomic_int placed;	/* main: the decoy now stays at T's number */
	atomic_int stop;
	long naive_losses;
};

static void *own_table_thread(void *arg)
{
	struct own_table *o = arg;
	char name[32], p[64];
	struct stat st;
	int fd, f, ok;

	TCHECK(unshare(CLONE_FILES) == 0);
	TCHECK(filter_thread(0) == 0);
	fd = make_file(o->dirfd, "victim", 0644);
	TCHECK(fd >= 0 && fstat(fd, &st) == 0);
	atomic_store(&o->fd[0], fd);
	for (int i = 0; i < ROUNDS; i++) {
		TCHECK(proc_routes(o->dirfd, fd, &st, i & 1 ? 0600 : 0640)
		    == 0);
		/* ps_funlink finds the name through /proc too. */
		snprintf(name, sizeof(name), "f%d", i);
		f = make_file(o->dirfd, name, 0644);
		TCHECK(f >= 0);
		atomic_store(&o->fd[1], f);
		ok = ps_funlink(f, 0) == 0 && !strcmp(ps_last_route(),
		    "rename-verify") && faccessat(o->dirfd, name, F_OK,
		    AT_SYMLINK_NOFOLLOW) < 0;
		close(f);
		TCHECK(ok);
	}
	/* The naive code: a chmod through /proc/self/fd/N, once the decoy
	 * is there for good (a main thread descheduled after a close would
	 * otherwise spare it under load). */
	atomic_store(&o->naive, 1);
	while (!atomic_load(&o->placed))
		sched_yield();
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	for (int i = 0; i < ROUNDS; i++) {
		if (chmod(p, i & 1 ? 0600 : 0640) == 0 &&
		    mode_of(o->decoy) != 0604) {
			o->naive_losses++;
			TCHECK(fchmod(o->decoy, 0604) == 0);
		}
	}
	close(fd);
out:
	atomic_store(&o->stop, 1);
	return NULL;
}

static void threads_own_fd_table(void **state)
{
	struct pst *t = *state;
	struct own_table o = { .dirfd = t->dirfd, .fd = { -1, -1 } };
	pthread_t th;
	int warm;

	need_proc_routes();
	need_proc_mounted();

	o.decoy = make_file(t->dirfd, "decoy", 0604);
	assert_true(o.decoy >= 0);
	/* The kept handle exists before the tables part. */
	warm = ps_reopen(o.decoy, O_RDONLY, 0);
	assert_true(warm >= 0);
	close(warm);
	failure[0] = '\0';
	assert_int_equal(pthread_create(&th, NULL, own_table_thread, &o), 0);
	/* Reuse T's numbers in this table: the decoy, now and then closed
	 * and put there again. */
	for (unsigned long i = 0; !atomic_load(&o.stop); i++) {
		int naive = atomic_load(&o.naive);

		for (int k = 0; k < 2; k++) {
			int n = atomic_load(&o.fd[k]);

			if (n <= 2 || n == o.decoy || n == t->dirfd ||
			    pst_is_procfs_root(n))
				continue;
			if (i % 64 == 63 && !naive)
				close(n);
			else
				dup3(o.decoy, n, O_CLOEXEC);
		}
		if (naive)
			atomic_store(&o.placed, 1);
	}
	pthread_join(th, NULL);
	for (int k = 0; k < 2; k++)
		if (atomic_load(&o.fd[k]) > 2)
			close(atomic_load(&o.fd[k]));
	assert_no_failure();
	assert_int_equal(mode_of(o.decoy), 0604);
	fprintf(stderr, "own fd table: %d rounds of the 4 routes, library "
	    "losses 0; naive chmod through /proc/self/fd: %ld of %d lost\n",
	    ROUNDS, o.naive_losses, ROUNDS);
	assert_true(o.naive_losses > 0);
	close(o.decoy);
}

/*
 * The main thread calls pthread_exit: /proc/self/fd is then the zombie
 * leader's, which has no entries.  In a child process, whose exit status
 * says how its last thread fared.
 */
/* The forked child ends with pst_exit, without the parent's exit
 * handlers (whose allocations a leak checker would report). */
static int exited_dirfd;
static pthread_t exited_main;

static void *after_exit_thread(void *arg)
{
	struct stat st;
	char p[64];
	int fd, naive;

	(void)arg;
	/* glibc lets the main thread be joined once it has exited. */
	if (pthread_join(exited_main, NULL) != 0 || filter_thread(0) < 0)
		pst_exit(2);
	fd = make_file(exited_dirfd, "victim", 0644);
	if (fd < 0 || fstat(fd, &st) < 0)
		pst_exit(3);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	naive = chmod(p, 0600);
	if (proc_routes(exited_dirfd, fd, &st, 0640) < 0) {
		fprintf(stderr, "%s\n", failure);
		pst_exit(4);
	}
	if (ps_funlink(fd, 0) < 0)
		pst_exit(5);
	/* 10: worked, and the naive chmod failed as expected. */
	pst_exit(naive < 0 ? 10 : 11);
}

static void threads_after_main_exit(void **state)
{
	struct pst *t = *state;
	int status;
	pid_t pid;

	need_proc_routes();

	exited_dirfd = t->dirfd;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t th;

		exited_main = pthread_self();
		if (pthread_create(&th, NULL, after_exit_thread, NULL) != 0)
			_exit(1);
		pthread_exit(NULL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* 11: the naive chmod worked too, which proves nothing but is no
	 * failure of the library. */
	if (WEXITSTATUS(status) == 11)
		fprintf(stderr, "note: /proc/self/fd worked after the main "
		    "thread exited\n");
	else
		assert_int_equal(WEXITSTATUS(status), 10);
	pst_assert_entries(t->dirfd, 0);
}

/*
 * Per-thread filters: A is filtered, B is not, both at once; each keeps
 * its own best route, and touches only its own file.
 */
struct routes {
	int dirfd;
	int filtered;
	const char *name;
};

static void *routes_thread(void *arg)
{
	struct routes *r = arg;
	char link[40];
	struct stat st;
	int fd, ok;

	if (r->filtered)
		TCHECK(filter_thread(0) == 0);
	fd = make_file(r->dirfd, r->name, 0644);
	TCHECK(fd >= 0 && fstat(fd, &st) == 0);
	snprintf(link, sizeof(link), "%s.link", r->name);
	for (int i = 0; i < ROUNDS; i++) {
		mode_t m = i & 1 ? 0600 : 0640;

		ok = ps_fchmod_nofollow(r->dirfd, r->name, m, 0) == 0 &&
		    !strcmp(ps_last_route(), r->filtered ? "proc-chmod" :
		    pst_route_chmod()) && mode_of(fd) == m;
		ok = ok && ps_flink(fd, r->dirfd, link, 0) == 0 &&
		    !strcmp(ps_last_route(), r->filtered ? "linkat-proc" :
		    pst_route_link()) && unlinkat(r->dirfd, link, 0) == 0;
		if (!ok)
			close(fd);
		TCHECK(ok);
	}
	close(fd);
out:
	return NULL;
}

static void threads_seccomp_per_thread(void **state)
{
	struct pst *t = *state;
	struct routes a = { t->dirfd, 1, "a" }, b = { t->dirfd, 0, "b" };
	pthread_t ta, tb;

	need_proc_routes();

	failure[0] = '\0';
	assert_int_equal(pthread_create(&ta, NULL, routes_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, routes_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_no_failure();
	/* After the filtered thread: this one still has fchmodat2. */
	pst_write(t->dirfd, "c", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "c", 0600, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(pst_mode(t->dirfd, "a"), (ROUNDS - 1) & 1 ? 0600 :
	    0640);
	assert_int_equal(pst_mode(t->dirfd, "b"), (ROUNDS - 1) & 1 ? 0600 :
	    0640);
}

/* The procfs roots open in this process that fd_before did not have. */
static int new_proc_roots(const char *before, int *last)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (!before[fd] && fcntl(fd, F_GETFD) >= 0 &&
		    pst_is_procfs_root(fd)) {
			n++;
			*last = fd;
		}
	return n;
}

static void mark_fds(char *fds)
{
	for (int fd = 0; fd < 1024; fd++)
		fds[fd] = fcntl(fd, F_GETFD) >= 0;
}

/*
 * In a fresh child: a thread whose filter refuses the mount API makes the
 * first call; its refusal must not choose the handle for the process:
 * nothing is kept, and the next unfiltered call keeps the library's own
 * procfs instance (not /proc: another device).
 */
static void *filtered_first(void *arg)
{
	int fd = *(int *)arg, nfd;

	if (filter_thread(1) < 0)
		return (void *)1;
	nfd = ps_reopen(fd, O_RDONLY, 0);
	if (nfd < 0)
		return (void *)2;
	close(nfd);
	return NULL;
}

static int child_filtered_first(int dirfd)
{
	char before[1024];
	struct stat kept, proc;
	pthread_t th;
	void *r;
	int fd = make_file(dirfd, "f", 0644), nfd, last = -1;

	if (fd < 0)
		return 1;
	mark_fds(before);
	if (pthread_create(&th, NULL, filtered_first, &fd) != 0 ||
	    pthread_join(th, &r) != 0 || r)
		return 2;
	if (new_proc_roots(before, &last) != 0)
		return 3;
	nfd = ps_reopen(fd, O_RDONLY, 0);
	if (nfd < 0)
		return 4;
	close(nfd);
	if (new_proc_roots(before, &last) != 1 || fstat(last, &kept) < 0 ||
	    stat("/proc", &proc) < 0)
		return 5;
	return kept.st_dev == proc.st_dev ? 6 : 0;
}

/* Many threads make the handle at once: one is kept, none leaks. */
static atomic_int go;

static void *racer(void *arg)
{
	int fd = *(int *)arg, nfd;

	while (!atomic_load(&go))
		;
	nfd = ps_reopen(fd, O_RDONLY, 0);
	if (nfd < 0)
		return (void *)1;
	close(nfd);
	return NULL;
}

static int child_concurrent_first_use(int dirfd)
{
	char before[1024];
	pthread_t th[8];
	void *r;
	int fd, last, bad = 0;

	unlinkat(dirfd, "g", 0);
	fd = make_file(dirfd, "g", 0644);

	if (fd < 0)
		return 1;
	mark_fds(before);
	for (int i = 0; i < 8; i++)
		if (pthread_create(&th[i], NULL, racer, &fd) != 0)
			return 2;
	atomic_store(&go, 1);
	for (int i = 0; i < 8; i++)
		bad |= pthread_join(th[i], &r) != 0 || r;
	if (bad)
		return 3;
	return new_proc_roots(before, &last) == 1 ? 0 : 4;
}

/*
 * A child that starts afresh, with no handle kept yet: this program run
 * again, "--child NAME DIR".  Its exit status: 0 passed, 77 skipped
 * (nothing to test here), else the failed step.
 */
#define CHILD_SKIP 77
static const char *self_path;
static int child_closefrom(int dirfd);

static const struct child {
	const char *name;
	int (*fn)(int dirfd);
} children[] = {
	{ "filtered-first", child_filtered_first },
	{ "concurrent-first-use", child_concurrent_first_use },
	{ "closefrom", child_closefrom },
};

static int run_child(struct pst *t, const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl(self_path, self_path, "--child", name, t->path,
		    (char *)NULL);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void assert_child(struct pst *t, const char *name)
{
	int r = run_child(t, name);

	if (r == CHILD_SKIP) {
		fprintf(stderr, "skipped: the library keeps no procfs handle "
		    "here (%s)\n", name);
		skip();
	}
	assert_int_equal(r, 0);
}

static void threads_handle_made_once(void **state)
{
	struct pst *t = *state;

	need_proc_routes();
	need_proc_mounted();

	if (!pst_private_proc()) {
		fprintf(stderr, "skipped: no procfs instance of our own here "
		    "(needs CAP_SYS_ADMIN)\n");
		skip();
	}
	assert_child(t, "filtered-first");
	for (int i = 0; i < 20; i++)
		assert_child(t, "concurrent-first-use");
}

/*
 * closefrom: the program closes the kept handle, and its number then
 * holds (1) a directory laid out like procfs whose thread-self/fd/N lead
 * to a decoy, (2) another procfs.  The library must never act through
 * the number, nor close it; a naive cache that trusted it reaches the
 * decoy.  In a child, since the handle is then given up for good.
 */
static int fake_proc(int dirfd, const char *decoy)
{
	char n[16];
	int fd;

	if (mkdirat(dirfd, "fake", 0755) < 0 ||
	    mkdirat(dirfd, "fake/thread-self", 0755) < 0 ||
	    mkdirat(dirfd, "fake/thread-self/fd", 0755) < 0)
		return -1;
	fd = openat(dirfd, "fake/thread-self/fd", O_PATH | O_DIRECTORY |
	    O_CLOEXEC);
	for (int i = 0; fd >= 0 && i < 256; i++) {
		snprintf(n, sizeof(n), "%d", i);
		if (symlinkat(decoy, fd, n) < 0) {
			close(fd);
			return -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return openat(dirfd, "fake", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int child_closefrom(int dirfd)
{
	char before[1024], decoy_path[PATH_MAX + 16], p[32];
	struct stat st, held, now;
	int decoy, victim, kept = -1, nfd, fake, other;

	if (filter_thread(0) < 0)
		return 1;
	decoy = make_file(dirfd, "decoy", 0604);
	victim = make_file(dirfd, "victim", 0644);
	if (decoy < 0 || victim < 0 || fstat(victim, &st) < 0)
		return 2;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", decoy);
	nfd = readlink(p, decoy_path, PATH_MAX);
	if (nfd < 0)
		return 3;
	decoy_path[nfd] = '\0';
	mark_fds(before);
	/* The kept handle, made by a first call. */
	if (proc_routes(dirfd, victim, &st, 0600) < 0)
		return 4;
	if (new_proc_roots(before, &kept) != 1)
		return CHILD_SKIP;
	/* (1) closed, and the number reused by a look-alike of procfs. */
	fake = fake_proc(dirfd, decoy_path);
	if (fake < 0 || close(kept) < 0 || dup3(fake, kept, O_CLOEXEC) != kept)
		return 5;
	close(fake);
	if (fstat(kept, &held) < 0)
		return 6;
	for (int i = 0; i < 3; i++) {
		if (proc_routes(dirfd, victim, &st, i & 1 ? 0600 : 0640) < 0) {
			fprintf(stderr, "%s\n", failure);
			return 7;
		}
		if (mode_of(decoy) != 0604)
			return 8;
		/* Still the program's: neither closed nor replaced. */
		if (fstat(kept, &now) < 0 || now.st_ino != held.st_ino ||
		    now.st_dev != held.st_dev)
			return 9;
	}
	/* Nothing new is kept once the handle was found invalid. */
	mark_fds(before);
	if (proc_routes(dirfd, victim, &st, 0600) < 0 ||
	    new_proc_roots(before, &other) != 0)
		return 10;
	/* A cache that trusted the number would have reached the decoy. */
	snprintf(p, sizeof(p), "thread-self/fd/%d", victim);
	if (fchmodat(kept, p, 0640, 0) < 0 || mode_of(decoy) != 0640)
		return 11;
	if (fchmod(decoy, 0604) < 0)
		return 12;
	/* (2) another procfs at the number: still never used. */
	other = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (other < 0 || dup3(other, kept, O_CLOEXEC) != kept)
		return 13;
	close(other);
	if (proc_routes(dirfd, victim, &st, 0640) < 0 ||
	    fcntl(kept, F_GETFD) < 0 || !pst_is_procfs_root(kept))
		return 14;
	return mode_of(decoy) == 0604 ? 0 : 15;
}

static void threads_closefrom_reused_number(void **state)
{
	struct pst *t = *state;

	need_proc_routes();
	need_proc_mounted();

	assert_child(t, "closefrom");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(threads_own_fd_table),
		PST_TEST(threads_after_main_exit),
		PST_TEST(threads_seccomp_per_thread),
		PST_TEST(threads_handle_made_once),
		PST_TEST(threads_closefrom_reused_number),
	};

	self_path = argv[0];
	if (argc == 4 && !strcmp(argv[1], "--child")) {
		int dirfd = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		for (size_t i = 0; dirfd >= 0 &&
		    i < sizeof(children) / sizeof(children[0]); i++)
			if (!strcmp(argv[2], children[i].name))
				return children[i].fn(dirfd);
		return 125;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
