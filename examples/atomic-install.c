/* SPDX-License-Identifier: MIT */
/*
 * atomic-install: install standard input as DIR/NAME, atomically, the way
 * apk installs a package's files: an anonymous O_TMPFILE in the target
 * directory, written, fsync'ed and only then given its name.  A reader of
 * DIR/NAME sees the old file or the complete new one, never a partial one.
 * Where the filesystem has no O_TMPFILE, the library uses a hidden file
 * and rename; where the kernel refuses the link, it copies.  The routes
 * taken are printed.
 *
 *	atomic-install DIR NAME MODE < content
 *
 * Build: cc atomic-install.c $(pkg-config --cflags --libs pathsafe)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

static int copy_in(int fd)
{
	char buf[65536];
	ssize_t n, w;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (ssize_t at = 0; at < n; at += w) {
			w = write(fd, buf + at, n - at);
			if (w < 0 && errno != EINTR)
				return -1;
			w = w < 0 ? 0 : w;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	ps_tmpfile *t;
	char tmp_route[32];
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DIR NAME MODE < content\n", argv[0]);
		return 2;
	}
	/* The mode is given to the file before it has a name: it is never
	 * visible with a wider one.  The umask applies, as for open(2). */
	t = ps_tmpfile_open(AT_FDCWD, argv[1],
	    (mode_t)strtoul(argv[3], NULL, 8), 0);
	if (!t) {
		fprintf(stderr, "atomic-install: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	snprintf(tmp_route, sizeof(tmp_route), "%s", ps_last_route());
	if (copy_in(ps_tmpfile_fd(t)) < 0) {
		fprintf(stderr, "atomic-install: write: %s\n", strerror(errno));
		ps_tmpfile_close(t);	/* leaves nothing behind */
		return 1;
	}
	r = ps_publish_tmpfile(t, argv[2], PS_REPLACE);
	if (r < 0) {
		fprintf(stderr, "atomic-install: %s/%s: %s\n", argv[1],
		    argv[2], strerror(errno));
		ps_tmpfile_close(t);
		return 1;
	}
	printf("installed %s/%s (tmpfile: %s, publish: %s%s)\n", argv[1],
	    argv[2], tmp_route, ps_last_route(),
	    r == PS_COPIED ? ", copied" : "");
	ps_tmpfile_close(t);
	return 0;
}
