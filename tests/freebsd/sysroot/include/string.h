/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 include/string.h: the functions the library calls. */
#ifndef _STRING_H_
#define	_STRING_H_

#include <sys/_null.h>
#include <sys/_types.h>

#ifndef _SIZE_T_DECLARED
typedef	__size_t	size_t;
#define	_SIZE_T_DECLARED
#endif

void	*memcpy(void * __restrict, const void * __restrict, size_t);
int	 strcmp(const char *, const char *);
int	 strncmp(const char *, const char *, size_t);
size_t	 strnlen(const char *, size_t);
char	*strrchr(const char *, int);
size_t	 strspn(const char *, const char *);

#endif /* !_STRING_H_ */
