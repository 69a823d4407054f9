/* SPDX-License-Identifier: MIT */
/*
 * What every cmocka test shares: a scratch directory per test (under
 * $PS_TEST_DIR, so the matrix can point it at tmpfs, ext4, xfs, btrfs),
 * a check that the test leaked no descriptor, the emulation profile the
 * run is under ($PS_EMULATE_PROFILE, set by the matrix alongside
 * ps-emulate) and the route each call must then take.
 */
#ifndef PS_TEST_COMMON_H
#define PS_TEST_COMMON_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <pathsafe/pathsafe.h>

#include "fdcount.h"

struct pst {
	int dirfd;		/* the scratch directory */
	char path[PATH_MAX];
	int fds;		/* descriptors open before the test */
};

/* cmocka setup and teardown: teardown fails the test on a leaked fd. */
int pst_setup(void **state);
int pst_teardown(void **state);
#define PST_TEST(f) cmocka_unit_test_setup_teardown(f, pst_setup, pst_teardown)


/* Is this profile part of the run's emulation? */
int pst_profile(const char *name);
/* Is the scratch directory on a filesystem of this statfs magic? */
int pst_on_fs(const struct pst *t, unsigned long magic);

/* The route each call must take under the run's profile. */
const char *pst_route_chmod(void);
const char *pst_route_link(void);
const char *pst_route_tmpfile(void);
/* Can a copy, made under a hidden name, be given its name?  Not without
 * replacing where there is neither RENAME_NOREPLACE nor a hard link. */
int pst_copy_placeable(int replace);
/* NULL where the profile leaves no route (EOPNOTSUPP is then expected). */
const char *pst_route_publish(int replace);
/* After a publish refused (EEXIST) on the linkat-proc route: the file
 * keeps the hidden name it was linked to, and publishes as a named one. */
const char *pst_route_republish(int replace);

/*
 * Asserts the calling thread's last route, and appends it to the file
 * $PS_ROUTE_LOG names (if set) so the matrix can show the routes seen.
 */
void pst_assert_route(const char *expected);
/* Appends a route (or a copy method) to $PS_ROUTE_LOG, if set. */
void pst_log_route(const char *route);

/*
 * Can the /proc/self/fd routes work in this run (proc-chmod, linkat-proc,
 * proc-reopen, ps_funlink)?  The matrix names its environment in
 * $PS_TEST_PROC (present, absent, fake, overmount, foreign); without it,
 * /proc/self/fd must be procfs.  Where the library can make its own
 * procfs instance they always can.  Where they cannot, those calls fail
 * with EOPNOTSUPP (EXDEV for a procfs that shows another process).
 */
int pst_proc_usable(void);
/* Can this process make a procfs instance of its own (fsopen: root, not
 * filtered)?  The library's /proc routes then need no /proc at all. */
int pst_private_proc(void);

/* openat(dirfd, name, oflags | O_CLOEXEC), asserted to succeed. */
int pst_open(int dirfd, const char *name, int oflags);
/* The permission bits of dirfd/name itself (a symlink's own). */
mode_t pst_mode(int dirfd, const char *name);
/* A file with this content and mode (exactly, whatever the umask). */
void pst_write(int dirfd, const char *name, const char *content,
    mode_t mode);
/* Asserts dirfd/name holds exactly this content. */
void pst_assert_content(int dirfd, const char *name, const char *content);
/* Asserts dirfd/name does not exist. */
void pst_assert_absent(int dirfd, const char *name);
/* Asserts the directory holds exactly n entries (besides . and ..). */
void pst_assert_entries(int dirfd, int n);
/* Asserts fd and dirfd/name are the same inode. */
void pst_assert_same(int fd, int dirfd, const char *name);

/*
 * Runs fn in a child with the credentials of nobody (65534) and returns
 * its exit status; fn reports failures with PST_CHECK.  The scratch
 * directory is made writable for it first.
 */
int pst_as_nobody(struct pst *t, int (*fn)(struct pst *t));
/* The same with root's credentials less CAP_CHOWN (effective and
 * permitted): root that may not give a file away. */
int pst_as_root_without_chown(struct pst *t, int (*fn)(struct pst *t));
#define PST_CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
	    #cond); return 1; } } while (0)
/* Runs fn as nobody, or skips (saying why) where we are not root. */
void pst_assert_as_nobody(struct pst *t, int (*fn)(struct pst *t));
/* _exit(status), keeping a --coverage build's counts, which _exit alone
 * loses: how every child a test forks ends. */
_Noreturn void pst_exit(int status);

#endif /* PS_TEST_COMMON_H */
