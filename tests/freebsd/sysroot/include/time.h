/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 include/time.h with sys/sys/_timespec.h and
 * sys/sys/_clock_id.h: the clock the hidden-name fallback reads.
 */
#ifndef _TIME_H_
#define	_TIME_H_

#include <sys/_null.h>
#include <sys/types.h>

#ifndef _TIMESPEC_DECLARED
#define	_TIMESPEC_DECLARED
struct timespec {
	time_t	tv_sec;
	long	tv_nsec;
};
#endif

typedef	__clockid_t	clockid_t;

#define	CLOCK_REALTIME	0
#define	CLOCK_MONOTONIC	4

int	clock_gettime(clockid_t, struct timespec *);
time_t	time(time_t *);

#endif /* !_TIME_H_ */
