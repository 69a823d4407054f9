/* SPDX-License-Identifier: MIT */
/* Placeholder while the resolver is written (replaced in the next commit). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int ps__resolve_parent(int dirfd, const char *path, unsigned rflags,
    struct ps__parent *p)
{
	(void)dirfd, (void)path, (void)rflags, (void)p;
	return -ENOSYS;
}

void ps__parent_close(struct ps__parent *p)
{
	if (p->owned)
		close(p->fd);
}

int ps__resolve(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	(void)dirfd, (void)path, (void)oflags, (void)mode, (void)rflags;
	return -ENOSYS;
}
