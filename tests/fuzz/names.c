/* SPDX-License-Identifier: MIT */
/*
 * ps-fuzz-names: the libFuzzer variant of ps-sentinel (tests/attack).
 * Each input is a sequence of calls, each with a name the fuzzer builds
 * from the hostile-names alphabet (the components of the layout in
 * tests/attack/layout.h, "..", ".", "", a name of 255 bytes, BASE and the
 * tree as absolute paths; joined by "/", "//" or "/./"; ending in "",
 * "/", "//", "/." or "/./") and a valid combination of resolution flags.
 * After every call the sentinel outside the tree must be exactly as it
 * was; after every input no descriptor may be left open.  A violation
 * aborts with the call, the name and the flags.
 *
 * Without PS_BENEATH or PS_IN_ROOT a name may leave the tree by "..", an
 * absolute path or a symlink in its directory part, as openat does, so
 * such names are then not built: no "..", no absolute path, and (unless
 * PS_NO_SYMLINKS) symlinks that lead out only at the end, for the calls
 * that never follow the last component.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "../fdcount.h"
#include "input.h"

#include "../attack/layout.h"

#define MAX_PARTS 6

/* out: a symlink that leads out of the tree; up: ".." or absolute. */
static const struct {
	const char *s;
	int out, up;
} parts[] = {
	{ "f", 0, 0 }, { "e", 0, 0 }, { "a", 0, 0 }, { "b", 0, 0 },
	{ "c", 0, 0 }, { "la", 0, 0 }, { "lb", 0, 0 }, { "lc", 0, 0 },
	{ "lf", 0, 0 }, { "le", 0, 0 }, { "ldang", 0, 0 }, { "new", 0, 0 },
	{ "src", 0, 0 }, { LAY_HIDDEN, 0, 0 }, { ".", 0, 0 }, { "", 0, 0 },
	{ "sentinel", 0, 0 }, { "sentdir", 0, 0 }, { "secret", 0, 0 },
	{ "tree", 0, 0 }, { "ldangout", 1, 0 }, { "ls", 1, 0 },
	{ "lsd", 1, 0 }, { "lsec", 1, 0 }, { "lbase", 1, 0 },
	{ "lsa", 1, 0 }, { "lsda", 1, 0 }, { "lbasea", 1, 0 },
	{ "..", 0, 1 }, { "$B", 0, 1 }, { "$T", 0, 1 }, { "$L", 0, 0 },
};
static const char *const seps[] = { "/", "//", "/./" };
static const char *const ends[] = { "", "/", "//", "/.", "/./" };
static const unsigned flag_sets[] = {
	0, PS_BENEATH, PS_IN_ROOT, PS_NO_SYMLINKS, PS_NO_XDEV,
	PS_BENEATH | PS_NO_SYMLINKS, PS_BENEATH | PS_NO_XDEV,
	PS_IN_ROOT | PS_NO_SYMLINKS, PS_IN_ROOT | PS_NO_XDEV,
	PS_NO_SYMLINKS | PS_NO_XDEV,
};

enum {
	C_FCHMOD, C_FLINK, C_FLINK_REPLACE, C_LINKAT_OLD, C_LINKAT_NEW,
	C_FUNLINKAT, C_TMPFILE, C_PUBLISH, C_SWEEP, C_OPEN_CREAT,
	C_OPEN_DIR, C_OPEN_FOLLOW, C_MKDIRS, C_REMOVE_TREE, NCALLS
};
static const char *const call_names[NCALLS] = {
	"ps_fchmod_nofollow", "ps_flink",
	"ps_flink(PS_REPLACE|PS_COPY_FALLBACK)", "ps_linkat(old)", "ps_linkat(new, PS_REPLACE)",
	"ps_funlinkat", "ps_tmpfile_open+publish", "ps_publish_tmpfile",
	"ps_tmpfile_sweep", "ps_open(O_CREAT|O_NOFOLLOW)",
	"ps_open(O_DIRECTORY|O_NOFOLLOW)", "ps_open(O_CREAT|O_TRUNC)",
	"ps_mkdirs", "ps_remove_tree",
};

/* Calls that follow a symlink at the end: they take a directory, or
 * open as openat2 does. */
static int follows_last(int call, int slash)
{
	return call == C_TMPFILE || call == C_SWEEP || call == C_MKDIRS ||
	    call == C_OPEN_FOLLOW ||
	    (slash && (call == C_OPEN_CREAT || call == C_OPEN_DIR));
}

static struct layout l;
static char name[8192];

#define PICK(in, a) (take(in) % (sizeof(a) / sizeof((a)[0])))

/* Builds the name; 0 when it could leave the tree with these flags. */
static int build(struct in *in, int call, unsigned flags)
{
	int scoped = !!(flags & (PS_BENEATH | PS_IN_ROOT));
	int nolinks = !!(flags & PS_NO_SYMLINKS);
	int n = 1 + take(in) % MAX_PARTS, ok = 1, out = 0;
	char *o = name;
	size_t e;

	for (int i = 0; i < n; i++) {
		size_t k = PICK(in, parts);
		const char *s = parts[k].s;

		if (i > 0)
			o = stpcpy(o, seps[PICK(in, seps)]);
		/* Absolute only at the start. */
		if (i > 0 && s[0] == '$' && s[1] != 'L')
			s = "..";
		if (parts[k].up)
			ok &= scoped;
		if (parts[k].out && i < n - 1)
			ok &= scoped || nolinks;
		out = parts[k].out;
		if (s[0] == '$' && s[1] == 'B')
			o = stpcpy(o, l.base);
		else if (s[0] == '$' && s[1] == 'T')
			o = stpcpy(o, l.tree);
		else if (s[0] == '$')
			o += sprintf(o, "%0255d", 0);
		else
			o = stpcpy(o, s);
	}
	e = PICK(in, ends);
	strcpy(o, ends[e]);
	if (out && follows_last(call, e > 0))
		ok &= scoped || nolinks;
	return ok;
}

static struct lay_outside pristine_outside;

static void die(const char *what, int call, unsigned flags, int r, int err)
{
	fprintf(stderr, "ps-fuzz-names: invariant broken: %s(\"%s\") "
	    "flags=%#x returned %d (%s):%s\n", call_names[call], name,
	    flags, r, strerror(err), what);
	abort();
}

static int src(void)
{
	int fd = openat(l.treefd, "src", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		lay_reset_tree(&l);
	return fd >= 0 ? fd : openat(l.treefd, "src", O_RDONLY | O_CLOEXEC);
}

static int done(int fd)
{
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int call(int k, unsigned flags)
{
	ps_tmpfile *t;
	int fd, r;

	switch (k) {
	case C_FCHMOD:
		return ps_fchmod_nofollow(l.treefd, name, 0777, flags);
	case C_FLINK:
	case C_FLINK_REPLACE:
		fd = src();
		r = ps_flink(fd, l.treefd, name, flags | (k == C_FLINK ? 0 :
		    PS_REPLACE | PS_COPY_FALLBACK));
		close(fd);
		return r;
	case C_LINKAT_OLD:
		return ps_linkat(l.treefd, name, l.treefd, "newlink",
		    flags | PS_COPY_FALLBACK);
	case C_LINKAT_NEW:
		return ps_linkat(l.treefd, "src", l.treefd, name,
		    flags | PS_REPLACE);
	case C_FUNLINKAT:
		/* The sentinel's own descriptor: its name must survive. */
		fd = open("../sentinel", O_PATH | O_CLOEXEC);
		r = ps_funlinkat(l.treefd, name, fd, flags);
		close(fd);
		return r;
	case C_TMPFILE:
	case C_PUBLISH:
		t = ps_tmpfile_open(l.treefd, k == C_TMPFILE ? name : ".", 0644,
		    k == C_TMPFILE ? flags : 0);
		if (!t)
			return -1;
		r = ps_publish_tmpfile(t, k == C_TMPFILE ? "pub" : name,
		    PS_NO_SYNC | (flags & PS_NO_XDEV ? PS_REPLACE : 0));
		ps_tmpfile_close(t);
		return r;
	case C_SWEEP:
		return ps_tmpfile_sweep(l.treefd, name, 0);
	case C_OPEN_CREAT:
		return done(ps_open(l.treefd, name, O_RDWR | O_CREAT |
		    O_NOFOLLOW, 0644, flags));
	case C_OPEN_DIR:
		fd = ps_open(l.treefd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW, 0, flags);
		if (fd >= 0)
			fchmod(fd, 0777);
		return done(fd);
	case C_OPEN_FOLLOW:
		fd = ps_open(l.treefd, name, O_WRONLY | O_CREAT | O_TRUNC,
		    0644, flags);
		if (fd >= 0 && write(fd, "x", 1) != 1)
			abort();
		return done(fd);
	case C_MKDIRS:
		return done(ps_mkdirs(l.treefd, name, 0755, flags));
	}
	return ps_remove_tree(l.treefd, name, flags);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("PS_FUZZ_DIR");
	char base[4096];

	(void)argc, (void)argv;
	snprintf(base, sizeof(base), "%s/psfuzznames.XXXXXX",
	    dir ? dir : "/tmp");
	LAY_CHECK(mkdtemp(base) != NULL);
	/* A private tmpfs where we may: the tree is made again often. */
	if (unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("psfuzznames", base, "tmpfs", 0, "size=64m") == 0)
		fprintf(stderr, "ps-fuzz-names: sandbox on a private tmpfs "
		    "%s\n", base);
	else
		fprintf(stderr, "ps-fuzz-names: sandbox in %s\n", base);
	strcat(base, "/base");
	umask(022);
	lay_create(&l, base);
	lay_outside(&l, &pristine_outside, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct lay_outside o;
	char what[2048];
	int fds = pst_fd_count();

	for (int ops = 0; in.n && ops < 16; ops++) {
		int k = take(&in) % NCALLS, r, err;
		unsigned flags = flag_sets[PICK(&in, flag_sets)];

		if (k == C_PUBLISH || k == C_SWEEP)
			flags &= PS_NO_XDEV;	/* no resolution flags */
		if (!build(&in, k, flags))
			continue;
		errno = 0;
		r = call(k, flags);
		err = errno;
		lay_outside(&l, &o, &pristine_outside);
		if (lay_outside_diff(&pristine_outside, &o, what,
		    sizeof(what)))
			die(what, k, flags, r, err);
	}
	if (pst_fd_count() != fds)
		die(" a descriptor leaked", 0, 0, 0, 0);
	if (lay_hash(l.treefd, ".") != l.pristine)
		lay_reset_tree(&l);
	return 0;
}
