/* SPDX-License-Identifier: MIT */
/*
 * ps_mkdirs: mkdir -p beneath a root.  Routes: openat2 when the whole
 * path already exists; walk otherwise, which creates each missing
 * directory by a single name in the directory it holds open, so a rename
 * or symlink swap of any component can never place one outside the root.
 */
#include <fcntl.h>

#include "internal.h"

int ps_mkdirs(int dirfd, const char *path, mode_t mode, unsigned flags)
{
	int r = 0;

	if ((flags & ~PS__RESOLVE_FLAGS) || (mode & ~07777))
		r = -EINVAL;
	if (r == 0)
		r = ps__resolve(dirfd, path, O_PATH | O_DIRECTORY, 0, flags);
	if (r == -ENOENT)
		r = ps__resolve(dirfd, path, O_PATH | O_DIRECTORY, mode,
		    flags | PS__RESOLVE_MKDIRS);
	return ps__ret(r);
}
