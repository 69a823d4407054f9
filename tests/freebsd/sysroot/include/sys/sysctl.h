/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/sysctl.h: sysctlbyname(3), which reads
 * kern.osreldate, the running kernel's __FreeBSD_version.
 */
#ifndef _SYS_SYSCTL_H_
#define	_SYS_SYSCTL_H_

#include <sys/types.h>

int	sysctlbyname(const char *, void *, size_t *, const void *, size_t);

#endif /* !_SYS_SYSCTL_H_ */
