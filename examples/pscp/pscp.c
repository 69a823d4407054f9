/* SPDX-License-Identifier: MIT */
/*
 * pscp: cp whose destination is never seen half-written.  Options and
 * operands, as GNU cp 9.1 takes them; the copy itself is in tree.c and
 * file.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pscp.h"

struct options opt = { .sync = 1, .clone = PS__CLONE_AUTO,
	.bar = BAR_AUTO };

enum {
	OPT_ATOMIC = 256, OPT_NO_PROGRESS, OPT_NO_SYNC, OPT_PROGRESS,
	OPT_REFLINK, OPT_HELP, OPT_VERSION, OPT_ROUTES, OPT_BACKUP,
	OPT_NO_PRESERVE, OPT_PARENTS, OPT_REMOVE, OPT_SPARSE, OPT_STRIP,
	OPT_SWEEP, OPT_OLDER, OPT_PRESERVE, OPT_ATTRS_ONLY, OPT_CONTENTS,
	OPT_CONTEXT,
};

static const struct option longopts[] = {
	{ "archive", no_argument, NULL, 'a' },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "attributes-only", no_argument, NULL, OPT_ATTRS_ONLY },
	{ "context", optional_argument, NULL, OPT_CONTEXT },
	{ "copy-contents", no_argument, NULL, OPT_CONTENTS },
	{ "backup", optional_argument, NULL, OPT_BACKUP },
	{ "dereference", no_argument, NULL, 'L' },
	{ "force", no_argument, NULL, 'f' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "link", no_argument, NULL, 'l' },
	{ "no-clobber", no_argument, NULL, 'n' },
	{ "no-dereference", no_argument, NULL, 'P' },
	{ "no-preserve", required_argument, NULL, OPT_NO_PRESERVE },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "no-sync", no_argument, NULL, OPT_NO_SYNC },
	{ "no-target-directory", no_argument, NULL, 'T' },
	{ "older-than", required_argument, NULL, OPT_OLDER },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "parents", no_argument, NULL, OPT_PARENTS },
	{ "preserve", optional_argument, NULL, OPT_PRESERVE },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "recursive", no_argument, NULL, 'r' },
	{ "reflink", optional_argument, NULL, OPT_REFLINK },
	{ "remove-destination", no_argument, NULL, OPT_REMOVE },
	{ "routes", no_argument, NULL, OPT_ROUTES },
	{ "sparse", required_argument, NULL, OPT_SPARSE },
	{ "strip-trailing-slashes", no_argument, NULL, OPT_STRIP },
	{ "suffix", required_argument, NULL, 'S' },
	{ "sweep", required_argument, NULL, OPT_SWEEP },
	{ "symbolic-link", no_argument, NULL, 's' },
	{ "target-directory", required_argument, NULL, 't' },
	{ "update", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char help[] =
"Usage: pscp [OPTION]... [-T] SOURCE DEST\n"
"  or:  pscp [OPTION]... SOURCE... DIRECTORY\n"
"  or:  pscp [OPTION]... -t DIRECTORY SOURCE...\n"
"  or:  pscp --sweep DIRECTORY [--older-than SECONDS]\n"
"Copy SOURCE to DEST, or each SOURCE into DIRECTORY, as cp does.\n"
"\n"
"      --atomic          write each file to an anonymous file in its final\n"
"                        directory and give it its name at once: a reader\n"
"                        sees the old file or the whole new one, never a\n"
"                        part, even if pscp is killed.  An existing file is\n"
"                        REPLACED, not written: the new file has the\n"
"                        source's mode (minus the umask) and pscp's owner\n"
"                        unless preserved, the old file's extended\n"
"                        attributes and ACLs are not kept, and its other\n"
"                        hard links keep the old content\n"
"  -a, --archive         same as -dR --preserve=all\n"
"      --backup[=CONTROL]  make a backup of each existing destination file\n"
"  -b                    like --backup but does not accept an argument\n"
"      --attributes-only don't copy the file data, just the attributes\n"
"                        (in place, also with --atomic)\n"
"      --copy-contents   copy contents of special files when recursive\n"
"  -d                    same as --no-dereference --preserve=links\n"
"  -f, --force           if an existing destination file cannot be opened,\n"
"                        remove it and try again; with --atomic, replace a\n"
"                        file you cannot write\n"
"  -i, --interactive     prompt before overwrite (overrides a previous -n)\n"
"  -H                    follow command-line symbolic links in SOURCE\n"
"  -l, --link            hard link files instead of copying\n"
"  -L, --dereference     always follow symbolic links in SOURCE\n"
"  -n, --no-clobber      do not overwrite an existing file (overrides a\n"
"                        previous -i)\n"
"  -P, --no-dereference  never follow symbolic links in SOURCE\n"
"  -p                    same as --preserve=mode,ownership,timestamps\n"
"      --preserve[=ATTR_LIST]  preserve the specified attributes (default:\n"
"                        mode,ownership,timestamps); also links, xattr,\n"
"                        all\n"
"      --no-preserve=ATTR_LIST  don't preserve the specified attributes\n"
"      --parents         use full source file name under DIRECTORY\n"
"  -R, -r, --recursive   copy directories recursively\n"
"      --reflink[=WHEN]  control clone/CoW copies: auto (the default),\n"
"                        always, never\n"
"      --remove-destination  remove each existing destination file before\n"
"                        attempting to open it (with --atomic: replace it)\n"
"      --sparse=WHEN     control creation of sparse files: auto (the\n"
"                        default: keep the source's holes), always (also\n"
"                        make a hole of each block of zeros), never (fill\n"
"                        holes with zeros)\n"
"      --strip-trailing-slashes  remove any trailing slashes from each\n"
"                        SOURCE argument\n"
"  -s, --symbolic-link   make symbolic links instead of copying\n"
"  -S, --suffix=SUFFIX   override the usual backup suffix\n"
"  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into\n"
"                        DIRECTORY\n"
"  -T, --no-target-directory  treat DEST as a normal file\n"
"  -u, --update          copy only when the SOURCE file is newer than the\n"
"                        destination file or when the destination file is\n"
"                        missing\n"
"  -v, --verbose         explain what is being done, as cp does\n"
"      --routes          also name the library's routes of each copy\n"
"                        (implies -v)\n"
"  -x, --one-file-system  stay on this file system\n"
"  -Z, --context[=CTX]   accepted for cp; this kernel has no SELinux\n"
"      --no-sync         with --atomic, do not fsync each file and its\n"
"                        directory before going on\n"
"      --progress        show a progress bar with bytes/s on stderr\n"
"      --no-progress     never show one (the default shows it for files\n"
"                        of 64 MiB and more when stderr is a terminal)\n"
"      --sweep DIRECTORY remove the hidden .pathsafe-* names that killed\n"
"                        copies left in DIRECTORY (ps_tmpfile_sweep), those\n"
"                        older than --older-than SECONDS (default 0: all)\n"
"      --help            display this help and exit\n"
"      --version         output version information and exit\n"
"\n"
"Without --atomic, pscp copies as cp does: an existing destination file\n"
"is opened, truncated and written in place (O_WRONLY|O_TRUNC), so it is\n"
"seen half-written meanwhile and keeps its mode and owner.\n"
"\n"
"Unlike cp, pscp never writes through a symlink at a destination name:\n"
"such a copy fails (exit 1) unless --remove-destination or --backup\n"
"moves the symlink away, and it never writes to a fifo or device there.\n"
"Directories are created with mkdirat and entered without following\n"
"symlinks.  With -r, symlinks in SOURCE are copied as symlinks.\n"
"\n"
"The backup suffix is '~', unless set with --suffix or\n"
"SIMPLE_BACKUP_SUFFIX.  The version control method may be selected via\n"
"the --backup option or through the VERSION_CONTROL environment\n"
"variable: none, off; numbered, t; existing, nil; simple, never.\n"
"\n"
"Exit status: 0 if all went well, 1 if anything failed, usage errors\n"
"included.\n";

int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pscp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	return -1;
}

int ask(const char *fmt, ...)
{
	char *line = NULL;
	size_t size = 0;
	va_list ap;
	int yes;

	fflush(stdout);
	fputs("pscp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	yes = getline(&line, &size, stdin) > 0 &&
	    (line[0] == 'y' || line[0] == 'Y');
	free(line);
	return yes;
}

char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s = malloc(n + strlen(name) + 2);

	if (!s) {
		fail(ENOMEM, "cannot continue");
		exit(1);
	}
	sprintf(s, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	return s;
}

static _Noreturn void usage(const char *fmt, const char *arg)
{
	if (fmt)
		fail(0, fmt, arg);
	fputs("Try 'pscp --help' for more information.\n", stderr);
	exit(1);
}

/* cp's quote() of an option's argument: curly quotes in UTF-8. */
static const char *lq(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") ? "'" : "\u2018";
}

static const char *rq(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") ? "'" : "\u2019";
}

/* argmatch's complaint: the value, then the valid ones. */
static _Noreturn void invalid(const char *arg, const char *what,
    const char *const *valid)
{
	fail(0, "invalid argument %s%s%s for %s%s%s", lq(), arg, rq(), lq(),
	    what, rq());
	fputs("Valid arguments are:", stderr);
	for (; *valid; valid++)
		fprintf(stderr, "%s%s%s%s", **valid == ',' ? ", " : "\n  - ",
		    lq(), *valid + (**valid == ','), rq());
	fputc('\n', stderr);
	usage(NULL, NULL);
}

static unsigned preserve_list(const char *arg, int no)
{
	static const char *const names[] = { "mode", "timestamps",
		"ownership", "links", "context", "xattr", "all", NULL };
	static const unsigned bits[] = { KEEP_MODE, KEEP_TIMES, KEEP_OWNER,
		KEEP_LINKS, 0, KEEP_XATTR, KEEP_MODE | KEEP_TIMES |
		KEEP_OWNER | KEEP_LINKS | KEEP_XATTR };
	char *list = strdup(arg), *w, *save = NULL;
	unsigned keep = 0, i;

	for (w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; names[i] && strcmp(w, names[i]); i++)
			;
		if (!names[i] && no)
			continue;	/* cp 9.1 ignores these */
		if (!names[i])
			invalid(w, no ? "--no-preserve" : "--preserve", names);
		if (i == 4 && !no) {
			fail(0, "cannot preserve security context without "
			    "an SELinux-enabled kernel");
			exit(1);
		}
		keep |= bits[i];
	}
	free(list);
	return keep;
}

static int reflink_when(const char *when)
{
	static const char *const names[] = { "auto", "always", "never", NULL };

	if (!when || !strcmp(when, "always"))
		return PS__CLONE_ALWAYS;
	if (!strcmp(when, "auto"))
		return PS__CLONE_AUTO;
	if (!strcmp(when, "never"))
		return PS__CLONE_NEVER;
	invalid(when, "--reflink", names);
}

static int sparse_when(const char *when)
{
	static const char *const names[] = { "never", "auto", "always", NULL };
	static const int holes[] = { PS__HOLES_FILL, PS__HOLES_KEEP,
		PS__HOLES_MAKE };

	for (int i = 0; names[i]; i++)
		if (!strcmp(when, names[i]))
			return holes[i];
	invalid(when, "--sparse", names);
}

static int backup_type(const char *how, const char *what)
{
	static const char *const names[] = { "none", ",off", "simple",
		",never", "existing", ",nil", "numbered", ",t", NULL };
	static const int types[] = { BACKUP_NONE, BACKUP_NONE,
		BACKUP_SIMPLE, BACKUP_SIMPLE, BACKUP_EXISTING,
		BACKUP_EXISTING, BACKUP_NUMBERED, BACKUP_NUMBERED };

	if (!how || !*how)
		return BACKUP_EXISTING;
	for (int i = 0; names[i]; i++)
		if (!strcmp(how, names[i] + (names[i][0] == ',')))
			return types[i];
	invalid(how, what, names);
}

static const char *target_dir;
static int no_target_dir, parents, strip_slashes, sweep_older = -1;
static const char *sweep_dir;

static void parse(int argc, char **argv)
{
	int c, backup = 0, no_preserve = 0;
	const char *backup_arg = NULL;
	char *end;

	/* getopt names argv[0] in its messages. */
	argv[0] = "pscp";
	while ((c = getopt_long(argc, argv, "abdfHilLnPpRrsS:Tt:uvxZ",
	    longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			opt.deref = DEREF_NEVER;
			opt.keep |= KEEP_MODE | KEEP_OWNER | KEEP_TIMES |
			    KEEP_LINKS | KEEP_XATTR;
			opt.recursive = opt.quiet_attrs = 1;
			break;
		case OPT_ATOMIC: opt.atomic = 1; break;
		case OPT_ATTRS_ONLY: opt.attrs_only = 1; break;
		case OPT_CONTENTS: opt.copy_contents = 1; break;
		case 'Z': break;
		case OPT_CONTEXT:
			/* As cp 9.1 without SELinux. */
			if (optarg)
				fail(0, "warning: ignoring --context; it "
				    "requires an SELinux-enabled kernel");
			break;
		case 'b': backup = 1; break;
		case OPT_BACKUP: backup = 1; backup_arg = optarg; break;
		case 'd':
			opt.deref = DEREF_NEVER;
			opt.keep |= KEEP_LINKS;
			break;
		case 'f': opt.force = 1; break;
		case 'H': opt.deref = DEREF_ARGS; break;
		case 'i': opt.interactive = ASK_USER; break;
		case 'l': opt.hard_link = 1; break;
		case 'L': opt.deref = DEREF_ALWAYS; break;
		case 'n': opt.interactive = ASK_NO; break;
		case 'P': opt.deref = DEREF_NEVER; break;
		case 'p':
			opt.keep |= KEEP_MODE | KEEP_OWNER | KEEP_TIMES;
			opt.no_mode = 0;
			break;
		case OPT_PRESERVE:
			opt.keep |= optarg ? preserve_list(optarg, 0) :
			    KEEP_MODE | KEEP_OWNER | KEEP_TIMES;
			if (opt.keep & KEEP_MODE)
				opt.no_mode = 0;
			break;
		case OPT_NO_PRESERVE:
			c = preserve_list(optarg, 1);
			opt.keep &= ~(unsigned)c;
			if (c & KEEP_MODE)
				opt.no_mode = 1;
			no_preserve = 1;
			break;
		case OPT_NO_PROGRESS: opt.bar = BAR_NEVER; break;
		case OPT_NO_SYNC: opt.sync = 0; break;
		case OPT_OLDER:
			errno = 0;
			sweep_older = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || sweep_older < 0)
				usage("invalid number of seconds: %s",
				    q(optarg));
			break;
		case OPT_PARENTS: parents = 1; break;
		case OPT_PROGRESS: opt.bar = BAR_ALWAYS; break;
		case 'R': case 'r': opt.recursive = 1; break;
		case OPT_REFLINK: opt.clone = reflink_when(optarg); break;
		case OPT_REMOVE: opt.remove_first = 1; break;
		case OPT_ROUTES: opt.routes = opt.verbose = 1; break;
		case 's': opt.sym_link = 1; break;
		case 'S': backup = 1; opt.suffix = optarg; break;
		case OPT_SPARSE: opt.holes = sparse_when(optarg); break;
		case OPT_STRIP: strip_slashes = 1; break;
		case OPT_SWEEP: sweep_dir = optarg; break;
		case 't':
			if (target_dir)
				usage("multiple target directories specified",
				    NULL);
			target_dir = optarg;
			break;
		case 'T': no_target_dir = 1; break;
		case 'u': opt.update = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'x': opt.one_fs = 1; break;
		case OPT_HELP:
			fputs(help, stdout);
			exit(0);
		case OPT_VERSION:
			printf("pscp (libpathsafe) %s\n", ps_version());
			exit(0);
		default:
			usage(NULL, NULL);
		}
	}
	(void)no_preserve;
	if (opt.hard_link && opt.sym_link)
		usage("cannot make both hard and symbolic links", NULL);
	if (backup && opt.interactive == ASK_NO)
		usage("options --backup and --no-clobber are mutually "
		    "exclusive", NULL);
	if (opt.clone == PS__CLONE_ALWAYS && opt.holes != PS__HOLES_KEEP)
		usage("--reflink can be used only with --sparse=auto", NULL);
	if (backup) {
		const char *env = getenv("VERSION_CONTROL");

		opt.backup = backup_arg ? backup_type(backup_arg,
		    "backup type") : env ? backup_type(env,
		    "$VERSION_CONTROL") : BACKUP_EXISTING;
		if (!opt.suffix)
			opt.suffix = getenv("SIMPLE_BACKUP_SUFFIX");
		if (!opt.suffix || !*opt.suffix || strchr(opt.suffix, '/'))
			opt.suffix = "~";
	}
	if (target_dir && no_target_dir) {
		fail(0, "cannot combine --target-directory (-t) and "
		    "--no-target-directory (-T)");
		exit(1);
	}
	/* As cp: -f with -l or -s removes the destination first. */
	if (opt.force && (opt.hard_link || opt.sym_link))
		opt.remove_first = 1;
	if (opt.deref == DEREF_UNSET)
		opt.deref = opt.recursive && !opt.hard_link ? DEREF_NEVER :
		    DEREF_ALWAYS;
	/* Kept for cp's -p ACL rule: a mode not kept comes from the umask,
	 * and --no-preserve=mode makes new files 0666 minus the umask. */
}

/* The operand with its trailing slashes removed ("/" stays "/"). */
static char *strip(const char *path, int *slash)
{
	char *s = strdup(path);
	size_t n = strlen(path);

	if (!s) {
		fail(ENOMEM, "cannot continue");
		exit(1);
	}
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	*slash = s[n] != path[n];
	return s;
}

static int follow(const char *src)
{
	size_t n = strlen(src);

	/* As cp: a symlink operand written with a trailing slash is
	 * followed by the kernel itself. */
	return opt.deref != DEREF_NEVER || (n && src[n - 1] == '/') ?
	    FOLLOW : 0;
}

/* The sources already copied, cp's "specified more than once". */
struct seen {
	dev_t dev;
	ino_t ino;
	char *name;
	struct seen *next;
};

static int seen_before(const char *src)
{
	static struct seen *list;
	struct stat st;
	struct seen *s;

	if (opt.backup != BACKUP_NONE ||
	    (follow(src) ? stat(src, &st) : lstat(src, &st)) < 0 ||
	    S_ISDIR(st.st_mode))
		return 0;
	for (s = list; s; s = s->next)
		if (s->dev == st.st_dev && s->ino == st.st_ino &&
		    !strcmp(s->name, src))
			return 1;
	if ((s = malloc(sizeof(*s)))) {
		*s = (struct seen){ st.st_dev, st.st_ino, strdup(src), list };
		list = s;
	}
	return 0;
}

/* --parents with -p: each directory made for the operand, innermost
 * first, gets the attributes of the source's after the copy (cp's
 * re_protect: times, owner, mode and ACL). */
struct parent {
	int fd;
	char *src, *path;
	struct parent *next;
};
static struct parent *parents_made;

static void parents_protect(void)
{
	unsigned keep = opt.keep;
	struct parent *p, *next;
	struct stat st;
	int sfd;

	/* cp keeps no extended attributes on these. */
	opt.keep &= ~(unsigned)KEEP_XATTR;
	for (p = parents_made; p; p = next) {
		next = p->next;
		sfd = open(p->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0 || fstat(sfd, &st) < 0)
			fail(errno, "failed to get attributes of %s", q(p->src));
		else
			keep_attrs(p->fd, &(struct loc){ p->fd, ".", p->path },
			    &st, sfd, 0);
		if (sfd >= 0)
			close(sfd);
		close(p->fd);
		free(p->src);
		free(p->path);
		free(p);
	}
	parents_made = NULL;
	opt.keep = keep;
}

/* --parents: makes dir/src's directories as cp does, returns the fd of
 * the last one (or -1, reported); *base gets the last component. */
static int make_parents(int dirfd, const char *dir, const char *src,
    const char **base)
{
	char *s = strdup(src), *p = s, *slash, *path;
	int fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC), next;
	struct parent *made;
	struct stat st;
	int created;

	while (fd >= 0 && (slash = strchr(p, '/'))) {
		*slash = '\0';
		if (*p) {
			path = join(dir, s);
			created = 0;
			if (mkdirat(fd, p, 0700) == 0) {
				created = 1;
				if (stat(s, &st) == 0)
					fchmodat(fd, p, st.st_mode & 07777 &
					    ~(opt.keep & KEEP_MODE ? 0 :
					    opt.umask), 0);
				/* cp prints these two names as they are. */
				if (opt.verbose)
					printf("%s -> %s\n", s, path);
			} else if (errno != EEXIST) {
				fail(errno, "cannot make directory %s",
				    q(path));
				close(fd);
				fd = -1;
			}
			if (fd >= 0) {
				next = openat(fd, p, O_PATH | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
				if (next < 0)
					fail(errno, "%s exists but is not a "
					    "directory", q(path));
				close(fd);
				fd = next;
			}
			if (fd >= 0 && created && (opt.keep & (KEEP_MODE |
			    KEEP_OWNER | KEEP_TIMES)) &&
			    (made = malloc(sizeof(*made)))) {
				*made = (struct parent){ openat(fd, ".",
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC),
				    strdup(s), path, parents_made };
				path = NULL;
				if (made->fd >= 0 && made->src) {
					parents_made = made;
				} else {
					if (made->fd >= 0)
						close(made->fd);
					free(made->src);
					free(made->path);
					free(made);
				}
			}
			free(path);
		}
		*slash = '/';
		p = slash + 1;
	}
	*base = src + (p - s);
	free(s);
	return fd;
}

static int copy_into(const char *src, int dirfd, const char *dir)
{
	struct loc from = { AT_FDCWD, src, src }, to = { dirfd, NULL, NULL };
	int slash, r, pfd = -1;
	char *s = strip(src, &slash), *base = strrchr(s, '/');
	const char *name;

	if (seen_before(src)) {
		fail(0, "warning: source file %s specified more than once",
		    q(src));
		free(s);
		return 0;
	}
	if (parents) {
		pfd = make_parents(dirfd, dir, s, &name);
		if (pfd < 0) {
			free(s);
			return -1;
		}
		to.dirfd = pfd;
		to.name = name;
		to.path = join(dir, s);
	} else {
		base = base && base[1] ? base + 1 : s;
		to.name = base;
		to.path = join(dir, base);
	}
	r = copy_entry(&from, &to, TOP | follow(src), 0);
	if (parents)
		parents_protect();
	if (pfd >= 0)
		close(pfd);
	free((char *)to.path);
	free(s);
	return r;
}

static int copy_to(const char *src, const char *dst)
{
	struct loc from = { AT_FDCWD, src, src }, to = { -1, NULL, dst };
	int slash, r = -1;
	char *d = strip(dst, &slash), *base = strrchr(d, '/');

	if (base) {
		*base = '\0';
		to.dirfd = open(base == d ? "/" : d,
		    O_PATH | O_DIRECTORY | O_CLOEXEC);
		to.name = base + 1;
	} else {
		to.dirfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		to.name = d;
	}
	if (to.dirfd < 0)
		fail(errno, "cannot create regular file %s", q(dst));
	else
		r = copy_entry(&from, &to, TOP | follow(src) |
		    (slash ? SLASH : 0), 0);
	if (to.dirfd >= 0)
		close(to.dirfd);
	free(d);
	return r;
}

static int sweep(void)
{
	int n = ps_tmpfile_sweep(AT_FDCWD, sweep_dir,
	    sweep_older < 0 ? 0 : (unsigned)sweep_older);

	if (n < 0)
		return -fail(errno, "cannot sweep %s", q(sweep_dir));
	if (opt.verbose)
		printf("removed %d hidden file%s from %s\n", n,
		    n == 1 ? "" : "s", q(sweep_dir));
	return 0;
}

int main(int argc, char **argv)
{
	const char *last;
	struct stat st;
	int n, dirfd, r = 0, isdir;

	setlocale(LC_ALL, "");
	parse(argc, argv);
	if (sweep_dir) {
		if (optind < argc)
			usage("extra operand %s", q(argv[optind]));
		return sweep() ? 1 : 0;
	}
	if (sweep_older >= 0)
		usage("--older-than needs --sweep", NULL);
	n = argc - optind;
	if (strip_slashes)
		for (int i = optind; i < argc; i++) {
			int dummy;
			argv[i] = strip(argv[i], &dummy);
		}
	if (n < 1 || (n < 2 && !target_dir)) {
		if (n < 1)
			usage("missing file operand", NULL);
		usage("missing destination file operand after %s",
		    q(argv[optind]));
	}
	if (no_target_dir && n > 2)
		usage("extra operand %s", q(argv[optind + 2]));
	opt.umask = umask(0);
	umask(opt.umask);
	signals_init();
	if (target_dir) {
		last = target_dir;
		if (stat(last, &st) < 0)
			return -fail(errno, "target directory %s", q(last));
		if (!S_ISDIR(st.st_mode))
			return -fail(ENOTDIR, "target directory %s", q(last));
		isdir = 1;
		argc++;		/* every operand is a source */
	} else {
		last = argv[argc - 1];
		isdir = !no_target_dir && stat(last, &st) == 0 &&
		    S_ISDIR(st.st_mode);
		if (!isdir && !no_target_dir && n > 2) {
			if (stat(last, &st) < 0)
				return -fail(errno, "target %s", q(last));
			return -fail(ENOTDIR, "target %s", q(last));
		}
	}
	if (parents && !isdir)
		usage("with --parents, the destination must be a directory",
		    NULL);
	if (!isdir) {
		r = copy_to(argv[optind], last);
	} else if ((dirfd = open(last, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = fail(errno, "cannot open directory %s", q(last));
	} else {
		for (int i = optind; i < argc - 1; i++)
			r |= copy_into(argv[i], dirfd, last);
		close(dirfd);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		r = fail(errno, "write error");
	return r ? 1 : 0;
}
