/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/stdint.h with sys/x86/include/_stdint.h (amd64). */
#ifndef _SYS_STDINT_H_
#define _SYS_STDINT_H_

#include <sys/_types.h>

typedef __int64_t	int64_t;
typedef __uint16_t	uint16_t;
typedef __uint32_t	uint32_t;
typedef __uint64_t	uint64_t;
typedef __uint_fast64_t	uint_fast64_t;

#define	INT64_MAX	0x7fffffffffffffff

#endif /* !_SYS_STDINT_H_ */
