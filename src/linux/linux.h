/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Linux routes only. */
#ifndef PS_LINUX_H
#define PS_LINUX_H

#include "../internal.h"

/* The entry name of an fd under /proc/self/fd: up to 10 digits. */
#define PS__FDNAME_SIZE 16

PS__HIDDEN int ps__linux_proc_fd_dir(int fd, char ent[PS__FDNAME_SIZE]);
PS__HIDDEN int ps__linux_filtered(long nr, long a, long b, long c, long d,
    long e);

#endif /* PS_LINUX_H */
