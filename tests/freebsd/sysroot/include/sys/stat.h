/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/stat.h: struct stat as laid out since 12.0 (64-bit
 * inodes; no __STAT_TIME_T_EXT padding on amd64), the type tests and the
 * calls the library makes.
 */
#ifndef _SYS_STAT_H_
#define	_SYS_STAT_H_

#include <sys/types.h>
#include <time.h>

typedef	__blkcnt_t	blkcnt_t;
typedef	__blksize_t	blksize_t;
typedef	__fflags_t	fflags_t;

struct stat {
	dev_t     st_dev;
	ino_t	  st_ino;
	nlink_t	  st_nlink;
	mode_t	  st_mode;
	__int16_t st_padding0;
	uid_t	  st_uid;
	gid_t	  st_gid;
	__int32_t st_padding1;
	dev_t     st_rdev;
	struct	timespec st_atim;
	struct	timespec st_mtim;
	struct	timespec st_ctim;
	struct	timespec st_birthtim;
	off_t	  st_size;
	blkcnt_t st_blocks;
	blksize_t st_blksize;
	fflags_t  st_flags;
	__uint64_t st_gen;
	__uint64_t st_spare[10];
};

#define	st_mtime		st_mtim.tv_sec
#define	st_ctime		st_ctim.tv_sec

#define	S_ISUID	0004000
#define	S_ISGID	0002000
#define	S_IRUSR	0000400
#define	S_IWUSR	0000200

#define	S_ISDIR(m)	(((m) & 0170000) == 0040000)
#define	S_ISREG(m)	(((m) & 0170000) == 0100000)
#define	S_ISLNK(m)	(((m) & 0170000) == 0120000)

int	fchmod(int, mode_t);
int	fchmodat(int, const char *, mode_t, int);
int	fstat(int, struct stat *);
int	fstatat(int, const char *, struct stat *, int);
int	futimens(int fd, const struct timespec times[2]);

#endif /* !_SYS_STAT_H_ */
