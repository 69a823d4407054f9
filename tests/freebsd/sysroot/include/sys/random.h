/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/random.h: getrandom(2), since 12.0. */
#ifndef	_SYS_RANDOM_H_
#define	_SYS_RANDOM_H_

#include <sys/types.h>

#define GRND_NONBLOCK	0x1

ssize_t getrandom(void *buf, size_t buflen, unsigned int flags);

#endif /* !_SYS_RANDOM_H_ */
