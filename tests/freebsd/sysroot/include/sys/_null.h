/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/_null.h: NULL, for every header that defines it. */
#ifndef NULL
#define	NULL	((void *)0)
#endif
