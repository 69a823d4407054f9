/* SPDX-License-Identifier: MIT */
/* ps_linkat: the hard link of a name, never following a symlink there. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static void assert_same_names(int dirfd, const char *a, const char *b)
{
	struct stat sa, sb;

	assert_int_equal(fstatat(dirfd, a, &sa, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(dirfd, b, &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* Where links are denied, PS_COPY_FALLBACK copies; else it is a link. */
static void assert_linked_or_copied(int r, int dirfd, const char *a,
    const char *b, const char *content)
{
	if (pst_profile("link-denied")) {
		assert_int_equal(r, PS_COPIED);
		pst_assert_route("copy");
		pst_assert_content(dirfd, b, content);
	} else {
		assert_int_equal(r, 0);
		assert_same_names(dirfd, a, b);
	}
}

static void linkat_links_the_inode(void **state)
{
	struct pst *t = *state;
	int r;

	pst_write(t->dirfd, "a", "data", 0640);
	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	if (!pst_copy_placeable(0)) {
		assert_int_equal(ps_linkat(t->dirfd, "a", t->dirfd, "sub/b",
		    PS_COPY_FALLBACK), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		return;
	}
	r = ps_linkat(t->dirfd, "a", t->dirfd, "sub/b", PS_COPY_FALLBACK);
	assert_linked_or_copied(r, t->dirfd, "a", "sub/b", "data");
	if (!r)
		pst_assert_route("linkat");
}

/* A symlink at oldname is linked itself: its target is never reached. */
static void linkat_symlink_not_followed(void **state)
{
	struct pst *t = *state;
	struct stat st;
	int r;

	pst_write(t->dirfd, "target", "secret", 0600);
	assert_int_equal(symlinkat("target", t->dirfd, "ln"), 0);
	r = ps_linkat(t->dirfd, "ln", t->dirfd, "b", PS_COPY_FALLBACK);
	if (pst_profile("link-denied")) {
		/* A symlink is never copied: the refusal stands. */
		assert_int_equal(r, -1);
		assert_int_equal(errno, EPERM);
		pst_assert_absent(t->dirfd, "b");
		return;
	}
	assert_int_equal(r, 0);
	assert_same_names(t->dirfd, "ln", "b");
	assert_int_equal(fstatat(t->dirfd, "target", &st, 0), 0);
	assert_int_equal(st.st_nlink, 1);
}

static void linkat_existing_and_replace(void **state)
{
	struct pst *t = *state;
	int r;

	pst_write(t->dirfd, "a", "new", 0644);
	pst_write(t->dirfd, "b", "old", 0644);
	assert_int_equal(ps_linkat(t->dirfd, "a", t->dirfd, "b", 0), -1);
	assert_int_equal(errno, pst_profile("link-denied") ? EPERM : EEXIST);
	pst_assert_content(t->dirfd, "b", "old");
	r = ps_linkat(t->dirfd, "a", t->dirfd, "b",
	    PS_REPLACE | PS_COPY_FALLBACK);
	assert_linked_or_copied(r, t->dirfd, "a", "b", "new");
	pst_assert_entries(t->dirfd, 2);
}

/* "x/" names a directory: never the file or symlink x. */
static void linkat_trailing_slash(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	assert_int_equal(symlinkat("d", t->dirfd, "ld"), 0);
	assert_int_equal(ps_linkat(t->dirfd, "f/", t->dirfd, "g", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_linkat(t->dirfd, "ld/", t->dirfd, "g", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_linkat(t->dirfd, "d/", t->dirfd, "g", 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, "g/", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, "g/.",
	    PS_REPLACE), -1);
	assert_int_equal(errno, ENOTDIR);
	pst_assert_entries(t->dirfd, 3);
}

/* A symlinked directory component stays inside the root. */
static void linkat_in_root(void **state)
{
	struct pst *t = *state;
	int root, r;

	assert_int_equal(mkdirat(t->dirfd, "root", 0755), 0);
	assert_int_equal(mkdirat(t->dirfd, "root/etc", 0755), 0);
	assert_int_equal(mkdirat(t->dirfd, "etc", 0755), 0);
	pst_write(t->dirfd, "root/f", "pkg", 0644);
	/* An absolute symlink: "/etc" inside the root, not the scratch's. */
	assert_int_equal(symlinkat("/etc", t->dirfd, "root/lib"), 0);
	root = pst_open(t->dirfd, "root", O_PATH | O_DIRECTORY);
	if (!pst_copy_placeable(0)) {
		close(root);
		return;
	}
	r = ps_linkat(root, "f", root, "lib/f",
	    PS_IN_ROOT | PS_COPY_FALLBACK);
	assert_linked_or_copied(r, t->dirfd, "root/f", "root/etc/f", "pkg");
	assert_int_equal(ps_linkat(root, "f", root, "lib/g", PS_BENEATH), -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(ps_linkat(root, "../root/f", root, "h", PS_BENEATH),
	    -1);
	assert_int_equal(errno, EXDEV);
	close(root);
	pst_assert_absent(t->dirfd, "etc/f");
	pst_assert_absent(t->dirfd, "etc/g");
}

/* Across filesystems the kernel refuses the link (EXDEV); with
 * PS_COPY_FALLBACK the file at oldname is copied. */
static void linkat_across_filesystems(void **state)
{
	struct pst *t = *state;
	char path[] = "/dev/shm/pslinkat.XXXXXX";
	struct stat here, there;
	int xfd, r;

	pst_write(t->dirfd, "f", "data", 0640);
	assert_int_equal(fstat(t->dirfd, &here), 0);
	if (stat("/dev/shm", &there) || there.st_dev == here.st_dev ||
	    !mkdtemp(path)) {
		fprintf(stderr, "skipped: /dev/shm is no other filesystem\n");
		skip();
	}
	xfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(xfd >= 0);
	assert_int_equal(ps_linkat(t->dirfd, "f", xfd, "g", 0), -1);
	assert_int_equal(errno, pst_profile("link-denied") ? EPERM : EXDEV);
	r = ps_linkat(t->dirfd, "f", xfd, "g", PS_COPY_FALLBACK);
	if (pst_copy_placeable(0)) {
		assert_int_equal(r, PS_COPIED);
		pst_assert_route("copy");
		pst_assert_content(xfd, "g", "data");
		assert_int_equal(unlinkat(xfd, "g", 0), 0);
	} else {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EOPNOTSUPP);
	}
	close(xfd);
	assert_int_equal(rmdir(path), 0);
}

static void linkat_bad_input(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, "g", 0x1000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, "g",
	    PS_BENEATH | PS_IN_ROOT), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_linkat(t->dirfd, NULL, t->dirfd, "g", 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, NULL, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_linkat(t->dirfd, "f", t->dirfd, ".", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_linkat(t->dirfd, ".", t->dirfd, "g", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_linkat(t->dirfd, "missing", t->dirfd, "g", 0), -1);
	/* The emulated LSM refuses before the kernel looks. */
	assert_int_equal(errno, pst_profile("link-denied") ? EPERM : ENOENT);
	assert_int_equal(ps_linkat(-1, "f", t->dirfd, "g", 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_linkat(t->dirfd, "f", -1, "g", 0), -1);
	assert_int_equal(errno, EBADF);
	pst_assert_entries(t->dirfd, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(linkat_links_the_inode),
		PST_TEST(linkat_symlink_not_followed),
		PST_TEST(linkat_existing_and_replace),
		PST_TEST(linkat_trailing_slash),
		PST_TEST(linkat_in_root),
		PST_TEST(linkat_across_filesystems),
		PST_TEST(linkat_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
