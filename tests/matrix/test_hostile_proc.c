/* SPDX-License-Identifier: MIT */
/*
 * The /proc routes against a /proc that lies.  tests/matrix/procenv.sh
 * sets up the environment, in a private mount namespace, and names it in
 * $PS_TEST_PROC:
 *   present    the real /proc: every /proc route works;
 *   absent     no /proc at all;
 *   fake       a tmpfs on /proc whose self/fd/N and thread-self/fd/N are
 *              symlinks to $PS_DECOY;
 *   overmount  the same symlinks bind-mounted over just our fd directories
 *              (/proc/self/fd and /proc/thread-self/fd);
 *   foreign    another process's /proc/PID/fd, whose every fd is the
 *              decoy, bind-mounted over them.
 * Each /proc route (proc-chmod, forced by fchmodat2-enosys; linkat-proc,
 * forced by linkat-old; proc-reopen; ps_funlink's name lookup) works
 * wherever the library reaches a procfs no mount redirects: its own
 * instance (root), or a clone of /proc without the mounts on it
 * (no-fsopen); with /proc itself (no-mount-api) a mount over the fd
 * directory is refused with EXDEV.  Without a procfs at /proc the routes
 * fail with EOPNOTSUPP.  The decoy keeps its mode, content, link count and
 * mtime throughout; the routes that need no /proc keep working.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static const char *env(void)
{
	const char *e = getenv("PS_TEST_PROC");

	return e ? e : "present";
}

/* What a /proc route must answer here; 0 where it must work. */
static int proc_errno(void)
{
	if (pst_proc_usable())
		return 0;
	/* No procfs at /proc: nothing to clone or open. */
	if (!strcmp(env(), "absent") || !strcmp(env(), "fake"))
		return EOPNOTSUPP;
	/* A procfs with mounts over our fd directories: a clone leaves them
	 * behind, /proc itself refuses to cross them. */
	return pst_profile("no-mount-api") ? EXDEV : 0;
}

struct decoy {
	struct stat st;
	char content[256];
};

static void decoy_read(struct decoy *d)
{
	const char *path = getenv("PS_DECOY");
	ssize_t n;
	int fd;

	memset(d, 0, sizeof(*d));
	if (pst_proc_usable() && !path)
		return;
	/* A hostile environment without a decoy would prove nothing. */
	assert_non_null(path);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &d->st), 0);
	n = read(fd, d->content, sizeof(d->content) - 1);
	assert_true(n >= 0);
	close(fd);
}

static void assert_decoy_untouched(const struct decoy *before)
{
	struct decoy now;

	decoy_read(&now);
	assert_int_equal(now.st.st_ino, before->st.st_ino);
	assert_int_equal(now.st.st_mode, before->st.st_mode);
	assert_int_equal(now.st.st_nlink, before->st.st_nlink);
	assert_int_equal(now.st.st_size, before->st.st_size);
	assert_int_equal(now.st.st_mtim.tv_sec, before->st.st_mtim.tv_sec);
	assert_int_equal(now.st.st_mtim.tv_nsec, before->st.st_mtim.tv_nsec);
	assert_string_equal(now.content, before->content);
}

/* Asserts a call's answer r: success by route, or refusal. */
static void assert_proc_route(int r, const char *route)
{
	int err = proc_errno();

	if (!err) {
		assert_true(r >= 0);
		pst_assert_route(route);
	} else {
		assert_int_equal(r, -1);
		assert_int_equal(errno, err);
	}
}

static void need_profile(const char *profile)
{
	if (!pst_profile(profile)) {
		fprintf(stderr, "skipped: the route is forced by %s only\n",
		    profile);
		skip();
	}
}

static void need_no_profile(const char *profile)
{
	if (pst_profile(profile)) {
		fprintf(stderr, "skipped: %s forces the /proc route\n",
		    profile);
		skip();
	}
}

static void proc_chmod(void **state)
{
	struct pst *t = *state;
	struct decoy d;
	int fd;

	need_profile("fchmodat2-enosys");
	decoy_read(&d);
	pst_write(t->dirfd, "f", "x", 0644);
	assert_proc_route(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0),
	    "proc-chmod");
	fd = pst_open(t->dirfd, "f", O_PATH);
	assert_proc_route(ps_fchmod_nofollow(fd, "", 0600, PS_EMPTY_PATH),
	    "proc-chmod");
	close(fd);
	assert_int_equal(pst_mode(t->dirfd, "f"), proc_errno() ? 0644 : 0600);
	assert_decoy_untouched(&d);
}

static void proc_link(void **state)
{
	struct pst *t = *state;
	struct decoy d;
	struct stat st;
	int fd;

	need_profile("linkat-old");
	decoy_read(&d);
	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	assert_proc_route(ps_flink(fd, t->dirfd, "g", 0), "linkat-proc");
	/* An O_PATH descriptor cannot be read, so nothing can be copied. */
	assert_proc_route(ps_flink(fd, t->dirfd, "h", PS_COPY_FALLBACK),
	    "linkat-proc");
	assert_int_equal(fstat(fd, &st), 0);
	if (proc_errno()) {
		pst_assert_absent(t->dirfd, "g");
		pst_assert_absent(t->dirfd, "h");
		assert_int_equal(st.st_nlink, 1);
	} else {
		pst_assert_same(fd, t->dirfd, "g");
		assert_int_equal(st.st_nlink, 3);
	}
	close(fd);
	assert_decoy_untouched(&d);
}

/* A readable file is copied when /proc is missing, never when it lies. */
static void proc_link_copy_fallback(void **state)
{
	struct pst *t = *state;
	struct decoy d;
	int fd, r;

	need_profile("linkat-old");
	decoy_read(&d);
	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	r = ps_flink(fd, t->dirfd, "g", PS_COPY_FALLBACK);
	if (proc_errno() == EXDEV) {
		assert_int_equal(r, -1);
		assert_int_equal(errno, EXDEV);
		pst_assert_absent(t->dirfd, "g");
	} else if (proc_errno()) {
		assert_int_equal(r, PS_COPIED);
		pst_assert_route("copy");
		pst_assert_content(t->dirfd, "g", "data");
	} else {
		assert_proc_route(r, "linkat-proc");
		pst_assert_same(fd, t->dirfd, "g");
	}
	close(fd);
	assert_decoy_untouched(&d);
}

static void proc_reopen(void **state)
{
	struct pst *t = *state;
	struct decoy d;
	int fd, nfd;

	decoy_read(&d);
	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	/* O_TRUNC: a reopen that reached the decoy would empty it. */
	nfd = ps_reopen(fd, O_RDWR | O_TRUNC, 0);
	assert_proc_route(nfd, "proc-reopen");
	if (nfd >= 0) {
		pst_assert_same(nfd, t->dirfd, "f");
		pst_assert_content(t->dirfd, "f", "");
		close(nfd);
	} else {
		pst_assert_content(t->dirfd, "f", "data");
	}
	close(fd);
	assert_decoy_untouched(&d);
}

static void proc_funlink(void **state)
{
	struct pst *t = *state;
	struct decoy d;
	int fd;

	decoy_read(&d);
	pst_write(t->dirfd, "f", "data", 0644);
	fd = pst_open(t->dirfd, "f", O_RDONLY);
	assert_proc_route(ps_funlink(fd, 0), "rename-verify");
	pst_assert_entries(t->dirfd, proc_errno() ? 1 : 0);
	close(fd);
	assert_decoy_untouched(&d);
}

static void noproc_fchmodat2(void **state)
{
	struct pst *t = *state;

	need_no_profile("fchmodat2-enosys");
	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0), 0);
	pst_assert_route("fchmodat2");
	assert_int_equal(pst_mode(t->dirfd, "f"), 0600);
}

static void noproc_linkat_empty_path(void **state)
{
	struct pst *t = *state;
	int fd;

	need_no_profile("linkat-old");
	pst_write(t->dirfd, "f", "x", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	assert_int_equal(ps_flink(fd, t->dirfd, "g", 0), 0);
	pst_assert_route("linkat-empty-path");
	pst_assert_same(fd, t->dirfd, "g");
	close(fd);
}

static void noproc_openat_dot(void **state)
{
	struct pst *t = *state;
	int fd, nfd;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	fd = pst_open(t->dirfd, "d", O_PATH | O_DIRECTORY);
	nfd = ps_reopen(fd, O_RDONLY | O_DIRECTORY, 0);
	assert_true(nfd >= 0);
	pst_assert_route("openat-dot");
	pst_assert_same(nfd, t->dirfd, "d");
	close(nfd);
	close(fd);
}

static void noproc_o_tmpfile(void **state)
{
	struct pst *t = *state;
	ps_tmpfile *tf;

	need_no_profile("linkat-old");
	tf = ps_tmpfile_open(t->dirfd, ".", 0600, 0);
	assert_non_null(tf);
	pst_assert_route("o-tmpfile");
	assert_int_equal(write(ps_tmpfile_fd(tf), "data", 4), 4);
	assert_int_equal(ps_publish_tmpfile(tf, "p", 0), 0);
	pst_assert_route("linkat-empty-path");
	ps_tmpfile_close(tf);
	pst_assert_content(t->dirfd, "p", "data");
}

static void noproc_rename_verify(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	fd = pst_open(t->dirfd, "f", O_PATH);
	assert_int_equal(ps_funlinkat(t->dirfd, "f", fd, 0), 0);
	pst_assert_route("rename-verify");
	pst_assert_entries(t->dirfd, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(proc_chmod),
		PST_TEST(proc_link),
		PST_TEST(proc_link_copy_fallback),
		PST_TEST(proc_reopen),
		PST_TEST(proc_funlink),
		PST_TEST(noproc_fchmodat2),
		PST_TEST(noproc_linkat_empty_path),
		PST_TEST(noproc_openat_dot),
		PST_TEST(noproc_o_tmpfile),
		PST_TEST(noproc_rename_verify),
	};

	fprintf(stderr, "environment: /proc %s\n", env());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
