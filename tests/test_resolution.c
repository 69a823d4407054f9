/* SPDX-License-Identifier: MIT */
/*
 * The resolution flags on every call that takes a path: through a
 * symlinked directory component, PS_IN_ROOT keeps the call inside the
 * root and PS_BENEATH refuses it (EXDEV); the directory outside the root
 * the symlinks name is never touched.  Each case runs as root and again
 * as nobody.
 *
 *	root/usr -> <scratch>/outside	(absolute: the root's own copy,
 *					 root/<scratch>/outside, under
 *					 PS_IN_ROOT)
 *	root/lib -> ../outside		(relative: root/outside, ".." stops
 *					 at the root)
 */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

/* The two escapes, and where PS_IN_ROOT makes each land (from t->dirfd). */
static const char *const via[] = { "usr", "lib" };
static char landing[2][PATH_MAX + 32];

static void make_fixture(struct pst *t)
{
	char abs[PATH_MAX + 16];
	int root;

	assert_int_equal(mkdirat(t->dirfd, "outside", 0755), 0);
	pst_write(t->dirfd, "outside/keep", "keep", 0644);
	assert_int_equal(mkdirat(t->dirfd, "root", 0777), 0);
	assert_int_equal(fchmodat(t->dirfd, "root", 0777, 0), 0);
	root = pst_open(t->dirfd, "root", O_RDONLY | O_DIRECTORY);
	snprintf(abs, sizeof(abs), "%s/outside", t->path);
	assert_int_equal(symlinkat(abs, root, "usr"), 0);
	assert_int_equal(symlinkat("../outside", root, "lib"), 0);
	snprintf(landing[0], sizeof(landing[0]), "root%s", abs);
	snprintf(landing[1], sizeof(landing[1]), "root/outside");
	/* The root's copies, writable by nobody too. */
	for (const char *p = landing[0] + 5; (p = strchr(p + 1, '/')); ) {
		char dir[PATH_MAX + 32];

		snprintf(dir, sizeof(dir), "%.*s", (int)(p - landing[0]),
		    landing[0]);
		assert_true(mkdirat(t->dirfd, dir, 0755) == 0 ||
		    errno == EEXIST);
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(mkdirat(t->dirfd, landing[k], 0777), 0);
		assert_int_equal(fchmodat(t->dirfd, landing[k], 0777, 0), 0);
	}
	close(root);
}

/* outside/ holds keep alone, unchanged. */
static int outside_intact(struct pst *t)
{
	struct stat st;
	char buf[8] = "";
	int fd = openat(t->dirfd, "outside/keep", O_RDONLY | O_CLOEXEC);

	PST_CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 4);
	PST_CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644);
	close(fd);
	PST_CHECK(!memcmp(buf, "keep", 4));
	/* No link count: btrfs counts no subdirectories; the listing below
	 * tells. */
	PST_CHECK(fstatat(t->dirfd, "outside", &st, 0) == 0);
	fd = openat(t->dirfd, "outside", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	PST_CHECK(fd >= 0);
	/* keep, and nothing beside it. */
	PST_CHECK(faccessat(fd, "x", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	PST_CHECK(faccessat(fd, "f", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	PST_CHECK(faccessat(fd, "d", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	close(fd);
	return 0;
}

static int route_is(const char *want)
{
	PST_CHECK(!strcmp(ps_last_route(), want));
	pst_log_route(want);
	return 0;
}

static int root_fd(struct pst *t)
{
	return openat(t->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* A file of ours, "f", in the landing place k. */
static int own_file(struct pst *t, int k)
{
	char p[PATH_MAX + 40];
	int fd;

	snprintf(p, sizeof(p), "%.*s/f", PATH_MAX, landing[k]);
	fd = openat(t->dirfd, p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	return fd;
}

static int flink_calls(struct pst *t)
{
	char name[16], p[PATH_MAX + 40];
	int root = root_fd(t), fd, r;

	PST_CHECK(root >= 0);
	fd = openat(t->dirfd, "root", O_RDWR | O_TMPFILE | O_CLOEXEC, 0644);
	if (fd < 0)	/* no O_TMPFILE here: any file of ours will do */
		fd = own_file(t, 1);
	PST_CHECK(fd >= 0);
	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "%s/x", via[k]);
		r = ps_flink(fd, root, name, PS_IN_ROOT | PS_COPY_FALLBACK);
		if (!pst_copy_placeable(0)) {
			PST_CHECK(r == -1 && errno == EOPNOTSUPP);
			continue;
		}
		PST_CHECK(r >= 0);
		PST_CHECK(route_is(r == PS_COPIED ? "copy" :
		    pst_route_link()) == 0);
		snprintf(p, sizeof(p), "%.*s/x", PATH_MAX, landing[k]);
		PST_CHECK(faccessat(t->dirfd, p, F_OK, 0) == 0);
		PST_CHECK(ps_flink(fd, root, name, PS_BENEATH) == -1 &&
		    errno == EXDEV);
	}
	close(fd);
	close(root);
	return outside_intact(t);
}

static int linkat_calls(struct pst *t)
{
	char from[16], to[16];
	int root = root_fd(t), fd, r;

	PST_CHECK(root >= 0);
	for (int k = 0; k < 2; k++) {
		fd = own_file(t, k);
		PST_CHECK(fd >= 0);
		close(fd);
		snprintf(from, sizeof(from), "%s/f", via[k]);
		snprintf(to, sizeof(to), "%s/x", via[k]);
		/* Both names through the symlink: both in the root. */
		r = ps_linkat(root, from, root, to,
		    PS_IN_ROOT | PS_COPY_FALLBACK);
		if (!pst_copy_placeable(0)) {
			PST_CHECK(r == -1 && errno == EOPNOTSUPP);
			continue;
		}
		PST_CHECK(r >= 0);
		PST_CHECK(route_is(r == PS_COPIED ? "copy" : "linkat") == 0);
		PST_CHECK(ps_linkat(root, from, root, "y", PS_BENEATH) == -1 &&
		    errno == EXDEV);
		/* outside/keep, named through the symlink, is not reached
		 * (where links are denied, the emulated LSM says so first). */
		snprintf(from, sizeof(from), "%s/keep", via[k]);
		PST_CHECK(ps_linkat(root, from, root, "z", PS_IN_ROOT) == -1 &&
		    errno == (pst_profile("link-denied") ? EPERM : ENOENT));
	}
	close(root);
	return outside_intact(t);
}

static int funlinkat_calls(struct pst *t)
{
	char name[16];
	int root = root_fd(t), fd, keep;

	PST_CHECK(root >= 0);
	keep = openat(t->dirfd, "outside/keep", O_PATH | O_CLOEXEC);
	PST_CHECK(keep >= 0);
	for (int k = 0; k < 2; k++) {
		fd = own_file(t, k);
		PST_CHECK(fd >= 0);
		snprintf(name, sizeof(name), "%s/f", via[k]);
		PST_CHECK(ps_funlinkat(root, name, fd, PS_BENEATH) == -1 &&
		    errno == EXDEV);
		PST_CHECK(ps_funlinkat(root, name, fd, PS_IN_ROOT) == 0);
		PST_CHECK(route_is("rename-verify") == 0);
		close(fd);
		/* The file outside, named through the symlink: not there. */
		snprintf(name, sizeof(name), "%s/keep", via[k]);
		PST_CHECK(ps_funlinkat(root, name, keep, PS_IN_ROOT) == -1 &&
		    errno == ENOENT);
	}
	close(keep);
	close(root);
	return outside_intact(t);
}

static int fchmod_calls(struct pst *t)
{
	char name[16], p[PATH_MAX + 40];
	int root = root_fd(t), fd;
	struct stat st;

	PST_CHECK(root >= 0);
	for (int k = 0; k < 2; k++) {
		fd = own_file(t, k);
		PST_CHECK(fd >= 0);
		close(fd);
		snprintf(name, sizeof(name), "%s/f", via[k]);
		PST_CHECK(ps_fchmod_nofollow(root, name, 0640, PS_BENEATH) ==
		    -1 && errno == EXDEV);
		PST_CHECK(ps_fchmod_nofollow(root, name, 0640, PS_IN_ROOT) ==
		    0);
		PST_CHECK(route_is(pst_route_chmod()) == 0);
		snprintf(p, sizeof(p), "%.*s/f", PATH_MAX, landing[k]);
		PST_CHECK(fstatat(t->dirfd, p, &st, 0) == 0 &&
		    (st.st_mode & 07777) == 0640);
		snprintf(name, sizeof(name), "%s/keep", via[k]);
		PST_CHECK(ps_fchmod_nofollow(root, name, 0600, PS_IN_ROOT) ==
		    -1 && errno == ENOENT);
	}
	close(root);
	return outside_intact(t);
}

static int tmpfile_calls(struct pst *t)
{
	char p[PATH_MAX + 40];
	int root = root_fd(t), r;
	ps_tmpfile *tf;

	PST_CHECK(root >= 0);
	for (int k = 0; k < 2; k++) {
		PST_CHECK(!ps_tmpfile_open(root, via[k], 0644, PS_BENEATH) &&
		    errno == EXDEV);
		tf = ps_tmpfile_open(root, via[k], 0644, PS_IN_ROOT);
		PST_CHECK(tf);
		PST_CHECK(route_is(pst_route_tmpfile()) == 0);
		r = ps_publish_tmpfile(tf, "x", PS_REPLACE | PS_NO_SYNC);
		PST_CHECK(r >= 0 && ps_tmpfile_close(tf) == 0);
		snprintf(p, sizeof(p), "%.*s/x", PATH_MAX, landing[k]);
		PST_CHECK(faccessat(t->dirfd, p, F_OK, 0) == 0);
	}
	close(root);
	return outside_intact(t);
}

static int mkdirs_calls(struct pst *t)
{
	char name[16], p[PATH_MAX + 40];
	int root = root_fd(t), fd;
	struct stat a, b;

	PST_CHECK(root >= 0);
	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "%s/d/e", via[k]);
		PST_CHECK(ps_mkdirs(root, name, 0755, PS_BENEATH) == -1 &&
		    errno == EXDEV);
		fd = ps_mkdirs(root, name, 0755, PS_IN_ROOT);
		PST_CHECK(fd >= 0);
		PST_CHECK(route_is("walk") == 0);
		snprintf(p, sizeof(p), "%.*s/d/e", PATH_MAX, landing[k]);
		PST_CHECK(fstat(fd, &a) == 0 && fstatat(t->dirfd, p, &b, 0) ==
		    0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
		close(fd);
	}
	close(root);
	return outside_intact(t);
}

static int remove_tree_calls(struct pst *t)
{
	char name[16], p[PATH_MAX + 40];
	int root = root_fd(t), fd;

	PST_CHECK(root >= 0);
	for (int k = 0; k < 2; k++) {
		fd = own_file(t, k);
		PST_CHECK(fd >= 0);
		close(fd);
		snprintf(name, sizeof(name), "%s/f", via[k]);
		PST_CHECK(ps_remove_tree(root, name, PS_BENEATH) == -1 &&
		    errno == EXDEV);
		PST_CHECK(ps_remove_tree(root, name, PS_IN_ROOT) == 0);
		PST_CHECK(route_is("remove-tree") == 0);
		snprintf(p, sizeof(p), "%.*s/f", PATH_MAX, landing[k]);
		PST_CHECK(faccessat(t->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) <
		    0);
		snprintf(name, sizeof(name), "%s/keep", via[k]);
		PST_CHECK(ps_remove_tree(root, name, PS_IN_ROOT) == -1 &&
		    errno == ENOENT);
	}
	close(root);
	return outside_intact(t);
}

static int (*const calls[])(struct pst *t) = {
	flink_calls, linkat_calls, funlinkat_calls, fchmod_calls,
	tmpfile_calls, mkdirs_calls, remove_tree_calls,
};

#define CASE(fn) \
	static void fn##_through_symlink(void **state) \
	{ \
		make_fixture(*state); \
		assert_int_equal(fn##_calls(*state), 0); \
	}
CASE(flink)
CASE(linkat)
CASE(funlinkat)
CASE(fchmod)
CASE(tmpfile)
CASE(mkdirs)
CASE(remove_tree)

static int all_calls(struct pst *t)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		if (calls[i](t))
			return 1;
		/* The next call makes its own "f" and "x" again. */
		for (int k = 0; k < 4; k++) {
			char p[PATH_MAX + 40];

			snprintf(p, sizeof(p), "%s/%c", landing[k / 2],
			    "fx"[k % 2]);
			unlinkat(t->dirfd, p, 0);
		}
	}
	return 0;
}

static void every_call_as_nobody(void **state)
{
	make_fixture(*state);
	pst_assert_as_nobody(*state, all_calls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(flink_through_symlink),
		PST_TEST(linkat_through_symlink),
		PST_TEST(funlinkat_through_symlink),
		PST_TEST(fchmod_through_symlink),
		PST_TEST(tmpfile_through_symlink),
		PST_TEST(mkdirs_through_symlink),
		PST_TEST(remove_tree_through_symlink),
		PST_TEST(every_call_as_nobody),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
