/* SPDX-License-Identifier: MIT */
/*
 * fix-modes: apply modes to a freshly extracted tree without ever
 * following a symlink, even one an attacker swaps in while we walk.
 * Directories are opened O_NOFOLLOW|O_DIRECTORY and changed through the
 * descriptor we then descend into; every other entry is changed by name
 * with ps_fchmod_nofollow(), which refuses a symlink (EOPNOTSUPP on Linux)
 * instead of changing what it points to.  Symlinks are reported and left
 * alone: no check comes before the change, so none can be raced.
 *
 *	fix-modes DIR FILEMODE DIRMODE
 *
 * Build: cc fix-modes.c $(pkg-config --cflags --libs pathsafe)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

static mode_t file_mode, dir_mode;
static int failed;

static void complain(const char *path, const char *name, const char *what)
{
	fprintf(stderr, "fix-modes: %s/%s: %s\n", path, name, what);
	failed = 1;
}

static int is_symlink(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode);
}

/* Takes dfd, a directory opened O_NOFOLLOW, and closes it. */
static void walk(int dfd, const char *path)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	char sub[4096];
	int fd;

	if (!d) {
		complain(path, ".", strerror(errno));
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		/* O_NOFOLLOW: a symlink, even one swapped in for a directory
		 * a moment ago, fails here with ELOOP. */
		fd = openat(dirfd(d), e->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			if (ps_fchmod_nofollow(fd, "", dir_mode,
			    PS_EMPTY_PATH) < 0)
				complain(path, e->d_name, strerror(errno));
			walk(fd, sub);
			continue;
		}
		if (errno != ENOTDIR && errno != ELOOP) {
			complain(path, e->d_name, strerror(errno));
			continue;
		}
		/* No check before the call: the call is the check.  Linux
		 * refuses a symlink with EOPNOTSUPP; FreeBSD changes the
		 * link's own mode, which is as harmless. */
		if (ps_fchmod_nofollow(dirfd(d), e->d_name, file_mode, 0) == 0)
			continue;
		if (errno == EOPNOTSUPP && is_symlink(dirfd(d), e->d_name))
			printf("skipped symlink %s\n", sub);
		else
			complain(path, e->d_name, strerror(errno));
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DIR FILEMODE DIRMODE\n", argv[0]);
		return 2;
	}
	file_mode = (mode_t)strtoul(argv[2], NULL, 8);
	dir_mode = (mode_t)strtoul(argv[3], NULL, 8);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fix-modes: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (ps_fchmod_nofollow(fd, "", dir_mode, PS_EMPTY_PATH) < 0)
		complain(argv[1], ".", strerror(errno));
	printf("route: %s\n", ps_last_route());
	walk(fd, argv[1]);
	return failed;
}
