/* SPDX-License-Identifier: MIT */
/*
 * remove-lock: take a lock file, do some work, then remove the lock only
 * if it is still ours.  If a stale-lock breaker (or an attacker who can
 * write the directory) replaced it meanwhile, unlink(2) would delete the
 * other process's lock; ps_funlinkat() fails with EDEADLK and leaves it.
 * With --by-fd the name is found from the descriptor (ps_funlink), as for
 * a temporary file whose name we did not keep.
 *
 *	remove-lock [--by-fd] DIR NAME [COMMAND...]
 *
 * COMMAND stands for the work done while the lock is held; it runs with
 * the lock's path in $LOCK.  Exit status: 0 removed, 3 no longer ours.
 *
 * Build: cc remove-lock.c $(pkg-config --cflags --libs pathsafe)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	int by_fd = argc > 1 && !strcmp(argv[1], "--by-fd");
	char path[4096], pid[32];
	int dirfd, fd, r;

	argv += by_fd;
	argc -= by_fd;
	if (argc < 3) {
		fprintf(stderr, "usage: remove-lock [--by-fd] DIR NAME "
		    "[COMMAND...]\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* O_EXCL: the lock is taken only if nobody holds it. */
	fd = openat(dirfd, argv[2],
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "remove-lock: %s/%s: %s\n", argv[1], argv[2],
		    strerror(errno));
		return 1;
	}
	r = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (write(fd, pid, r) != r)
		perror("write");
	snprintf(path, sizeof(path), "%s/%s", argv[1], argv[2]);
	setenv("LOCK", path, 1);
	if (argc > 3 && run(argv + 3) != 0)
		fprintf(stderr, "remove-lock: the work failed\n");

	r = by_fd ? ps_funlink(fd, 0) : ps_funlinkat(dirfd, argv[2], fd, 0);
	if (r == 0)
		printf("removed our lock %s (route: %s)\n", path,
		    ps_last_route());
	else if (errno == EDEADLK || (by_fd && errno == ENOENT))
		printf("%s is no longer ours: left alone (%s)\n", path,
		    strerror(errno));
	else
		fprintf(stderr, "remove-lock: %s: %s\n", path,
		    strerror(errno));
	close(fd);
	close(dirfd);
	return r == 0 ? 0 : errno == EDEADLK || errno == ENOENT ? 3 : 1;
}
