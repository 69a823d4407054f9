/* SPDX-License-Identifier: MIT */
/* ps_tmpfile_open, ps_tmpfile_fd, ps_publish_tmpfile, ps_tmpfile_close. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static ps_tmpfile *open_with(struct pst *t, const char *dir,
    const char *content)
{
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, dir, 0644, 0);
	size_t len = strlen(content);

	assert_non_null(tf);
	pst_assert_route(pst_route_tmpfile());
	assert_int_equal(write(ps_tmpfile_fd(tf), content, len), (ssize_t)len);
	return tf;
}

/* Publishes and checks the route and result the run's profile forces. */
static void publish_ok(ps_tmpfile *tf, const char *name, unsigned flags)
{
	const char *route = pst_route_publish(flags & PS_REPLACE);
	int r = ps_publish_tmpfile(tf, name, flags);

	if (!route) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EOPNOTSUPP);
		ps_tmpfile_close(tf);
		fprintf(stderr, "skipped: this profile leaves no route\n");
		skip();
	}
	assert_int_equal(r, strcmp(route, "copy") ? 0 : PS_COPIED);
	pst_assert_route(route);
}

static void tmpfile_publish_new_name(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "content");

	/* Nothing visible before the publish but a hidden name. */
	pst_assert_entries(t->dirfd,
	    strcmp(pst_route_tmpfile(), "named-tmpfile") ? 0 : 1);
	publish_ok(tf, "out", 0);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "out", "content");
	pst_assert_entries(t->dirfd, 1);
}

static void tmpfile_mode_follows_umask(void **state)
{
	struct pst *t = *state;
	mode_t old = umask(027);
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, ".", 0666, 0);
	struct stat st;

	umask(old);
	assert_non_null(tf);
	publish_ok(tf, "out", PS_NO_SYNC);
	ps_tmpfile_close(tf);
	assert_int_equal(fstatat(t->dirfd, "out", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void tmpfile_no_replace_keeps_existing(void **state)
{
	struct pst *t = *state;
	const char *route;
	ps_tmpfile *tf = open_with(t, ".", "new");

	pst_write(t->dirfd, "out", "old", 0644);
	assert_int_equal(ps_publish_tmpfile(tf, "out", 0), -1);
	assert_int_equal(errno, pst_route_publish(0) ? EEXIST : EOPNOTSUPP);
	pst_assert_content(t->dirfd, "out", "old");
	/* A failed publish leaves the handle publishable. */
	route = pst_route_republish(0);
	if (!route) {
		ps_tmpfile_close(tf);
		return;
	}
	assert_int_equal(ps_publish_tmpfile(tf, "other", 0),
	    strcmp(route, "copy") ? 0 : PS_COPIED);
	pst_assert_route(route);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "other", "new");
	pst_assert_entries(t->dirfd, 2);
}

static void tmpfile_replace(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "new");

	pst_write(t->dirfd, "out", "old", 0644);
	publish_ok(tf, "out", PS_REPLACE);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "out", "new");
	pst_assert_entries(t->dirfd, 1);
}

static void tmpfile_publish_again_after_failed_replace(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "new");
	const char *route = pst_route_publish(0);

	assert_int_equal(mkdirat(t->dirfd, "dir", 0755), 0);
	assert_int_equal(ps_publish_tmpfile(tf, "dir", PS_REPLACE), -1);
	assert_int_equal(errno, EISDIR);
	/* The hidden link it made is kept, so the file is still linked, not
	 * copied, the second time. */
	if (!strcmp(pst_route_publish(1), "linkat-empty-path") ||
	    !strcmp(pst_route_publish(1), "linkat-proc"))
		route = pst_profile("no-renameat2") ||
		    pst_profile("renameat2-einval") ? "link-unlink" : "rename";
	if (!route) {
		ps_tmpfile_close(tf);
		skip();
	}
	assert_int_equal(ps_publish_tmpfile(tf, "out", 0),
	    strcmp(route, "copy") ? 0 : PS_COPIED);
	pst_assert_route(route);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "out", "new");
	pst_assert_entries(t->dirfd, 2);
}

static void tmpfile_publish_twice_einval(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "x");

	publish_ok(tf, "a", 0);
	assert_int_equal(ps_publish_tmpfile(tf, "b", 0), -1);
	assert_int_equal(errno, EINVAL);
	ps_tmpfile_close(tf);
	pst_assert_entries(t->dirfd, 1);
}

static void tmpfile_close_unpublished_leaves_nothing(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "x");

	assert_int_equal(ps_tmpfile_close(tf), 0);
	assert_int_equal(ps_tmpfile_close(NULL), 0);
	pst_assert_entries(t->dirfd, 0);
}

static void tmpfile_pins_its_directory(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf;
	int e;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	tf = open_with(t, "d", "pinned");
	/* The path now leads elsewhere: a new d, then a symlink. */
	assert_int_equal(renameat(t->dirfd, "d", t->dirfd, "moved"), 0);
	assert_int_equal(mkdirat(t->dirfd, "elsewhere", 0755), 0);
	assert_int_equal(symlinkat("elsewhere", t->dirfd, "d"), 0);
	publish_ok(tf, "out", 0);
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "moved/out", "pinned");
	e = openat(t->dirfd, "elsewhere", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pst_assert_entries(e, 0);
	close(e);
}

/* Publishes a file of size bytes, data only in its last 3, if any. */
static void publish_sparse(struct pst *t, const char *name, off_t size,
    int tail)
{
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, ".", 0644, 0);
	int fd = ps_tmpfile_fd(tf);
	struct stat st;

	assert_non_null(tf);
	assert_int_equal(ftruncate(fd, size), 0);
	if (tail)
		assert_int_equal(pwrite(fd, "end", 3, size - 3), 3);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
	publish_ok(tf, name, PS_NO_SYNC);
	/* The copy fallback moves the offset to find holes, and restores it. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5);
	ps_tmpfile_close(tf);
	assert_int_equal(fstatat(t->dirfd, name, &st, 0), 0);
	assert_int_equal(st.st_size, size);
	assert_true(st.st_blocks * 512 < (1 << 20));
}

static void tmpfile_sparse_stays_sparse(void **state)
{
	publish_sparse(*state, "tail", 64 << 20, 1);
	publish_sparse(*state, "hole", 64 << 20, 0);
}

static void tmpfile_bad_input(void **state)
{
	struct pst *t = *state;
	const char *bad[] = { "", ".", "..", "a/b", "/abs", "a/" };
	ps_tmpfile *tf;

	pst_write(t->dirfd, "file", "x", 0644);
	assert_null(ps_tmpfile_open(t->dirfd, ".", 0644, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(ps_tmpfile_open(t->dirfd, ".", 010644, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(ps_tmpfile_open(t->dirfd, NULL, 0644, 0));
	assert_int_equal(errno, EFAULT);
	assert_null(ps_tmpfile_open(t->dirfd, "missing", 0644, 0));
	assert_int_equal(errno, ENOENT);
	assert_null(ps_tmpfile_open(t->dirfd, "file", 0644, 0));
	assert_int_equal(errno, ENOTDIR);
	assert_null(ps_tmpfile_open(-1, "rel", 0644, 0));
	assert_int_equal(errno, EBADF);
	assert_int_equal(ps_tmpfile_fd(NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_publish_tmpfile(NULL, "x", 0), -1);
	assert_int_equal(errno, EINVAL);
	tf = open_with(t, ".", "x");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ps_publish_tmpfile(tf, bad[i], 0), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(ps_publish_tmpfile(tf, NULL, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_publish_tmpfile(tf, "x", PS_COPY_FALLBACK), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_publish_tmpfile(tf, "x", 0x80), -1);
	assert_int_equal(errno, EINVAL);
	ps_tmpfile_close(tf);
	pst_assert_entries(t->dirfd, 1);
}

/* A close() error reaches the caller: here the descriptor was closed
 * under the handle, so close says EBADF; the handle is freed anyway. */
static void tmpfile_close_reports_error(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf = open_with(t, ".", "lost");

	publish_ok(tf, "out", PS_NO_SYNC);
	assert_int_equal(close(ps_tmpfile_fd(tf)), 0);
	errno = 0;
	assert_int_equal(ps_tmpfile_close(tf), -1);
	assert_int_equal(errno, EBADF);
	pst_assert_content(t->dirfd, "out", "lost");
	pst_assert_entries(t->dirfd, 1);
}

/* PS_EMPTY_PATH borrows dirfd: the handle opens only its file, and
 * leaves dirfd open. */
static void tmpfile_borrowed_dir(void **state)
{
	struct pst *t = *state;
	int before = pst_fd_count();
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, "", 0640, PS_EMPTY_PATH);
	mode_t mask;

	assert_non_null(tf);
	pst_assert_route(pst_route_tmpfile());
	assert_int_equal(pst_fd_count(), before + 1);
	assert_int_equal(write(ps_tmpfile_fd(tf), "borrowed", 8), 8);
	publish_ok(tf, "out", 0);
	assert_int_equal(ps_tmpfile_close(tf), 0);
	assert_int_equal(pst_fd_count(), before);
	assert_true(fcntl(t->dirfd, F_GETFD) >= 0);
	pst_assert_content(t->dirfd, "out", "borrowed");
	mask = umask(0);
	umask(mask);
	assert_int_equal(pst_mode(t->dirfd, "out"), 0640 & ~mask);

	/* Replacing from a borrowed directory, durable or not. */
	tf = ps_tmpfile_open(t->dirfd, "", 0644, PS_EMPTY_PATH);
	assert_non_null(tf);
	assert_int_equal(write(ps_tmpfile_fd(tf), "again", 5), 5);
	publish_ok(tf, "out", PS_REPLACE | PS_NO_SYNC);
	assert_int_equal(ps_tmpfile_close(tf), 0);
	pst_assert_content(t->dirfd, "out", "again");
	pst_assert_entries(t->dirfd, 1);
}

/* An O_PATH dirfd can be borrowed too; a durable publish still works. */
static void tmpfile_borrowed_path_dir(void **state)
{
	struct pst *t = *state;
	int d;
	ps_tmpfile *tf;

	if (!pst_route_publish(0)) {
		fprintf(stderr, "skipped: this profile leaves no route\n");
		skip();
	}
	d = openat(t->dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	tf = ps_tmpfile_open(d, "", 0644, PS_EMPTY_PATH);
	assert_non_null(tf);
	assert_int_equal(write(ps_tmpfile_fd(tf), "path", 4), 4);
	publish_ok(tf, "out", 0);
	assert_int_equal(ps_tmpfile_close(tf), 0);
	pst_assert_content(t->dirfd, "out", "path");
	close(d);
}

static void tmpfile_empty_path_bad_input(void **state)
{
	struct pst *t = *state;
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ps_tmpfile *tf;

	assert_null(ps_tmpfile_open(t->dirfd, ".", 0644, PS_EMPTY_PATH));
	assert_int_equal(errno, EINVAL);
	assert_null(ps_tmpfile_open(-1, "", 0644, PS_EMPTY_PATH));
	assert_int_equal(errno, EBADF);
	/* AT_FDCWD's is the current directory, pinned when opened. */
	assert_int_equal(fchdir(t->dirfd), 0);
	tf = ps_tmpfile_open(AT_FDCWD, "", 0644, PS_EMPTY_PATH);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_non_null(tf);
	publish_ok(tf, "cwd", PS_NO_SYNC);
	assert_int_equal(ps_tmpfile_close(tf), 0);
	pst_assert_content(t->dirfd, "cwd", "");
}

/* The directory path under the resolution flags, as ps_open resolves. */
static void tmpfile_resolution_flags(void **state)
{
	struct pst *t = *state;
	int sub;
	ps_tmpfile *tf;

	assert_int_equal(mkdirat(t->dirfd, "sub", 0755), 0);
	assert_int_equal(symlinkat("sub", t->dirfd, "link"), 0);
	sub = openat(t->dirfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_null(ps_tmpfile_open(sub, "..", 0644, PS_BENEATH));
	assert_int_equal(errno, EXDEV);
	close(sub);
	assert_null(ps_tmpfile_open(t->dirfd, "link", 0644, PS_NO_SYMLINKS));
	assert_int_equal(errno, ELOOP);
	/* "/" is t->dirfd itself under PS_IN_ROOT. */
	tf = ps_tmpfile_open(t->dirfd, "/sub", 0644, PS_IN_ROOT);
	assert_non_null(tf);
	publish_ok(tf, "out", PS_NO_SYNC);
	assert_int_equal(ps_tmpfile_close(tf), 0);
	pst_assert_content(t->dirfd, "sub/out", "");
}

/* Write and search but no read (0300): what the raw O_TMPFILE and linkat
 * allow, as a user whom the mode binds. */
static int search_only_as_nobody(struct pst *t)
{
	char buf[8] = "";
	unsigned how[] = { 0, PS_NO_SYNC, PS_REPLACE };
	int fd;

	PST_CHECK(mkdirat(t->dirfd, "wx", 0300) == 0);
	PST_CHECK(fchmodat(t->dirfd, "wx", 0300, 0) == 0);
	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, "wx", 0600, 0);
		const char *route = pst_route_publish(how[i] & PS_REPLACE);
		int r;

		PST_CHECK(tf);
		PST_CHECK(write(ps_tmpfile_fd(tf), "wx", 2) == 2);
		r = ps_publish_tmpfile(tf, i ? "out" : "first", how[i]);
		PST_CHECK(r == (strcmp(route, "copy") ? 0 : PS_COPIED));
		PST_CHECK(ps_tmpfile_close(tf) == 0);
	}
	fd = openat(t->dirfd, "wx/out", O_RDONLY | O_CLOEXEC);
	PST_CHECK(fd >= 0);
	PST_CHECK(read(fd, buf, sizeof(buf)) == 2 && !memcmp(buf, "wx", 2));
	close(fd);
	return 0;
}

static void tmpfile_search_only_dir(void **state)
{
	struct pst *t = *state;
	int wx;

	if (!pst_route_publish(0)) {
		fprintf(stderr, "skipped: this profile leaves no route\n");
		skip();
	}
	pst_assert_as_nobody(t, search_only_as_nobody);
	pst_assert_content(t->dirfd, "wx/first", "wx");
	/* Nothing but the two names: no hidden file left behind. */
	assert_int_equal(fchmodat(t->dirfd, "wx", 0700, 0), 0);
	wx = openat(t->dirfd, "wx", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pst_assert_entries(wx, 2);
	close(wx);
}

static int publish_as_nobody(struct pst *t)
{
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, ".", 0600, 0);
	const char *route = pst_route_publish(0);

	PST_CHECK(tf);
	PST_CHECK(write(ps_tmpfile_fd(tf), "mine", 4) == 4);
	PST_CHECK(ps_publish_tmpfile(tf, "mine", 0) ==
	    (route && !strcmp(route, "copy") ? PS_COPIED : route ? 0 : -1));
	ps_tmpfile_close(tf);
	/* Not allowed to write here: the kernel's EACCES, nothing left. */
	PST_CHECK(!ps_tmpfile_open(t->dirfd, "locked", 0600, 0));
	PST_CHECK(errno == EACCES);
	return 0;
}

static void tmpfile_as_nobody(void **state)
{
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "locked", 0755), 0);
	pst_assert_as_nobody(t, publish_as_nobody);
	if (pst_route_publish(0))
		pst_assert_content(t->dirfd, "mine", "mine");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(tmpfile_publish_new_name),
		PST_TEST(tmpfile_mode_follows_umask),
		PST_TEST(tmpfile_no_replace_keeps_existing),
		PST_TEST(tmpfile_replace),
		PST_TEST(tmpfile_publish_again_after_failed_replace),
		PST_TEST(tmpfile_publish_twice_einval),
		PST_TEST(tmpfile_close_unpublished_leaves_nothing),
		PST_TEST(tmpfile_pins_its_directory),
		PST_TEST(tmpfile_sparse_stays_sparse),
		PST_TEST(tmpfile_bad_input),
		PST_TEST(tmpfile_as_nobody),
		PST_TEST(tmpfile_close_reports_error),
		PST_TEST(tmpfile_borrowed_dir),
		PST_TEST(tmpfile_borrowed_path_dir),
		PST_TEST(tmpfile_empty_path_bad_input),
		PST_TEST(tmpfile_search_only_dir),
		PST_TEST(tmpfile_resolution_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
