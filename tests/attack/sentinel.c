/* SPDX-License-Identifier: MIT */
/*
 * ps-sentinel: the hostile-names class.  Every public call that takes a
 * path, given every name shape (trailing "/", "//", "/.", "/./", "..",
 * "a/..", absolute paths, a symlink at each component and at the end:
 * dangling, to a file, to a directory, to the sentinel file, to the
 * sentinel directory, to the directory holding them; "", ".", names too
 * long, embedded "//"), with every valid combination of the resolution
 * flags, in the layout of tests/attack/layout.h.  After every call:
 *
 *  - the sentinel (everything outside the tree) is exactly as it was,
 *    unless the call was allowed to go there: without PS_BENEATH or
 *    PS_IN_ROOT a path's directory part may leave the tree by "..", an
 *    absolute path or a symlink (not under PS_NO_SYMLINKS), as openat
 *    does; those combinations are not run;
 *  - inside the tree, a name whose last component is not a directory but
 *    ends in "/" fails and changes nothing (ENOTDIR for a symlink to a
 *    directory), and a symlink at the end is never followed: what it
 *    points to is unchanged (calls that take a directory, and ps_open,
 *    which is openat2, follow it as they document).
 *
 * With --naive each combination also runs the obvious POSIX code
 * (fchmodat(AT_SYMLINK_NOFOLLOW), linkat, unlinkat of a checked name,
 * open(O_CREAT) of a joined path, mkdir -p, rm -rf by nftw), which must
 * change the sentinel at least once, else the class proves nothing.
 *
 *   ps-sentinel [--profile NAME] [--naive] [--flags basic|all]
 *               [--calls NAME,NAME...]
 *
 * --flags basic: no flag and each alone; all: every valid combination.
 * --calls: only the calls whose names start with one of these (to spend
 * the time of an emulation profile on the calls whose route it changes).
 *
 * As root it runs twice: as root, then in a child as nobody (whose own
 * sentinel it then attacks); otherwise once.  Prints the summary: lines
 * tests/ci.d/65-race.sh adds up, and every loss as the call, the name
 * shape, the flags, the profile, the user and what changed; exits 1 on
 * any library loss, or when --naive never lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "layout.h"

#define NOBODY 65534
#define PRINT_MAX 40

/* How a shape leaves the tree, were it resolved as openat does. */
enum { ESC_DOTDOT = 1, ESC_ABS = 2, ESC_LINK = 4 };
/* When a call follows a symlink in the last component. */
enum { FOLLOW_NEVER, FOLLOW_SLASH, FOLLOW_ALWAYS };
/* What the last component is in the tree. */
enum { K_NONE, K_FILE, K_DIR, K_LINK, K_DIRLINK };

struct shape {
	char *text;
	unsigned esc;		/* of the directory holding the last one */
	int out;		/* the last component is a symlink out */
	int kind;
	int slash;		/* ends in "/", "//", "/." or "/./" */
	const char *guard;	/* what the last symlink points to, inside */
	int plain;		/* relative, and inside under every flag */
};

struct ctx;
typedef int call_fn(struct ctx *c, int d, const char *p, unsigned f);

struct call {
	const char *name;
	int rflags;		/* takes the resolution flags */
	int follow;
	int enotdir;		/* "x/", x a symlink to a dir: ENOTDIR */
	call_fn *lib, *naive;
	void (*prep)(struct ctx *c);
	void (*done)(struct ctx *c);
};

struct ctx {
	struct layout l;
	const char *profile, *user;
	int naive, all_flags;
	const char *only;	/* --calls */
	ps_tmpfile *t;
	int have_cur;		/* o_cur is the state now */
	struct lay_outside o_cur;
	long runs, skipped, lib_losses, naive_losses, printed[2];
};

/* Every valid combination of the resolution flags; basic is the first
 * five. */
static const unsigned flag_sets[] = {
	0, PS_BENEATH, PS_IN_ROOT, PS_NO_SYMLINKS, PS_NO_XDEV,
	PS_BENEATH | PS_NO_SYMLINKS, PS_BENEATH | PS_NO_XDEV,
	PS_BENEATH | PS_NO_SYMLINKS | PS_NO_XDEV,
	PS_IN_ROOT | PS_NO_SYMLINKS, PS_IN_ROOT | PS_NO_XDEV,
	PS_IN_ROOT | PS_NO_SYMLINKS | PS_NO_XDEV, PS_NO_SYMLINKS | PS_NO_XDEV,
};

static const char *flags_str(unsigned f)
{
	static char buf[80];

	buf[0] = '\0';
	if (!f)
		return "0";
	if (f & PS_BENEATH)
		strcat(buf, "|PS_BENEATH");
	if (f & PS_IN_ROOT)
		strcat(buf, "|PS_IN_ROOT");
	if (f & PS_NO_SYMLINKS)
		strcat(buf, "|PS_NO_SYMLINKS");
	if (f & PS_NO_XDEV)
		strcat(buf, "|PS_NO_XDEV");
	return buf + 1;
}

/* ---- the shapes ---- */

static struct shape *shapes;
static size_t nshapes, capshapes;

/* $B and $T stand for the absolute paths of BASE and the tree. */
static void add(const struct layout *l, const char *text, unsigned esc,
    int out, int kind, int slash, const char *guard)
{
	char buf[8192], *o = buf;

	for (const char *s = text; *s; s++) {
		const char *sub = *s != '$' ? NULL :
		    s[1] == 'B' ? l->base : s[1] == 'T' ? l->tree : NULL;

		if (sub) {
			o = stpcpy(o, sub);
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	if (nshapes == capshapes) {
		capshapes = capshapes ? 2 * capshapes : 256;
		LAY_CHECK(shapes = realloc(shapes,
		    capshapes * sizeof(*shapes)));
	}
	LAY_CHECK(shapes[nshapes].text = strdup(buf));
	shapes[nshapes].esc = esc;
	shapes[nshapes].out = out;
	shapes[nshapes].kind = kind;
	shapes[nshapes].slash = slash;
	shapes[nshapes].guard = guard;
	shapes[nshapes].plain = !esc && !out && text[0] != '$';
	nshapes++;
}

/* Names that end in something, each with every trailing decoration. */
static const struct {
	const char *name;
	int out, kind;
	const char *guard;
} leaves[] = {
	{ "f", 0, K_FILE, NULL }, { "e", 0, K_DIR, NULL },
	{ "new", 0, K_NONE, NULL }, { "lf", 0, K_LINK, "f" },
	{ "le", 0, K_DIRLINK, "e" }, { "la", 0, K_DIRLINK, "a" },
	{ "ldang", 0, K_LINK, NULL }, { "ldangout", 1, K_LINK, NULL },
	{ "ls", 1, K_LINK, NULL }, { "lsd", 1, K_DIRLINK, NULL },
	{ "lsec", 1, K_LINK, NULL }, { "lbase", 1, K_DIRLINK, NULL },
	{ "lsa", 1, K_LINK, NULL }, { "lsda", 1, K_DIRLINK, NULL },
	{ "lbasea", 1, K_DIRLINK, NULL }, { "a/lb", 0, K_DIRLINK, "a/b" },
	{ "a/b/lc", 0, K_LINK, "a/b/c" }, { "a/lsd", 1, K_DIRLINK, NULL },
	{ "la/lb/lc", 0, K_LINK, "a/b/c" }, { "$T/ls", 1, K_LINK, NULL },
	{ "$T/lsd", 1, K_DIRLINK, NULL }, { "$T/la", 0, K_DIRLINK, "a" },
};
static const char *const suffixes[] = { "", "/", "//", "/.", "/./" };

/* Paths through the tree and out of it, as they are. */
static const struct {
	const char *text;
	unsigned esc;
	int kind;
} paths[] = {
	/* A symlink at each component, inside; embedded "//" and "/./". */
	{ "a/b/c", 0, K_FILE }, { "la/b/c", 0, K_FILE },
	{ "a/lb/c", 0, K_FILE }, { "la/lb/c", 0, K_FILE },
	{ "a//b//c", 0, K_FILE }, { "a/./b/./c", 0, K_FILE },
	{ "./f", 0, K_FILE }, { ".//f", 0, K_FILE },
	{ "a/b/../../f", 0, K_FILE }, { "la/../f", 0, K_FILE },
	{ "a/b/new", 0, K_NONE }, { "la/lb/new", 0, K_NONE },
	{ "", 0, K_NONE }, { ".", 0, K_DIR }, { "./", 0, K_DIR },
	{ ".//.", 0, K_DIR }, { "a/.", 0, K_DIR }, { "e/.", 0, K_DIR },
	{ "a/..", 0, K_DIR }, { "a/../", 0, K_DIR }, { "a/b/..", 0, K_DIR },
	{ "la/..", 0, K_DIR },
	/* Out through a symlink in the directory part. */
	{ "a/lsd/secret", ESC_LINK, K_FILE }, { "a/lsd/new", ESC_LINK, K_NONE },
	{ "lsd/secret", ESC_LINK, K_FILE }, { "lsd/new", ESC_LINK, K_NONE },
	{ ("lsd/" LAY_HIDDEN), ESC_LINK, K_FILE },
	{ "lsd/.", ESC_LINK, K_DIR }, { "lsd/./", ESC_LINK, K_DIR },
	{ "lsda/secret", ESC_LINK, K_FILE }, { "lsda/new", ESC_LINK, K_NONE },
	{ "lbase/sentinel", ESC_LINK, K_FILE },
	{ "lbase/sentdir", ESC_LINK, K_DIR },
	{ "lbase/sentdir/", ESC_LINK, K_DIR },
	{ "lbase/sentdir/secret", ESC_LINK, K_FILE },
	{ "lbase/ls", ESC_LINK, K_NONE }, { "lbase/tree", ESC_LINK, K_DIR },
	{ "lbasea/sentinel", ESC_LINK, K_FILE },
	{ "lbasea/sentdir/new", ESC_LINK, K_NONE },
	{ "la/lb/../../lsd/secret", ESC_LINK, K_FILE },
	/* In again after leaving: the parent is the tree. */
	{ "lbase/tree/f", 0, K_FILE }, { "../tree/f", 0, K_FILE },
	{ "../tree/new", 0, K_NONE }, { "$T/f", 0, K_FILE },
	{ "$T/new", 0, K_NONE }, { "$T/a/b/c", 0, K_FILE },
	{ "$T/.", ESC_ABS, K_DIR },
	/* Components that cannot be directories. */
	{ "ldang/x", 0, K_NONE }, { "lf/x", 0, K_NONE },
	{ "f/x", 0, K_NONE }, { "lsec/x", ESC_LINK, K_NONE },
	{ "ldangout/x", ESC_LINK, K_NONE },
	/* Out by "..". */
	{ "..", ESC_DOTDOT, K_DIR }, { "../", ESC_DOTDOT, K_DIR },
	{ "../.", ESC_DOTDOT, K_DIR }, { "../sentinel", ESC_DOTDOT, K_FILE },
	{ "../sentdir", ESC_DOTDOT, K_DIR },
	{ "../sentdir/", ESC_DOTDOT, K_DIR },
	{ "../sentdir/secret", ESC_DOTDOT, K_FILE },
	{ "../sentdir/new", ESC_DOTDOT, K_NONE },
	{ "../new", ESC_DOTDOT, K_NONE }, { "../tree", ESC_DOTDOT, K_DIR },
	{ "../tree/", ESC_DOTDOT, K_DIR },
	{ "a/../../sentinel", ESC_DOTDOT, K_FILE },
	{ "a/b/../../../sentdir/secret", ESC_DOTDOT, K_FILE },
	{ "a/b/../../..", ESC_DOTDOT, K_DIR },
	{ "la/../../sentinel", ESC_DOTDOT | ESC_LINK, K_FILE },
	/* Absolute. */
	{ "$B", ESC_ABS, K_DIR }, { "$B/", ESC_ABS, K_DIR },
	{ "$B/.", ESC_ABS, K_DIR }, { "$B/sentinel", ESC_ABS, K_FILE },
	{ "$B/sentdir", ESC_ABS, K_DIR }, { "$B/sentdir/", ESC_ABS, K_DIR },
	{ "$B/sentdir/secret", ESC_ABS, K_FILE },
	{ "$B/sentdir/new", ESC_ABS, K_NONE },
	{ "$B//sentdir//secret", ESC_ABS, K_FILE },
	{ "$T/../sentinel", ESC_ABS, K_FILE },
	{ "$T", ESC_ABS, K_DIR }, { "$T/", ESC_ABS, K_DIR },
};

static void add_repeated(const struct layout *l, const char *head,
    const char *unit, int times, const char *tail, unsigned esc, int kind)
{
	size_t n = strlen(head) + strlen(unit) * times + strlen(tail) + 1;
	char *s = malloc(n), *o = s;

	LAY_CHECK(s);
	o = stpcpy(o, head);
	for (int i = 0; i < times; i++)
		o = stpcpy(o, unit);
	strcpy(o, tail);
	add(l, s, esc, 0, kind, 0, NULL);
	free(s);
}

static void make_shapes(const struct layout *l)
{
	char buf[256];

	while (nshapes)
		free(shapes[--nshapes].text);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(*leaves); i++)
		for (size_t k = 0; k < sizeof(suffixes) / sizeof(*suffixes);
		    k++) {
			snprintf(buf, sizeof(buf), "%s%s", leaves[i].name,
			    suffixes[k]);
			add(l, buf, 0, leaves[i].out, leaves[i].kind, k > 0,
			    leaves[i].kind == K_LINK ||
			    leaves[i].kind == K_DIRLINK ? leaves[i].guard :
			    NULL);
		}
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		size_t n = strlen(paths[i].text);
		int slash = n > 1 && (paths[i].text[n - 1] == '/' ||
		    !strcmp(paths[i].text + n - 2, "/."));

		add(l, paths[i].text, paths[i].esc, 0, paths[i].kind, slash,
		    NULL);
	}
	/* The longest name, one too long, a path past PATH_MAX, and a long
	 * one that is fine. */
	add_repeated(l, "", "x", 255, "", 0, K_NONE);
	add_repeated(l, "", "x", 256, "", 0, K_NONE);
	add_repeated(l, "a/", "./", 2100, "f", 0, K_NONE);
	add_repeated(l, "", "a/b/../", 200, "f", 0, K_FILE);
	add_repeated(l, "", "la/../", 300, "lsd/secret", ESC_LINK, K_FILE);
}

/* ---- the calls, and the naive code each replaces ---- */

static int src_fd(struct ctx *c, const char *base_rel)
{
	char path[8300];

	snprintf(path, sizeof(path), "%s/%s", c->l.base, base_rel);
	return open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

/* The result of a call that opened something, and then closed it. */
static int closed(int fd)
{
	int e = errno;

	if (fd < 0)
		return -1;
	close(fd);
	errno = e;
	return 0;
}

static int lib_fchmod(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c;
	return ps_fchmod_nofollow(d, p, 0777, f);
}

static int naive_fchmod(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c, (void)f;
	return fchmodat(d, p, 0777, AT_SYMLINK_NOFOLLOW);
}

static int flink_as(struct ctx *c, int d, const char *p, unsigned f)
{
	int fd = src_fd(c, "tree/src"), r, e;

	LAY_CHECK(fd >= 0);
	r = ps_flink(fd, d, p, f);
	e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

static int lib_flink(struct ctx *c, int d, const char *p, unsigned f)
{
	return flink_as(c, d, p, f);
}

static int lib_flink_replace(struct ctx *c, int d, const char *p,
    unsigned f)
{
	return flink_as(c, d, p, f | PS_REPLACE | PS_COPY_FALLBACK);
}

/* Linking a descriptor as everyone did before AT_EMPTY_PATH. */
static int naive_flink(struct ctx *c, int d, const char *p, unsigned f)
{
	char proc[64];
	int fd = src_fd(c, "tree/src"), r, e;

	(void)f;
	LAY_CHECK(fd >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = linkat(AT_FDCWD, proc, d, p, AT_SYMLINK_FOLLOW);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static int naive_flink_replace(struct ctx *c, int d, const char *p,
    unsigned f)
{
	int r;

	(void)f;
	r = linkat(c->l.treefd, "src", c->l.treefd, "naive.tmp", 0);
	if (r == 0)
		r = renameat(c->l.treefd, "naive.tmp", d, p);
	return r;
}

static int lib_linkat_old(struct ctx *c, int d, const char *p, unsigned f)
{
	return ps_linkat(d, p, c->l.treefd, "newlink", f | PS_COPY_FALLBACK);
}

static int naive_linkat_old(struct ctx *c, int d, const char *p,
    unsigned f)
{
	(void)f;
	return linkat(d, p, c->l.treefd, "newlink", 0);
}

static int lib_linkat_new(struct ctx *c, int d, const char *p, unsigned f)
{
	return ps_linkat(c->l.treefd, "src", d, p, f | PS_REPLACE);
}

static int naive_linkat_new(struct ctx *c, int d, const char *p,
    unsigned f)
{
	(void)f;
	return linkat(c->l.treefd, "src", d, p, 0);
}

static int funlinkat_as(struct ctx *c, const char *what, int d,
    const char *p, unsigned f, int naive)
{
	int fd = src_fd(c, what), r, e;
	struct stat a, b;

	LAY_CHECK(fd >= 0);
	if (!naive) {
		r = ps_funlinkat(d, p, fd, f);
	} else {
		/* Check the name, then remove it by name. */
		r = fstat(fd, &a) == 0 && fstatat(d, p, &b,
		    AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -1;
		if (r == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
			errno = EDEADLK;
			r = -1;
		}
		if (r == 0)
			r = unlinkat(d, p, 0);
	}
	e = errno;
	close(fd);
	errno = e;
	return r;
}

#define FUNLINKAT(name, what) \
static int lib_##name(struct ctx *c, int d, const char *p, unsigned f) \
{ return funlinkat_as(c, what, d, p, f, 0); } \
static int naive_##name(struct ctx *c, int d, const char *p, unsigned f) \
{ return funlinkat_as(c, what, d, p, f, 1); }
FUNLINKAT(funlinkat_sentinel, "sentinel")
FUNLINKAT(funlinkat_secret, "sentdir/secret")
FUNLINKAT(funlinkat_f, "tree/f")

static int lib_tmpfile(struct ctx *c, int d, const char *p, unsigned f)
{
	ps_tmpfile *t = ps_tmpfile_open(d, p, 0644, f);
	int r, e;

	(void)c;
	if (!t)
		return -1;
	LAY_CHECK(write(ps_tmpfile_fd(t), "tmp\n", 4) == 4);
	r = ps_publish_tmpfile(t, "pub", PS_NO_SYNC);
	e = errno;
	ps_tmpfile_close(t);
	errno = e;
	return r < 0 ? -1 : 0;
}

/* A new file in the directory, by its joined path. */
static int naive_tmpfile(struct ctx *c, int d, const char *p, unsigned f)
{
	char path[8300];

	(void)c, (void)f;
	snprintf(path, sizeof(path), "%s/pub", p);
	return closed(openat(d, path, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644));
}

static void open_handle(struct ctx *c)
{
	c->t = ps_tmpfile_open(c->l.treefd, ".", 0644, 0);
	LAY_CHECK(c->t && write(ps_tmpfile_fd(c->t), "tmp\n", 4) == 4);
}

static void close_handle(struct ctx *c)
{
	ps_tmpfile_close(c->t);
	c->t = NULL;
}

static int lib_publish(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)d;
	return ps_publish_tmpfile(c->t, p, f | PS_NO_SYNC) < 0 ? -1 : 0;
}

static int lib_publish_replace(struct ctx *c, int d, const char *p,
    unsigned f)
{
	return lib_publish(c, d, p, f | PS_REPLACE);
}

static int naive_publish(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c, (void)f;
	return closed(openat(d, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644));
}

static int lib_sweep(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c, (void)f;
	return ps_tmpfile_sweep(d, p, 0) < 0 ? -1 : 0;
}

static int naive_sweep(struct ctx *c, int d, const char *p, unsigned f)
{
	int fd = openat(d, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *dir;

	(void)c, (void)f;
	if (fd < 0 || !(dir = fdopendir(fd)))
		return closed(fd);
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, ".pathsafe-", 10))
			unlinkat(fd, e->d_name, 0);
	closedir(dir);
	return 0;
}

/* What a caller does with what it opened: write to a file, chmod it. */
static int use_opened(int fd, mode_t mode)
{
	struct stat st;

	if (fd < 0)
		return -1;
	LAY_CHECK(fstat(fd, &st) == 0);
	if (S_ISREG(st.st_mode))
		LAY_CHECK(write(fd, "x", 1) == 1);
	fchmod(fd, mode);
	close(fd);
	return 0;
}

#define OPEN(name, oflags, mode) \
static int lib_##name(struct ctx *c, int d, const char *p, unsigned f) \
{ (void)c; return use_opened(ps_open(d, p, (oflags), 0644, f), mode); } \
static int naive_##name(struct ctx *c, int d, const char *p, unsigned f) \
{ (void)c, (void)f; \
  return use_opened(openat(d, p, (oflags) | O_CLOEXEC, 0644), mode); }
OPEN(open_creat, O_RDWR | O_CREAT | O_NOFOLLOW, 0666)
OPEN(open_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0777)
OPEN(open_follow, O_WRONLY | O_CREAT | O_TRUNC, 0666)

static int lib_mkdirs(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c;
	return closed(ps_mkdirs(d, p, 0755, f));
}

/* mkdir -p: every prefix, then the whole path. */
static int naive_mkdirs(struct ctx *c, int d, const char *p, unsigned f)
{
	char *s = strdup(p);

	(void)c, (void)f;
	LAY_CHECK(s);
	for (char *q = s + 1; *s && (q = strchr(q, '/')); q++) {
		*q = '\0';
		mkdirat(d, s, 0755);
		*q = '/';
	}
	free(s);
	return mkdirat(d, p, 0755);
}

static int lib_remove_tree(struct ctx *c, int d, const char *p, unsigned f)
{
	(void)c;
	return ps_remove_tree(d, p, f);
}

static int rm_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st, (void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf by path; the current directory is the tree. */
static int naive_remove_tree(struct ctx *c, int d, const char *p,
    unsigned f)
{
	(void)c, (void)d, (void)f;
	return nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#define CALL(n, rf, fol, nd) { #n, rf, fol, nd, lib_##n, naive_##n, \
	NULL, NULL }
static const struct call calls[] = {
	CALL(fchmod, 1, FOLLOW_NEVER, 1),
	CALL(flink, 1, FOLLOW_NEVER, 1),
	{ "flink_replace_copy", 1, FOLLOW_NEVER, 1, lib_flink_replace,
	  naive_flink_replace, NULL, NULL },
	CALL(linkat_old, 1, FOLLOW_NEVER, 1),
	CALL(linkat_new, 1, FOLLOW_NEVER, 1),
	CALL(funlinkat_sentinel, 1, FOLLOW_NEVER, 0),
	CALL(funlinkat_secret, 1, FOLLOW_NEVER, 0),
	CALL(funlinkat_f, 1, FOLLOW_NEVER, 0),
	CALL(tmpfile, 1, FOLLOW_ALWAYS, 0),
	{ "publish", 0, FOLLOW_NEVER, 0, lib_publish, naive_publish,
	  open_handle, close_handle },
	{ "publish_replace", 0, FOLLOW_NEVER, 0, lib_publish_replace,
	  naive_publish, open_handle, close_handle },
	CALL(sweep, 0, FOLLOW_ALWAYS, 0),
	CALL(open_creat, 1, FOLLOW_SLASH, 0),
	CALL(open_dir, 1, FOLLOW_SLASH, 0),
	CALL(open_follow, 1, FOLLOW_ALWAYS, 0),
	CALL(mkdirs, 1, FOLLOW_ALWAYS, 0),
	CALL(remove_tree, 1, FOLLOW_NEVER, 1),
};

/* ---- the checks ---- */

static int follows(const struct call *k, const struct shape *s)
{
	return k->follow == FOLLOW_ALWAYS ||
	    (k->follow == FOLLOW_SLASH && s->slash);
}

/* Must this combination leave the sentinel alone? */
static int confined(const struct call *k, const struct shape *s,
    unsigned f)
{
	unsigned esc = s->esc | (s->out && follows(k, s) ? ESC_LINK : 0);

	if (f & (PS_BENEATH | PS_IN_ROOT))
		return 1;
	if (f & PS_NO_SYMLINKS)
		esc &= ~ESC_LINK;
	return !esc;
}

static void report(struct ctx *c, const char *who, const struct call *k,
    const struct shape *s, unsigned f, int r, int err, const char *what)
{
	/* The sentinel's losses and the tree's, each up to PRINT_MAX. */
	if (c->printed[!!strchr(who, '(')]++ >= PRINT_MAX)
		return;
	printf("%s LOSS: %s(\"%.120s%s\") flags=%s profile=%s user=%s: "
	    "returned %d (%s):%s\n", who, k->name, s->text,
	    strlen(s->text) > 120 ? "..." : "", flags_str(f), c->profile,
	    c->user, r, r < 0 ? strerror(err) : "no error", what);
}

/* Library only: what the call promises about the tree itself. */
static int inside_ok(const struct call *k, const struct shape *s,
    unsigned f, int r, int err, uint64_t before, uint64_t after,
    uint64_t guard_before, uint64_t guard_after, char *why, size_t n)
{
	int notdir = s->slash && s->kind != K_DIR && !follows(k, s);

	why[0] = '\0';
	if (notdir && r >= 0)
		snprintf(why, n, " a trailing slash on what is no directory "
		    "succeeded");
	else if (notdir && before != after)
		snprintf(why, n, " a trailing slash on what is no directory "
		    "changed the tree");
	else if (notdir && k->enotdir && s->kind == K_DIRLINK && s->plain &&
	    err != ENOTDIR && !(err == ELOOP && (f & PS_NO_SYMLINKS)))
		snprintf(why, n, " \"x/\" with x a symlink to a directory: "
		    "not ENOTDIR");
	else if (s->guard && !follows(k, s) && guard_before != guard_after)
		snprintf(why, n, " the last symlink was followed: %s changed",
		    s->guard);
	return !why[0];
}

static void run_one(struct ctx *c, const struct call *k, const struct shape *s,
    unsigned f, int dirfd, int naive)
{
	int notdir = !naive && s->slash && s->kind != K_DIR && !follows(k, s);
	int guard = !naive && s->guard && !follows(k, s), r, err, changed;
	uint64_t t1 = 0, t2 = 0, g1 = 0, g2 = 0;
	char what[2048], why[256];
	struct lay_outside o2;

	if (k->prep)
		k->prep(c);
	if (!c->have_cur)
		lay_outside(&c->l, &c->o_cur, NULL);
	/* The tree is hashed only where a check needs it: this costs
	 * more than most calls. */
	if (notdir)
		t1 = lay_hash(c->l.treefd, ".");
	if (guard)
		g1 = lay_hash(c->l.treefd, s->guard);
	errno = 0;
	r = (naive ? k->naive : k->lib)(c, dirfd, s->text, f);
	err = errno;
	lay_outside(&c->l, &o2, &c->o_cur);
	if (notdir)
		t2 = lay_hash(c->l.treefd, ".");
	if (guard)
		g2 = lay_hash(c->l.treefd, s->guard);
	changed = lay_outside_diff(&c->o_cur, &o2, what, sizeof(what));
	if (changed && naive) {
		c->naive_losses++;
	} else if (changed) {
		c->lib_losses++;
		report(c, "library", k, s, f, r, err, what);
	} else if (!naive && !inside_ok(k, s, f, r, err, t1, t2, g1, g2,
	    why, sizeof(why))) {
		c->lib_losses++;
		report(c, "library (inside)", k, s, f, r, err, why);
	}
	c->o_cur = o2;
	c->have_cur = 1;
	if (k->done)
		k->done(c);
	/* The tree is made again when a call changed it: one that worked,
	 * the naive code (which may fail half-way), or one that may. */
	if (changed) {
		lay_reset_all(&c->l);
		c->have_cur = 0;
	} else if ((r >= 0 || naive || k->lib == lib_remove_tree ||
	    k->lib == lib_mkdirs) && lay_hash(c->l.treefd, ".") !=
	    c->l.pristine) {
		lay_reset_tree(&c->l);
	}
}

static int selected(const struct ctx *c, const struct call *k)
{
	const char *p = c->only;
	size_t n;

	if (!p)
		return 1;
	for (; *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n && !strncmp(k->name, p, n))
			return 1;
	}
	return 0;
}

static int pass(struct ctx *c, const char *base)
{
	size_t nflags = c->all_flags ? sizeof(flag_sets) / sizeof(*flag_sets) :
	    5;

	lay_create(&c->l, base);
	make_shapes(&c->l);
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		const struct call *k = &calls[i];

		if (!selected(c, k))
			continue;
		for (size_t j = 0; j < nshapes; j++) {
			const struct shape *s = &shapes[j];

			int naive = c->naive;

			for (size_t m = 0; m < (k->rflags ? nflags : 1); m++) {
				unsigned f = flag_sets[m];
				/* The tree as a descriptor, and as the
				 * current directory. */
				int d = (j + m) % 2 ? AT_FDCWD : c->l.treefd;

				if (!confined(k, s, f)) {
					c->skipped++;
					continue;
				}
				c->runs++;
				run_one(c, k, s, f, d, 0);
				/* The naive code takes no flags: once. */
				if (naive)
					run_one(c, k, s, f, d, 1);
				naive = 0;
			}
		}
	}
	lay_destroy(&c->l);
	printf("sentinel (%s, %s, %s flags%s%s): %zu shapes, %ld combinations "
	    "run, %ld allowed out of the tree not run; library losses %ld",
	    c->profile, c->user, c->all_flags ? "all" : "basic",
	    c->only ? ", calls " : "", c->only ? c->only : "", nshapes,
	    c->runs, c->skipped, c->lib_losses);
	if (c->naive)
		printf(", naive losses %ld", c->naive_losses);
	printf("\n");
	printf("summary: attacks 1\nsummary: iterations %ld\n"
	    "summary: library-losses %ld\n", c->runs, c->lib_losses);
	if (c->naive)
		printf("summary: naive-losses %ld\n", c->naive_losses);
	if (c->naive && !c->naive_losses)
		printf("the naive baseline never lost: the class proves "
		    "nothing\n");
	fflush(stdout);
	return c->lib_losses || (c->naive && !c->naive_losses);
}

int main(int argc, char **argv)
{
	struct ctx c = { .profile = "none" };
	const char *tmp = getenv("PS_RACE_DIR");
	char work[4096], base[4200];
	int status, failed;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			c.profile = argv[++i];
		else if (!strcmp(argv[i], "--naive"))
			c.naive = 1;
		else if (!strcmp(argv[i], "--flags") && i + 1 < argc)
			c.all_flags = !strcmp(argv[++i], "all");
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			c.only = argv[++i];
		else {
			fprintf(stderr, "usage: ps-sentinel [--profile NAME] "
			    "[--naive] [--flags basic|all] [--calls LIST]\n");
			return 2;
		}
	}
	umask(022);
	if (!tmp)
		tmp = getenv("PS_TEST_DIR");
	snprintf(work, sizeof(work), "%s/pssentinel.XXXXXX", tmp ? tmp : "/tmp");
	LAY_CHECK(mkdtemp(work) && chmod(work, 0755) == 0);
	/* A private tmpfs where we may: the tree is made again thousands
	 * of times, and a disk filesystem makes that the most of the time. */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("pssentinel", work, "tmpfs", 0, "size=64m,mode=0755") == 0)
		printf("ps-sentinel: on a private tmpfs at %s\n", work);
	c.user = geteuid() == 0 ? "root" : "user";
	snprintf(base, sizeof(base), "%s/%s", work, c.user);
	failed = pass(&c, base);
	if (geteuid() != 0) {
		printf("skip: the pass as nobody needs root\n");
	} else {
		snprintf(base, sizeof(base), "%s/nobody", work);
		LAY_CHECK(mkdir(base, 0755) == 0 &&
		    chown(base, NOBODY, NOBODY) == 0);
		strcat(base, "/base");
		pid = fork();
		LAY_CHECK(pid >= 0);
		if (pid == 0) {
			struct ctx n = { .profile = c.profile,
				.naive = c.naive, .all_flags = c.all_flags,
				.only = c.only,
				.user = "nobody" };

			if (setgroups(0, NULL) || setgid(NOBODY) ||
			    setuid(NOBODY))
				_exit(125);
			_exit(pass(&n, base));
		}
		LAY_CHECK(waitpid(pid, &status, 0) == pid);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		snprintf(base, sizeof(base), "%s/nobody", work);
		rmdir(base);
	}
	umount2(work, MNT_DETACH);
	rmdir(work);
	return failed;
}
