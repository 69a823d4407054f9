/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 include/stdio.h: renameat(2) is declared here. */
#ifndef	_STDIO_H_
#define	_STDIO_H_

int	 renameat(int, const char *, int, const char *);

#endif /* !_STDIO_H_ */
