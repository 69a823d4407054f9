/* SPDX-License-Identifier: MIT */
/* ps_reopen: a new descriptor for the same inode, with new flags. */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common.h"
#include "fault.h"

/* Files other than directories reopen through /proc on Linux. */
static void need_proc(void)
{
	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: no usable /proc (reopen_without_proc "
		    "checks the error)\n");
		skip();
	}
}

static int open_path(struct pst *t, const char *name, int extra)
{
	int fd = openat(t->dirfd, name, O_PATH | O_CLOEXEC | extra);

	assert_true(fd >= 0);
	return fd;
}

/* The new fd is close-on-exec, the same inode, and reads the content. */
static void assert_reopened(int fd, int nfd, const char *content)
{
	struct stat a, b;
	char buf[64] = "";

	assert_true(nfd >= 0);
	assert_int_equal(fcntl(nfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(nfd, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	if (content) {
		assert_true(read(nfd, buf, sizeof(buf) - 1) >= 0);
		assert_string_equal(buf, content);
	}
}

static void reopen_o_path_for_reading(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	need_proc();
	pst_write(t->dirfd, "f", "data", 0644);
	fd = open_path(t, "f", 0);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	assert_reopened(fd, nfd, "data");
	pst_assert_route("proc-reopen");
	close(nfd);
	close(fd);
}

static void reopen_directory_by_dot(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	fd = open_path(t, "d", O_DIRECTORY);
	nfd = ps_reopen(fd, O_RDONLY | O_DIRECTORY, 0);
	assert_reopened(fd, nfd, NULL);
	pst_assert_route("openat-dot");
	close(nfd);
	close(fd);
}

static void reopen_follows_the_inode_not_the_path(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	need_proc();
	pst_write(t->dirfd, "f", "original", 0644);
	fd = open_path(t, "f", 0);
	pst_write(t->dirfd, "other", "impostor", 0644);
	assert_int_equal(renameat(t->dirfd, "other", t->dirfd, "f"), 0);
	nfd = ps_reopen(fd, O_RDONLY | O_NOFOLLOW, 0);
	assert_reopened(fd, nfd, "original");
	close(nfd);
	close(fd);
}

static void reopen_deleted_file(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	need_proc();
	pst_write(t->dirfd, "f", "gone", 0644);
	fd = open_path(t, "f", 0);
	assert_int_equal(unlinkat(t->dirfd, "f", 0), 0);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	assert_reopened(fd, nfd, "gone");
	close(nfd);
	close(fd);
}

static void reopen_has_its_own_offset(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	need_proc();
	pst_write(t->dirfd, "f", "abcdef", 0644);
	fd = openat(t->dirfd, "f", O_RDONLY | O_CLOEXEC);
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	assert_reopened(fd, nfd, "abcdef");
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 3);
	close(nfd);
	close(fd);
}

static void reopen_without_proc(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	if (pst_proc_usable()) {
		fprintf(stderr, "skipped: /proc is usable in this run\n");
		skip();
	}
	pst_write(t->dirfd, "f", "data", 0644);
	fd = open_path(t, "f", 0);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	assert_int_equal(nfd, -1);
	assert_int_equal(errno, EOPNOTSUPP);
	close(fd);
}

static void reopen_truncates_after_the_check(void **state)
{
	struct pst *t = *state;
	struct stat st;
	int fd, nfd;

	need_proc();
	pst_write(t->dirfd, "f", "data", 0644);
	fd = open_path(t, "f", 0);
	assert_int_equal(ps_reopen(fd, O_RDONLY | O_TRUNC, 0), -1);
	assert_int_equal(errno, EINVAL);
	pst_assert_content(t->dirfd, "f", "data");
	nfd = ps_reopen(fd, O_WRONLY | O_TRUNC, 0);
	assert_true(nfd >= 0);
	pst_assert_route("proc-reopen");
	assert_int_equal(fstat(nfd, &st), 0);
	assert_int_equal(st.st_size, 0);
	close(nfd);
	close(fd);
}

static void reopen_symlink_eloop(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(symlinkat("f", t->dirfd, "link"), 0);
	fd = open_path(t, "link", O_NOFOLLOW);
	assert_int_equal(ps_reopen(fd, O_RDONLY, 0), -1);
	assert_int_equal(errno, ELOOP);
	close(fd);
}

static void reopen_bad_input(void **state)
{
	struct pst *t = *state;
	int fd, closed;

	pst_write(t->dirfd, "f", "x", 0644);
	fd = open_path(t, "f", 0);
	assert_int_equal(ps_reopen(fd, O_RDONLY | O_CREAT, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_RDONLY | O_EXCL, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_TMPFILE | O_RDWR, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_RDONLY, 0x100), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_RDONLY, PS_REPLACE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_RDONLY | O_DIRECTORY, 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_reopen(-1, O_RDONLY, 0), -1);
	assert_int_equal(errno, EBADF);
	closed = dup(fd);
	close(closed);
	assert_int_equal(ps_reopen(closed, O_RDONLY, 0), -1);
	assert_int_equal(errno, EBADF);
	close(fd);
}

static void expect_upgrade(int fd, int oflags, int allowed)
{
	int nfd = ps_reopen(fd, oflags, PS_NO_UPGRADE);

	if (allowed) {
		assert_true(nfd >= 0);
		close(nfd);
	} else {
		assert_int_equal(nfd, -1);
		assert_int_equal(errno, EPERM);
	}
}

static void reopen_no_upgrade(void **state)
{
	struct pst *t = *state;
	int fd;

	need_proc();
	pst_write(t->dirfd, "f", "x", 0666);
	fd = open_path(t, "f", 0);
	expect_upgrade(fd, O_RDONLY, 0);
	expect_upgrade(fd, O_PATH, 1);
	close(fd);
	fd = openat(t->dirfd, "f", O_RDONLY | O_CLOEXEC);
	expect_upgrade(fd, O_RDONLY, 1);
	expect_upgrade(fd, O_PATH, 1);
	expect_upgrade(fd, O_RDWR, 0);
	expect_upgrade(fd, O_WRONLY, 0);
	expect_upgrade(fd, O_RDONLY | O_TRUNC, 0);
	close(fd);
	fd = openat(t->dirfd, "f", O_RDWR | O_CLOEXEC);
	expect_upgrade(fd, O_RDONLY, 1);
	expect_upgrade(fd, O_RDWR, 1);
	close(fd);
	fd = openat(t->dirfd, "f", O_WRONLY | O_APPEND | O_CLOEXEC);
	expect_upgrade(fd, O_WRONLY, 0);
	expect_upgrade(fd, O_RDONLY, 0);
	expect_upgrade(fd, O_WRONLY | O_APPEND, 1);
	close(fd);
}

/* Access mode 3 (ioctls only) reads and writes nothing. */
static void reopen_no_upgrade_access_mode_3(void **state)
{
	struct pst *t = *state;
	int fd;

	need_proc();
	pst_write(t->dirfd, "f", "x", 0666);
	fd = openat(t->dirfd, "f", O_ACCMODE | O_CLOEXEC);
	assert_true(fd >= 0);
	expect_upgrade(fd, O_RDWR, 0);
	expect_upgrade(fd, O_RDONLY, 0);
	expect_upgrade(fd, O_WRONLY, 0);
	expect_upgrade(fd, O_PATH, 1);
	close(fd);
}

/* O_TRUNC truncates regular files only, as open(2): a FIFO and a device
 * are opened, and not then refused by ftruncate. */
static void reopen_truncates_regular_files_only(void **state)
{
	struct pst *t = *state;
	int fd, rd, nfd;

	need_proc();
	assert_int_equal(mkfifoat(t->dirfd, "p", 0600), 0);
	rd = pst_open(t->dirfd, "p", O_RDONLY | O_NONBLOCK);
	fd = open_path(t, "p", 0);
	nfd = ps_reopen(fd, O_WRONLY | O_TRUNC, 0);
	assert_true(nfd >= 0);
	pst_assert_route("proc-reopen");
	assert_int_equal(write(nfd, "x", 1), 1);
	close(nfd);
	close(fd);
	close(rd);
	fd = open("/dev/null", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	nfd = ps_reopen(fd, O_WRONLY | O_TRUNC, 0);
	assert_true(nfd >= 0);
	close(nfd);
	close(fd);
}

static int reopen_as_nobody(struct pst *t)
{
	int fd = openat(t->dirfd, "secret", O_PATH | O_CLOEXEC);

	/* An O_PATH handle grants nothing: the kernel still checks. */
	PST_CHECK(fd >= 0);
	PST_CHECK(ps_reopen(fd, O_RDONLY, 0) == -1);
	PST_CHECK(errno == EACCES);
	close(fd);
	fd = openat(t->dirfd, "public", O_PATH | O_CLOEXEC);
	PST_CHECK(fd >= 0);
	PST_CHECK(ps_reopen(fd, O_RDONLY, 0) >= 0);
	return 0;
}

static void reopen_as_nobody_keeps_permissions(void **state)
{
	struct pst *t = *state;

	need_proc();
	pst_write(t->dirfd, "secret", "x", 0600);
	pst_write(t->dirfd, "public", "x", 0644);
	pst_assert_as_nobody(t, reopen_as_nobody);
}

/*
 * The procfs handle when making it meets an error.  statx is missing in
 * each child (a kernel before 4.11), so no kept handle can be checked
 * and every call makes its own.  A private procfs refused at any step,
 * or a clone refused for the whole namespace (EINVAL: locked submounts),
 * leaves the next handle; out of descriptors, the call fails with EMFILE
 * rather than take a weaker one.
 */
#define NO_STATX PST_FAULT(SCMP_SYS(statx), ENOSYS)

struct handle_fault {
	const char *what;
	int err;		/* 0: reopened */
	int needs;		/* 1: /proc mounted; 2: a private procfs */
	struct pst_fault f[4];
};

static const struct handle_fault handle_faults[] = {
	{ "fsconfig EPERM", 0, 1,
	  { NO_STATX, PST_FAULT(SCMP_SYS(fsconfig), EPERM) } },
	{ "fsmount EPERM", 0, 1,
	  { NO_STATX, PST_FAULT(SCMP_SYS(fsmount), EPERM) } },
	{ "fsopen EPERM, open_tree EINVAL", 0, 1,
	  { NO_STATX, PST_FAULT(SCMP_SYS(fsopen), EPERM),
	    PST_FAULT(SCMP_SYS(open_tree), EINVAL) } },
	/* A sandbox's EPERM: fstat identifies the handle. */
	{ "statx EPERM", 0, 2, { PST_FAULT(SCMP_SYS(statx), EPERM) } },
	{ "fsopen EMFILE", EMFILE, 2,
	  { NO_STATX, PST_FAULT(SCMP_SYS(fsopen), EMFILE) } },
	{ "fsopen EPERM, open_tree EMFILE", EMFILE, 2,
	  { NO_STATX, PST_FAULT(SCMP_SYS(fsopen), EPERM),
	    PST_FAULT(SCMP_SYS(open_tree), EMFILE) } },
};

static const struct handle_fault *handle_fault;
static int handle_fd;

static int reopen_under_fault(struct pst *t)
{
	int nfd = ps_reopen(handle_fd, O_RDONLY, 0);
	struct stat a, b;

	(void)t;
	if (handle_fault->err) {
		PST_CHECK(nfd == -1);
		PST_CHECK(errno == handle_fault->err);
		return 0;
	}
	PST_CHECK(nfd >= 0);
	PST_CHECK(!strcmp(ps_last_route(), "proc-reopen"));
	PST_CHECK(fstat(handle_fd, &a) == 0 && fstat(nfd, &b) == 0);
	PST_CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	close(nfd);
	return 0;
}

static void reopen_procfs_handle_faults(void **state)
{
	struct pst *t = *state;
	const char *env = getenv("PS_TEST_PROC");
	struct statfs sfs;
	/* The real /proc, nothing over its fd directories. */
	int mounted = env ? !strcmp(env, "present") :
	    statfs("/proc/self/fd", &sfs) == 0 &&
	    sfs.f_type == PROC_SUPER_MAGIC;
	int ran = 0;

	pst_fault_runs("no-openat2");
	pst_write(t->dirfd, "f", "data", 0644);
	handle_fd = open_path(t, "f", 0);
	for (size_t i = 0; i < sizeof(handle_faults) /
	    sizeof(*handle_faults); i++) {
		handle_fault = &handle_faults[i];
		if (handle_fault->needs == 1 ? !mounted : !pst_private_proc())
			continue;
		if (pst_with_faults(t, handle_fault->f, reopen_under_fault))
			fail_msg("under %s", handle_fault->what);
		ran++;
	}
	close(handle_fd);
	if (!ran) {
		fprintf(stderr, "skipped: neither /proc nor a procfs of our "
		    "own here\n");
		skip();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(reopen_o_path_for_reading),
		PST_TEST(reopen_directory_by_dot),
		PST_TEST(reopen_follows_the_inode_not_the_path),
		PST_TEST(reopen_deleted_file),
		PST_TEST(reopen_has_its_own_offset),
		PST_TEST(reopen_without_proc),
		PST_TEST(reopen_truncates_after_the_check),
		PST_TEST(reopen_symlink_eloop),
		PST_TEST(reopen_bad_input),
		PST_TEST(reopen_no_upgrade),
		PST_TEST(reopen_no_upgrade_access_mode_3),
		PST_TEST(reopen_truncates_regular_files_only),
		PST_TEST(reopen_as_nobody_keeps_permissions),
		PST_TEST(reopen_procfs_handle_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
