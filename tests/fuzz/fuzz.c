/* SPDX-License-Identifier: MIT */
/*
 * ps-fuzz: a libFuzzer target that drives random sequences of ps_* calls,
 * with random names, flags, modes and descriptors, inside a sandbox: a
 * tmpfs in a private mount namespace where we may mount one, else a
 * fresh directory.  Next to the sandbox lies a sentinel directory, the
 * target of the symlinks the fuzzer makes; the invariants, checked
 * after every input, are: no crash (ASan, UBSan), no descriptor leaked,
 * the sentinel byte for byte as it was, and what each call promises
 * (a name linked is that inode, a mode set is that mode, a reopened fd
 * is the same inode, a refused removal removed nothing).
 *
 * Names never start with "/" or "..", symlinks point only at sentinel
 * files (never directories) or inside the sandbox, and descriptors come
 * from the fuzzer's own table, so only a library that follows what it
 * promised not to follow can touch the sentinel.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "../fdcount.h"
#include "input.h"

#define NFD 8
#define NTMP 3

static const char *const names[] = {
	"a", "b", "c", "sub", "sub/a", "sub/b", "sub/sub", "l", "sub/..",
	".pathsafe-0123456789abcdef", ".pathsafe-00000000000000ff", "",
	".", "a/", "sub/.", "nope/a",
};
static const char *const targets[] = {
	"../sentinel/f1", "../sentinel/f2", "a", "sub", "sub/a", "nowhere",
	".pathsafe-0123456789abcdef",
};
static const int oflags[] = {
	O_PATH | O_NOFOLLOW, O_RDONLY | O_NOFOLLOW, O_RDWR | O_NOFOLLOW,
	O_WRONLY | O_APPEND | O_NOFOLLOW, O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
	O_PATH | O_DIRECTORY | O_NOFOLLOW,
};
static const int reflags[] = {
	O_RDONLY, O_RDWR, O_WRONLY | O_APPEND, O_PATH, O_RDONLY | O_DIRECTORY,
	O_RDWR | O_TRUNC, O_RDONLY | O_NOFOLLOW, O_CREAT, -1,
};

static char root[4096];
static int sandbox = -1, sentinel = -1;
static uint64_t sentinel_sum;

#define PICK(in, a) ((a)[take(in) % (sizeof(a) / sizeof((a)[0]))])

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "ps-fuzz: invariant broken: %s (errno %d)\n",
		    what, errno);
		abort();
	}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3u;
}

/* Everything about the sentinel a stray call could change. */
static uint64_t sentinel_state(void)
{
	static const char *const ents[] = { "f1", "f2", "sd", "sd/f3" };
	uint64_t h = 0xcbf29ce484222325u;
	struct stat st;
	char buf[256];

	check(fstat(sentinel, &st) == 0, "sentinel stat");
	h = mix(mix(h, st.st_mode), st.st_nlink);
	for (size_t i = 0; i < sizeof(ents) / sizeof(*ents); i++) {
		int fd;
		ssize_t n;

		if (fstatat(sentinel, ents[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		h = mix(mix(mix(h, st.st_ino), st.st_mode), st.st_nlink);
		h = mix(mix(h, st.st_size), st.st_mtim.tv_nsec);
		if (!S_ISREG(st.st_mode))
			continue;
		fd = openat(sentinel, ents[i], O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		close(fd);
		for (ssize_t k = 0; k < n; k++)
			h = mix(h, (uint8_t)buf[k]);
	}
	return h;
}

static void put(int dirfd, const char *name, const char *content)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	check(fd >= 0 && write(fd, content, strlen(content)) > 0, "setup");
	close(fd);
}

static int remove_any(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st, (void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("PS_FUZZ_DIR");
	char path[4200];

	(void)argc, (void)argv;
	snprintf(root, sizeof(root), "%s/psfuzz.XXXXXX", base ? base : "/tmp");
	check(mkdtemp(root) != NULL, "mkdtemp");
	/* A private tmpfs where we may; a plain directory is fine too. */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("psfuzz", root, "tmpfs", 0, "size=8m") == 0)
		fprintf(stderr, "ps-fuzz: sandbox on a private tmpfs %s\n",
		    root);
	else
		fprintf(stderr, "ps-fuzz: sandbox in %s\n", root);
	snprintf(path, sizeof(path), "%s/sandbox", root);
	check(mkdir(path, 0755) == 0 && chdir(path) == 0, "sandbox");
	sandbox = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/sentinel", root);
	check(mkdir(path, 0755) == 0, "sentinel");
	sentinel = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	check(sandbox >= 0 && sentinel >= 0, "open");
	put(sentinel, "f1", "sentinel one\n");
	put(sentinel, "f2", "sentinel two\n");
	check(mkdirat(sentinel, "sd", 0755) == 0, "sentinel sd");
	put(sentinel, "sd/f3", "sentinel three\n");
	sentinel_sum = sentinel_state();
	return 0;
}

struct state {
	int fd[NFD];
	ps_tmpfile *t[NTMP];
};

/* A descriptor argument: ours, or one no call may trust. */
static int any_fd(struct in *in, struct state *s)
{
	unsigned v = take(in);

	switch (v % 12) {
	case 8:
		return AT_FDCWD;
	case 9:
		return -1;
	case 10:
		return 1000;	/* not open */
	case 11:
		return s->t[v % NTMP] ? ps_tmpfile_fd(s->t[v % NTMP]) : -1;
	}
	return s->fd[v % NFD];
}

static int dir_fd(struct in *in, struct state *s)
{
	unsigned v = take(in);

	return v % 4 == 0 ? AT_FDCWD : v % 4 == 1 ? sandbox : any_fd(in, s);
}

static void after_flink(int r, int fd, int dirfd, const char *name)
{
	struct stat a, b;

	if (r != 0)
		return;
	check(fstat(fd, &a) == 0 && fstatat(dirfd, name, &b,
	    AT_SYMLINK_NOFOLLOW) == 0, "flink: stat");
	check(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	    "flink: the name is not the fd's inode");
}

static void after_chmod(int r, int dirfd, const char *path, mode_t mode,
    unsigned flags)
{
	struct stat st;

	if (r != 0)
		return;
	check(fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW |
	    (flags & PS_EMPTY_PATH ? AT_EMPTY_PATH : 0)) == 0, "chmod: stat");
	check(!S_ISLNK(st.st_mode), "chmod: changed a symlink");
	check((st.st_mode & 07777) == mode, "chmod: another mode");
}

static void after_reopen(int r, int fd)
{
	struct stat a, b;

	if (r < 0)
		return;
	check(fstat(fd, &a) == 0 && fstat(r, &b) == 0, "reopen: stat");
	check(a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	    "reopen: another inode");
	close(r);
}

static void after_funlinkat(int r, int dirfd, const char *name)
{
	struct stat st;

	if (r < 0 && errno == EDEADLK)
		check(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0,
		    "funlinkat: refused, yet the name is gone");
}

static void op(struct in *in, struct state *s)
{
	unsigned k = take(in), f = take(in);
	const char *name = PICK(in, names);
	int fd = any_fd(in, s), d = dir_fd(in, s), r;
	mode_t mode = take(in) << 4;
	ps_tmpfile **t = &s->t[k % NTMP];

	mode = (mode | take(in)) & 07777;

	switch (take(in) % 16) {
	case 0:		/* the fuzzer's own: a file */
		close(openat(sandbox, name, O_WRONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0644));
		break;
	case 1:
		mkdirat(sandbox, name, 0755);
		break;
	case 2:
		symlinkat(PICK(in, targets), sandbox, name);
		break;
	case 3:
		/* Never the sandbox itself: ps_funlink could remove it. */
		if (!strcmp(name, ".") || !strcmp(name, "sub/.."))
			break;
		close(s->fd[k % NFD]);
		s->fd[k % NFD] = openat(sandbox, name, PICK(in, oflags) |
		    O_CLOEXEC);
		break;
	case 4:
		renameat(sandbox, name, sandbox, PICK(in, names));
		break;
	case 5:
		r = ps_flink(fd, d, name, f & 7);
		after_flink(r, fd, d, name);
		break;
	case 6:
		name = f & 1 ? "" : name;
		f = f & 2 ? PS_EMPTY_PATH : f & 0xe0;
		r = ps_fchmod_nofollow(d, name, mode, f);
		after_chmod(r, d, name, mode, f);
		break;
	case 7:
		r = ps_funlinkat(d, name, fd, f & 4);
		after_funlinkat(r, d, name);
		break;
	case 8:
		ps_funlink(fd, f & 2);
		break;
	case 9:
		after_reopen(ps_reopen(fd, PICK(in, reflags), f & 9), fd);
		break;
	case 10:
		ps_tmpfile_close(*t);
		*t = ps_tmpfile_open(d, f & 1 ? "." : name, mode, f & 0x80);
		break;
	case 11:
		if (*t)
			check(write(ps_tmpfile_fd(*t), name, strlen(name)) >= 0,
			    "tmpfile write");
		break;
	case 12:
		ps_publish_tmpfile(f & 0x40 ? NULL : *t, name,
		    (f & (PS_REPLACE | PS_NO_SYNC | 0x20)) | PS_NO_SYNC);
		break;
	case 13:
		ps_tmpfile_close(*t);
		*t = NULL;
		break;
	case 14:
		check(ps_tmpfile_sweep(d, f & 1 ? "." : name, f & 2) >= -1,
		    "sweep");
		break;
	case 15:
		unlinkat(sandbox, name, f & 1 ? AT_REMOVEDIR : 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct state s;
	int fds = pst_fd_count();

	for (int i = 0; i < NFD; i++)
		s.fd[i] = -1;
	for (int i = 0; i < NTMP; i++)
		s.t[i] = NULL;
	for (int ops = 0; in.n && ops < 64; ops++)
		op(&in, &s);
	for (int i = 0; i < NFD; i++)
		close(s.fd[i]);
	for (int i = 0; i < NTMP; i++)
		ps_tmpfile_close(s.t[i]);
	check(pst_fd_count() == fds, "a descriptor leaked");
	check(sentinel_state() == sentinel_sum, "the sentinel changed");
	check(fchdir(sandbox) == 0, "cwd");
	fchmod(sandbox, 0755);
	/* Everything in it; rmdir(".") itself fails, last, harmlessly. */
	nftw(".", remove_any, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
