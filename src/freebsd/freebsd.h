/* SPDX-License-Identifier: MIT */
/* Helpers shared by the FreeBSD routes only. */
#ifndef PS_FREEBSD_H
#define PS_FREEBSD_H

#include "../internal.h"

/* The oldest kernel the library supports, 13.1 (1301000 is releng/13.1
 * in the Porter's Handbook table of __FreeBSD_version values). */
#define PS__FREEBSD_MIN 1301000

/* The running kernel's __FreeBSD_version, or -1 when it cannot be read. */
PS__HIDDEN int ps__freebsd_osrel(void);

/* resolve.c: is the file open on fd (st: its fstat) an fd/N node, whose
 * open or chmod acts on one of the caller's descriptors instead (1, 0, or
 * -errno)? */
PS__HIDDEN int ps__freebsd_fd_node(int fd, const struct stat *st);

#endif /* PS_FREEBSD_H */
