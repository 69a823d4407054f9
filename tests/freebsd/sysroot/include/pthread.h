/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 include/pthread.h: the call the library makes. */
#ifndef _PTHREAD_H_
#define	_PTHREAD_H_

int	pthread_atfork(void (*)(void), void (*)(void), void (*)(void));

#endif /* !_PTHREAD_H_ */
