/* SPDX-License-Identifier: MIT */
/* A program built only from the installed header and library. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

int main(int argc, char **argv)
{
	const char *msg = "installed\n";
	ps_tmpfile *t;

	if (argc != 3)
		return 2;
	t = ps_tmpfile_open(AT_FDCWD, argv[1], 0644, 0);
	if (!t || write(ps_tmpfile_fd(t), msg, strlen(msg)) < 0 ||
	    ps_publish_tmpfile(t, argv[2], 0) < 0) {
		perror("consumer");
		return 1;
	}
	ps_tmpfile_close(t);
	printf("pathsafe %s: published by %s\n", ps_version(),
	    ps_last_route());
	return 0;
}
