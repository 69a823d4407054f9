/* SPDX-License-Identifier: MIT */
/*
 * atomic-install: install files atomically, the way a package manager
 * does: each is an anonymous O_TMPFILE in the target directory, written
 * and only then given its name, so a reader of DIR/NAME sees the old file
 * or the complete new one, never a partial one.  Where the filesystem has
 * no O_TMPFILE, the library uses a hidden file and rename; where the
 * kernel refuses the link, it copies.  The routes taken are printed.
 *
 *	atomic-install DIR NAME MODE < content
 *	atomic-install -t DIR MODE FILE...
 *
 * Two durability policies, for two kinds of caller:
 *
 * One file, durable by itself (the first form).  ps_publish_tmpfile
 * fsyncs the file before it gets its name and the directory after: once
 * it returns, the new file survives a crash.  For a program that
 * installs one file at a time and must be able to say "done" for each
 * (a configuration tool, a daemon writing its state).  Each file pays
 * two fsyncs.
 *
 * A transaction, durable at its end (-t; apk's policy).  Every file is
 * published with PS_NO_SYNC, and one syncfs(2) of the directory's
 * filesystem at the end makes them all durable at once, which costs far
 * less than an fsync per file when there are many (without syncfs, as on
 * FreeBSD, the files and the directory are fsync'ed at the end).  Until the syncfs
 * returns, a crash may lose any of the new files (each name then holds
 * the old file or the new one, complete, or on some filesystems an
 * empty one): the caller records the transaction as done only after it.
 * The directory is opened once and borrowed by every handle
 * (PS_EMPTY_PATH), and ps_tmpfile_close's result is checked: with
 * PS_NO_SYNC it is the only news of a write error the filesystem
 * reported late (NFS reports them at close); such a file must be
 * installed again.
 *
 * Build: cc atomic-install.c $(pkg-config --cflags --libs pathsafe)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* syncfs, on Linux */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

static int copy_in(int to, int from)
{
	char buf[65536];
	ssize_t n, w;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (ssize_t at = 0; at < n; at += w) {
			w = write(to, buf + at, n - at);
			if (w < 0 && errno != EINTR)
				return -1;
			w = w < 0 ? 0 : w;
		}
	}
	return 0;
}

/* Installs the content of from as name in the directory dirfd/dir: 0 or
 * -1 (reported).  flags: PS_NO_SYNC for a transaction. */
static int install(int dirfd, const char *dir, const char *name,
    mode_t mode, int from, unsigned flags)
{
	char tmp_route[32];
	ps_tmpfile *t;
	int r;

	/* The mode is given to the file before it has a name: it is never
	 * visible with a wider one.  The umask applies, as for open(2). */
	t = ps_tmpfile_open(dirfd, dir, mode, dir[0] ? 0 : PS_EMPTY_PATH);
	if (!t) {
		fprintf(stderr, "atomic-install: %s: %s\n", dir[0] ? dir : ".",
		    strerror(errno));
		return -1;
	}
	snprintf(tmp_route, sizeof(tmp_route), "%s", ps_last_route());
	if (copy_in(ps_tmpfile_fd(t), from) < 0) {
		fprintf(stderr, "atomic-install: write: %s\n", strerror(errno));
		ps_tmpfile_close(t);	/* leaves nothing behind */
		return -1;
	}
	r = ps_publish_tmpfile(t, name, PS_REPLACE | flags);
	if (r < 0) {
		fprintf(stderr, "atomic-install: %s: %s\n", name,
		    strerror(errno));
		ps_tmpfile_close(t);
		return -1;
	}
	printf("installed %s (tmpfile: %s, publish: %s%s)\n", name,
	    tmp_route, ps_last_route(), r == PS_COPIED ? ", copied" : "");
	/* Published, but with PS_NO_SYNC a late write error lands here. */
	if (ps_tmpfile_close(t) < 0) {
		fprintf(stderr, "atomic-install: %s: %s; install it again\n",
		    name, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The transaction's one sync point: syncfs(2) of the directory's
 * filesystem where there is one (Linux); elsewhere an fsync of each file
 * installed and of the directory, at the end, all at once.
 */
static int commit(int dirfd, char **names, int n)
{
#ifdef __linux__
	(void)names, (void)n;
	return syncfs(dirfd);
#else
	int fd, r = 0;

	for (int i = 0; i < n && r == 0; i++) {
		fd = openat(dirfd, names[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		r = fsync(fd);
		close(fd);
	}
	return r == 0 ? fsync(dirfd) : r;
#endif
}

/* -t DIR MODE FILE...: each FILE as DIR/its base name, then one sync. */
static int transaction(int argc, char **argv)
{
	mode_t mode = (mode_t)strtoul(argv[3], NULL, 8);
	int dirfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int failed = 0, done = 0, from;
	char **names = calloc(argc, sizeof(*names));

	if (dirfd < 0 || !names) {
		fprintf(stderr, "atomic-install: %s: %s\n", argv[2],
		    strerror(errno));
		return 1;
	}
	for (int i = 4; i < argc; i++) {
		from = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (from < 0) {
			fprintf(stderr, "atomic-install: %s: %s\n", argv[i],
			    strerror(errno));
			failed = 1;
			continue;
		}
		names[done] = strrchr(argv[i], '/') ?
		    strrchr(argv[i], '/') + 1 : argv[i];
		if (install(dirfd, "", names[done], mode, from, PS_NO_SYNC) < 0)
			failed = 1;
		else
			done++;
		close(from);
	}
	/* Every file above, durable now: the transaction is done. */
	if (commit(dirfd, names, done) < 0) {
		fprintf(stderr, "atomic-install: sync: %s\n", strerror(errno));
		failed = 1;
	}
	free(names);
	close(dirfd);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "-t"))
		return transaction(argc, argv);
	if (argc != 4) {
		fprintf(stderr, "usage: %s DIR NAME MODE < content\n"
		    "       %s -t DIR MODE FILE...\n", argv[0], argv[0]);
		return 2;
	}
	return install(AT_FDCWD, argv[1], argv[2],
	    (mode_t)strtoul(argv[3], NULL, 8), STDIN_FILENO, 0) < 0;
}
