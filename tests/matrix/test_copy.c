/* SPDX-License-Identifier: MIT */
/*
 * The copy engine (ps__copy_fd) behind ps_flink's copy fallback and pscp,
 * on each method a profile or filesystem leaves it: reflink on xfs and
 * btrfs, copy_file_range elsewhere, read and write under no-copy-accel.
 * Whatever the method: the same bytes, holes kept, filled or made when
 * asked, the source's offset left or restored, progress reported up to
 * the total, and a write error (EFBIG past RLIMIT_FSIZE) answered, not
 * hidden.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"
#include "internal.h"

#define MIB (1 << 20)
#define CAPS_XATTR "security.capability"

static int pst_same_fd(int a, int b)
{
	struct stat x, y;

	return fstat(a, &x) == 0 && fstat(b, &y) == 0 &&
	    x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int reflinks(struct pst *t)
{
	return !pst_profile("no-copy-accel") &&
	    (pst_on_fs(t, BTRFS_SUPER_MAGIC) || pst_on_fs(t, XFS_SUPER_MAGIC));
}

/* The method the engine must pick by itself here. */
static const char *auto_method(struct pst *t)
{
	if (pst_profile("no-copy-accel"))
		return "read-write";
	return reflinks(t) ? "reflink" : "copy-file-range";
}

/* Writes len bytes of a pattern at off. */
static void fill(int fd, off_t off, size_t len)
{
	char *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((off + i) * 31 + (off + i) / 4093);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	free(buf);
}

static void assert_same_bytes(int a, int b)
{
	struct stat sa, sb;
	char *x, *y;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	assert_int_equal(sa.st_size, sb.st_size);
	x = malloc(sa.st_size + 1);
	y = malloc(sa.st_size + 1);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(pread(a, x, sa.st_size, 0), sa.st_size);
	assert_int_equal(pread(b, y, sa.st_size, 0), sa.st_size);
	assert_memory_equal(x, y, sa.st_size);
	free(y);
	free(x);
}

static void copy_auto(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, MIB + 4321);
	/* Without keep_holes, only calls with explicit offsets read src. */
	assert_int_equal(lseek(src, 77, SEEK_SET), 77);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, auto_method(t));
	pst_log_route(c.method);
	assert_int_equal(lseek(src, 0, SEEK_CUR), 77);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* CLONE_NEVER copies the bytes and never shares them. */
static void copy_clone_never(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 3 * 4096 + 5);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_not_equal(c.method, "reflink");
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* CLONE_ALWAYS answers the reflink's own error where there is none. */
static void copy_clone_always(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_ALWAYS };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 8192);
	assert_int_equal(ps__copy_fd(src, dst, &c),
	    reflinks(t) ? 0 : -EOPNOTSUPP);
	assert_string_equal(c.method, "reflink");
	if (reflinks(t))
		assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

struct seen {
	uint64_t calls, last, total;
	int backwards;
};

static void progress(uint64_t done, uint64_t total, void *arg)
{
	struct seen *s = arg;

	s->backwards |= done < s->last;
	s->calls++;
	s->last = done;
	s->total = total;
}

static void copy_progress(void **state)
{
	struct pst *t = *state;
	struct seen s = { 0 };
	struct ps__copy c = { .progress = progress, .arg = &s };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 3 * MIB);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_true(s.calls > 0);
	assert_false(s.backwards);
	assert_int_equal(s.last, 3 * MIB);
	assert_int_equal(s.total, 3 * MIB);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

/* Data, a hole, data, a trailing hole: the holes stay holes. */
static void copy_keeps_holes(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .keep_holes = 1 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 0, 4096);
	fill(src, 4 * MIB, 4096);
	assert_int_equal(ftruncate(src, 8 * MIB), 0);
	assert_int_equal(lseek(src, 123, SEEK_SET), 123);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, auto_method(t));
	assert_int_equal(lseek(src, 0, SEEK_CUR), 123);
	assert_same_bytes(src, dst);
	assert_true(lseek(dst, 0, SEEK_HOLE) < 4 * MIB);
	close(dst);
	close(src);
}

/* procfs files say they are empty; the bytes are read anyway. */
static void copy_from_procfs(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO };
	char buf[64] = "";
	int src, dst;

	src = open("/proc/version", O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		fprintf(stderr, "skipped: no /proc to copy from\n");
		skip();
	}
	dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, "read-write");
	assert_true(pread(dst, buf, sizeof(buf) - 1, 0) > 0);
	assert_memory_equal(buf, "Linux version ", 14);
	close(dst);
	close(src);
}

/*
 * Past RLIMIT_FSIZE every method fails with EFBIG, which is returned; a
 * ps_flink that had to copy then leaves no name behind.
 */
static void copy_write_error(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER };
	struct rlimit old, small = { 65536, 65536 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	void (*sig)(int) = signal(SIGXFSZ, SIG_IGN);
	int copied = !strcmp(pst_route_link(), "copy"), r, linked;

	fill(src, 0, 4 * 65536);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = ps__copy_fd(src, dst, &c);
	linked = ps_flink(src, t->dirfd, "g", PS_COPY_FALLBACK);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, sig);
	assert_int_equal(r, -EFBIG);
	if (copied) {
		assert_int_equal(linked, -1);
		assert_int_equal(errno, EFBIG);
		pst_assert_absent(t->dirfd, "g");
	} else {
		assert_int_equal(linked, 0);
		pst_assert_same(src, t->dirfd, "g");
	}
	pst_assert_entries(t->dirfd, copied ? 2 : 3);
	close(dst);
	close(src);
}

/*
 * Copies against links, attribute by attribute.  A link shares the
 * source's inode, so the source's attributes are what a link would show;
 * a copy must show the same mode, owner, group, atime, mtime, user.*
 * attributes and ACL, where the caller may set them, and setuid/setgid
 * only when it kept both owner and group.  The source lives on another
 * filesystem, so that ps_flink must copy under every profile.
 */
#define ACL_XATTR "system.posix_acl_access"

/* A directory on another filesystem than the scratch directory. */
static int other_fs_dir(struct pst *t, char path[PATH_MAX])
{
	const char *bases[] = { "/dev/shm", "/tmp", "/var/tmp" };
	struct stat here, there;

	assert_int_equal(fstat(t->dirfd, &here), 0);
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (stat(bases[i], &there) < 0 || there.st_dev == here.st_dev)
			continue;
		snprintf(path, PATH_MAX, "%s/pscopy.XXXXXX", bases[i]);
		if (!mkdtemp(path))
			continue;
		assert_int_equal(chmod(path, 01777), 0);
		return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return -1;
}

static void remove_other(int dir, char path[PATH_MAX], const char *name)
{
	unlinkat(dir, name, 0);
	close(dir);
	rmdir(path);
}

/* The ACL u::rwx,u:4321:r,g::r-x,m::r-x,o::r-x in the kernel's format. */
static int set_acl(int fd)
{
	struct { uint16_t tag, perm; uint32_t id; } e[] = {
		{ 0x01, 7, (uint32_t)-1 }, { 0x02, 4, 4321 },
		{ 0x04, 5, (uint32_t)-1 }, { 0x10, 5, (uint32_t)-1 },
		{ 0x20, 5, (uint32_t)-1 },
	};
	char buf[4 + sizeof(e)];
	uint32_t version = 2;

	memcpy(buf, &version, 4);
	memcpy(buf + 4, e, sizeof(e));
	return fsetxattr(fd, ACL_XATTR, buf, sizeof(buf), 0);
}

/* File capabilities, v2: effective, CAP_NET_RAW (13) permitted. */
static int set_caps(int fd)
{
	const uint32_t caps[5] = { 0x02000001, 1u << 13, 0, 0, 0 };

	return fsetxattr(fd, CAPS_XATTR, caps, sizeof(caps), 0);
}

/* Sets what a link keeps and a copy must: attributes, then mode and
 * times (which the attributes would change). */
static int dress(int fd, mode_t mode)
{
	struct timespec times[2] = { { 1000000000, 123456789 },
		{ 1200000000, 987654321 } };

	if ((fsetxattr(fd, "user.pathsafe", "kept", 4, 0) < 0 &&
	    errno != EOPNOTSUPP) ||
	    (set_acl(fd) < 0 && errno != EOPNOTSUPP) ||
	    fchmod(fd, mode) < 0 || futimens(fd, times) < 0)
		return -1;
	return 0;
}

/* Can dirfd's filesystem hold this attribute?  (tmpfs before 6.6 had no
 * user.*; some have no ACLs.) */
static int holds(int dirfd, const char *name)
{
	int fd = openat(dirfd, ".probe", O_RDWR | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600), ok;

	if (fd < 0)
		return 0;
	ok = !strcmp(name, ACL_XATTR) ? set_acl(fd) == 0 :
	    !strcmp(name, CAPS_XATTR) ? set_caps(fd) == 0 :
	    fsetxattr(fd, name, "x", 1, 0) == 0;
	close(fd);
	unlinkat(dirfd, ".probe", 0);
	return ok;
}

/* 0 when copy shows src's attributes (s: its stat before the copy read
 * it, which moves its atime), with uid, gid and mode as given; else 1 and
 * what differs, on stderr (usable as nobody too). */
static int differs(int dirfd, int src, const struct stat *sp, int copy,
    uid_t uid, gid_t gid, mode_t mode)
{
	const char *names[] = { "user.pathsafe", ACL_XATTR };
	char a[256], b[256];
	struct stat s = *sp, c;
	int bad = 0;

	if (fstat(copy, &c) < 0)
		return 1;
	if (s.st_ino == c.st_ino && s.st_dev == c.st_dev) {
		fprintf(stderr, "not a copy: the same inode\n");
		return 1;
	}
#define DIFF(what, x, y) do { if ((x) != (y)) { bad = 1; \
	fprintf(stderr, "%s: %lld, expected %lld\n", what, \
	    (long long)(x), (long long)(y)); } } while (0)
	if ((c.st_mode & 07777) != mode) {
		bad = 1;
		fprintf(stderr, "mode: %04o, expected %04o\n",
		    (unsigned)(c.st_mode & 07777), (unsigned)mode);
	}
	DIFF("owner", c.st_uid, uid);
	DIFF("group", c.st_gid, gid);
	DIFF("atime", c.st_atim.tv_sec, s.st_atim.tv_sec);
	DIFF("atime ns", c.st_atim.tv_nsec, s.st_atim.tv_nsec);
	DIFF("mtime", c.st_mtim.tv_sec, s.st_mtim.tv_sec);
	DIFF("mtime ns", c.st_mtim.tv_nsec, s.st_mtim.tv_nsec);
	for (size_t i = 0; i < 2; i++) {
		ssize_t n = fgetxattr(src, names[i], a, sizeof(a)), m;

		if (n < 0 || !holds(dirfd, names[i]))
			continue;	/* not set, or not here to keep */
		m = fgetxattr(copy, names[i], b, sizeof(b));
		if (m != n || memcmp(a, b, n)) {
			bad = 1;
			fprintf(stderr, "%s not kept\n", names[i]);
		}
	}
	return bad;
}

/* ps_flink of the file src/name (a copy, across filesystems) as "copy":
 * the copy's owner, group and mode as expected. */
static int copy_compare(struct pst *t, int dir, uid_t uid, gid_t gid,
    mode_t mode)
{
	int src = openat(dir, "src", O_RDONLY | O_CLOEXEC), copy, bad;
	struct stat st;

	if (src < 0 || fstat(src, &st) < 0 || ps_flink(src, t->dirfd,
	    "copy", PS_COPY_FALLBACK) != PS_COPIED) {
		fprintf(stderr, "flink did not copy: %s\n", strerror(errno));
		return 1;
	}
	pst_log_route(ps_last_route());
	copy = openat(t->dirfd, "copy", O_RDONLY | O_CLOEXEC);
	bad = copy < 0 || differs(t->dirfd, src, &st, copy, uid, gid, mode);
	close(copy);
	close(src);
	unlinkat(t->dirfd, "copy", 0);
	return bad;
}

static int make_src(int dir, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = openat(dir, "src", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600), r;

	if (fd < 0)
		return -1;
	r = write(fd, "data", 4) == 4 && fchown(fd, uid, gid) == 0 &&
	    dress(fd, mode) == 0 ? 0 : -1;
	close(fd);
	return r;
}

static int other_dir;

/* nobody copies another user's setuid file: the copy is nobody's, so
 * setuid and setgid go; nobody's own one keeps them. */
static int copies_as_nobody(struct pst *t)
{
	return copy_compare(t, other_dir, 65534, 65534, 0755);
}

static int own_copy_as_nobody(struct pst *t)
{
	PST_CHECK(make_src(other_dir, 65534, 65534, 06755) == 0);
	return copy_compare(t, other_dir, 65534, 65534, 06755);
}

static void copy_keeps_attrs(void **state)
{
	struct pst *t = *state;
	char path[PATH_MAX];
	int dir = other_fs_dir(t, path);

	if (dir < 0) {
		fprintf(stderr, "skipped: no other filesystem to copy from\n");
		skip();
	}
	if (geteuid() != 0 || !pst_route_publish(0)) {
		remove_other(dir, path, "src");
		fprintf(stderr, "skipped: %s\n", geteuid() ? "the owners need "
		    "root to set" : "no way to place a copy here");
		skip();
	}
	/* Root keeps everything, setuid and setgid with the owner. */
	assert_int_equal(make_src(dir, 1234, 5678, 06755), 0);
	assert_int_equal(copy_compare(t, dir, 1234, 5678, 06755), 0);
	other_dir = dir;
	assert_int_equal(pst_as_nobody(t, copies_as_nobody), 0);
	assert_int_equal(unlinkat(dir, "src", 0), 0);
	assert_int_equal(pst_as_nobody(t, own_copy_as_nobody), 0);
	remove_other(dir, path, "src");
}

/* 0 when ps_flink's copy of other_dir/src carries its file capabilities
 * exactly when it should (kept). */
static int caps_copied(struct pst *t, int kept)
{
	int src = openat(other_dir, "src", O_RDONLY | O_CLOEXEC), copy = -1;
	char buf[64];
	int has = -1;

	if (src >= 0 && ps_flink(src, t->dirfd, "copy", PS_COPY_FALLBACK) ==
	    PS_COPIED)
		copy = openat(t->dirfd, "copy", O_RDONLY | O_CLOEXEC);
	if (copy >= 0)
		has = fgetxattr(copy, CAPS_XATTR, buf, sizeof(buf)) > 0;
	if (has != kept)
		fprintf(stderr, "the copy %s file capabilities\n", has < 0 ?
		    "failed:" : has ? "has the source's" : "lacks the");
	close(copy);
	close(src);
	unlinkat(t->dirfd, "copy", 0);
	return has != kept;
}

static int caps_dropped(struct pst *t)
{
	return caps_copied(t, 0);
}

/*
 * File capabilities are a privilege like setuid: a copy keeps them only
 * with the source's owner and group.  Root keeps both; root without
 * CAP_CHOWN makes a copy of its own, which must not carry a user's
 * capabilities (copying every attribute it may set would give them).
 */
static void copy_keeps_caps_only_with_owner(void **state)
{
	struct pst *t = *state;
	char path[PATH_MAX];
	int dir = other_fs_dir(t, path), fd;

	if (dir < 0 || geteuid() != 0 || !pst_route_publish(0) ||
	    !holds(t->dirfd, CAPS_XATTR) || !holds(dir, CAPS_XATTR)) {
		if (dir >= 0)
			remove_other(dir, path, "src");
		fprintf(stderr, "skipped: needs root, another filesystem, a "
		    "way to place a copy and file capabilities on both\n");
		skip();
	}
	assert_int_equal(make_src(dir, 1234, 5678, 0755), 0);
	fd = openat(dir, "src", O_RDWR | O_CLOEXEC);
	assert_int_equal(set_caps(fd), 0);
	close(fd);
	other_dir = dir;
	assert_int_equal(caps_copied(t, 1), 0);
	assert_int_equal(pst_as_root_without_chown(t, caps_dropped), 0);
	remove_other(dir, path, "src");
}

/* A publish that copies (links denied) keeps what the caller set on the
 * handle's file, as a link would: times (futimens), attributes, mode. */
static int publish_compare(struct pst *t)
{
	const char *route = pst_route_publish(0);
	ps_tmpfile *tf = ps_tmpfile_open(t->dirfd, ".", 0640, 0);
	struct stat st;
	int fd, out, r, bad;

	PST_CHECK(tf);
	fd = ps_tmpfile_fd(tf);
	PST_CHECK(write(fd, "data", 4) == 4);
	PST_CHECK(dress(fd, 0640) == 0);
	PST_CHECK(fstat(fd, &st) == 0);
	r = ps_publish_tmpfile(tf, "out", 0);
	if (!route) {
		ps_tmpfile_close(tf);
		return r != -1;
	}
	PST_CHECK(r == (strcmp(route, "copy") ? 0 : PS_COPIED));
	out = openat(t->dirfd, "out", O_RDONLY | O_CLOEXEC);
	PST_CHECK(out >= 0);
	if (r == PS_COPIED)
		bad = differs(t->dirfd, fd, &st, out, st.st_uid, st.st_gid,
		    0640);
	else
		bad = !pst_same_fd(fd, out);
	close(out);
	ps_tmpfile_close(tf);
	unlinkat(t->dirfd, "out", 0);
	return bad;
}

static void publish_keeps_attrs(void **state)
{
	struct pst *t = *state;

	assert_int_equal(publish_compare(t), 0);
	if (geteuid() == 0)
		assert_int_equal(pst_as_nobody(t, publish_compare), 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A signal handler installed without SA_RESTART makes a long
 * copy_file_range fail with EINTR before it moved a byte: the engine asks
 * again, as its read and write path does, and the copy completes.
 */
/*
 * A pipe has no size and no offset: no reflink, no SEEK_DATA, pread
 * refused (ESPIPE); the engine reads it to its end, holes or not.
 */
static void copy_from_pipe(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO, .keep_holes = 1 };
	int p[2], dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	int ref = pst_open(t->dirfd, "ref", O_RDWR | O_CREAT);
	char buf[40000];

	fill(ref, 0, sizeof(buf));
	assert_int_equal(pread(ref, buf, sizeof(buf), 0), sizeof(buf));
	/* The whole of it fits in the pipe: no writer to wait for. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 65536) >= (int)sizeof(buf));
	assert_int_equal(write(p[1], buf, sizeof(buf)), sizeof(buf));
	close(p[1]);
	assert_int_equal(ps__copy_fd(p[0], dst, &c), 0);
	assert_string_equal(c.method, "read-write");
	assert_same_bytes(ref, dst);
	close(p[0]);
	close(ref);
	close(dst);
}

/* A file that is all hole: ENXIO from SEEK_DATA; the copy is all hole. */
static void copy_all_hole(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER, .keep_holes = 1 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	struct stat st;

	assert_int_equal(ftruncate(src, 3 * MIB), 0);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_int_equal(fstat(dst, &st), 0);
	assert_int_equal(st.st_size, 3 * MIB);
	assert_int_equal(lseek(dst, 0, SEEK_DATA), -1);
	assert_int_equal(errno, ENXIO);
	close(dst);
	close(src);
}

/* PS__HOLES_FILL (pscp --sparse=never): the holes are written as
 * zeros, so the copy has no hole before its end. */
static void copy_fills_holes(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER, .keep_holes = 1,
		.holes = PS__HOLES_FILL };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);

	fill(src, 4 * MIB, 4096);
	assert_int_equal(ftruncate(src, 8 * MIB), 0);
	assert_int_equal(lseek(src, 123, SEEK_SET), 123);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_int_equal(lseek(src, 0, SEEK_CUR), 123);
	assert_same_bytes(src, dst);
	assert_int_equal(lseek(dst, 0, SEEK_HOLE), 8 * MIB);
	close(dst);
	close(src);
}

/* PS__HOLES_MAKE (pscp --sparse=always): a block of zeros written in
 * the source is a hole in the copy, read and written to see it. */
static void copy_makes_holes(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_NEVER, .keep_holes = 1,
		.holes = PS__HOLES_MAKE };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	char *zeros = calloc(1, MIB);

	assert_non_null(zeros);
	fill(src, 0, 4096);
	assert_int_equal(pwrite(src, zeros, MIB, 4096), MIB);
	fill(src, 4096 + MIB, 100);
	free(zeros);
	assert_int_equal(ps__copy_fd(src, dst, &c), 0);
	assert_string_equal(c.method, "read-write");
	assert_same_bytes(src, dst);
	assert_int_equal(lseek(dst, 0, SEEK_HOLE), 4096);
	assert_int_equal(lseek(dst, 4096, SEEK_DATA), 4096 + MIB);
	close(dst);
	close(src);
}

/* Errors on either side are answered: a source that is no open file
 * (EBADF from fstat), a destination open read-only (EBADF, whichever
 * method tried to write), nothing written. */
static void copy_bad_descriptors(void **state)
{
	struct pst *t = *state;
	struct ps__copy c = { .clone = PS__CLONE_AUTO };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT), dst;
	struct stat st;

	fill(src, 0, 3 * 4096);
	dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	close(dst);
	assert_int_equal(ps__copy_fd(dst, src, &c), -EBADF);
	dst = pst_open(t->dirfd, "dst", O_RDONLY);
	for (int i = 0; i < 4; i++) {
		c = (struct ps__copy){ .keep_holes = i & 1,
			.clone = i & 2 ? PS__CLONE_NEVER : PS__CLONE_AUTO };
		assert_int_equal(ps__copy_fd(src, dst, &c), -EBADF);
	}
	assert_int_equal(fstat(dst, &st), 0);
	assert_int_equal(st.st_size, 0);
	close(dst);
	close(src);
}

static void copy_retries_eintr(void **state)
{
	struct pst *t = *state;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval every = { { 0, 50 }, { 0, 50 } }, off = { 0 };
	int src = pst_open(t->dirfd, "src", O_RDWR | O_CREAT);
	int dst = pst_open(t->dirfd, "dst", O_RDWR | O_CREAT);
	const char *p = getenv("PS_EMULATE_PROFILE");
	int failed = 0;

	/* The engine is the same under every profile that leaves it
	 * copy_file_range: run where the copy route runs, once each. */
	if (p && strcmp(p, "none") && strcmp(p, "link-denied")) {
		close(dst);
		close(src);
		fprintf(stderr, "skipped: the same engine runs under none\n");
		skip();
	}
	fill(src, 0, 16 * MIB);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
	for (int i = 0; i < 6; i++) {
		struct ps__copy c = { .clone = PS__CLONE_AUTO };

		failed += ps__copy_fd(src, dst, &c) != 0;
	}
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	/* A signal still pending (valgrind delivers late) is dropped, not
	 * taken by the default action. */
	signal(SIGALRM, SIG_IGN);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(failed, 0);
	assert_same_bytes(src, dst);
	close(dst);
	close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PST_TEST(copy_auto),
		PST_TEST(copy_clone_never),
		PST_TEST(copy_clone_always),
		PST_TEST(copy_progress),
		PST_TEST(copy_keeps_holes),
		PST_TEST(copy_from_procfs),
		PST_TEST(copy_write_error),
		PST_TEST(copy_from_pipe),
		PST_TEST(copy_all_hole),
		PST_TEST(copy_fills_holes),
		PST_TEST(copy_makes_holes),
		PST_TEST(copy_bad_descriptors),
		PST_TEST(copy_retries_eintr),
		PST_TEST(copy_keeps_attrs),
		PST_TEST(copy_keeps_caps_only_with_owner),
		PST_TEST(publish_keeps_attrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
