/* SPDX-License-Identifier: MIT */
/*
 * The route each ps-emulate profile forces, one case per call, so that
 * every profile of the matrix asserts at least one route of its own:
 * proc-chmod under fchmodat2-*, linkat-proc under linkat-old, copy under
 * link-denied, named-tmpfile and rename under no-tmpfile, link-unlink under
 * no-tmpfile with no-renameat2, and the native routes under no-openat2
 * (test_copy.c shows the copy methods).  Bad input gets the same errno and
 * loses nothing whatever the profile.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static mode_t umasked(mode_t mode)
{
	mode_t mask = umask(0);

	umask(mask);
	return mode & ~mask;
}

/* The publish route's answer: PS_COPIED for a copy, 0 otherwise. */
static int published(const char *route)
{
	return strcmp(route, "copy") ? 0 : PS_COPIED;
}

static void profiles_chmod(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(pst_mode(t->dirfd, "f"), 0600);
	fd = pst_open(t->dirfd, "f", O_PATH);
	assert_int_equal(ps_fchmod_nofollow(fd, "", 0640, PS_EMPTY_PATH), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(pst_mode(t->dirfd, "f"), 0640);
	close(fd);
}

/* A symlink is refused, and its target keeps its mode, on every route. */
static void profiles_chmod_symlink_refused(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(symlinkat("f", t->dirfd, "l"), 0);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "l", 0600, 0), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(pst_mode(t->dirfd, "f"), 0644);
}

static void profiles_flink(void **state)
{
	struct pst *t = *state;
	int copied = !strcmp(pst_route_link(), "copy"), fd;

	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	if (!pst_copy_placeable(0)) {
		assert_int_equal(ps_flink(fd, t->dirfd, "g", PS_COPY_FALLBACK),
		    -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_absent(t->dirfd, "g");
		close(fd);
		return;
	}
	assert_int_equal(ps_flink(fd, t->dirfd, "g", PS_COPY_FALLBACK),
	    copied ? PS_COPIED : 0);
	pst_assert_route(pst_route_link());
	pst_assert_content(t->dirfd, "g", "data");
	if (!copied)
		pst_assert_same(fd, t->dirfd, "g");
	else
		assert_int_equal(pst_mode(t->dirfd, "g"), 0644);
	close(fd);
}

/* Without PS_COPY_FALLBACK a refused link is an error, and no name. */
static void profiles_flink_without_fallback(void **state)
{
	struct pst *t = *state;
	int fd, r;

	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	r = ps_flink(fd, t->dirfd, "g", 0);
	if (pst_profile("link-denied")) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EPERM);
		pst_assert_absent(t->dirfd, "g");
	} else {
		assert_int_equal(r, 0);
		pst_assert_route(pst_route_link());
		pst_assert_same(fd, t->dirfd, "g");
	}
	close(fd);
}

/* An existing name is never replaced without PS_REPLACE. */
static void profiles_flink_keeps_existing(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "new", 0644);
	pst_write(t->dirfd, "g", "old", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	assert_int_equal(ps_flink(fd, t->dirfd, "g", PS_COPY_FALLBACK), -1);
	assert_int_equal(errno, pst_copy_placeable(0) ? EEXIST : EOPNOTSUPP);
	pst_assert_content(t->dirfd, "g", "old");
	assert_int_equal(ps_flink(fd, t->dirfd, "g",
	    PS_COPY_FALLBACK | PS_REPLACE), published(pst_route_link()));
	pst_assert_route(pst_route_link());
	pst_assert_content(t->dirfd, "g", "new");
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

static ps_tmpfile *tmpfile_with(struct pst *t, const char *content)
{
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, ".", 0640, 0);
	size_t len = strlen(content);

	assert_non_null(tf);
	pst_assert_route(pst_route_tmpfile());
	assert_int_equal(write(ps_tmpfile_fd(tf), content, len), (ssize_t)len);
	return tf;
}

static void profiles_publish(void **state)
{
	struct pst *t = *state;
	const char *route = pst_route_publish(0);
	ps_tmpfile *tf = tmpfile_with(t, "data");

	if (route) {
		assert_int_equal(ps_publish_tmpfile(tf, "p", 0),
		    published(route));
		pst_assert_route(route);
	} else {
		/* No route publishes without replacing: say so, keep the
		 * handle publishable. */
		assert_int_equal(ps_publish_tmpfile(tf, "p", 0), -1);
		assert_int_equal(errno, EOPNOTSUPP);
		pst_assert_absent(t->dirfd, "p");
		route = pst_route_publish(1);
		assert_int_equal(ps_publish_tmpfile(tf, "p", PS_REPLACE),
		    published(route));
		pst_assert_route(route);
	}
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "p", "data");
	assert_int_equal(pst_mode(t->dirfd, "p"), umasked(0640));
	pst_assert_entries(t->dirfd, 1);
}

/* A no-replace publish never overwrites, on any route; PS_REPLACE does. */
static void profiles_publish_never_overwrites(void **state)
{
	struct pst *t = *state;
	const char *route = pst_route_republish(1);
	ps_tmpfile *tf;

	pst_write(t->dirfd, "p", "old", 0644);
	tf = tmpfile_with(t, "new");
	assert_int_equal(ps_publish_tmpfile(tf, "p", PS_NO_SYNC), -1);
	assert_int_equal(errno, pst_route_publish(0) ? EEXIST : EOPNOTSUPP);
	pst_assert_content(t->dirfd, "p", "old");
	assert_int_equal(ps_publish_tmpfile(tf, "p", PS_REPLACE),
	    published(route));
	pst_assert_route(route);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "p", "new");
	pst_assert_entries(t->dirfd, 1);
}

/* A directory at the name stays, on every route, and so does the file. */
static void profiles_publish_over_directory(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = tmpfile_with(t, "data");

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	assert_int_equal(ps_publish_tmpfile(tf, "d", PS_REPLACE), -1);
	assert_int_equal(errno, EISDIR);
	/* Still publishable; an O_TMPFILE linked and unlinked once can only
	 * be copied now, so the answer may be PS_COPIED. */
	assert_true(ps_publish_tmpfile(tf, "p", PS_REPLACE) >= 0);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "p", "data");
	pst_assert_entries(t->dirfd, 2);
	assert_int_equal(pst_mode(t->dirfd, "d"), 0755);
}

/* An unpublished handle leaves nothing behind, whichever route made it. */
static void profiles_tmpfile_close_cleans(void **state)
{
	struct pst *t = *state;

	ps_tmpfile_close(tmpfile_with(t, "gone"));
	pst_assert_entries(t->dirfd, 0);
}

/* Another file at the name: EDEADLK, and the name is back in place. */
static void profiles_funlinkat_mismatch_restores(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "mine", 0644);
	pst_write(t->dirfd, "other", "theirs", 0644);
	fd = pst_open(t->dirfd, "other", O_PATH);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 0), -1);
	assert_int_equal(errno, EDEADLK);
	pst_assert_content(t->dirfd, "f", "mine");
	pst_assert_entries(t->dirfd, 2);
	close(fd);
}

static void profiles_funlink(void **state)
{
	struct pst *t = *state;
	int fd;

	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: ps_funlink needs /proc\n");
		skip();
	}
	pst_write(t->dirfd, "f", "x", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	assert_int_equal(ps_funlink(fd, 0), 0);
	pst_assert_route("rename-verify");
	pst_assert_entries(t->dirfd, 0);
	close(fd);
}

static void profiles_reopen(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	if (!pst_proc_usable()) {
		fprintf(stderr, "skipped: reopening a file needs /proc\n");
		skip();
	}
	pst_write(t->dirfd, "f", "x", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	nfd = ps_reopen(fd, O_RDONLY, 0);
	assert_true(nfd >= 0);
	pst_assert_route("proc-reopen");
	pst_assert_same(nfd, t->dirfd, "f");
	close(nfd);
	close(fd);
}

/* What nobody may not do to root's files, no route lets them do. */
static int refused_as_nobody(struct pst *t)
{
	int sd = openat(t->dirfd, "s", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = openat(t->dirfd, "s/f", O_PATH | O_CLOEXEC);

	PST_CHECK(sd >= 0 && fd >= 0);
	PST_CHECK(ps_fchmod_nofollow(t->dirfd, "f", 0666, 0) == -1);
	PST_CHECK(errno == EPERM);
	/* The sticky bit: only the owner may rename or remove. */
	PST_CHECK(ps_funlinkat(sd, "f", fd, 0) == -1);
	PST_CHECK(errno == EPERM);
	PST_CHECK(ps_tmpfile_open(t->dirfd, "ro", 0600, 0) == NULL);
	PST_CHECK(errno == EACCES);
	close(fd);
	close(sd);
	return 0;
}

static void profiles_refused_as_nobody(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(mkdirat(t->dirfd, "s", 0755), 0);
	assert_int_equal(fchmodat(t->dirfd, "s", 01777, 0), 0);
	pst_write(t->dirfd, "s/f", "y", 0644);
	assert_int_equal(mkdirat(t->dirfd, "ro", 0755), 0);
	pst_assert_as_nobody(t, refused_as_nobody);
	assert_int_equal(pst_mode(t->dirfd, "f"), 0644);
	pst_assert_content(t->dirfd, "s/f", "y");
	pst_assert_entries(t->dirfd, 3);
}

/* Bad input: the documented errno before any syscall, nothing touched. */
static void profiles_bad_input(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	assert_int_equal(ps_flink(fd, t->dirfd, "g", 0x1000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_flink(fd, t->dirfd, "..", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 010000, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(fd, O_RDWR | O_CREAT, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_reopen(t->dirfd, O_WRONLY, 0), -1);
	assert_int_equal(errno, EISDIR);
	assert_null(ps_tmpfile_open(t->dirfd, ".", 0600, 1));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_publish_tmpfile(NULL, "p", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pst_mode(t->dirfd, "f"), 0644);
	pst_assert_content(t->dirfd, "f", "x");
	pst_assert_entries(t->dirfd, 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(profiles_chmod),
		PST_TEST(profiles_chmod_symlink_refused),
		PST_TEST(profiles_flink),
		PST_TEST(profiles_flink_without_fallback),
		PST_TEST(profiles_flink_keeps_existing),
		PST_TEST(profiles_publish),
		PST_TEST(profiles_publish_never_overwrites),
		PST_TEST(profiles_publish_over_directory),
		PST_TEST(profiles_tmpfile_close_cleans),
		PST_TEST(profiles_funlinkat_mismatch_restores),
		PST_TEST(profiles_funlink),
		PST_TEST(profiles_reopen),
		PST_TEST(profiles_refused_as_nobody),
		PST_TEST(profiles_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
