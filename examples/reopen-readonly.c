/* SPDX-License-Identifier: MIT */
/*
 * reopen-readonly: a package manager keeps O_PATH handles to the files it
 * verifies (they pin the inode and grant no access).  To read one, reopen
 * it; to pass a descriptor on to less trusted code, reopen with
 * PS_NO_UPGRADE so that nothing can turn read access into write access,
 * the upgrade CVE-2019-5736 used through /proc/self/fd.
 *
 *	reopen-readonly FILE
 *
 * Build: cc reopen-readonly.c $(pkg-config --cflags --libs pathsafe)
 */
#define _GNU_SOURCE 1	/* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

/* Prints the outcome of a reopen; returns 1 if it was not as expected. */
static int show(const char *what, int fd, int want_errno)
{
	if (fd >= 0) {
		printf("%s: allowed (route: %s)\n", what, ps_last_route());
		close(fd);
		return want_errno != 0;
	}
	printf("%s: refused (%s)\n", what, strerror(errno));
	return errno != want_errno;
}

int main(int argc, char **argv)
{
	char buf[256];
	ssize_t n;
	int path_fd, rd_fd, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	path_fd = open(argv[1], O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (path_fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* The caller holds the handle and may read: no PS_NO_UPGRADE. */
	rd_fd = ps_reopen(path_fd, O_RDONLY, 0);
	if (rd_fd < 0) {
		fprintf(stderr, "reopen-readonly: %s: %s\n", argv[1],
		    strerror(errno));
		close(path_fd);
		return 1;
	}
	n = read(rd_fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("read-only reopen of the O_PATH handle (route: %s): %s",
	    ps_last_route(), buf);
	/* An O_PATH handle grants no access, so it may not gain any. */
	bad |= show("O_PATH -> O_RDONLY with PS_NO_UPGRADE",
	    ps_reopen(path_fd, O_RDONLY, PS_NO_UPGRADE), EPERM);
	/* A read-only descriptor may be reopened read-only, never writable. */
	bad |= show("O_RDONLY -> O_RDWR with PS_NO_UPGRADE",
	    ps_reopen(rd_fd, O_RDWR, PS_NO_UPGRADE), EPERM);
	bad |= show("O_RDONLY -> O_RDONLY with PS_NO_UPGRADE",
	    ps_reopen(rd_fd, O_RDONLY, PS_NO_UPGRADE), 0);
	close(rd_fd);
	close(path_fd);
	return bad;
}
