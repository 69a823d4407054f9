/* SPDX-License-Identifier: MIT */
/*
 * ps_open: the kernel is the oracle.  Every case of a table (escapes by
 * "..", absolute paths and symlinks, loops and the 40-link limit, magic
 * links, mount crossings, trailing slashes, O_CREAT through dangling
 * symlinks) is opened by ps_open and by raw openat2 on this kernel, and
 * the two must agree: the same errno, or the same inode (the same new
 * name, for a file O_CREAT made).  Natively ps_open takes openat2; under
 * ps-emulate no-openat2 it takes the userspace walk, still checked
 * against the kernel: the profile lets a 32-byte open_how through, which
 * only this oracle passes.
 */
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "fault.h"

/* <linux/openat2.h>'s struct open_how, zero-extended to 32 bytes. */
struct oracle_how {
	uint64_t flags, mode, resolve, zero;
};
#define RESOLVE_NO_XDEV_ 0x01
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_BENEATH_ 0x08
#define RESOLVE_IN_ROOT_ 0x10

static const unsigned rflag_set[] = {
	0, PS_BENEATH, PS_IN_ROOT, PS_NO_SYMLINKS, PS_NO_XDEV,
	PS_IN_ROOT | PS_NO_SYMLINKS, PS_BENEATH | PS_NO_XDEV,
	PS_IN_ROOT | PS_NO_XDEV,
};

static const int oflag_set[] = {
	O_RDONLY, O_PATH, O_PATH | O_NOFOLLOW, O_RDONLY | O_NOFOLLOW,
	O_RDONLY | O_DIRECTORY, O_PATH | O_DIRECTORY,
	O_WRONLY | O_CREAT, O_WRONLY | O_CREAT | O_EXCL,
	O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, O_RDONLY | O_CREAT |
	O_DIRECTORY, O_PATH | O_CREAT,
};

#define N(a) (sizeof(a) / sizeof(*(a)))

/* What one open did: an errno, or the file and any name it created. */
struct res {
	int err;
	dev_t dev;
	ino_t ino;
	char created[512];
};

/* The scratch tree's names, to tell what an O_CREAT made. */
static struct scan {
	size_t skip;		/* strlen of the scratch path */
	char *names;		/* "\n" + one name a line */
	size_t len, cap;
	const char *baseline;	/* names with only the fixture */
	char *created;		/* out: new names, " "-separated */
	size_t csize;
	ino_t ino;		/* the inode a new name must be */
	int wrong;		/* a new name of another inode */
} sc;

static int scan_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	const char *rel = path + sc.skip;
	char key[PATH_MAX + 2];

	(void)type, (void)ftw;
	snprintf(key, sizeof(key), "\n%s\n", rel);
	if (sc.baseline) {
		if (strstr(sc.baseline, key))
			return 0;
		if (strlen(sc.created) + strlen(rel) + 2 < sc.csize) {
			strcat(sc.created, *sc.created ? " " : "");
			strcat(sc.created, rel);
		}
		sc.wrong |= st->st_ino != sc.ino;
		/* Gone again, so that the next case starts the same. */
		assert_int_equal(unlink(path), 0);
		return 0;
	}
	while (sc.len + strlen(key) + 1 > sc.cap) {
		sc.cap = sc.cap ? 2 * sc.cap : 4096;
		sc.names = realloc(sc.names, sc.cap);
		assert_non_null(sc.names);
	}
	strcpy(sc.names + sc.len, key + (sc.len > 0));
	sc.len += strlen(key + (sc.len > 0));
	return 0;
}

static void scan_baseline(struct pst *t)
{
	sc = (struct scan){ .skip = strlen(t->path) };
	assert_int_equal(nftw(t->path, scan_entry, 16, FTW_PHYS), 0);
	sc.baseline = sc.names;
}

/* Names made since the baseline, into r->created; then removed. */
static void scan_created(struct pst *t, struct res *r)
{
	sc.created = r->created;
	sc.csize = sizeof(r->created);
	sc.ino = r->ino;
	sc.wrong = 0;
	*r->created = '\0';
	assert_int_equal(nftw(t->path, scan_entry, 16, FTW_PHYS), 0);
	if (sc.wrong)
		strcat(r->created, " (another inode)");
}

static void scan_free(void)
{
	free(sc.names);
	sc = (struct scan){ 0 };
}

static int oracle_open(int dirfd, const char *path, int oflags,
    unsigned rflags)
{
	struct oracle_how how = {
		.flags = (unsigned)(oflags | O_CLOEXEC),
		.mode = oflags & O_CREAT ? 0644 : 0,
		.resolve = (rflags & PS_BENEATH ? RESOLVE_BENEATH_ : 0) |
		    (rflags & PS_IN_ROOT ? RESOLVE_IN_ROOT_ : 0) |
		    (rflags & PS_NO_SYMLINKS ? RESOLVE_NO_SYMLINKS_ : 0) |
		    (rflags & PS_NO_XDEV ? RESOLVE_NO_XDEV_ : 0),
	};

	/* Without flags ps_open is openat, which is laxer than openat2
	 * about flags (O_PATH | O_CREAT): then openat is the oracle. */
	int fd, tries = 0;

	if (!rflags)
		return openat(dirfd, path, oflags | O_CLOEXEC, how.mode);
	/* openat2 says EAGAIN when a rename anywhere on the system raced a
	 * scoped resolution: retried, as the library retries it. */
	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 10000);
	return fd;
}

/* Can the kernel be asked?  Not before 5.6, or under another filter. */
static void need_oracle(void)
{
	int fd = oracle_open(AT_FDCWD, "/", O_PATH, PS_NO_SYMLINKS);

	if (fd < 0) {
		fprintf(stderr, "skipped: no openat2 to compare with (%s)\n",
		    strerror(errno));
		skip();
	}
	close(fd);
}

/*
 * The route ps_open must take with resolution flags under this run: the
 * walk under no-openat2, or where this kernel (or valgrind, which does
 * not know the syscall) has no openat2 of the library's 24 bytes.
 */
static const char *route_open(void)
{
	uint64_t how[3] = { O_PATH | O_CLOEXEC, 0, 0 };
	int fd;

	if (pst_profile("no-openat2"))
		return "walk";
	fd = syscall(SYS_openat2, AT_FDCWD, "/", how, sizeof(how));
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ENOSYS ? "walk" : "openat2";
}

struct table {
	struct pst *t;
	int cases, mismatches, routed;
	int scan;		/* O_CREAT cases look for new names */
};

static void result(struct table *tb, struct res *r, int fd, int oflags)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		r->err = errno;
		return;
	}
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if (tb->scan && (oflags & O_CREAT))
		scan_created(tb->t, r);
}

static void show(const struct res *r, char *buf, size_t size)
{
	if (r->err)
		snprintf(buf, size, "%s", strerror(r->err));
	else
		snprintf(buf, size, "inode %lu%s%s", (unsigned long)r->ino,
		    *r->created ? ", created " : "", r->created);
}

/* One case: the kernel's answer, then ps_open's, compared. */
static void compare(struct table *tb, int dirfd, const char *path,
    int oflags, unsigned rflags)
{
	struct res want, got;
	char a[600], b[600];
	int fd, same;

	result(tb, &want, oracle_open(dirfd, path, oflags, rflags), oflags);
	/* EAGAIN (renames elsewhere outlasting the library's 32 tries, on a
	 * busy machine) is documented; the answer is what comes after. */
	for (int tries = 0; (fd = ps_open(dirfd, path, oflags, 0644,
	    rflags)) < 0 && errno == EAGAIN && tries < 100; tries++)
		;
	/* A scoped ".." (in the path or a symlink's text) that openat2
	 * kept answering EAGAIN, renames elsewhere racing it, is the
	 * walk's (open_unrelated_renames). */
	if (fd >= 0 && rflags && !((rflags & (PS_BENEATH | PS_IN_ROOT)) &&
	    !strcmp(ps_last_route(), "walk"))) {
		assert_string_equal(ps_last_route(), route_open());
		tb->routed++;
	}
	result(tb, &got, fd, oflags);
	tb->cases++;
	if (want.err || got.err)
		same = want.err == got.err;
	else if (*want.created || *got.created)
		same = !strcmp(want.created, got.created);
	else
		same = want.dev == got.dev && want.ino == got.ino;
	if (same)
		return;
	if (tb->mismatches++ < 400) {
		show(&want, a, sizeof(a));
		show(&got, b, sizeof(b));
		fprintf(stderr, "mismatch: \"%s\" oflags %#o flags %#x: "
		    "openat2 %s, ps_open %s\n", path, oflags, rflags, a, b);
	}
}

static void run_table(struct table *tb, int dirfd, const char *const *paths,
    size_t npaths, const int *oflags, size_t noflags)
{
	for (size_t p = 0; p < npaths; p++)
		for (size_t f = 0; f < N(rflag_set); f++)
			for (size_t o = 0; o < noflags; o++)
				compare(tb, dirfd, paths[p], oflags[o],
				    rflag_set[f]);
}

static void assert_table(struct table *tb)
{
	fprintf(stderr, "%d cases, %d mismatches, route %s\n", tb->cases,
	    tb->mismatches, route_open());
	assert_int_equal(tb->mismatches, 0);
	assert_true(tb->routed > 0);
	pst_log_route(route_open());
}

/* "@" stands for the scratch directory's absolute path. */
static const char *const root_paths[] = {
	"a/b/c/f", "a//b///c//f", "a/b/c/f/", "a/b/c/f/.", "a/b/c/",
	"a/b/c/.", "a/b/c//", "", ".", "./a", "..", "../outside/keep",
	"a/../../outside/keep", "a/b/../../..", "a/b/../../../outside",
	"/", "//", "/.", "/..", "/../a/b/c/f", "/a/b/c/f",
	"@/outside/keep", "@/root/a/b/c/f",
	"in_rel/c/f", "in_rel", "in_rel/", "in_abs/c/f", "in_abs",
	"out_rel/keep", "out_rel", "out_abs/keep", "out_abs",
	/* After a "..", the kernel knows its root: an absolute symlink is then
	 * judged by the mount it leads to (PS_NO_XDEV). */
	"a/../out_abs/keep", "a/../in_abs/c",
	"up/outside/keep", "up/root/a", "upup", "a/b/back/b/c/f",
	"a/b/esc/keep", "a/b/esc", "loop1", "loop1/x", "self", "chain/l0",
	"chain/m0", "dangling", "dangling/", "dangling_abs", "dangling_out",
	"newfile", "a/newfile", "a/missing/x", "in_rel/newfile",
	"out_rel/newfile", "a/b/c/f/x", "magic", "exe",
};

/*
 * root/ holds a/b/c/f, symlinks in and out, loops, a chain of 40 links
 * (chain/l0) and one of 41 (chain/m0), dangling symlinks and magic ones;
 * outside/ holds keep.  fd is an O_PATH descriptor of root/a.
 */
static int make_fixture(struct pst *t, int *fd)
{
	char abs[PATH_MAX + 64], name[16], target[32];
	int root;

	assert_int_equal(mkdirat(t->dirfd, "outside", 0755), 0);
	pst_write(t->dirfd, "outside/keep", "keep", 0644);
	assert_int_equal(mkdirat(t->dirfd, "root", 0755), 0);
	root = pst_open(t->dirfd, "root", O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(root, "a", 0755), 0);
	assert_int_equal(mkdirat(root, "a/b", 0755), 0);
	assert_int_equal(mkdirat(root, "a/b/c", 0755), 0);
	pst_write(root, "a/b/c/f", "f", 0644);
	*fd = pst_open(root, "a", O_PATH | O_DIRECTORY);
	snprintf(abs, sizeof(abs), "%s/outside", t->path);
	assert_int_equal(symlinkat("a/b", root, "in_rel"), 0);
	assert_int_equal(symlinkat("/a/b", root, "in_abs"), 0);
	assert_int_equal(symlinkat("../outside", root, "out_rel"), 0);
	assert_int_equal(symlinkat(abs, root, "out_abs"), 0);
	assert_int_equal(symlinkat("..", root, "up"), 0);
	assert_int_equal(symlinkat("../..", root, "upup"), 0);
	assert_int_equal(symlinkat("../../a", root, "a/b/back"), 0);
	assert_int_equal(symlinkat("../../../outside", root, "a/b/esc"), 0);
	assert_int_equal(symlinkat("loop2", root, "loop1"), 0);
	assert_int_equal(symlinkat("loop1", root, "loop2"), 0);
	assert_int_equal(symlinkat("self", root, "self"), 0);
	assert_int_equal(symlinkat("nothing", root, "dangling"), 0);
	snprintf(abs, sizeof(abs), "%s/outside/made_abs", t->path);
	assert_int_equal(symlinkat(abs, root, "dangling_abs"), 0);
	assert_int_equal(symlinkat("../outside/made_rel", root,
	    "dangling_out"), 0);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", *fd);
	assert_int_equal(symlinkat(target, root, "magic"), 0);
	assert_int_equal(symlinkat("/proc/self/exe", root, "exe"), 0);
	/* l0 .. l39: 40 links, the kernel's limit; m0 .. m40: 41. */
	assert_int_equal(mkdirat(root, "chain", 0755), 0);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 40 + k; i++) {
			snprintf(name, sizeof(name), "chain/%c%d", "lm"[k], i);
			if (i == 39 + k)
				snprintf(target, sizeof(target), "../a/b/c/f");
			else
				snprintf(target, sizeof(target), "%c%d",
				    "lm"[k], i + 1);
			assert_int_equal(symlinkat(target, root, name), 0);
		}
	}
	return root;
}

static void expand(struct pst *t, const char *const *in, size_t n,
    char (*out)[PATH_MAX + 64], const char **ptrs)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i][0] == '@')
			snprintf(out[i], PATH_MAX + 64, "%s%s", t->path,
			    in[i] + 1);
		else
			snprintf(out[i], PATH_MAX + 64, "%s", in[i]);
		ptrs[i] = out[i];
	}
}

static void open_matches_openat2(void **state)
{
	struct pst *t = *state;
	static char buf[N(root_paths)][PATH_MAX + 64];
	const char *paths[N(root_paths)];
	struct table tb = { .t = t, .scan = 1 };
	int a, root;

	need_oracle();
	root = make_fixture(t, &a);
	expand(t, root_paths, N(root_paths), buf, paths);
	scan_baseline(t);
	run_table(&tb, root, paths, N(paths), oflag_set, N(oflag_set));
	scan_free();
	close(root);
	close(a);
	assert_table(&tb);
}

/* Magic links met in /proc itself: never followed under a scope. */
static void open_magic_links(void **state)
{
	struct pst *t = *state;
	static const int oflags[] = { O_RDONLY, O_PATH, O_PATH | O_NOFOLLOW,
		O_RDONLY | O_DIRECTORY };
	struct table tb = { .t = t };
	char fdpath[32], fddir[48];
	const char *paths[] = { "self", "self/exe", "self/cwd", "self/root",
		"thread-self/root", "self/fd", fdpath, fddir };
	struct statfs sfs;
	int proc, a;

	need_oracle();
	if (statfs("/proc", &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		fprintf(stderr, "skipped: no procfs at /proc\n");
		skip();
	}
	proc = pst_open(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY);
	a = pst_open(t->dirfd, ".", O_PATH | O_DIRECTORY);
	snprintf(fdpath, sizeof(fdpath), "self/fd/%d", a);
	snprintf(fddir, sizeof(fddir), "self/fd/%d/", a);
	run_table(&tb, proc, paths, N(paths), oflags, N(oflags));
	close(a);
	close(proc);
	assert_table(&tb);
}

/*
 * root/mnt is a tmpfs and root/bind a bind mount of root/a (the same
 * st_dev, another mount), in a child's private mount namespace, where
 * root is opened again: a descriptor from before the unshare sees the
 * old namespace's mounts.
 */
static int mount_child(struct pst *t)
{
	static const int oflags[] = { O_RDONLY, O_PATH, O_PATH | O_NOFOLLOW,
		O_RDONLY | O_DIRECTORY };
	static const char *const paths[] = { "mnt", "mnt/x", "mnt/.",
		"mnt/..", "mnt/../a/b/c/f", "tomnt", "tomnt/x", "mnt_abs/x",
		"a/../mnt/x", "mnt/up/a", "mnt/in/b",
		/* Last: a bind mount of the same filesystem, which only a
		 * mount id tells (statx, Linux 4.11). */
		"bind", "bind/b/c/f", "bind/..", "tobind/b/c/f" };
	size_t n = N(paths) - (pst_profile("no-statx") ? 4 : 0);
	char path[PATH_MAX + 16], src[PATH_MAX + 16];
	struct table tb = { .t = t };
	int root, fd;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	snprintf(path, sizeof(path), "%s/root/mnt", t->path);
	PST_CHECK(mount("ps", path, "tmpfs", 0, NULL) == 0);
	snprintf(src, sizeof(src), "%s/root/a", t->path);
	snprintf(path, sizeof(path), "%s/root/bind", t->path);
	PST_CHECK(mount(src, path, NULL, MS_BIND, NULL) == 0);
	snprintf(path, sizeof(path), "%s/root", t->path);
	root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	PST_CHECK(root >= 0);
	fd = openat(root, "mnt/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	PST_CHECK(fd >= 0 && close(fd) == 0);
	PST_CHECK(symlinkat("../..", root, "mnt/up") == 0);
	PST_CHECK(symlinkat("/a", root, "mnt/in") == 0);
	if (n < N(paths))
		fprintf(stderr, "bind-mount cases skipped: no statx, no mount "
		    "ids\n");
	run_table(&tb, root, paths, n, oflags, N(oflags));
	close(root);
	fprintf(stderr, "%d cases, %d mismatches\n", tb.cases,
	    tb.mismatches);
	PST_CHECK(tb.mismatches == 0 && tb.routed > 0);
	return 0;
}

static void open_mount_crossing(void **state)
{
	struct pst *t = *state;
	int a, root, status;
	pid_t pid;

	need_oracle();
	root = make_fixture(t, &a);
	close(a);
	assert_int_equal(mkdirat(root, "mnt", 0755), 0);
	assert_int_equal(mkdirat(root, "bind", 0755), 0);
	assert_int_equal(symlinkat("mnt", root, "tomnt"), 0);
	assert_int_equal(symlinkat("/mnt", root, "mnt_abs"), 0);
	assert_int_equal(symlinkat("bind", root, "tobind"), 0);
	close(root);
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
	pst_log_route(route_open());
}

static void open_route(void **state)
{
	struct pst *t = *state;
	int fd;

	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	/* No "..": openat2 answers it without EAGAIN, whatever else the
	 * machine renames. */
	fd = ps_open(t->dirfd, "./d", O_PATH, 0, PS_IN_ROOT);
	assert_true(fd >= 0);
	pst_assert_route(route_open());
	pst_assert_same(fd, t->dirfd, "d");
	close(fd);
	fd = ps_open(t->dirfd, "d", O_RDONLY | O_DIRECTORY, 0, PS_BENEATH);
	assert_true(fd >= 0);
	pst_assert_route(route_open());
	/* Every descriptor close-on-exec, as openat2 with O_CLOEXEC. */
	assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

/* d/d/.../d/../../d: 70 levels, more than the walk remembers without
 * allocating, climbed back with "..". */
static void make_deep(int dirfd, char *path, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < 70; i++) {
		n += (size_t)snprintf(path + n, size - n, "%sd", i ? "/" : "");
		assert_int_equal(mkdirat(dirfd, path, 0755), 0);
	}
	snprintf(path + n, size - n, "/../../d");
}

/* The walk's limits, the same on both routes: a deep path climbed back
 * with "..", an overlong name or path, 41 nested symlinks, a file as
 * dirfd, AT_FDCWD as the root. */
static void open_limits(void **state)
{
	struct pst *t = *state;
	char path[PATH_MAX + 64], name[300];
	int fd, cwd;

	make_deep(t->dirfd, path, sizeof(path));
	fd = ps_open(t->dirfd, path, O_PATH | O_DIRECTORY, 0, PS_IN_ROOT);
	assert_true(fd >= 0);
	close(fd);
	fd = ps_open(t->dirfd, path, O_PATH | O_DIRECTORY, 0, PS_NO_XDEV);
	assert_true(fd >= 0);
	close(fd);
	/* A mkdirs of the same depth, with a ".." to climb. */
	fd = ps_mkdirs(t->dirfd, path, 0755, PS_BENEATH);
	assert_true(fd >= 0);
	close(fd);

	memset(name, 'n', 256);
	name[256] = '\0';
	assert_int_equal(ps_open(t->dirfd, name, O_RDONLY, 0, PS_BENEATH), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	memset(path, 'p', PATH_MAX + 8);
	path[PATH_MAX + 8] = '\0';
	assert_int_equal(ps_open(t->dirfd, path, O_RDONLY, 0, PS_BENEATH), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* l0 -> l1 -> ... -> l41: one more than the kernel follows. */
	for (int i = 0; i <= 41; i++) {
		char to[16];

		snprintf(name, sizeof(name), "l%d", i);
		snprintf(to, sizeof(to), "l%d", i + 1);
		assert_int_equal(symlinkat(to, t->dirfd, name), 0);
	}
	assert_int_equal(ps_open(t->dirfd, "l0", O_RDONLY, 0, PS_IN_ROOT), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(ps_open(t->dirfd, "l0/x", O_RDONLY, 0, PS_BENEATH),
	    -1);
	assert_int_equal(errno, ELOOP);

	pst_write(t->dirfd, "file", "x", 0644);
	fd = pst_open(t->dirfd, "file", O_RDONLY);
	assert_int_equal(ps_open(fd, "x", O_RDONLY, 0, PS_IN_ROOT), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_open(t->dirfd, "file/x", O_RDONLY, 0, PS_IN_ROOT),
	    -1);
	assert_int_equal(errno, ENOTDIR);
	close(fd);

	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(cwd >= 0);
	assert_int_equal(fchdir(t->dirfd), 0);
	fd = ps_open(AT_FDCWD, "d/../file", O_RDONLY, 0, PS_BENEATH);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ps_open(AT_FDCWD, "../x", O_RDONLY, 0, PS_BENEATH),
	    -1);
	assert_int_equal(errno, EXDEV);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
}

/* ps_mkdirs: what is in the way, and bad input. */
/* As nobody: a directory it may not search or write stops the walk with
 * EACCES, as the kernel's resolver does, and creates nothing. */
static int denied_as_nobody(struct pst *t)
{
	int fd;

	PST_CHECK(mkdirat(t->dirfd, "closed", 0700) == 0);
	PST_CHECK(mkdirat(t->dirfd, "closed/in", 0700) == 0);
	PST_CHECK(fchmodat(t->dirfd, "closed", 0, 0) == 0);
	PST_CHECK(mkdirat(t->dirfd, "ro", 0555) == 0);
	PST_CHECK(ps_open(t->dirfd, "closed/in", O_PATH, 0, PS_IN_ROOT) ==
	    -1 && errno == EACCES);
	PST_CHECK(ps_mkdirs(t->dirfd, "ro/a/b", 0755, PS_BENEATH) == -1 &&
	    errno == EACCES);
	PST_CHECK(ps_mkdirs(t->dirfd, "closed/x", 0755, PS_IN_ROOT) == -1 &&
	    errno == EACCES);
	fd = ps_mkdirs(t->dirfd, "mine/a", 0755, PS_IN_ROOT);
	PST_CHECK(fd >= 0);
	close(fd);
	PST_CHECK(faccessat(t->dirfd, "ro/a", F_OK, AT_SYMLINK_NOFOLLOW) ==
	    -1 && errno == ENOENT);
	/* Left searchable, so that the scratch directory can be removed. */
	PST_CHECK(fchmodat(t->dirfd, "closed", 0700, 0) == 0);
	return 0;
}

static void open_denied_as_nobody(void **state)
{
	pst_assert_as_nobody(*state, denied_as_nobody);
}

struct renamer {
	int dirfd;
	atomic_int stop;
};

static void *rename_loop(void *arg)
{
	struct renamer *r = arg;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed))
		if (renameat(r->dirfd, "a", r->dirfd, "b") == 0)
			renameat(r->dirfd, "b", r->dirfd, "a");
	return NULL;
}

/*
 * openat2 says EAGAIN for a ".." when any rename on the system happened
 * during the lookup (rename_lock is global), which a busy machine makes
 * happen every time: here a thread renaming a file in a directory that
 * is no part of the path.  The library's later tries take the walk,
 * which checks only this path's directories, so ps_open and ps_mkdirs
 * succeed.  Baseline: openat2 as a caller would try it, once; how often
 * 16 tries (the library's before the walk) fail too is reported.  A
 * rename only spoils a lookup it overlaps, which a loaded machine makes
 * rare: the rounds go on until the baseline has failed 10 times.
 */
static void open_unrelated_renames(void **state)
{
	struct pst *t = *state;
	struct oracle_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH_ };
	struct renamer r = { .stop = 0 };
	char path[PATH_MAX];
	int lost = 0, naive = 0, naive16 = 0, rounds = 0, fd, tries;
	pthread_t th;

	need_oracle();
	make_deep(t->dirfd, path, sizeof(path));
	assert_int_equal(mkdirat(t->dirfd, "unrelated", 0755), 0);
	r.dirfd = openat(t->dirfd, "unrelated", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	assert_true(r.dirfd >= 0);
	close(openat(r.dirfd, "a", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	assert_int_equal(pthread_create(&th, NULL, rename_loop, &r), 0);
	for (; rounds < 200000 && (rounds < 200 || naive < 10); rounds++) {
		tries = 0;
		do
			fd = syscall(SYS_openat2, t->dirfd, path, &how,
			    sizeof(how));
		while (fd < 0 && errno == EAGAIN && ++tries < 16);
		naive += tries > 0;
		naive16 += fd < 0;
		close(fd);
		fd = rounds & 1 ? ps_mkdirs(t->dirfd, path, 0755, PS_BENEATH) :
		    ps_open(t->dirfd, path, O_PATH | O_DIRECTORY, 0,
		    PS_BENEATH);
		if (fd < 0 && lost++ < 3)
			fprintf(stderr, "library: %s\n", strerror(errno));
		close(fd);
	}
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	close(r.dirfd);
	fprintf(stderr, "unrelated renames: library failed %d of %d; openat2 "
	    "failed %d times at the first try, %d times 16 tries in a row\n",
	    lost, rounds, naive, naive16);
	assert_int_equal(lost, 0);
	assert_true(naive > 0);
}

static void open_mkdirs_errors(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "file", "x", 0644);
	assert_int_equal(symlinkat("nowhere", t->dirfd, "dangling"), 0);
	assert_int_equal(ps_mkdirs(t->dirfd, "file/sub", 0755, PS_IN_ROOT),
	    -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_mkdirs(t->dirfd, "dangling/sub", 0755,
	    PS_IN_ROOT), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(ps_mkdirs(t->dirfd, "file", 0755, 0), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(ps_mkdirs(t->dirfd, "a", 0755, PS_REPLACE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_mkdirs(t->dirfd, "a", 010000, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_mkdirs(t->dirfd, NULL, 0755, PS_BENEATH), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ps_mkdirs(t->dirfd, "../a", 0755, PS_BENEATH), -1);
	assert_int_equal(errno, EXDEV);
	/* Without flags, through a symlink to a directory, as mkdir -p. */
	assert_int_equal(symlinkat(".", t->dirfd, "self"), 0);
	fd = ps_mkdirs(t->dirfd, "self/a/b", 0755, 0);
	assert_true(fd >= 0);
	close(fd);
	pst_assert_entries(t->dirfd, 4);
}

static void open_bad_input(void **state)
{
	struct pst *t = *state;
	int fd;

	assert_int_equal(ps_open(t->dirfd, "x", O_RDONLY, 0, PS_REPLACE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_open(t->dirfd, "x", O_RDONLY, 0, 0x8000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_open(t->dirfd, "x", O_RDONLY, 0,
	    PS_BENEATH | PS_IN_ROOT), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ps_open(t->dirfd, NULL, O_RDONLY, 0, PS_BENEATH), -1);
	assert_int_equal(errno, EFAULT);
	/* A closed dirfd, on either route. */
	fd = pst_open(t->dirfd, ".", O_PATH);
	close(fd);
	assert_int_equal(ps_open(fd, "x", O_RDONLY, 0, PS_BENEATH), -1);
	assert_int_equal(errno, EBADF);
	pst_assert_entries(t->dirfd, 0);
}

/*
 * A sandbox that answers EPERM for openat2 and statx, as container
 * profiles did before they knew them: the walk serves, on fstat's
 * identities, confining as openat2 would; the /proc routes check their
 * handle by fstat too.
 */
static int sandboxed(struct pst *t)
{
	int fd = ps_open(t->dirfd, "d/../d", O_RDONLY | O_DIRECTORY, 0,
	    PS_IN_ROOT), re;

	PST_CHECK(fd >= 0);
	PST_CHECK(!strcmp(ps_last_route(), "walk"));
	PST_CHECK(ps_open(fd, "../..", O_PATH, 0, PS_BENEATH) == -1);
	PST_CHECK(errno == EXDEV);
	close(fd);
	fd = ps_open(t->dirfd, "d/f", O_RDONLY, 0, PS_BENEATH);
	PST_CHECK(fd >= 0);
	if (pst_proc_usable()) {
		re = ps_reopen(fd, O_RDONLY, 0);
		PST_CHECK(re >= 0);
		PST_CHECK(!strcmp(ps_last_route(), "proc-reopen"));
		close(re);
	}
	close(fd);
	return 0;
}

static void open_sandbox_eperm(void **state)
{
	struct pst *t = *state;
	const struct pst_fault eperm[] = {
		PST_FAULT(SCMP_SYS(openat2), EPERM),
		PST_FAULT(SCMP_SYS(statx), EPERM), { 0 } };

	pst_fault_runs(NULL);
	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	pst_write(t->dirfd, "d/f", "f", 0644);
	assert_int_equal(pst_with_faults(t, eperm, sandboxed), 0);
}

/*
 * openat2 answering EAGAIN every time, as under a storm of renames
 * elsewhere: after its 16 tries the walk resolves, still confined, and
 * the next call tries openat2 again (EAGAIN says nothing is missing);
 * with PS_NO_XDEV the EAGAIN stands.
 */
static int eagain_storm(struct pst *t)
{
	int fd = ps_open(t->dirfd, "d/../d", O_RDONLY | O_DIRECTORY, 0,
	    PS_IN_ROOT);

	PST_CHECK(fd >= 0);
	PST_CHECK(!strcmp(ps_last_route(), "walk"));
	PST_CHECK(ps_open(fd, "../..", O_PATH, 0, PS_BENEATH) == -1);
	PST_CHECK(errno == EXDEV);
	close(fd);
	fd = ps_mkdirs(t->dirfd, "d/../e/f", 0755, PS_BENEATH);
	PST_CHECK(fd >= 0);
	PST_CHECK(!strcmp(ps_last_route(), "walk"));
	close(fd);
	/* Under PS_NO_XDEV the walk may judge mounts by st_dev alone: a
	 * rename storm must not force it. */
	PST_CHECK(ps_open(t->dirfd, "d/../d", O_PATH, 0,
	    PS_BENEATH | PS_NO_XDEV) == -1);
	PST_CHECK(errno == EAGAIN);
	return 0;
}

static void open_eagain_falls_to_walk(void **state)
{
	struct pst *t = *state;
	const struct pst_fault storm[] = {
		PST_FAULT(SCMP_SYS(openat2), EAGAIN), { 0 } };
	int fd;

	pst_fault_runs(NULL);
	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	/* Where the library has no openat2 (ps-emulate no-openat2) the walk
	 * serves from the first call: there is no EAGAIN to hand over. */
	fd = ps_open(t->dirfd, "d", O_PATH, 0, PS_BENEATH);
	assert_true(fd >= 0);
	close(fd);
	if (strcmp(ps_last_route(), "openat2")) {
		fprintf(stderr, "skipped: route %s, not openat2\n",
		    ps_last_route());
		skip();
	}
	assert_int_equal(pst_with_faults(t, storm, eagain_storm), 0);
	assert_int_equal(faccessat(t->dirfd, "e/f", F_OK, 0), 0);
}

/* A directory the walk holds, removed by a rename over it, makes mkdirat
 * there say ENOENT: a new walk (EAGAIN at last), never ENOENT, and
 * nothing made. */
static int held_dir_removed(struct pst *t)
{
	PST_CHECK(ps_mkdirs(t->dirfd, "n/m", 0755, PS_BENEATH) == -1);
	PST_CHECK(errno == EAGAIN);
	return 0;
}

static void open_mkdirs_held_dir_removed(void **state)
{
	struct pst *t = *state;
	const struct pst_fault removed[] = {
		PST_FAULT(SCMP_SYS(mkdirat), ENOENT), { 0 } };

	pst_fault_runs(NULL);
	assert_int_equal(pst_with_faults(t, removed, held_dir_removed), 0);
	pst_assert_entries(t->dirfd, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(open_matches_openat2),
		PST_TEST(open_magic_links),
		PST_TEST(open_mount_crossing),
		PST_TEST(open_route),
		PST_TEST(open_bad_input),
		PST_TEST(open_limits),
		PST_TEST(open_unrelated_renames),
		PST_TEST(open_mkdirs_errors),
		PST_TEST(open_denied_as_nobody),
		PST_TEST(open_sandbox_eperm),
		PST_TEST(open_eagain_falls_to_walk),
		PST_TEST(open_mkdirs_held_dir_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
