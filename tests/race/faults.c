/* SPDX-License-Identifier: MIT */
/*
 * ps-faults emfile|full: every public call under resource exhaustion.
 *
 * emfile: RLIMIT_NOFILE allows 0, 1, 2, 3 more descriptors; each call
 * either succeeds or fails with EMFILE, and then leaves the directory
 * exactly as it was; no call leaks a descriptor.
 * full: a tiny tmpfs (size=64k, nr_inodes=32, in a private mount
 * namespace) filled to ENOSPC, its inodes used up (ENOSPC), and
 * RLIMIT_FSIZE (EFBIG, the quota-like per-process limit): publish and
 * flink, whose copy fallback (ps-emulate link-denied) must write, fail
 * with that errno, leave the target and the directory unchanged and
 * leak nothing.  Without the right to mount, the tmpfs cases are
 * skipped with the reason and the EFBIG ones still run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

#define HIDDEN ".pathsafe-00000000000000aa"

struct st {
	int d, sub, fd, opath;
	ps_tmpfile *t;
};

static long faults, failures;

static void fail(const char *what, const char *call, const char *why)
{
	printf("FAIL %s %s: %s\n", what, call, why);
	failures++;
}

/* A directory as text: every name with its inode, size and mtime. */
static void snapshot(int d, char *out, size_t size)
{
	int fd = openat(d, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fdopendir(fd);
	struct dirent *e;
	char names[64][64];
	int n = 0;

	RH_CHECK(dir);
	while ((e = readdir(dir)) && n < 64)
		if (strncmp(e->d_name, "fill.", 5) && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, ".."))
			snprintf(names[n++], 64, "%.63s", e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), (int (*)(const void *,
	    const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		struct stat s;
		size_t len = strlen(out);

		RH_CHECK(fstatat(d, names[i], &s, AT_SYMLINK_NOFOLLOW) == 0);
		/* A directory's mtime moves with a file made and removed. */
		if (S_ISDIR(s.st_mode))
			s.st_mtim = (struct timespec){ 0 };
		snprintf(out + len, size - len, "%s:%lu:%ld:%ld.%ld\n",
		    names[i], (unsigned long)s.st_ino, (long)s.st_size,
		    (long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	}
}

static void setup(struct st *s, int d)
{
	s->d = d;
	close(s->fd = openat(d, "f", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
	s->fd = openat(d, "f", O_RDWR | O_CLOEXEC);
	RH_CHECK(s->fd >= 0 && rh_version_write(s->fd, 1) == 0);
	RH_CHECK(mkdirat(d, "sub", 0755) == 0);
	s->sub = openat(d, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(s->sub >= 0);
	close(openat(d, "sub/g", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	s->opath = openat(d, "sub/g", O_PATH | O_CLOEXEC);
	RH_CHECK(s->opath >= 0);
	close(openat(d, HIDDEN, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	s->t = ps_tmpfile_open(d, ".", 0644, 0);
	RH_CHECK(s->t && rh_version_write(ps_tmpfile_fd(s->t), 2) == 0);
}

static void teardown(struct st *s)
{
	ps_tmpfile_close(s->t);
	close(s->fd);
	close(s->sub);
	close(s->opath);
}

/* Each call, and what to close when it returns a descriptor. */
enum { RET_INT, RET_FD, RET_HANDLE, RET_CLOSED };
struct call {
	const char *name;
	int ret;
	long (*fn)(struct st *s);
};

static long c_chmod(struct st *s)
{ return ps_fchmod_nofollow(s->d, "f", 0600, 0); }
static long c_chmod_sub(struct st *s)
{ return ps_fchmod_nofollow(s->d, "sub/g", 0600, 0); }
static long c_chmod_empty(struct st *s)
{ return ps_fchmod_nofollow(s->opath, "", 0600, PS_EMPTY_PATH); }
static long c_flink(struct st *s)
{ return ps_flink(s->fd, s->d, "new", 0); }
static long c_flink_replace(struct st *s)
{ return ps_flink(s->opath, s->d, "f", PS_REPLACE); }
static long c_flink_copy(struct st *s)
{ return ps_flink(s->opath, s->d, "sub/new", PS_COPY_FALLBACK); }
static long c_funlinkat(struct st *s)
{ return ps_funlinkat(s->d, "f", s->fd, 0); }
static long c_funlinkat_sub(struct st *s)
{ return ps_funlinkat(s->d, "sub/g", s->opath, 0); }
static long c_funlink(struct st *s)
{ return ps_funlink(s->fd, 0); }
static long c_reopen(struct st *s)
{ return ps_reopen(s->opath, O_RDONLY, 0); }
static long c_reopen_dir(struct st *s)
{ return ps_reopen(s->sub, O_RDONLY, 0); }
static long c_tmpfile_open(struct st *s)
{ return (long)ps_tmpfile_open(s->d, ".", 0644, 0); }
static long c_publish(struct st *s)
{ return ps_publish_tmpfile(s->t, "f", PS_REPLACE); }
static long c_publish_new(struct st *s)
{ return ps_publish_tmpfile(s->t, "new", PS_NO_SYNC); }
static long c_sweep(struct st *s)
{ return ps_tmpfile_sweep(s->d, ".", 0); }
static long c_close(struct st *s)
{ ps_tmpfile_close(s->t); s->t = NULL; return 0; }

static const struct call calls[] = {
	{ "ps_fchmod_nofollow", RET_INT, c_chmod },
	{ "ps_fchmod_nofollow(sub/)", RET_INT, c_chmod_sub },
	{ "ps_fchmod_nofollow(EMPTY_PATH)", RET_INT, c_chmod_empty },
	{ "ps_flink", RET_INT, c_flink },
	{ "ps_flink(REPLACE)", RET_INT, c_flink_replace },
	{ "ps_flink(sub/, COPY_FALLBACK)", RET_INT, c_flink_copy },
	{ "ps_funlinkat", RET_INT, c_funlinkat },
	{ "ps_funlinkat(sub/)", RET_INT, c_funlinkat_sub },
	{ "ps_funlink", RET_INT, c_funlink },
	{ "ps_reopen", RET_FD, c_reopen },
	{ "ps_reopen(dir)", RET_FD, c_reopen_dir },
	{ "ps_tmpfile_open", RET_HANDLE, c_tmpfile_open },
	{ "ps_publish_tmpfile(REPLACE)", RET_INT, c_publish },
	{ "ps_publish_tmpfile", RET_INT, c_publish_new },
	{ "ps_tmpfile_sweep", RET_INT, c_sweep },
	{ "ps_tmpfile_close", RET_CLOSED, c_close },
};

/* Fills every free descriptor number below the highest open one, so
 * that the limit alone decides how many more can open. */
static int fill_holes(int fill[1024])
{
	int top = 0, n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			top = fd;
	for (int fd = 0; fd < top; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			RH_CHECK((fill[n++] = open("/dev/null",
			    O_RDONLY | O_CLOEXEC)) >= 0);
	return top + 1;
}

/*
 * One call with room for k more descriptors (k < 0: no limit); returns
 * its errno, 0 on success.  A failure must be EMFILE, or the error the
 * call gives with no limit at all (base).
 */
static int emfile_once(const struct call *c, int k, int base)
{
	char path[4096], before[8192], after[8192];
	struct rlimit old, low;
	int fill[1024], nfill, fds, failed, e, d = rh_scratch(path);
	struct st s;
	long r;

	setup(&s, d);
	snapshot(d, before, sizeof(before));
	fds = nfill = pst_fd_count();
	RH_CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	low = old;
	low.rlim_cur = fill_holes(fill) + k;
	nfill = pst_fd_count() - nfill;
	RH_CHECK(k < 0 || setrlimit(RLIMIT_NOFILE, &low) == 0);
	r = c->fn(&s);
	e = errno;
	RH_CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	while (nfill--)
		close(fill[nfill]);
	failed = c->ret == RET_HANDLE ? r == 0 : r < 0;
	if (failed && k >= 0 && e != EMFILE && e != base)
		fail("emfile", c->name, strerror(e));
	if (failed)
		snapshot(d, after, sizeof(after));
	if (failed && strcmp(before, after))
		fail("emfile", c->name, "the directory changed");
	if (!failed && c->ret == RET_FD)
		close((int)r);
	if (!failed && c->ret == RET_HANDLE)
		ps_tmpfile_close((ps_tmpfile *)r);
	/* A closed handle had two: the file and its directory. */
	if (pst_fd_count() != fds - 2 * (c->ret == RET_CLOSED))
		fail("emfile", c->name, "a descriptor leaked");
	teardown(&s);
	close(d);
	rh_remove_tree(path);
	return failed ? e : 0;
}

static void emfile(void)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		const struct call *c = &calls[i];
		int base = emfile_once(c, -1, 0), k, e = 0, n = 0;

		for (k = 0; k < 4 && (e = emfile_once(c, k, base)); k++)
			n += e == EMFILE;
		faults += n;
		printf("  %-32s EMFILE %d time(s), %s\n", c->name, n,
		    base ? "else the error it gives anyway" :
		    k == 4 ? "then fails with 3 fds free" :
		    k ? "then succeeds" : "succeeds with no free fd");
		if (k == 4 && !base)
			fail("emfile", c->name, "fails with 3 fds free");
	}
}

/* Exhaustion of one resource, and its undoing. */
struct exhaust {
	const char *name;
	int err;
	int mount;		/* needs the tiny tmpfs */
	void (*on)(int d);
	void (*off)(int d);
};

static void fill_space(int d)
{
	static const char buf[4096];
	int fd = openat(d, "fill.space", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	RH_CHECK(fd >= 0);
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	while (write(fd, buf, 1) > 0)
		;
	RH_CHECK(errno == ENOSPC);
	close(fd);
}

static void fill_inodes(int d)
{
	char name[32];

	for (int i = 0;; i++) {
		int fd;

		snprintf(name, sizeof(name), "fill.%d", i);
		fd = openat(d, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			RH_CHECK(errno == ENOSPC);
			return;
		}
		close(fd);
	}
}

static void unfill(int d)
{
	char name[32];

	unlinkat(d, "fill.space", 0);
	for (int i = 0; snprintf(name, sizeof(name), "fill.%d", i),
	    unlinkat(d, name, 0) == 0; i++)
		;
}

static void fsize_on(int d)
{
	struct rlimit rl = { 4096, RLIM_INFINITY };

	(void)d;
	RH_CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
}

static void fsize_off(int d)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	(void)d;
	RH_CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
}

static const struct exhaust exhausts[] = {
	{ "space", ENOSPC, 1, fill_space, unfill },
	{ "inodes", ENOSPC, 1, fill_inodes, unfill },
	{ "fsize", EFBIG, 0, fsize_on, fsize_off },
};

static long f_publish(struct st *s)
{ return ps_publish_tmpfile(s->t, "f", PS_REPLACE); }
static long f_publish_new(struct st *s)
{ return ps_publish_tmpfile(s->t, "new", 0); }
static long f_flink(struct st *s)
{ return ps_flink(s->fd, s->d, "new", PS_COPY_FALLBACK); }
static long f_flink_replace(struct st *s)
{ return ps_flink(s->fd, s->d, "sub/g", PS_COPY_FALLBACK | PS_REPLACE); }
static long f_tmpfile(struct st *s)
{
	ps_tmpfile *t = ps_tmpfile_open(s->d, ".", 0644, 0);
	int r = t ? rh_version_write(ps_tmpfile_fd(t), 3) : -errno;

	ps_tmpfile_close(t);
	errno = -r;
	return r < 0 ? -1 : 0;
}

static const struct call fulls[] = {
	{ "ps_publish_tmpfile(REPLACE)", RET_INT, f_publish },
	{ "ps_publish_tmpfile", RET_INT, f_publish_new },
	{ "ps_flink(COPY_FALLBACK)", RET_INT, f_flink },
	{ "ps_flink(sub/, COPY_FALLBACK|REPLACE)", RET_INT, f_flink_replace },
	{ "ps_tmpfile_open + write", RET_INT, f_tmpfile },
};

static void full_once(const struct exhaust *x, const struct call *c, int d)
{
	char before[8192], after[8192], sub[8192], sub2[8192];
	int fds, e;
	struct st s;
	long r;

	setup(&s, d);
	snapshot(d, before, sizeof(before));
	snapshot(s.sub, sub, sizeof(sub));
	fds = pst_fd_count();
	x->on(d);
	r = c->fn(&s);
	e = errno;
	/* What a failed call left behind must be gone once it returned. */
	if (r < 0) {
		snapshot(d, after, sizeof(after));
		snapshot(s.sub, sub2, sizeof(sub2));
	}
	x->off(d);
	printf("  %-7s %-38s %s\n", x->name, c->name, r < 0 ? strerror(e) :
	    ps_last_route());
	faults += r < 0;
	if (r < 0 && e != x->err)
		fail(x->name, c->name, strerror(e));
	if (r < 0 && strcmp(before, after))
		fail(x->name, c->name, "the directory changed");
	if (r < 0 && strcmp(sub, sub2))
		fail(x->name, c->name, "sub/ changed");
	if (pst_fd_count() != fds)
		fail(x->name, c->name, "a descriptor leaked");
	teardown(&s);
}

/* A private mount namespace, and a tiny tmpfs on path. */
static int tiny_tmpfs(const char *path)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("pstiny", path, "tmpfs", 0, "size=64k,nr_inodes=32") < 0) {
		printf("  SKIP the tmpfs cases: no private mount namespace "
		    "and tmpfs here (%s)\n", strerror(errno));
		return 0;
	}
	return 1;
}

static void full(void)
{
	char base[4096], path[4096];
	int d = rh_scratch(base), mounted;

	close(d);
	mounted = tiny_tmpfs(base);
	if (mounted)
		setenv("PS_RACE_DIR", base, 1);
	signal(SIGXFSZ, SIG_IGN);
	for (size_t i = 0; i < sizeof(exhausts) / sizeof(*exhausts); i++) {
		if (exhausts[i].mount && !mounted)
			continue;
		for (size_t j = 0; j < sizeof(fulls) / sizeof(*fulls); j++) {
			d = rh_scratch(path);
			full_once(&exhausts[i], &fulls[j], d);
			close(d);
			rh_remove_tree(path);
		}
	}
	if (mounted)
		umount(base);
	rmdir(base);
}

int main(int argc, char **argv)
{
	int fds = pst_fd_count();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "emfile"))
		emfile();
	else if (argc == 2 && !strcmp(argv[1], "full"))
		full();
	else {
		fprintf(stderr, "usage: ps-faults emfile|full\n");
		return 2;
	}
	if (pst_fd_count() != fds)
		fail(argv[1], "all", "a descriptor leaked");
	rh_summary("faults", faults);
	printf("%s faults %s: %ld faults injected, %ld failure(s)\n",
	    failures ? "FAIL" : "PASS", argv[1], faults, failures);
	return failures != 0;
}
