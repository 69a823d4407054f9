/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/types.h: the types the library names. */
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

#include <sys/_types.h>

typedef __dev_t		dev_t;
typedef __gid_t		gid_t;
typedef __ino_t		ino_t;
#ifndef _MODE_T_DECLARED
typedef __mode_t	mode_t;
#define _MODE_T_DECLARED
#endif
typedef __nlink_t	nlink_t;
typedef __off_t		off_t;
typedef __pid_t		pid_t;
#ifndef _SIZE_T_DECLARED
typedef __size_t	size_t;
#define _SIZE_T_DECLARED
#endif
typedef __ssize_t	ssize_t;
typedef __time_t	time_t;
typedef __uid_t		uid_t;

#endif /* !_SYS_TYPES_H_ */
