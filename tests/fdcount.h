/* SPDX-License-Identifier: MIT */
/*
 * Descriptor counting for the leak checks of every test program (cmocka,
 * the race harness, the fuzzers), counted by fcntl so that runs without
 * /proc can count too.
 */
#ifndef PS_TEST_FDCOUNT_H
#define PS_TEST_FDCOUNT_H

/* Open descriptors, but for the one procfs handle the library keeps
 * between calls (pathsafe.h); a second one counts. */
int pst_fd_count(void);
/* Is fd the root of a procfs (such as that handle)? */
int pst_is_procfs_root(int fd);

#endif
