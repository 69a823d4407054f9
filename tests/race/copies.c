/* SPDX-License-Identifier: MIT */
/*
 * ps-copies [-n N] [--nobody]: the copy routes under a reader and under
 * SIGKILL (issue 11's "Copies" class).
 *
 * Three publishers put a 32 MiB file at "final", N times each (10): the
 * library's ps_publish_tmpfile (a copy where links are denied), ps_flink
 * with PS_COPY_FALLBACK of a file on another filesystem (a copy under
 * every profile), and the naive baseline, which creates "final" and
 * fills it, as the copy route did before.  A reader thread polls "final"
 * all along: every file it sees must be complete (its size, and the
 * marker the last bytes carry).  Then each publisher is SIGKILLed N times
 * at a random moment of a publish: "final" must be absent or complete,
 * and the hidden names left are removed by ps_tmpfile_sweep.  The naive
 * baseline must lose in both (else the class proves nothing here).
 * --nobody runs it all as nobody (65534).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

#define SIZE ((off_t)32 << 20)
#define CHUNK (1 << 20)
static const char marker[8] = "complete";

static int d, src, far;		/* scratch dir; source, here and afar */
static atomic_int stop;
static atomic_long seen, partial;

/* 1: "final" is complete; 0: absent; -1: there but partial. */
static int check_final(void)
{
	int fd = openat(d, "final", O_RDONLY | O_CLOEXEC), r;
	char tail[sizeof(marker)];
	struct stat st;

	if (fd < 0)
		return 0;
	r = fstat(fd, &st) == 0 && st.st_size == SIZE &&
	    pread(fd, tail, sizeof(tail), SIZE - sizeof(tail)) ==
	    (ssize_t)sizeof(tail) && !memcmp(tail, marker, sizeof(tail)) ?
	    1 : -1;
	close(fd);
	return r;
}

static void *reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		int r = check_final();

		atomic_fetch_add(&seen, r != 0);
		atomic_fetch_add(&partial, r < 0);
	}
	return NULL;
}

/* from into to by read and write, as a naive program copies. */
static int fill(int to, int from)
{
	static char buf[CHUNK];

	for (off_t at = 0; at < SIZE; at += CHUNK)
		if (pread(from, buf, CHUNK, at) != CHUNK ||
		    pwrite(to, buf, CHUNK, at) != CHUNK)
			return -1;
	return 0;
}

static int naive(void)
{
	int fd = openat(d, "final", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644), r;

	if (fd < 0)
		return -1;
	r = fill(fd, src);
	close(fd);
	return r;
}

static int publish(void)
{
	ps_tmpfile *t = ps_tmpfile_open(d, "", 0644, PS_EMPTY_PATH);
	int r = t ? fill(ps_tmpfile_fd(t), src) : -1;

	if (r == 0)
		r = ps_publish_tmpfile(t, "final", PS_NO_SYNC) < 0 ? -1 : 0;
	ps_tmpfile_close(t);
	return r;
}

static int flink(void)
{
	return ps_flink(far, d, "final", PS_COPY_FALLBACK) < 0 ? -1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
	int library;
} how[] = {
	{ "publish", publish, 1 },
	{ "flink", flink, 1 },
	{ "naive", naive, 0 },
};
#define NHOW (sizeof(how) / sizeof(how[0]))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polled: n publishes of a kind; its partial sightings. */
static long polled(int i, long n)
{
	long before = atomic_load(&partial), seen0 = atomic_load(&seen);
	struct timespec pause = { 0, 2000000 };

	for (long k = 0; k < n; k++) {
		RH_CHECK(how[i].fn() == 0);
		/* Time for the reader to see the published file too. */
		nanosleep(&pause, NULL);
		RH_CHECK(unlinkat(d, "final", 0) == 0);
	}
	printf("  %-8s polled: %ld publishes, %ld sightings, %ld partial "
	    "(%s)\n", how[i].name, n, atomic_load(&seen) - seen0,
	    atomic_load(&partial) - before,
	    how[i].library ? ps_last_route() : "-");
	return atomic_load(&partial) - before;
}

/* Killed: n publishes of a kind SIGKILLed at a random moment of the
 * time one takes (timed first, alone); how many left a partial "final". */
static long killed(int i, long n)
{
	long lost = 0, left = 0;
	double took = now();
	int status, r;
	pid_t pid;

	RH_CHECK(how[i].fn() == 0);
	took = now() - took;
	RH_CHECK(unlinkat(d, "final", 0) == 0);
	for (long k = 0; k < n; k++) {
		struct timespec ts = { 0, (long)(took * 1e9 *
		    (rand() % 1000) / 1000) };

		RH_CHECK((pid = fork()) >= 0);
		if (pid == 0)
			_exit(how[i].fn() == 0 ? 0 : 3);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		RH_CHECK(waitpid(pid, &status, 0) == pid);
		RH_CHECK(WIFSIGNALED(status) || WEXITSTATUS(status) == 0);
		lost += (r = check_final()) < 0;
		RH_CHECK(r == 0 || unlinkat(d, "final", 0) == 0);
		RH_CHECK((r = ps_tmpfile_sweep(d, ".", 0)) >= 0);
		left += r;
	}
	printf("  %-8s killed: %ld kills, %ld partial final names, %ld hidden "
	    "files swept\n", how[i].name, n, lost, left);
	return lost;
}

/* A file on another filesystem than dir, or -1. */
static int far_copy(char path[4096])
{
	const char *bases[] = { "/dev/shm", "/tmp", "/var/tmp" };
	struct stat here, there;
	int fd;

	RH_CHECK(fstat(d, &here) == 0);
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (stat(bases[i], &there) < 0 || there.st_dev == here.st_dev)
			continue;
		snprintf(path, 4096, "%s/pscopies.XXXXXX", bases[i]);
		if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
			continue;
		RH_CHECK(fchmod(fd, 0644) == 0 && fill(fd, src) == 0);
		return fd;
	}
	return -1;
}

static int run(long n)
{
	long lib[2] = { 0, 0 }, base[2] = { 0, 0 }, *to;
	pthread_t th;

	RH_CHECK(pthread_create(&th, NULL, reader, NULL) == 0);
	for (size_t i = 0; i < NHOW; i++) {
		to = how[i].library ? lib : base;
		to[0] += polled(i, n);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	for (size_t i = 0; i < NHOW; i++) {
		to = how[i].library ? lib : base;
		to[1] += killed(i, n);
	}
	rh_summary("attacks", 2);
	rh_summary("iterations", 2 * n * NHOW);
	rh_summary("kills", n * NHOW);
	rh_summary("library-losses", lib[0] + lib[1]);
	rh_summary("naive-losses", base[0] + base[1]);
	printf("copies: library %ld partial seen, %ld left by kills; naive "
	    "%ld and %ld\n", lib[0], lib[1], base[0], base[1]);
	if (lib[0] || lib[1])
		return 1;
	if (!base[0] || !base[1]) {
		printf("the naive baseline never lost: this run proves "
		    "nothing\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = rh_iterations(argc, argv, 10);
	int nobody = argc > 1 && !strcmp(argv[argc - 1], "--nobody");
	int status = 0, fds;
	char path[4096], fpath[4096] = "";
	static char buf[CHUNK];
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(getpid());
	d = rh_scratch(path);
	fds = pst_fd_count();
	src = openat(d, "src", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	RH_CHECK(src >= 0);
	memset(buf, 'x', sizeof(buf));
	for (off_t at = 0; at < SIZE; at += CHUNK)
		RH_CHECK(pwrite(src, buf, CHUNK, at) == CHUNK);
	RH_CHECK(pwrite(src, marker, sizeof(marker), SIZE - sizeof(marker)) ==
	    (ssize_t)sizeof(marker));
	far = far_copy(fpath);
	if (far < 0) {
		printf("  no other filesystem: flink copies only where links "
		    "are denied\n");
		far = src;
	}
	if (nobody && geteuid() != 0) {
		printf("SKIP copies as nobody: dropping to nobody needs "
		    "root\n");
		nobody = 0;
		n = -1;
	} else if (nobody) {
		RH_CHECK(fchmod(d, 0777) == 0);
		RH_CHECK((pid = fork()) >= 0);
		if (pid == 0) {
			if (setgroups(0, NULL) || setgid(65534) ||
			    setuid(65534))
				_exit(125);
			_exit(run(n));
		}
		RH_CHECK(waitpid(pid, &status, 0) == pid);
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	} else {
		status = run(n);
	}
	if (far != src)
		close(far);
	if (fpath[0])
		unlink(fpath);
	close(src);
	if (pst_fd_count() != fds - 0) {
		printf("FAIL copies: %d descriptors leaked\n",
		    pst_fd_count() - fds);
		status = 1;
	}
	close(d);
	rh_remove_tree(path);
	if (n >= 0)
		printf("%s copies%s\n", status ? "FAIL" : "PASS",
		    nobody ? " as nobody" : "");
	return status;
}
