/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/_types.h with sys/x86/include/_types.h (amd64):
 * the underlying types the other stub headers name.
 */
#ifndef _SYS__TYPES_H_
#define _SYS__TYPES_H_

typedef signed char		__int8_t;
typedef unsigned char		__uint8_t;
typedef short			__int16_t;
typedef unsigned short		__uint16_t;
typedef int			__int32_t;
typedef unsigned int		__uint32_t;
typedef long			__int64_t;
typedef unsigned long		__uint64_t;
typedef __uint64_t		__uint_fast64_t;
typedef __uint64_t		__size_t;
typedef __int64_t		__ssize_t;
typedef __int64_t		__time_t;
typedef __int64_t		__off_t;
typedef __int64_t		__blkcnt_t;
typedef __int32_t		__blksize_t;
typedef __int32_t		__clockid_t;
typedef __uint64_t		__dev_t;
typedef __uint32_t		__fflags_t;
typedef __uint32_t		__gid_t;
typedef __uint64_t		__ino_t;
typedef __uint16_t		__mode_t;
typedef __uint64_t		__nlink_t;
typedef __int32_t		__pid_t;
typedef __uint32_t		__uid_t;

#endif /* !_SYS__TYPES_H_ */
