/* SPDX-License-Identifier: MIT */
/*
 * pscp: cp whose destination is never seen half-written.  Options and
 * operands; the copy itself is in tree.c and file.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
	OPT_REFLINK, OPT_HELP, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "no-clobber", no_argument, NULL, 'n' },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "no-sync", no_argument, NULL, OPT_NO_SYNC },
	{ "preserve", optional_argument, NULL, 'p' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "recursive", no_argument, NULL, 'r' },
	{ "reflink", optional_argument, NULL, OPT_REFLINK },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char help[] =
"Usage: pscp [OPTION]... SOURCE DEST\n"
"  or:  pscp [OPTION]... SOURCE... DIRECTORY\n"
"Copy SOURCE to DEST, or each SOURCE into DIRECTORY.\n"
"\n"
"      --atomic          write each file to an anonymous file in its final\n"
"                        directory and give it its name at once: a reader\n"
"                        sees the old file or the whole new one, never a\n"
"                        part, even if pscp is killed\n"
"  -n, --no-clobber      do not replace an existing file\n"
"  -p                    same as --preserve=mode\n"
"      --preserve[=LIST] keep the attributes in LIST: mode (the default),\n"
"                        ownership, timestamps, xattr, all\n"
"  -r, -R, --recursive   copy directories and their contents\n"
"      --reflink[=WHEN]  share the data blocks (a clone): auto (the\n"
"                        default, falling back to a copy), always, never\n"
"                        (read and write: copy_file_range may clone)\n"
"      --no-sync         with --atomic, do not fsync each file and its\n"
"                        directory before going on\n"
"      --progress        show a progress bar with bytes/s on stderr\n"
"      --no-progress     never show one (the default shows it for files\n"
"                        of 64 MiB and more when stderr is a terminal)\n"
"  -v, --verbose         name each copy and the routes it took\n"
"      --help            display this help and exit\n"
"      --version         output version information and exit\n"
"\n"
"Without --atomic, pscp copies as cp does: an existing destination file\n"
"is opened, truncated and written in place (O_WRONLY|O_CREAT|O_TRUNC),\n"
"so it is seen half-written meanwhile and keeps its mode and owner.\n"
"With --atomic, it is replaced by a new file (mode: the source's minus\n"
"the umask, unless preserved); the data is fsync'ed unless --no-sync.\n"
"\n"
"A symlink at a destination name is never followed: --atomic replaces\n"
"it, and without --atomic it is refused.  Directories are created with\n"
"mkdirat and entered without following symlinks.  With -r, symlinks in\n"
"SOURCE (operands included) are copied as symlinks, and special files\n"
"are created as such; without -r, operands are followed and read.\n"
"\n"
"Exit status: 0 if all went well, 1 if any file failed, 2 for usage\n"
"errors.\n";

int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("pscp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	return -1;
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
	exit(2);
}

static unsigned preserve_list(char *list)
{
	static const char *const names[] = { "mode", "ownership",
		"timestamps", "xattr" };
	unsigned keep = 0, i;

	for (char *w = strtok(list, ","); w; w = strtok(NULL, ",")) {
		for (i = 0; i < 4 && strcmp(w, names[i]); i++)
			;
		if (i == 4 && strcmp(w, "all"))
			usage("invalid argument '%s' for '--preserve'", w);
		keep |= i == 4 ? KEEP_MODE | KEEP_OWNER | KEEP_TIMES |
		    KEEP_XATTR : 1u << i;
	}
	return keep;
}

static int reflink_when(const char *when)
{
	if (!when || !strcmp(when, "always"))
		return PS__CLONE_ALWAYS;
	if (!strcmp(when, "auto"))
		return PS__CLONE_AUTO;
	if (!strcmp(when, "never"))
		return PS__CLONE_NEVER;
	usage("invalid argument '%s' for '--reflink'", when);
}

static void parse(int argc, char **argv)
{
	int c;

	/* getopt names argv[0] in its messages. */
	argv[0] = "pscp";
	while ((c = getopt_long(argc, argv, "npRrv", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ATOMIC: opt.atomic = 1; break;
		case 'n': opt.no_clobber = 1; break;
		case OPT_NO_PROGRESS: opt.bar = BAR_NEVER; break;
		case OPT_NO_SYNC: opt.sync = 0; break;
		case 'p':
			opt.keep |= optarg ? preserve_list(optarg) : KEEP_MODE;
			break;
		case OPT_PROGRESS: opt.bar = BAR_ALWAYS; break;
		case 'R': case 'r': opt.recursive = 1; break;
		case OPT_REFLINK: opt.clone = reflink_when(optarg); break;
		case 'v': opt.verbose = 1; break;
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

	/* As cp: -r copies a symlink operand as a symlink, unless it is
	 * written with a trailing slash. */
	return !opt.recursive || src[n - 1] == '/' ? FOLLOW : 0;
}

static int copy_into(const char *src, int dirfd, const char *dir)
{
	struct loc from = { AT_FDCWD, src, src }, to = { dirfd, NULL, NULL };
	int slash, r;
	char *s = strip(src, &slash), *base = strrchr(s, '/');

	base = base && base[1] ? base + 1 : s;
	if (!strcmp(base, "..") || !strcmp(base, "/")) {
		free(s);
		return fail(EINVAL, "cannot copy '%s' by name", src);
	}
	to.name = base;
	to.path = join(dir, base);
	r = copy_entry(&from, &to, TOP | follow(src));
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
		fail(errno, "cannot create '%s'", dst);
	else
		r = copy_entry(&from, &to, TOP | follow(src) |
		    (slash ? SLASH : 0));
	if (to.dirfd >= 0)
		close(to.dirfd);
	free(d);
	return r;
}

int main(int argc, char **argv)
{
	const char *last;
	struct stat st;
	int n, dirfd, r = 0;

	parse(argc, argv);
	n = argc - optind;
	if (n < 1)
		usage("missing file operand", NULL);
	if (n < 2)
		usage("missing destination file operand after '%s'",
		    argv[optind]);
	opt.umask = umask(0);
	umask(opt.umask);
	signals_init();
	last = argv[argc - 1];
	if (stat(last, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (n > 2)
			return -fail(0, "target '%s' is not a directory", last);
		r = copy_to(argv[optind], last);
	} else if ((dirfd = open(last, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = fail(errno, "cannot open directory '%s'", last);
	} else {
		for (int i = optind; i < argc - 1; i++)
			r |= copy_into(argv[i], dirfd, last);
		close(dirfd);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		r = fail(errno, "write error");
	return r ? 1 : 0;
}
