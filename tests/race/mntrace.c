/* SPDX-License-Identifier: MIT */
/*
 * ps-mntrace [-n N | --soak]: the mount-namespace attacker against every
 * /proc route (issue 11, point 4b).  In a private mount namespace, a
 * process that can mount bind-mounts its own fd directory over ours
 * (/proc/self/fd and /proc/thread-self/fd) and flips the numbers there
 * between a file that is ours (the checks pass) and a decoy, in a tight
 * loop on another CPU.  Each route is attacked N times (100,000 by
 * default), then the naive code it replaces N/10 times (at least 2,000,
 * at most N; it loses within a few hundred, and CI time is counted):
 *
 *	proc-chmod    ps_fchmod_nofollow(fd, "", PS_EMPTY_PATH)
 *	              naive: stat /proc/self/fd/N, chmod it if it is ours
 *	proc-reopen   ps_reopen(fd, O_RDONLY)
 *	              naive: open /proc/self/fd/N
 *	linkat-proc   ps_flink(fd, dir, name)
 *	              naive: linkat /proc/self/fd/N AT_SYMLINK_FOLLOW
 *	funlink-name  ps_funlink(fd)
 *	              naive: readlink /proc/self/fd/N, the name it would
 *	              remove (counted a loss when it is the decoy's)
 *
 * A loss is any operation on the decoy.  Run under ps-emulate
 * fchmodat2-enosys,linkat-old so that chmod and link take their /proc
 * routes; add no-fsopen or no-mount-api to attack the cloned or the plain
 * /proc handle.  Needs root (a private mount namespace); otherwise says
 * so and skips.  Exits 1 if the library lost even once, or if the naive
 * code never did.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

/* Our numbers stay below this one. */
#define FLIP_HI 64
/* The attacker's own copies of the two files, out of that range. */
#define A_OURS 900
#define A_DECOY 901

struct ctx {
	int d;			/* the scratch directory */
	char path[4096];
	int fd;			/* ours, the file the calls name */
	struct stat st, decoy;
	char decoy_path[4200];
	long refused;
	const char *route;
};

static int is_decoy(const struct stat *s, const struct ctx *c)
{
	return s->st_dev == c->decoy.st_dev && s->st_ino == c->decoy.st_ino;
}

static int decoy_touched(struct ctx *c)
{
	struct stat s;

	RH_CHECK(stat(c->decoy_path, &s) == 0);
	if ((s.st_mode & 07777) == 0604 && s.st_nlink == 1)
		return 0;
	RH_CHECK(chmod(c->decoy_path, 0604) == 0);
	return 1;
}

static void outcome(struct ctx *c, int r)
{
	if (r < 0) {
		RH_CHECK(errno == EXDEV);
		c->refused++;
	} else {
		c->route = ps_last_route();
	}
}

static int chmod_lib(struct ctx *c, long i)
{
	outcome(c, ps_fchmod_nofollow(c->fd, "", i & 1 ? 0600 : 0640,
	    PS_EMPTY_PATH));
	return decoy_touched(c);
}

static int chmod_naive(struct ctx *c, long i)
{
	char p[64];
	struct stat s;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", c->fd);
	if (stat(p, &s) == 0 && s.st_ino == c->st.st_ino &&
	    s.st_dev == c->st.st_dev)
		chmod(p, i & 1 ? 0600 : 0640);
	return decoy_touched(c);
}

static int opened_decoy(struct ctx *c, int fd)
{
	struct stat s;
	int lost;

	if (fd < 0)
		return 0;
	RH_CHECK(fstat(fd, &s) == 0);
	lost = is_decoy(&s, c);
	close(fd);
	return lost;
}

static int reopen_lib(struct ctx *c, long i)
{
	int fd = ps_reopen(c->fd, O_RDONLY, 0);

	(void)i;
	outcome(c, fd);
	return opened_decoy(c, fd);
}

static int reopen_naive(struct ctx *c, long i)
{
	char p[64];

	(void)i;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", c->fd);
	return opened_decoy(c, open(p, O_RDONLY | O_CLOEXEC));
}

static int linked_decoy(struct ctx *c)
{
	struct stat s;

	if (fstatat(c->d, "link", &s, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	RH_CHECK(unlinkat(c->d, "link", 0) == 0);
	return is_decoy(&s, c);
}

static int flink_lib(struct ctx *c, long i)
{
	(void)i;
	outcome(c, ps_flink(c->fd, c->d, "link", 0));
	return linked_decoy(c);
}

static int flink_naive(struct ctx *c, long i)
{
	char p[64];

	(void)i;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", c->fd);
	linkat(AT_FDCWD, p, c->d, "link", AT_SYMLINK_FOLLOW);
	return linked_decoy(c);
}

/* ps_funlink removes a name of fd: a fresh file "f" each time, whose
 * number is one the attacker flips. */
static int funlink_lib(struct ctx *c, long i)
{
	int fd = openat(c->d, "f", O_RDONLY | O_CREAT | O_CLOEXEC, 0644), r;

	(void)i;
	RH_CHECK(fd >= 0 && fd < FLIP_HI);
	r = ps_funlink(fd, 0);
	close(fd);
	outcome(c, r);
	return decoy_touched(c);
}

static int funlink_naive(struct ctx *c, long i)
{
	char p[64], name[4200];
	ssize_t n;

	(void)i;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", c->fd);
	n = readlink(p, name, sizeof(name) - 1);
	if (n < 0)
		return 0;
	name[n] = '\0';
	return !strcmp(name, c->decoy_path);
}

struct route {
	const char *name;
	int (*lib)(struct ctx *c, long i);
	int (*naive)(struct ctx *c, long i);
	const char *naive_desc;
};

static const struct route routes[] = {
	{ "proc-chmod", chmod_lib, chmod_naive,
	  "stat /proc/self/fd/N, chmod it if ours" },
	{ "proc-reopen", reopen_lib, reopen_naive, "open /proc/self/fd/N" },
	{ "linkat-proc", flink_lib, flink_naive,
	  "linkat /proc/self/fd/N AT_SYMLINK_FOLLOW" },
	{ "funlink-name", funlink_lib, funlink_naive,
	  "readlink /proc/self/fd/N: the name to remove" },
};

/* The attacker: our fd directories show its own, where every number in
 * the range flips between our file and the decoy. */
static _Noreturn void attacker(struct ctx *c, pid_t victim, int ready)
{
	char from[64], to[64];

	rh_die_with(victim);
	rh_pin(1);
	{
	int x = open(c->decoy_path, O_RDONLY | O_CLOEXEC);

	RH_CHECK(x >= 0 && dup3(x, A_DECOY, 0) == A_DECOY);
	RH_CHECK(dup3(c->fd, A_OURS, 0) == A_OURS);
	}
	snprintf(from, sizeof(from), "/proc/%d/fd", (int)getpid());
	snprintf(to, sizeof(to), "/proc/%d/fd", (int)victim);
	RH_CHECK(mount(from, to, NULL, MS_BIND, NULL) == 0);
	snprintf(to, sizeof(to), "/proc/%d/task/%d/fd", (int)victim,
	    (int)victim);
	RH_CHECK(mount(from, to, NULL, MS_BIND, NULL) == 0);
	RH_CHECK(write(ready, "x", 1) == 1);
	/* Numbers are predictable: ours and the few after it, which the
	 * library's own duplicates and ps_funlink's files take. */
	for (;;)
		for (int k = 0; k < 2; k++)
			for (int n = c->fd; n < c->fd + 4; n++)
				dup3(k ? A_DECOY : A_OURS, n, 0);
}

static long run_phase(struct ctx *c, int (*fn)(struct ctx *c, long i),
    long n)
{
	long losses = 0;

	for (long i = 0; i < n; i++)
		losses += fn(c, i);
	return losses;
}

int main(int argc, char **argv)
{
	long n = rh_iterations(argc, argv, 100000), lib, naive;
	long nn = n / 10 < 2000 ? (n < 2000 ? n : 2000) : n / 10;
	struct ctx c = { .route = "" };
	struct timespec t0, t1;
	int pipefd[2], failed = 0, fds, dfd;
	char b;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("SKIP mount-namespace attacker: no private mount "
		    "namespace here (%s; needs root)\n", strerror(errno));
		return 0;
	}
	rh_pin(0);
	c.d = rh_scratch(c.path);
	fds = pst_fd_count();
	dfd = openat(c.d, "decoy", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0604);
	RH_CHECK(dfd >= 0 && fchmod(dfd, 0604) == 0);
	RH_CHECK(fstat(dfd, &c.decoy) == 0);
	close(dfd);
	snprintf(c.decoy_path, sizeof(c.decoy_path), "%s/decoy", c.path);
	c.fd = openat(c.d, "ours", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644);
	RH_CHECK(c.fd >= 0 && c.fd < FLIP_HI && fstat(c.fd, &c.st) == 0);
	RH_CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
	pid = fork();
	RH_CHECK(pid >= 0);
	if (pid == 0)
		attacker(&c, getppid(), pipefd[1]);
	close(pipefd[1]);
	RH_CHECK(read(pipefd[0], &b, 1) == 1);
	close(pipefd[0]);
	printf("attack, iterations, library losses, naive losses\n");
	for (size_t r = 0; r < sizeof(routes) / sizeof(*routes); r++) {
		const struct route *rt = &routes[r];

		c.refused = 0;
		c.route = "";
		clock_gettime(CLOCK_MONOTONIC, &t0);
		lib = run_phase(&c, rt->lib, n);
		naive = run_phase(&c, rt->naive, nn);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("mount-ns %s[%s], %ld, %ld, %ld (of %ld)\n", rt->name,
		    c.route, n, lib, naive, nn);
		printf("  # library: refused (EXDEV) %ld; naive: %s; %.1f s\n",
		    c.refused, rt->naive_desc, (t1.tv_sec - t0.tv_sec) +
		    (t1.tv_nsec - t0.tv_nsec) / 1e9);
		rh_summary("attacks", 1);
		rh_summary("iterations", n + nn);
		rh_summary("library-losses", lib);
		rh_summary("naive-losses", naive);
		if (lib)
			printf("FAIL mount-ns %s: the library lost %ld "
			    "time(s)\n", rt->name, lib);
		else if (!naive)
			printf("FAIL mount-ns %s: the naive code never lost: "
			    "the attacker proves nothing\n", rt->name);
		else
			printf("PASS mount-ns %s\n", rt->name);
		failed |= lib || !naive;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(c.fd);
	if (pst_fd_count() != fds) {
		printf("FAIL mount-ns: %d fd(s) leaked\n", pst_fd_count() - fds);
		failed = 1;
	}
	close(c.d);
	rh_remove_tree(c.path);
	return failed;
}
