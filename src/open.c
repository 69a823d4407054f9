/* SPDX-License-Identifier: MIT */
/*
 * ps_open: what openat2 does with the resolution flags, on every kernel.
 * Routes: openat2; walk (src/resolve.c); openat without flags.
 */
#include "internal.h"

int ps_open(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned flags)
{
	int r = flags & ~PS__RESOLVE_FLAGS ? -EINVAL :
	    ps__resolve(dirfd, path, oflags, mode, flags);

	return ps__ret(r);
}

