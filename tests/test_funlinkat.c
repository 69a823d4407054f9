/* SPDX-License-Identifier: MIT */
/* ps_funlinkat, ps_funlink: remove a name only if it is the open file. */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

static int open_file(struct pst *t, const char *name, const char *content)
{
	int fd;

	pst_write(t->dirfd, name, content, 0644);
	fd = openat(t->dirfd, name, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* Tests that make a second hard link cannot set up where links are
 * denied; what they check needs no link from the library. */
static void skip_without_links(void)
{
	if (pst_profile("link-denied")) {
		fprintf(stderr, "skipped: the test's setup needs a hard link\n");
		skip();
	}
}

static void funlinkat_removes_the_open_file(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "f", "mine");

	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 0), 0);
	pst_assert_route("rename-verify");
	pst_assert_entries(t->dirfd, 0);
	close(fd);
}

static void funlinkat_o_path_and_subdir(void **state)
{
	struct pst *t = *state;
	int fd;

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	pst_write(t->dirfd, "sub/f", "mine", 0644);
	fd = openat(t->dirfd, "sub/f", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ps_funlinkat(t->dirfd, "sub/f", fd, 0), 0);
	pst_assert_absent(t->dirfd, "sub/f");
	pst_assert_entries(t->dirfd, 1);
	close(fd);
}

static void funlinkat_another_file_edeadlk(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "f", "mine");

	pst_write(t->dirfd, "other", "theirs", 0644);
	assert_int_equal(renameat(t->dirfd, "other", t->dirfd, "f"), 0);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 0), -1);
	assert_int_equal(errno, EDEADLK);
	pst_assert_content(t->dirfd, "f", "theirs");
	pst_assert_entries(t->dirfd, 1);
	close(fd);
}

static void funlinkat_symlink_to_the_file_edeadlk(void **state)
{
	struct pst *t = *state;
	char buf[16];
	int fd = open_file(t, "f", "mine");

	assert_int_equal(symlinkat("f", t->dirfd, "link"), 0);
	assert_int_equal(ps_funlinkat(t->dirfd, "link", fd, 0), -1);
	assert_int_equal(errno, EDEADLK);
	assert_int_equal(readlinkat(t->dirfd, "link", buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'f');
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

static void funlinkat_hard_link_is_the_file(void **state)
{
	struct pst *t = *state;
	int fd;

	skip_without_links();
	fd = open_file(t, "f", "mine");
	assert_int_equal(linkat(t->dirfd, "f", t->dirfd, "g", 0), 0);
	assert_int_equal(ps_funlinkat(t->dirfd, "g", fd, 0), 0);
	pst_assert_absent(t->dirfd, "g");
	pst_assert_content(t->dirfd, "f", "mine");
	close(fd);
}

static void funlinkat_directory(void **state)
{
	struct pst *t = *state;
	int fd;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	assert_int_equal(mkdirat(t->dirfd, "full", 0755), 0);
	pst_write(t->dirfd, "full/f", "x", 0644);
	fd = openat(t->dirfd, "full", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(ps_funlinkat(t->dirfd, "full", fd, 0), -1);
	assert_int_equal(errno, ENOTEMPTY);
	/* Put back under its own name. */
	pst_assert_content(t->dirfd, "full/f", "x");
	pst_assert_entries(t->dirfd, 2);
	close(fd);
	fd = openat(t->dirfd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(ps_funlinkat(t->dirfd, "d", fd, 0), 0);
	pst_assert_absent(t->dirfd, "d");
	close(fd);
}

static void funlinkat_bad_input(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "f", "mine"), closed;

	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 0x1000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_funlinkat(t->dirfd, NULL, fd, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_funlinkat(t->dirfd, "", fd, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_funlinkat(t->dirfd, ".", fd, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	assert_int_equal(ps_funlinkat(t->dirfd, "sub/..", fd, 0), -1);
	assert_int_equal(errno, EINVAL);
	/* "f/" names a directory: never the file f. */
	assert_int_equal(ps_funlinkat(t->dirfd, "f/", fd, 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_funlinkat(t->dirfd, "f/.", fd, 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_funlinkat(t->dirfd, "missing", fd, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", -1, 0), -1);
	assert_int_equal(errno, EBADF);
	closed = dup(fd);
	close(closed);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", closed, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_funlinkat(-1, "f", fd, 0), -1);
	assert_int_equal(errno, EBADF);
	pst_assert_content(t->dirfd, "f", "mine");
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

/* ps_funlink reads the name from /proc on Linux. */
static void need_proc(void)
{
	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: no usable /proc (funlink_finds_the_"
		    "name checks the error)\n");
		skip();
	}
}

static void funlink_finds_the_name(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "f", "mine");

	/* Renamed since it was opened: the current name is removed. */
	assert_int_equal(renameat(t->dirfd, "f", t->dirfd, "g"), 0);
	if (!pst_proc_usable()) {
		assert_int_equal(ps_funlink(fd, 0), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_entries(t->dirfd, 1);
		close(fd);
		return;
	}
	assert_int_equal(ps_funlink(fd, 0), 0);
	pst_assert_route("rename-verify");
	pst_assert_entries(t->dirfd, 0);
	close(fd);
}

static void funlink_directory(void **state)
{
	struct pst *t = *state;
	int fd;

	need_proc();
	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	assert_int_equal(mkdirat(t->dirfd, "d/sub", 0755), 0);
	assert_int_equal(unlinkat(t->dirfd, "d/sub", AT_REMOVEDIR), 0);
	fd = openat(t->dirfd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(ps_funlink(fd, 0), 0);
	pst_assert_entries(t->dirfd, 0);
	close(fd);
}

static void funlink_two_names_emlink(void **state)
{
	struct pst *t = *state;
	int fd;

	skip_without_links();
	fd = open_file(t, "f", "mine");
	assert_int_equal(linkat(t->dirfd, "f", t->dirfd, "g", 0), 0);
	assert_int_equal(ps_funlink(fd, 0), -1);
	assert_int_equal(errno, EMLINK);
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

static void funlink_errors(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "f", "mine"), pipefd[2];

	assert_int_equal(ps_funlink(fd, 2), -1);
	assert_int_equal(errno, EINVAL);
	pst_assert_entries(t->dirfd, 1);
	assert_int_equal(unlinkat(t->dirfd, "f", 0), 0);
	assert_int_equal(ps_funlink(fd, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_funlink(-1, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	assert_int_equal(ps_funlink(pipefd[0], 0), -1);
	assert_int_equal(errno, pst_proc_usable() ? ENOENT : EOPNOTSUPP);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

static int funlink_as_nobody(struct pst *t)
{
	int fd = openat(t->dirfd, "mine", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0600);

	PST_CHECK(fd >= 0);
	PST_CHECK(ps_funlinkat(t->dirfd, "mine", fd, 0) == 0);
	close(fd);
	fd = openat(t->dirfd, "root", O_RDONLY | O_CLOEXEC);
	PST_CHECK(fd >= 0);
	PST_CHECK((pst_proc_usable() ? ps_funlink(fd, 0) :
	    ps_funlinkat(t->dirfd, "root", fd, 0)) == 0);
	return 0;
}

static void funlinkat_as_nobody(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "root", "x", 0644);
	pst_assert_as_nobody(t, funlink_as_nobody);
	pst_assert_entries(t->dirfd, 0);
}

/* As flink_closed_dirfd_absolute_name: no descriptor leaks. */
static void funlinkat_closed_dirfd_absolute_name(void **state)
{
	struct pst *t = *state;
	char name[PATH_MAX + 32];
	int fd, closed;

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "sub/f%d", i);
		fd = open_file(t, name, "x");
		closed = dup(fd);
		close(closed);
		snprintf(name, sizeof(name), "%s/sub/f%d", t->path, i);
		assert_int_equal(ps_funlinkat(closed, name, fd, 0), 0);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(funlinkat_removes_the_open_file),
		PST_TEST(funlinkat_closed_dirfd_absolute_name),
		PST_TEST(funlinkat_o_path_and_subdir),
		PST_TEST(funlinkat_another_file_edeadlk),
		PST_TEST(funlinkat_symlink_to_the_file_edeadlk),
		PST_TEST(funlinkat_hard_link_is_the_file),
		PST_TEST(funlinkat_directory),
		PST_TEST(funlinkat_bad_input),
		PST_TEST(funlink_finds_the_name),
		PST_TEST(funlink_directory),
		PST_TEST(funlink_two_names_emlink),
		PST_TEST(funlink_errors),
		PST_TEST(funlinkat_as_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
