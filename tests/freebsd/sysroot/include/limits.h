/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/syslimits.h, reached through <limits.h>. */
#ifndef _LIMITS_H_
#define _LIMITS_H_

#define	PATH_MAX	1024

#endif /* !_LIMITS_H_ */
