/* SPDX-License-Identifier: MIT */
/* ps_tmpfile_sweep: only stale hidden regular files of our own pattern. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define HIDDEN_A ".pathsafe-0123456789abcdef"
#define HIDDEN_B ".pathsafe-fedcba9876543210"

static void tmpfile_sweep_removes_stale(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, HIDDEN_A, "a", 0600);
	pst_write(t->dirfd, HIDDEN_B, "b", 0600);
	pst_write(t->dirfd, "keep", "k", 0644);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 2);
	pst_assert_route("sweep");
	pst_assert_absent(t->dirfd, HIDDEN_A);
	pst_assert_absent(t->dirfd, HIDDEN_B);
	pst_assert_content(t->dirfd, "keep", "k");
	pst_assert_entries(t->dirfd, 1);
}

static void tmpfile_sweep_look_alikes_untouched(void **state)
{
	static const char *const names[] = {
		".pathsafe-0123456789abcde",	/* 15 digits */
		".pathsafe-0123456789abcdef0",	/* 17 digits */
		".pathsafe-0123456789ABCDEF",	/* upper case */
		".pathsafe-0123456789abcdeg",	/* not hex */
		".pathsafe-0123456789abcdef.tmp",
		".pathsafe-",
		"pathsafe-0123456789abcdef",
		"x.pathsafe-0123456789abcdef",
		".Pathsafe-0123456789abcdef",
		/* A file ps_funlinkat left aside: someone's data. */
		".pathsafe~0123456789abcdef",
	};
	struct pst *t = *state;
	size_t n = sizeof(names) / sizeof(names[0]);

	for (size_t i = 0; i < n; i++)
		pst_write(t->dirfd, names[i], names[i], 0600);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 0);
	for (size_t i = 0; i < n; i++)
		pst_assert_content(t->dirfd, names[i], names[i]);
	pst_assert_entries(t->dirfd, (int)n);
}

static void tmpfile_sweep_young_untouched(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, HIDDEN_A, "a", 0600);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 3600), 0);
	pst_assert_content(t->dirfd, HIDDEN_A, "a");
}

/* An old mtime is not enough: the ctime of a file just renamed or
 * chmod'ed by its writer is fresh too. */
static void tmpfile_sweep_fresh_ctime_untouched(void **state)
{
	struct pst *t = *state;
	struct timespec old[2] = {
		{ .tv_sec = time(NULL) - 7200 }, { .tv_sec = time(NULL) - 7200 }
	};

	pst_write(t->dirfd, HIDDEN_A, "a", 0600);
	assert_int_equal(utimensat(t->dirfd, HIDDEN_A, old, 0), 0);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 3600), 0);
	pst_assert_content(t->dirfd, HIDDEN_A, "a");
}

/* A clock set back (a timestamp in the future) makes a file young, never
 * old, even to a sweep of every age. */
static void tmpfile_sweep_future_untouched(void **state)
{
	struct pst *t = *state;
	struct timespec future[2] = {
		{ .tv_sec = time(NULL) + 7200 }, { .tv_sec = time(NULL) + 7200 }
	};

	pst_write(t->dirfd, HIDDEN_A, "a", 0600);
	assert_int_equal(utimensat(t->dirfd, HIDDEN_A, future, 0), 0);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 0);
	pst_assert_content(t->dirfd, HIDDEN_A, "a");
}

/* Once the clock has passed the second of its ctime, a file is 1 s old:
 * at most a second's wait, half a second on average. */
static void tmpfile_sweep_age_reached(void **state)
{
	struct pst *t = *state;
	struct timespec now, tick = { 0, 10000000 };
	struct stat st;

	pst_write(t->dirfd, HIDDEN_A, "a", 0600);
	assert_int_equal(fstatat(t->dirfd, HIDDEN_A, &st, 0), 0);
	do
		nanosleep(&tick, NULL), clock_gettime(CLOCK_REALTIME, &now);
	while (now.tv_sec <= st.st_ctime);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 3600), 0);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 1), 1);
	pst_assert_absent(t->dirfd, HIDDEN_A);
}

static void tmpfile_sweep_not_regular_untouched(void **state)
{
	struct pst *t = *state;
	struct stat st;

	pst_write(t->dirfd, "target", "t", 0644);
	assert_int_equal(symlinkat("target", t->dirfd, HIDDEN_A), 0);
	assert_int_equal(mkdirat(t->dirfd, HIDDEN_B, 0700), 0);
	assert_int_equal(mkfifoat(t->dirfd, ".pathsafe-00000000000000ff",
	    0600), 0);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 0);
	assert_int_equal(fstatat(t->dirfd, HIDDEN_A, &st,
	    AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(fstatat(t->dirfd, HIDDEN_B, &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	pst_assert_content(t->dirfd, "target", "t");
	pst_assert_entries(t->dirfd, 4);
}

/* A subdirectory holding a hidden file, opened. */
static int hidden_in_subdir(struct pst *t, const char *name, mode_t mode)
{
	int sub;

	assert_int_equal(mkdirat(t->dirfd, name, mode), 0);
	sub = openat(t->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(sub >= 0);
	pst_write(sub, HIDDEN_A, "a", 0600);
	return sub;
}

/* A hidden file in a subdirectory is not swept from its parent. */
static void tmpfile_sweep_only_that_directory(void **state)
{
	struct pst *t = *state;
	int sub = hidden_in_subdir(t, "sub", 0700);

	pst_write(t->dirfd, HIDDEN_B, "b", 0600);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 1);
	pst_assert_content(sub, HIDDEN_A, "a");
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, "sub", 0), 1);
	pst_assert_absent(sub, HIDDEN_A);
	close(sub);
}

/* What a killed named-tmpfile writer leaves is what the sweep takes. */
static void tmpfile_sweep_library_leftover(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *h = ps_tmpfile_open(t->dirfd, ".", 0600, 0);
	struct stat st;
	int fd;

	assert_non_null(h);
	if (!strcmp(ps_last_route(), "o-tmpfile")) {
		ps_tmpfile_close(h);
		fprintf(stderr, "skipped: O_TMPFILE leaves no name to sweep "
		    "(run under ps-emulate no-tmpfile)\n");
		skip();
	}
	/* Another process's handle: its file, old enough, is swept. */
	fd = ps_tmpfile_fd(h);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, ".", 0), 1);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_nlink, 0);
	pst_assert_entries(t->dirfd, 0);
	ps_tmpfile_close(h);
}

static void tmpfile_sweep_bad_input(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "file", "f", 0644);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, NULL, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, "file", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, "missing", 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_tmpfile_sweep(-1, ".", 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_tmpfile_sweep(t->dirfd, "", 0), -1);
	assert_int_equal(errno, ENOENT);
}

static int sweep_unwritable(struct pst *t)
{
	int r = ps_tmpfile_sweep(t->dirfd, "ro", 0);

	PST_CHECK(r == -1 && errno == EACCES);
	return 0;
}

/* A directory the caller may not write: the error, nothing removed. */
static void tmpfile_sweep_unwritable(void **state)
{
	struct pst *t = *state;
	int ro = hidden_in_subdir(t, "ro", 0755);

	pst_assert_as_nobody(t, sweep_unwritable);
	pst_assert_content(ro, HIDDEN_A, "a");
	close(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(tmpfile_sweep_removes_stale),
		PST_TEST(tmpfile_sweep_look_alikes_untouched),
		PST_TEST(tmpfile_sweep_young_untouched),
		PST_TEST(tmpfile_sweep_fresh_ctime_untouched),
		PST_TEST(tmpfile_sweep_future_untouched),
		PST_TEST(tmpfile_sweep_age_reached),
		PST_TEST(tmpfile_sweep_not_regular_untouched),
		PST_TEST(tmpfile_sweep_only_that_directory),
		PST_TEST(tmpfile_sweep_library_leftover),
		PST_TEST(tmpfile_sweep_bad_input),
		PST_TEST(tmpfile_sweep_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
