/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 include/unistd.h with sys/sys/unistd.h (SEEK_*): the calls
 * the library makes.  funlinkat(2) and copy_file_range(2) appeared in
 * 13.0 (their manual pages' HISTORY).
 */
#ifndef _UNISTD_H_
#define	_UNISTD_H_

#include <sys/_null.h>
#include <sys/types.h>

#define	SEEK_SET	0
#define	SEEK_CUR	1
#define	SEEK_DATA	3
#define	SEEK_HOLE	4

int	 close(int);
ssize_t	 copy_file_range(int, off_t *, int, off_t *, size_t, unsigned int);
int	 fchown(int, uid_t, gid_t);
int	 fsync(int);
int	 ftruncate(int, off_t);
int	 funlinkat(int, const char *, int, int);
pid_t	 getpid(void);
int	 linkat(int, const char *, int, const char *, int);
off_t	 lseek(int, off_t, int);
ssize_t	 pread(int, void *, size_t, off_t);
ssize_t	 pwrite(int, const void *, size_t, off_t);
ssize_t	 read(int, void *, size_t);
int	 unlinkat(int, const char *, int);

#endif /* !_UNISTD_H_ */
