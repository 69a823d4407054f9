/* SPDX-License-Identifier: MIT */
/* ps_flink: give an open file a (new) name. */
#include <fcntl.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"
#include "fault.h"

static int open_file(struct pst *t, const char *name, const char *content,
    int oflags)
{
	int fd;

	pst_write(t->dirfd, name, content, 0640);
	fd = openat(t->dirfd, name, oflags | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* A linked name is the same inode; a copied one has the content. */
static void assert_named(int r, int fd, int dirfd, const char *name,
    const char *content, int replace)
{
	if (!strcmp(pst_route_link(), "copy") && !pst_copy_placeable(replace)) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_absent(dirfd, name);
		return;
	}
	if (!strcmp(pst_route_link(), "copy")) {
		assert_int_equal(r, PS_COPIED);
		pst_assert_content(dirfd, name, content);
	} else {
		assert_int_equal(r, 0);
		pst_assert_same(fd, dirfd, name);
	}
	pst_assert_route(pst_route_link());
}

static void flink_names_the_open_file(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "data", O_RDONLY), r;

	r = ps_flink(fd, t->dirfd, "b", 0);
	if (pst_profile("link-denied")) {
		/* Without PS_COPY_FALLBACK a refused link is an error. */
		assert_int_equal(r, -1);
		assert_int_equal(errno, EPERM);
		pst_assert_absent(t->dirfd, "b");
	} else {
		assert_named(r, fd, t->dirfd, "b", "data", 0);
	}
	close(fd);
}

static void flink_o_path_and_tmpfile(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "data", O_PATH), tfd;

	assert_named(ps_flink(fd, t->dirfd, "b", PS_COPY_FALLBACK), fd,
	    t->dirfd, "b", "data", 0);
	close(fd);
	tfd = openat(t->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (tfd < 0) {
		fprintf(stderr, "skipped O_TMPFILE half: %s\n",
		    strerror(errno));
		return;
	}
	assert_int_equal(write(tfd, "anon", 4), 4);
	assert_named(ps_flink(tfd, t->dirfd, "c", PS_COPY_FALLBACK), tfd,
	    t->dirfd, "c", "anon", 0);
	close(tfd);
}

static void flink_existing_name_eexist(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "new", O_RDONLY);

	pst_write(t->dirfd, "b", "old", 0644);
	assert_int_equal(ps_flink(fd, t->dirfd, "b", PS_COPY_FALLBACK), -1);
	/* Where neither RENAME_NOREPLACE nor links exist, a copy cannot be
	 * named without replacing, whatever is there. */
	assert_int_equal(errno, pst_copy_placeable(0) ? EEXIST : EOPNOTSUPP);
	pst_assert_content(t->dirfd, "b", "old");
	close(fd);
}

static void flink_replace(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "new", O_RDONLY);

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	pst_write(t->dirfd, "sub/b", "old", 0644);
	assert_named(ps_flink(fd, t->dirfd, "sub/b",
	    PS_REPLACE | PS_COPY_FALLBACK), fd, t->dirfd, "sub/b", "new", 1);
	pst_assert_entries(t->dirfd, 2);
	close(fd);
	fd = openat(t->dirfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pst_assert_entries(fd, 1);
	close(fd);
}

static void flink_replace_when_already_the_same(void **state)
{
	struct pst *t = *state;
	int fd;

	if (pst_profile("link-denied")) {
		fprintf(stderr, "skipped: the test's setup needs a hard link\n");
		skip();
	}
	fd = open_file(t, "a", "data", O_RDONLY);
	assert_int_equal(linkat(t->dirfd, "a", t->dirfd, "b", 0), 0);
	/* rename(2) does nothing between two links of one inode: the
	 * hidden name must not survive. */
	assert_int_equal(ps_flink(fd, t->dirfd, "b", PS_REPLACE), 0);
	pst_assert_same(fd, t->dirfd, "b");
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

/* What a refused link across filesystems answers. */
static int xdev_errno(void)
{
	return pst_profile("link-denied") ? EPERM : EXDEV;
}

/* A second scratch directory on another filesystem, for EXDEV. */
static int other_fs_dir(struct pst *t, char *path, size_t size)
{
	const char *bases[] = { "/dev/shm", "/tmp", "/var/tmp" };
	struct stat here, there;
	int fd;

	assert_int_equal(fstat(t->dirfd, &here), 0);
	for (size_t i = 0; i < 3; i++) {
		if (stat(bases[i], &there) || there.st_dev == here.st_dev)
			continue;
		snprintf(path, size, "%s/psxdev.XXXXXX", bases[i]);
		if (!mkdtemp(path))
			continue;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(fd >= 0);
		return fd;
	}
	fprintf(stderr, "skipped: no other filesystem to link across\n");
	skip();
	return -1;
}

static void remove_other(int xfd, const char *path, const char *name)
{
	unlinkat(xfd, name, 0);
	close(xfd);
	assert_int_equal(rmdir(path), 0);
}

static void flink_copy_across_filesystems(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "0123456789", O_RDWR), xfd;
	char path[PATH_MAX];
	struct stat st;

	xfd = other_fs_dir(t, path, sizeof(path));
	assert_int_equal(fchmod(fd, 0751), 0);
	assert_int_equal(ps_flink(fd, xfd, "b", 0), -1);
	assert_int_equal(errno, xdev_errno());
	assert_int_equal(lseek(fd, 4, SEEK_SET), 4);
	if (!pst_copy_placeable(0)) {
		assert_int_equal(ps_flink(fd, xfd, "b", PS_COPY_FALLBACK), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_absent(xfd, "b");
		remove_other(xfd, path, "b");
		close(fd);
		return;
	}
	assert_int_equal(ps_flink(fd, xfd, "b", PS_COPY_FALLBACK), PS_COPIED);
	pst_assert_route("copy");
	pst_assert_content(xfd, "b", "0123456789");
	assert_int_equal(fstatat(xfd, "b", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	/* The offset is the caller's, and the copy a snapshot. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 4);
	assert_int_equal(write(fd, "X", 1), 1);
	pst_assert_content(xfd, "b", "0123456789");
	remove_other(xfd, path, "b");
	close(fd);
}

static void flink_copy_from_write_only_fd(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "wo", O_WRONLY), xfd, r;
	char path[PATH_MAX];

	xfd = other_fs_dir(t, path, sizeof(path));
	r = ps_flink(fd, xfd, "b", PS_COPY_FALLBACK);
	/* Reading it needs a reopen through /proc; without one the link's
	 * own error stands. */
	if (pst_proc_usable() && pst_copy_placeable(0)) {
		assert_int_equal(r, PS_COPIED);
		pst_assert_content(xfd, "b", "wo");
	} else if (pst_proc_usable()) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_absent(xfd, "b");
	} else {
		assert_int_equal(r, -1);
		assert_int_equal(errno, xdev_errno());
		pst_assert_absent(xfd, "b");
	}
	remove_other(xfd, path, "b");
	close(fd);
}

static void flink_deleted_file(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "orphan", O_RDONLY);

	assert_int_equal(unlinkat(t->dirfd, "a", 0), 0);
	assert_int_equal(ps_flink(fd, t->dirfd, "b", 0), -1);
	/* Without /proc the kernel's ENOENT cannot be told from a missing
	 * route. */
	assert_int_equal(errno, pst_profile("link-denied") ? EPERM :
	    pst_proc_usable() ? ENOENT : EOPNOTSUPP);
	if (!pst_copy_placeable(0)) {
		assert_int_equal(ps_flink(fd, t->dirfd, "b",
		    PS_COPY_FALLBACK), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		close(fd);
		return;
	}
	assert_int_equal(ps_flink(fd, t->dirfd, "b", PS_COPY_FALLBACK),
	    PS_COPIED);
	pst_assert_route("copy");
	pst_assert_content(t->dirfd, "b", "orphan");
	close(fd);
}

static void flink_directory_and_fifo_never_copied(void **state)
{
	struct pst *t = *state;
	char path[PATH_MAX];
	int fd, xfd;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	fd = openat(t->dirfd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(ps_flink(fd, t->dirfd, "e", PS_COPY_FALLBACK), -1);
	assert_int_equal(errno, EPERM);
	pst_assert_absent(t->dirfd, "e");
	close(fd);
	assert_int_equal(mkfifoat(t->dirfd, "fifo", 0644), 0);
	fd = openat(t->dirfd, "fifo", O_PATH | O_CLOEXEC);
	xfd = other_fs_dir(t, path, sizeof(path));
	assert_int_equal(ps_flink(fd, xfd, "f", PS_COPY_FALLBACK), -1);
	assert_int_equal(errno, xdev_errno());
	pst_assert_absent(xfd, "f");
	remove_other(xfd, path, "f");
	close(fd);
}

static void flink_bad_input(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "x", O_RDONLY), closed;
	const char *bad[] = { ".", "..", "sub/.." };
	/* A file is never given a directory's name, whatever is there. */
	const char *dirs[] = { "b/", "b//", "sub/.", "sub/./", "a/" };

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	assert_int_equal(ps_flink(fd, t->dirfd, "b", 0x1000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_flink(fd, t->dirfd, "b", PS_NO_SYNC), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_flink(fd, t->dirfd, NULL, 0), -1);
	assert_int_equal(errno, EFAULT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ps_flink(fd, t->dirfd, bad[i], PS_REPLACE),
		    -1);
		assert_int_equal(errno, EINVAL);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_int_equal(ps_flink(fd, t->dirfd, dirs[i], PS_REPLACE),
		    -1);
		assert_int_equal(errno, ENOTDIR);
	}
	assert_int_equal(ps_flink(fd, t->dirfd, "", 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_flink(-1, t->dirfd, "b", 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_flink(AT_FDCWD, t->dirfd, "b", 0), -1);
	assert_int_equal(errno, EBADF);
	closed = dup(fd);
	close(closed);
	assert_int_equal(ps_flink(closed, t->dirfd, "b", PS_COPY_FALLBACK),
	    -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_flink(fd, -1, "b", 0), -1);
	assert_int_equal(errno, EBADF);
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

static int flink_own_fd_as_nobody(struct pst *t)
{
	int fd = openat(t->dirfd, "mine", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int r;

	PST_CHECK(fd >= 0);
	r = ps_flink(fd, t->dirfd, "mine2", PS_COPY_FALLBACK);
	if (!pst_copy_placeable(0)) {
		PST_CHECK(r == -1 && errno == EOPNOTSUPP);
		close(fd);
		return 0;
	}
	PST_CHECK(r == (!strcmp(pst_route_link(), "copy") ? PS_COPIED : 0));
	PST_CHECK(!strcmp(ps_last_route(), pst_route_link()));
	close(fd);
	return 0;
}

static void flink_as_nobody(void **state)
{
	pst_assert_as_nobody(*state, flink_own_fd_as_nobody);
}

/* The fd was opened by other credentials: since Linux 6.10 only its
 * opener may use AT_EMPTY_PATH without CAP_DAC_READ_SEARCH. */
static int flink_inherited_fd_as_nobody(struct pst *t)
{
	int fd = openat(t->dirfd, "root", O_RDONLY | O_CLOEXEC), r;

	PST_CHECK(fd >= 0);
	r = ps_flink(fd, t->dirfd, "copy", PS_COPY_FALLBACK);
	if (!pst_copy_placeable(0)) {
		PST_CHECK(r == -1 && errno == EOPNOTSUPP);
		close(fd);
		return 0;
	}
	PST_CHECK(r >= 0);
	PST_CHECK(r == PS_COPIED || !strcmp(ps_last_route(), "linkat-proc"));
	close(fd);
	return 0;
}

static void flink_changed_credentials(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "root", "root's", 0644);
	pst_assert_as_nobody(t, flink_inherited_fd_as_nobody);
	if (pst_copy_placeable(0))
		pst_assert_content(t->dirfd, "copy", "root's");
	else
		pst_assert_absent(t->dirfd, "copy");
}

/* dirfd is a closed number and the name absolute: the parent the call
 * opens gets that number, and must still be closed (ownership is a flag,
 * not a comparison of numbers). */
static void flink_closed_dirfd_absolute_name(void **state)
{
	struct pst *t = *state;
	int fd = open_file(t, "a", "x", O_RDONLY), closed;
	char name[PATH_MAX + 32];

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	for (int i = 0; i < 10; i++) {
		closed = dup(fd);
		close(closed);
		snprintf(name, sizeof(name), "%s/sub/b%d", t->path, i);
		assert_true(ps_flink(fd, closed, name,
		    PS_REPLACE | PS_COPY_FALLBACK) >= 0);
	}
	close(fd);
}

/*
 * A copy that meets an error.  The child refuses links (as link-denied
 * does) so that ps_flink must copy, and one more syscall answers as a
 * failing disk, a full filesystem or a sandbox would: an I/O error or
 * ENOSPC at any step fails the copy with that errno and leaves no name
 * and no hidden file; an attribute the caller may not read or set, or
 * one removed meanwhile, is left out and the copy made (the manual's
 * "extended attributes" caveat).
 */
#define REFUSE_LINKS PST_FAULT(SCMP_SYS(link), EPERM), \
	PST_FAULT(SCMP_SYS(linkat), EPERM)
/* No reflink (xfs, btrfs): the copy writes.  No copy_file_range
 * either: it reads and writes. */
#define NO_CLONE PST_FAULT_IF(SCMP_SYS(ioctl), EOPNOTSUPP, 1, SCMP_CMP_EQ, \
	FICLONE)
#define NO_ACCEL NO_CLONE, PST_FAULT(SCMP_SYS(copy_file_range), ENOSYS)

struct copy_fault {
	const char *what;
	int xattr;		/* needs an attribute to copy */
	int err;		/* the copy's errno; 0: copied */
	mode_t mode;		/* the copy's, when made; 0: the source's */
	struct pst_fault f[6];	/* ends with err 0 */
};

static const struct copy_fault copy_faults[] = {
	{ "fsetxattr EIO", 1, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fsetxattr), EIO) } },
	{ "fsetxattr ENOSPC", 1, ENOSPC, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fsetxattr), ENOSPC) } },
	{ "fgetxattr EIO", 1, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fgetxattr), EIO) } },
	/* An attribute that grows between every size and read. */
	{ "fgetxattr ERANGE", 1, ERANGE, 0,
	  { REFUSE_LINKS, PST_FAULT_IF(SCMP_SYS(fgetxattr), ERANGE, 3,
	    SCMP_CMP_NE, 0) } },
	{ "flistxattr EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(flistxattr), EIO) } },
	{ "flistxattr ERANGE", 1, ERANGE, 0,
	  { REFUSE_LINKS, PST_FAULT_IF(SCMP_SYS(flistxattr), ERANGE, 2,
	    SCMP_CMP_NE, 0) } },
	{ "fchown EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fchown), EIO) } },
	/* The owner refused, then the group alone fails. */
	{ "fchown EPERM, then EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT_IF(SCMP_SYS(fchown), EPERM, 1,
	    SCMP_CMP_NE, (uint32_t)-1), PST_FAULT_IF(SCMP_SYS(fchown), EIO,
	    1, SCMP_CMP_EQ, (uint32_t)-1) } },
	/* The mode that lets the attributes be set, then the source's. */
	{ "fchmod 0600 EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT_IF(SCMP_SYS(fchmod), EIO, 1,
	    SCMP_CMP_EQ, 0600) } },
	{ "fchmod EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT_IF(SCMP_SYS(fchmod), EIO, 1,
	    SCMP_CMP_NE, 0600) } },
	{ "utimensat EIO", 0, EIO, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(utimensat), EIO) } },
	{ "copy_file_range EIO", 0, EIO, 0,
	  { REFUSE_LINKS, NO_CLONE,
	    PST_FAULT(SCMP_SYS(copy_file_range), EIO) } },
	{ "pread64 EIO", 0, EIO, 0,
	  { REFUSE_LINKS, NO_ACCEL, PST_FAULT(SCMP_SYS(pread64), EIO) } },
	{ "pwrite64 ENOSPC", 0, ENOSPC, 0,
	  { REFUSE_LINKS, NO_ACCEL, PST_FAULT(SCMP_SYS(pwrite64), ENOSPC) } },
	{ "ftruncate EIO", 0, EIO, 0,
	  { REFUSE_LINKS, NO_CLONE, PST_FAULT(SCMP_SYS(ftruncate), EIO) } },
	/* Not the caller's to read or set (an LSM, trusted.* without the
	 * capability, no such namespace there), or gone meanwhile. */
	{ "fsetxattr EPERM", 1, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fsetxattr), EPERM) } },
	{ "fsetxattr EACCES", 1, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fsetxattr), EACCES) } },
	{ "fsetxattr EOPNOTSUPP", 1, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fsetxattr), EOPNOTSUPP) } },
	{ "fgetxattr EACCES", 1, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fgetxattr), EACCES) } },
	{ "fgetxattr ENODATA", 1, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fgetxattr), ENODATA) } },
	{ "flistxattr EOPNOTSUPP", 0, 0, 0,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(flistxattr), EOPNOTSUPP) } },
	/* An id the user namespace does not map: neither owner nor group
	 * kept, so neither setuid nor setgid. */
	{ "fchown EINVAL", 0, 0, 0750,
	  { REFUSE_LINKS, PST_FAULT(SCMP_SYS(fchown), EINVAL) } },
};

static int copy_fd;
static const struct copy_fault *copy_fault;

static int copy_under_fault(struct pst *t)
{
	int r = ps_flink(copy_fd, t->dirfd, "copy", PS_REPLACE |
	    PS_COPY_FALLBACK);

	if (copy_fault->err) {
		PST_CHECK(r == -1);
		PST_CHECK(errno == copy_fault->err);
	} else {
		PST_CHECK(r == PS_COPIED);
		PST_CHECK(!strcmp(ps_last_route(), "copy"));
	}
	return 0;
}

static void flink_copy_faults(void **state)
{
	struct pst *t = *state;
	int fd, xattr, ran = 0, c;
	char v[16];

	pst_fault_runs(NULL);
	fd = open_file(t, "a", "0123456789", O_RDWR);
	xattr = fsetxattr(fd, "user.pathsafe", "kept", 4, 0) == 0;
	assert_true(xattr || errno == EOPNOTSUPP);
	assert_int_equal(fchmod(fd, 06750), 0);
	copy_fd = fd;
	for (size_t i = 0; i < sizeof(copy_faults) / sizeof(*copy_faults);
	    i++) {
		copy_fault = &copy_faults[i];
		if (copy_fault->xattr && !xattr)
			continue;
		/* The run's profile answers copy_file_range first. */
		if (pst_profile("no-copy-accel") &&
		    strstr(copy_fault->what, "copy_file_range"))
			continue;
		if (pst_with_faults(t, copy_fault->f, copy_under_fault))
			fail_msg("under %s", copy_fault->what);
		ran++;
		if (copy_fault->err) {
			/* Nothing left: no name, no hidden file. */
			pst_assert_entries(t->dirfd, 1);
			continue;
		}
		pst_assert_content(t->dirfd, "copy", "0123456789");
		assert_int_equal(pst_mode(t->dirfd, "copy"),
		    copy_fault->mode ? copy_fault->mode : 06750);
		/* The attribute left out where a fault refused it. */
		c = pst_open(t->dirfd, "copy", O_RDONLY);
		if (xattr && strstr(copy_fault->what, "xattr")) {
			assert_int_equal(fgetxattr(c, "user.pathsafe", v,
			    sizeof(v)), -1);
			assert_int_equal(errno, ENODATA);
		} else if (xattr) {
			assert_int_equal(fgetxattr(c, "user.pathsafe", v,
			    sizeof(v)), 4);
		}
		close(c);
		assert_int_equal(unlinkat(t->dirfd, "copy", 0), 0);
	}
	if (!xattr)
		fprintf(stderr, "%d faults; the attribute ones skipped: no "
		    "user.* attributes here\n", ran);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(flink_names_the_open_file),
		PST_TEST(flink_closed_dirfd_absolute_name),
		PST_TEST(flink_o_path_and_tmpfile),
		PST_TEST(flink_existing_name_eexist),
		PST_TEST(flink_replace),
		PST_TEST(flink_replace_when_already_the_same),
		PST_TEST(flink_copy_across_filesystems),
		PST_TEST(flink_copy_from_write_only_fd),
		PST_TEST(flink_deleted_file),
		PST_TEST(flink_directory_and_fifo_never_copied),
		PST_TEST(flink_bad_input),
		PST_TEST(flink_as_nobody),
		PST_TEST(flink_changed_credentials),
		PST_TEST(flink_copy_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
