/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int pst_setup(void **state)
{
	const char *base = getenv("PS_TEST_DIR");
	struct pst *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "%s/pstest.XXXXXX",
	    base ? base : "/tmp");
	assert_non_null(mkdtemp(t->path));
	t->dirfd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->dirfd >= 0);
	t->fds = pst_fd_count();
	*state = t;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st, (void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int pst_teardown(void **state)
{
	struct pst *t = *state;
	int leaked = pst_fd_count() - t->fds;

	close(t->dirfd);
	nftw(t->path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	if (leaked) {
		fprintf(stderr, "the test leaked %d descriptor(s)\n", leaked);
		return -1;
	}
	return 0;
}

int pst_profile(const char *name)
{
	const char *p = getenv("PS_EMULATE_PROFILE");
	size_t len = strlen(name);

	for (; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return 1;
	}
	return 0;
}

int pst_on_fs(const struct pst *t, unsigned long magic)
{
	struct statfs sfs;

	return fstatfs(t->dirfd, &sfs) == 0 &&
	    (unsigned long)sfs.f_type == magic;
}

const char *pst_route_chmod(void)
{
	return pst_profile("fchmodat2-enosys") ||
	    pst_profile("fchmodat2-eperm") ? "proc-chmod" : "fchmodat2";
}

const char *pst_route_link(void)
{
	if (pst_profile("link-denied"))
		return "copy";
	return pst_profile("linkat-old") || pst_profile("linkat-einval") ?
	    "linkat-proc" : "linkat-empty-path";
}

const char *pst_route_tmpfile(void)
{
	return pst_profile("no-tmpfile") || pst_profile("tmpfile-eisdir") ?
	    "named-tmpfile" : "o-tmpfile";
}

int pst_copy_placeable(int replace)
{
	return replace || !pst_profile("link-denied") ||
	    (!pst_profile("no-renameat2") && !pst_profile("renameat2-einval"));
}

const char *pst_route_publish(int replace)
{
	if (!strcmp(pst_route_tmpfile(), "o-tmpfile"))
		return pst_copy_placeable(replace) ? pst_route_link() : NULL;
	if (replace || (!pst_profile("no-renameat2") &&
	    !pst_profile("renameat2-einval")))
		return "rename";
	return pst_profile("link-denied") ? NULL : "link-unlink";
}

const char *pst_route_republish(int replace)
{
	if (strcmp(pst_route_tmpfile(), "o-tmpfile") ||
	    strcmp(pst_route_link(), "linkat-proc"))
		return pst_route_publish(replace);
	if (replace || (!pst_profile("no-renameat2") &&
	    !pst_profile("renameat2-einval")))
		return "rename";
	return "link-unlink";
}

void pst_log_route(const char *route)
{
	const char *log = getenv("PS_ROUTE_LOG");
	FILE *f;

	if (log && (f = fopen(log, "ae"))) {
		fprintf(f, "%s\n", route);
		fclose(f);
	}
}

void pst_assert_route(const char *expected)
{
	assert_string_equal(ps_last_route(), expected);
	pst_log_route(expected);
}

int pst_private_proc(void)
{
	int e = errno, fs, fd = -1;

	/* Asked after a call whose errno is still to be checked. */
	fs = syscall(SYS_fsopen, "proc", 1 /* FSOPEN_CLOEXEC */);
	if (fs < 0) {
		errno = e;
		return 0;
	}
	if (syscall(SYS_fsconfig, fs, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL,
	    0) == 0)
		fd = syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0);
	close(fs);
	if (fd >= 0)
		close(fd);
	errno = e;
	return fd >= 0;
}

int pst_proc_usable(void)
{
	const char *env = getenv("PS_TEST_PROC");
	struct statfs sfs;

	/* The library's own procfs instance needs no /proc mounted. */
	if (pst_private_proc())
		return 1;
	if (env)
		return !strcmp(env, "present");
	return statfs("/proc/self/fd", &sfs) == 0 &&
	    sfs.f_type == PROC_SUPER_MAGIC;
}

int pst_open(int dirfd, const char *name, int oflags)
{
	int fd = openat(dirfd, name, oflags | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

mode_t pst_mode(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode & 07777;
}

void pst_write(int dirfd, const char *name, const char *content,
    mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode);
	size_t len = strlen(content);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

void pst_assert_content(int dirfd, const char *name, const char *content)
{
	char buf[4096];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, content);
}

void pst_assert_absent(int dirfd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
}

void pst_assert_entries(int dirfd, int n)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int count = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		count += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	assert_int_equal(count, n);
}

void pst_assert_same(int fd, int dirfd, const char *name)
{
	struct stat a, b;

	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

/* libgcov's: NULL but in a --coverage build linked with -u __gcov_dump. */
extern void __gcov_dump(void) __attribute__((weak));

_Noreturn void pst_exit(int status)
{
	if (__gcov_dump)
		__gcov_dump();
	_exit(status);
}

static int become_nobody(void)
{
	return setgroups(0, NULL) || setgid(65534) || setuid(65534);
}

static int drop_chown(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1u << CAP_CHOWN);
	d[0].permitted &= ~(1u << CAP_CHOWN);
	return syscall(SYS_capset, &h, d);
}

/* fn's exit status in a child made by become (0: done). */
static int in_child(struct pst *t, int (*become)(void),
    int (*fn)(struct pst *t))
{
	int status;
	pid_t pid;

	assert_int_equal(fchmod(t->dirfd, 0777), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (become())
			_exit(125);
		pst_exit(fn(t));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int pst_as_nobody(struct pst *t, int (*fn)(struct pst *t))
{
	return in_child(t, become_nobody, fn);
}

int pst_as_root_without_chown(struct pst *t, int (*fn)(struct pst *t))
{
	return in_child(t, drop_chown, fn);
}

void pst_assert_as_nobody(struct pst *t, int (*fn)(struct pst *t))
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: dropping to nobody needs root\n");
		skip();
	}
	assert_int_equal(pst_as_nobody(t, fn), 0);
}
