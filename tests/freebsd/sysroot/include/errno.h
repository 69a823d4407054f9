/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/errno.h (installed as <errno.h>): errno and the
 * values the library tests or returns.
 */
#ifndef _SYS_ERRNO_H_
#define _SYS_ERRNO_H_

int *__error(void);
#define	errno		(* __error())

#define	EPERM		1
#define	ENOENT		2
#define	EINTR		4
#define	ENXIO		6
#define	EBADF		9
#define	EDEADLK		11
#define	ENOMEM		12
#define	EACCES		13
#define	EFAULT		14
#define	EEXIST		17
#define	EXDEV		18
#define	ENOTDIR		20
#define	EINVAL		22
#define	ENFILE		23
#define	EMFILE		24
#define	ESPIPE		29
#define	EMLINK		31
#define	EOPNOTSUPP	45
#define	ELOOP		62
#define	ENAMETOOLONG	63
#define	ENOTEMPTY	66
#define	ENOSYS		78
#define	ENOATTR		87

#endif /* !_SYS_ERRNO_H_ */
