/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/fcntl.h (installed as <fcntl.h>): the open flags,
 * *at flags and fcntl commands the library uses.
 */
#ifndef _SYS_FCNTL_H_
#define _SYS_FCNTL_H_

#include <sys/_types.h>

#ifndef _MODE_T_DECLARED
typedef __mode_t	mode_t;
#define _MODE_T_DECLARED
#endif

#define	O_RDONLY	0x0000
#define	O_WRONLY	0x0001
#define	O_RDWR		0x0002
#define	O_ACCMODE	0x0003
#define	O_APPEND	0x0008
#define	O_NOFOLLOW	0x0100
#define	O_CREAT		0x0200
#define	O_TRUNC		0x0400
#define	O_EXCL		0x0800
#define	O_DIRECTORY	0x00020000
#define	O_EXEC		0x00040000
#define	O_SEARCH	O_EXEC
#define	O_CLOEXEC	0x00100000
#define	O_PATH		0x00400000
#define	O_EMPTY_PATH	0x02000000

#define	AT_FDCWD		-100
#define	AT_SYMLINK_NOFOLLOW	0x0200
#define	AT_REMOVEDIR		0x0800
#define	AT_EMPTY_PATH		0x4000

#define	F_GETFL		3
#define	F_KINFO		22

int	fcntl(int, int, ...);
int	openat(int, const char *, int, ...);

#endif /* !_SYS_FCNTL_H_ */
