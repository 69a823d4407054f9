/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 include/stdlib.h: the allocator. */
#ifndef _STDLIB_H_
#define	_STDLIB_H_

#include <sys/_null.h>
#include <sys/_types.h>

#ifndef _SIZE_T_DECLARED
typedef	__size_t	size_t;
#define	_SIZE_T_DECLARED
#endif

void	 free(void *);
void	*malloc(size_t);
void	*realloc(void *, size_t);

#endif /* !_STDLIB_H_ */
