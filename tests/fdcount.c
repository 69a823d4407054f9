/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fdcount.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define PROC_ROOT_INO 1
#define FD_SCAN 1024

int pst_is_procfs_root(int fd)
{
	struct statfs sfs;
	struct stat st;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC &&
	    fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO;
}

int pst_fd_count(void)
{
	int n = 0, roots = 0;

	for (int fd = 0; fd < FD_SCAN; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		n++;
		roots += pst_is_procfs_root(fd);
	}
	return n - (roots > 0);
}
