/* SPDX-License-Identifier: MIT */
/*
 * The copy engine (ps__copy_fd) behind ps_flink's copy fallback and pscp,
 * on each method a profile or filesystem leaves it: reflink on xfs and
 * btrfs, copy_file_range elsewhere, read and write under no-copy-accel.
 * Whatever the method: the same bytes, holes kept when asked, the
 * source's offset left or restored, progress reported up to the total, and a
 * write error (EFBIG past RLIMIT_FSIZE) answered, not hidden.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "common.h"
#include "internal.h"

#define MIB (1 << 20)

static int reflinks(struct pst *t)
{
	return !pst_profile("no-copy-accel") &&
	    (pst_on_fs(t, BTRFS_SUPER_MAGIC) || pst_on_fs(t, XFS_SUPER_MAGIC));
}

/* The method the engine must pick by itself here. */
static const char *auto_method(struct pst *t)
{
	if (pst_profile("no-copy-accel"))
		return "read-write";
	return reflinks(t) ? "reflink" : "copy-file-range";
}

/* Writes len bytes of a pattern at off. */
static void fill(int fd, off_t off, size_t len)
{
	char *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((off + i) * 31 + (off + i) / 4093);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	free(buf);
}

static void assert_same_bytes(int a, int b)
{
	struct stat sa, sb;
	char *x, *y;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	assert_int_equal(sa.st_size, sb.st_size);
	x = malloc(sa.st_size + 1);
	y = malloc(sa.st_size + 1);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(pread(a, x, sa.st_size, 0), sa.st_size);
	assert_int_equal(pread(b, y, sa.st_size, 0), sa.st_size);
	assert_memory_equal(x, y, sa.st_size);
	free(y);
	free(x);
}

static void copy_auto(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, MIB + 4321);
	/* Without keep_holes, only calls with explicit offsets read src. */
	assert_int_equal(lseek(src, 77, SEEK_SET), 77);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, auto_method(t));
	pst_log_route(c.method);
	assert_int_equal(lseek(src, 0, SEEK_CUR), 77);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* CLONE_NEVER copies the bytes and never shares them. */
static void copy_clone_never(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 3 * 4096 + 5);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_not_equal(c.method, "reflink");
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* CLONE_ALWAYS answers the reflink's own error where there is none. */
static void copy_clone_always(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_ALWAYS };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 8192);
	assert_int_equal(ps__copy_fd(src, dst, &c),
	    reflinks(t) ? 0 : -EOPNOTSUPP);
	assert_string_equal(c.method, "reflink");
	if (reflinks(t))
		assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

struct seen {
	uint64_t calls, last, total;
	int backwards;
};

static void progress(uint64_t done, uint64_t total, void *arg)
{
	struct seen *s = arg;

	s->backwards |= done < s->last;
	s->calls++;
	s->last = done;
	s->total = total;
}

static void copy_progress(void **state)
{
	struct pst *t = *state;
	struct seen s = { 0 };
	struct ps__copy c = { .progress = progress, .arg = &s };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 3 * MIB);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_true(s.calls > 0);
	assert_false(s.backwards);
	assert_int_equal(s.last, 3 * MIB);
	assert_int_equal(s.total, 3 * MIB);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* Data, a hole, data, a trailing hole: the holes stay holes. */
static void copy_keeps_holes(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .keep_holes = 1 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 4096);
	fill(src, 4 * MIB, 4096);
	assert_int_equal(ftruncate(src, 8 * MIB), 0);
	assert_int_equal(lseek(src, 123, SEEK_SET), 123);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, auto_method(t));
	assert_int_equal(lseek(src, 0, SEEK_CUR), 123);
	assert_same_bytes(src, dst);
	assert_true(lseek(dst, 0, SEEK_HOLE) < 4 * MIB);
	close(dst);
	close(src);
}

/* procfs files say they are empty; the bytes are read anyway. */
static void copy_from_procfs(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO };
	char buf[64] = "";
	int src, dst;

	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: no /proc to copy from\n");
		skip();
	}
	src = open("/proc/version", O_RDONLY | O_CLOEXEC);
	assert_true(src >= 0);
	dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, "read-write");
	assert_true(pread(dst, buf, sizeof(buf) - 1, 0) > 0);
	assert_memory_equal(buf, "Linux version ", 14);
	close(dst);
	close(src);
}

/*
 * Past RLIMIT_FSIZE every method fails with EFBIG, which is returned; a
 * ps_flink that had to copy then leaves no name behind.
 */
static void copy_write_error(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER };
	struct rlimit old, small = { 65536, 65536 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	void (*sig)(int) = signal(SIGXFSZ, SIG_IGN);
	int copied = !strcmp(pst_route_link(), "copy"), r, linked;

	fill(src, 0, 4 * 65536);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = ps__copy_fd(src, dst, &c);
	linked = ps_flink(src, t->dirfd, "g", PS_COPY_FALLBACK);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, sig);
	assert_int_equal(r, -EFBIG);
	if (copied) {
		assert_int_equal(linked, -1);
		assert_int_equal(errno, EFBIG);
		pst_assert_absent(t->dirfd, "g");
	} else {
		assert_int_equal(linked, 0);
		pst_assert_same(src, t->dirfd, "g");
	}
	pst_assert_entries(t->dirfd, copied ? 2 : 3);
	close(dst);
	close(src);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A signal handler installed without SA_RESTART makes a long
 * copy_file_range fail with EINTR before it moved a byte: the engine asks
 * again, as its read and write path does, and the copy completes.
 */
static void copy_retries_eintr(void **state)
{
	struct pst *t = *state;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval every = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	const char *p = getenv("PS_EMULATE_PROFILE");
	int failed = 0;

	/* The engine is the same under every profile that leaves it
	 * copy_file_range: run where the copy route runs, once each. */
	if (p && strcmp(p, "none") && strcmp(p, "link-denied")) {
		close(dst);
		close(src);
		fprintf(stderr, "skipped: the same engine runs under none\n");
		skip();
	}
	fill(src, 0, 16 * MIB);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
	for (int i = 0; i < 6; i++) {
		struct ps__copy c = { .clone = PS__CLONE_AUTO };

		failed += ps__copy_fd(src, dst, &c) != 0;
	}
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(failed, 0);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(copy_auto),
		PST_TEST(copy_clone_never),
		PST_TEST(copy_clone_always),
		PST_TEST(copy_progress),
		PST_TEST(copy_keeps_holes),
		PST_TEST(copy_from_procfs),
		PST_TEST(copy_write_error),
		PST_TEST(copy_retries_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
