/* SPDX-License-Identifier: MIT */
/* ps_fchmod_nofollow: chmod that never follows a symlink. */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

static mode_t mode_of(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode & 07777;
}

static void fchmod_nofollow_changes_mode(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 04751, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(mode_of(t->dirfd, "f"), 04751);
}

static void fchmod_nofollow_directory(void **state)
{
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "d", 0700, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(mode_of(t->dirfd, "d"), 0700);
}

static void fchmod_nofollow_symlink_refused(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "victim", "x", 0600);
	assert_int_equal(symlinkat("victim", t->dirfd, "link"), 0);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "link", 0777, 0), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(mode_of(t->dirfd, "victim"), 0600);
}

/* "x/", "x//", "x/." and "x/./": the kernel would follow the symlink x
 * whatever AT_SYMLINK_NOFOLLOW says; the name x is no directory. */
static void fchmod_nofollow_trailing_slash_symlink(void **state)
{
	const char *names[] = { "x/", "x//", "x/.", "x/./", "sub/../x/" };
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "target", 0700), 0);
	assert_int_equal(mkdirat(t->dirfd, "sub", 0700), 0);
	assert_int_equal(symlinkat("target", t->dirfd, "x"), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(ps_fchmod_nofollow(t->dirfd, names[i], 0777,
		    0), -1);
		assert_int_equal(errno, ENOTDIR);
		assert_int_equal(mode_of(t->dirfd, "target"), 0700);
	}
}

/* A trailing slash on a directory is that directory; on a file, ENOTDIR. */
static void fchmod_nofollow_trailing_slash(void **state)
{
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "d", 0700), 0);
	pst_write(t->dirfd, "f", "x", 0600);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "d/", 0750, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(mode_of(t->dirfd, "d"), 0750);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "d/.//", 0755, 0), 0);
	assert_int_equal(mode_of(t->dirfd, "d"), 0755);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f/", 0644, 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(mode_of(t->dirfd, "f"), 0600);
}

/* AT_FDCWD with PS_EMPTY_PATH is the current directory, on every route. */
static void fchmod_nofollow_empty_path_cwd(void **state)
{
	struct pst *t = *state;
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(cwd >= 0);
	assert_int_equal(mkdirat(t->dirfd, "d", 0700), 0);
	assert_int_equal(fchdir(t->dirfd), 0);
	assert_int_equal(chdir("d"), 0);
	assert_int_equal(ps_fchmod_nofollow(AT_FDCWD, "", 0750, PS_EMPTY_PATH),
	    0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_int_equal(mode_of(t->dirfd, "d"), 0750);
}

static void fchmod_nofollow_empty_path(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	fd = openat(t->dirfd, "f", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ps_fchmod_nofollow(fd, "", 0600, PS_EMPTY_PATH), 0);
	pst_assert_route(pst_route_chmod());
	close(fd);
	assert_int_equal(mode_of(t->dirfd, "f"), 0600);
}

static void fchmod_nofollow_empty_path_symlink_refused(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "victim", "x", 0600);
	assert_int_equal(symlinkat("victim", t->dirfd, "link"), 0);
	fd = openat(t->dirfd, "link", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ps_fchmod_nofollow(fd, "", 0777, PS_EMPTY_PATH), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	close(fd);
	assert_int_equal(mode_of(t->dirfd, "victim"), 0600);
}

static void fchmod_nofollow_bad_input(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 010000, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0x8000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, PS_REPLACE),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600,
	    PS_EMPTY_PATH), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, NULL, 0600, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "missing", 0600, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "", 0600, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_fchmod_nofollow(-1, "f", 0600, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_fchmod_nofollow(-1, "", 0600, PS_EMPTY_PATH), -1);
	assert_int_equal(errno, EBADF);
	fd = dup(t->dirfd);
	close(fd);
	assert_int_equal(ps_fchmod_nofollow(fd, "f", 0600, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(mode_of(t->dirfd, "f"), 0644);
}

static int chmod_as_nobody(struct pst *t)
{
	int fd;

	/* Not the owner: the kernel's EPERM, which is no seccomp refusal. */
	PST_CHECK(ps_fchmod_nofollow(t->dirfd, "root", 0777, 0) == -1);
	PST_CHECK(errno == EPERM);
	/* ... and must not disable the fast route for later calls. */
	fd = openat(t->dirfd, "mine", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	PST_CHECK(fd >= 0);
	close(fd);
	PST_CHECK(ps_fchmod_nofollow(t->dirfd, "mine", 0640, 0) == 0);
	PST_CHECK(!strcmp(ps_last_route(), pst_route_chmod()));
	return 0;
}

static void fchmod_nofollow_as_nobody(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "root", "x", 0600);
	pst_assert_as_nobody(t, chmod_as_nobody);
	assert_int_equal(mode_of(t->dirfd, "root"), 0600);
	assert_int_equal(mode_of(t->dirfd, "mine"), 0640);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(fchmod_nofollow_changes_mode),
		PST_TEST(fchmod_nofollow_directory),
		PST_TEST(fchmod_nofollow_symlink_refused),
		PST_TEST(fchmod_nofollow_trailing_slash_symlink),
		PST_TEST(fchmod_nofollow_trailing_slash),
		PST_TEST(fchmod_nofollow_empty_path_cwd),
		PST_TEST(fchmod_nofollow_empty_path),
		PST_TEST(fchmod_nofollow_empty_path_symlink_refused),
		PST_TEST(fchmod_nofollow_bad_input),
		PST_TEST(fchmod_nofollow_as_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
