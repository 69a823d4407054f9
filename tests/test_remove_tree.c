/* SPDX-License-Identifier: MIT */
/* ps_remove_tree: rm -rf that never follows a symlink or crosses a mount. */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "fault.h"

/* dir/ with f, sub/g, sub/deeper/h, an empty dir, a fifo and symlinks. */
static void make_tree(int dirfd, const char *dir)
{
	int d;

	assert_int_equal(mkdirat(dirfd, dir, 0755), 0);
	d = pst_open(dirfd, dir, O_RDONLY | O_DIRECTORY);
	pst_write(d, "f", "f", 0644);
	assert_int_equal(mkdirat(d, "sub", 0755), 0);
	pst_write(d, "sub/g", "g", 0600);
	assert_int_equal(mkdirat(d, "sub/deeper", 0700), 0);
	pst_write(d, "sub/deeper/h", "h", 0644);
	assert_int_equal(mkdirat(d, "empty", 0755), 0);
	assert_int_equal(mkfifoat(d, "fifo", 0644), 0);
	assert_int_equal(symlinkat("sub", d, "sublink"), 0);
	assert_int_equal(symlinkat("nowhere", d, "dangling"), 0);
	close(d);
}

/* outside/keep, a directory the tests' symlinks point to. */
static void make_outside(struct pst *t)
{
	assert_int_equal(mkdirat(t->dirfd, "outside", 0755), 0);
	pst_write(t->dirfd, "outside/keep", "keep", 0644);
}

static void assert_outside_intact(struct pst *t)
{
	pst_assert_content(t->dirfd, "outside/keep", "keep");
}

static void remove_tree_removes_everything(void **state)
{
	struct pst *t = *state;

	make_tree(t->dirfd, "tree");
	assert_int_equal(ps_remove_tree(t->dirfd, "tree", 0), 0);
	pst_assert_route("remove-tree");
	pst_assert_entries(t->dirfd, 0);
}

static void remove_tree_never_follows_symlinks(void **state)
{
	struct pst *t = *state;
	char abs[PATH_MAX + 16];

	make_outside(t);
	make_tree(t->dirfd, "tree");
	snprintf(abs, sizeof(abs), "%s/outside", t->path);
	assert_int_equal(symlinkat("../outside", t->dirfd, "tree/rel"), 0);
	assert_int_equal(symlinkat(abs, t->dirfd, "tree/sub/abs"), 0);
	assert_int_equal(ps_remove_tree(t->dirfd, "tree", 0), 0);
	pst_assert_absent(t->dirfd, "tree");
	assert_outside_intact(t);
	pst_assert_entries(t->dirfd, 1);
}

static void remove_tree_symlink_is_a_name(void **state)
{
	struct pst *t = *state;

	make_outside(t);
	assert_int_equal(symlinkat("outside", t->dirfd, "l"), 0);
	assert_int_equal(ps_remove_tree(t->dirfd, "l", 0), 0);
	pst_assert_absent(t->dirfd, "l");
	assert_outside_intact(t);
	/* "l/" names the directory through the symlink, as rmdir(2) would
	 * refuse to: the last component is never followed. */
	assert_int_equal(symlinkat("outside", t->dirfd, "l"), 0);
	assert_int_equal(ps_remove_tree(t->dirfd, "l/", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_outside_intact(t);
}

static void remove_tree_file_and_trailing_slash(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_remove_tree(t->dirfd, "f/", 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_remove_tree(t->dirfd, "f", 0), 0);
	pst_assert_route("remove-tree");
	make_tree(t->dirfd, "tree");
	assert_int_equal(ps_remove_tree(t->dirfd, "tree/", 0), 0);
	pst_assert_entries(t->dirfd, 0);
}

static void remove_tree_missing_enoent(void **state)
{
	struct pst *t = *state;

	assert_int_equal(ps_remove_tree(t->dirfd, "nothing", 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_remove_tree(t->dirfd, "no/thing", 0), -1);
	assert_int_equal(errno, ENOENT);
}

static void remove_tree_bad_input(void **state)
{
	struct pst *t = *state;
	static const char *const dirs[] = { ".", "..", "tree/..", "/", "tree/.",
	    "tree/./", "./" };

	make_tree(t->dirfd, "tree");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		assert_int_equal(ps_remove_tree(t->dirfd, dirs[i], 0), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(ps_remove_tree(t->dirfd, NULL, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_remove_tree(t->dirfd, "tree", PS_REPLACE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_remove_tree(t->dirfd, "tree",
	    PS_BENEATH | PS_IN_ROOT), -1);
	assert_int_equal(errno, EINVAL);
	pst_assert_entries(t->dirfd, 1);
}

/* root/usr -> /<scratch>/outside: an escape the flags confine. */
static void remove_tree_resolution_flags(void **state)
{
	struct pst *t = *state;
	char abs[PATH_MAX + 16];
	int root;

	make_outside(t);
	snprintf(abs, sizeof(abs), "%s/outside", t->path);
	assert_int_equal(mkdirat(t->dirfd, "root", 0755), 0);
	root = pst_open(t->dirfd, "root", O_RDONLY | O_DIRECTORY);
	assert_int_equal(symlinkat(abs, root, "usr"), 0);
	assert_int_equal(symlinkat("../outside", root, "up"), 0);
	assert_int_equal(ps_remove_tree(root, "usr/keep", PS_IN_ROOT), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_remove_tree(root, "up/keep", PS_IN_ROOT), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(ps_remove_tree(root, "usr/keep", PS_BENEATH), -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(ps_remove_tree(root, "up/keep", PS_BENEATH), -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(ps_remove_tree(root, "usr/keep", PS_NO_SYMLINKS), -1);
	assert_int_equal(errno, ELOOP);
	assert_outside_intact(t);
	/* Inside the root, the same symlinks lead where they should. */
	assert_int_equal(mkdirat(root, "real", 0755), 0);
	make_tree(root, "real/tree");
	assert_int_equal(symlinkat("/real", root, "rl"), 0);
	assert_int_equal(ps_remove_tree(root, "rl/tree", PS_IN_ROOT), 0);
	pst_assert_route("remove-tree");
	pst_assert_absent(root, "real/tree");
	close(root);
	/* Without flags the directory part follows symlinks, as openat. */
	assert_int_equal(ps_remove_tree(t->dirfd, "root/up/keep", 0), 0);
	pst_assert_absent(t->dirfd, "outside/keep");
}

/* A chain deeper than the descriptors the process may open. */
static void remove_tree_deep_bounded_fds(void **state)
{
	struct pst *t = *state;
	enum { DEPTH = 500 };
	struct rlimit old, low;
	int d = pst_open(t->dirfd, ".", O_RDONLY | O_DIRECTORY), next, r;

	for (int i = 0; i < DEPTH; i++) {
		assert_int_equal(mkdirat(d, "d", 0755), 0);
		next = pst_open(d, "d", O_RDONLY | O_DIRECTORY);
		close(d);
		d = next;
		if (i % 100 == 0)
			pst_write(d, "f", "x", 0644);
	}
	close(d);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = pst_fd_count() + 24;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	r = ps_remove_tree(t->dirfd, "d", 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r, 0);
	pst_assert_entries(t->dirfd, 0);
}

/*
 * In a child, in its own mount namespace: tree/sub/mnt is a tmpfs.  The
 * scratch directory is opened again there: a descriptor from before the
 * unshare sees the old namespace's mounts.
 */
static int mount_child(struct pst *t)
{
	char mnt[PATH_MAX + 16];
	int d, r;

	snprintf(mnt, sizeof(mnt), "%s/tree/sub/mnt", t->path);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("ps", mnt, "tmpfs", 0, NULL) < 0)
		return 77;
	d = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	PST_CHECK(d >= 0);
	r = openat(d, "tree/sub/mnt/keep", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644);
	PST_CHECK(r >= 0 && close(r) == 0);
	r = ps_remove_tree(d, "tree", 0);
	PST_CHECK(r == -1 && errno == EXDEV);
	PST_CHECK(faccessat(d, "tree/sub/mnt/keep", F_OK, 0) == 0);
	/* The same with the mount point itself, and with PS_NO_XDEV. */
	r = ps_remove_tree(d, "tree/sub/mnt", 0);
	PST_CHECK(r == -1 && errno == EXDEV);
	r = ps_remove_tree(d, "tree/sub/mnt/keep", PS_NO_XDEV);
	PST_CHECK(r == -1 && errno == EXDEV);
	PST_CHECK(faccessat(d, "tree/sub/mnt/keep", F_OK, 0) == 0);
	PST_CHECK(umount(mnt) == 0);
	PST_CHECK(ps_remove_tree(d, "tree", 0) == 0);
	close(d);
	return 0;
}

static void remove_tree_mount_exdev(void **state)
{
	struct pst *t = *state;
	int status;
	pid_t pid;

	make_tree(t->dirfd, "tree");
	assert_int_equal(mkdirat(t->dirfd, "tree/sub/mnt", 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		pst_exit(mount_child(t));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		fprintf(stderr, "skipped: mounting needs root (a private mount "
		    "namespace)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	pst_assert_entries(t->dirfd, 0);
}

/* Unprivileged: nobody removes its tree with a symlink to root's files. */
static int remove_as_nobody(struct pst *t)
{
	PST_CHECK(mkdirat(t->dirfd, "mine", 0755) == 0);
	PST_CHECK(mkdirat(t->dirfd, "mine/d", 0755) == 0);
	PST_CHECK(symlinkat("../../outside", t->dirfd, "mine/d/l") == 0);
	PST_CHECK(ps_remove_tree(t->dirfd, "mine", 0) == 0);
	PST_CHECK(!strcmp(ps_last_route(), "remove-tree"));
	/* Root's directory: refused, and nothing of it removed. */
	PST_CHECK(ps_remove_tree(t->dirfd, "outside", 0) == -1);
	PST_CHECK(errno == EACCES || errno == EPERM);
	return 0;
}

static void remove_tree_as_nobody(void **state)
{
	struct pst *t = *state;

	make_outside(t);
	pst_assert_as_nobody(t, remove_as_nobody);
	assert_outside_intact(t);
	pst_assert_entries(t->dirfd, 1);
}

/* Out of descriptors: EMFILE before anything is removed, from a dirfd
 * and from AT_FDCWD (which the walk must open). */
static void remove_tree_emfile(void **state)
{
	struct pst *t = *state;
	int cwd = pst_open(AT_FDCWD, ".", O_PATH | O_DIRECTORY), r, e, r_cwd;
	struct rlimit old, none;

	make_tree(t->dirfd, "tree");
	assert_int_equal(fchdir(t->dirfd), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	none = old;
	/* The lowest free number: no descriptor at or above it. */
	none.rlim_cur = fcntl(cwd, F_DUPFD_CLOEXEC, 0);
	close((int)none.rlim_cur);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
	r = ps_remove_tree(t->dirfd, "tree", 0);
	e = errno;
	r_cwd = ps_remove_tree(AT_FDCWD, "tree", 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_int_equal(r, -1);
	assert_int_equal(e, EMFILE);
	assert_int_equal(r_cwd, -1);
	assert_int_equal(errno, EMFILE);
	pst_assert_content(t->dirfd, "tree/sub/deeper/h", "h");
	assert_int_equal(ps_remove_tree(t->dirfd, "tree", 0), 0);
}

/* ps_remove_tree of "tree" under the faults fails with err, and the
 * tree is kept. */
static int tree_err;

static int remove_fails(struct pst *t)
{
	PST_CHECK(ps_remove_tree(t->dirfd, "tree", 0) == -1);
	PST_CHECK(errno == tree_err);
	return 0;
}

static void assert_tree_fails(struct pst *t, const struct pst_fault *f,
    int err)
{
	tree_err = err;
	assert_int_equal(pst_with_faults(t, f, remove_fails), 0);
	pst_assert_content(t->dirfd, "tree/sub/deeper/h", "h");
	pst_assert_content(t->dirfd, "tree/f", "f");
}

/* A disk that fails the listing: that error. */
static void remove_tree_read_error(void **state)
{
	struct pst *t = *state;
	const struct pst_fault eio[] = {
		PST_FAULT(SCMP_SYS(getdents64), EIO), { 0 } };

	pst_fault_runs(NULL);
	make_tree(t->dirfd, "tree");
	assert_tree_fails(t, eio, EIO);
}

/*
 * Every directory the walk enters turns out not to be one (a symlink or
 * a file put where the listing saw a directory, each time): the walk
 * starts again from the top, then gives up with EAGAIN.
 */
static void remove_tree_keeps_changing_eagain(void **state)
{
	struct pst *t = *state;
	/* The walk's opens of a directory, not the resolver's (O_PATH). */
	const int mask = O_PATH | O_DIRECTORY | O_NOFOLLOW;
	const struct pst_fault swapped[][2] = {
		{ PST_FAULT_MASKED(SCMP_SYS(openat), ELOOP, 2, mask,
		    O_DIRECTORY | O_NOFOLLOW), { 0 } },
		{ PST_FAULT_MASKED(SCMP_SYS(openat), ENOTDIR, 2, mask,
		    O_DIRECTORY | O_NOFOLLOW), { 0 } },
	};

	pst_fault_runs(NULL);
	make_tree(t->dirfd, "tree");
	assert_tree_fails(t, swapped[0], EAGAIN);
	assert_tree_fails(t, swapped[1], EAGAIN);
}

/* Root's file in root's sticky directory: nobody cannot remove it
 * (EPERM, which is no directory put there), and the file stays. */
static int remove_sticky_as_nobody(struct pst *t)
{
	PST_CHECK(ps_remove_tree(t->dirfd, "sticky", 0) == -1);
	PST_CHECK(errno == EPERM);
	return 0;
}

static void remove_tree_sticky_eperm(void **state)
{
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "sticky", 01777), 0);
	assert_int_equal(fchmodat(t->dirfd, "sticky", 01777, 0), 0);
	pst_write(t->dirfd, "sticky/roots", "root's", 0666);
	pst_assert_as_nobody(t, remove_sticky_as_nobody);
	pst_assert_content(t->dirfd, "sticky/roots", "root's");
}

/* "a." is a name, not "a/.": removed like any other. */
static void remove_tree_name_ending_in_dot(void **state)
{
	struct pst *t = *state;

	assert_int_equal(mkdirat(t->dirfd, "a.", 0755), 0);
	pst_write(t->dirfd, "a./f", "f", 0644);
	assert_int_equal(ps_remove_tree(t->dirfd, "a.", 0), 0);
	pst_assert_entries(t->dirfd, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(remove_tree_removes_everything),
		PST_TEST(remove_tree_never_follows_symlinks),
		PST_TEST(remove_tree_symlink_is_a_name),
		PST_TEST(remove_tree_file_and_trailing_slash),
		PST_TEST(remove_tree_missing_enoent),
		PST_TEST(remove_tree_bad_input),
		PST_TEST(remove_tree_resolution_flags),
		PST_TEST(remove_tree_deep_bounded_fds),
		PST_TEST(remove_tree_mount_exdev),
		PST_TEST(remove_tree_as_nobody),
		PST_TEST(remove_tree_emfile),
		PST_TEST(remove_tree_read_error),
		PST_TEST(remove_tree_keeps_changing_eagain),
		PST_TEST(remove_tree_sticky_eperm),
		PST_TEST(remove_tree_name_ending_in_dot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
