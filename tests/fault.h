/* SPDX-License-Identifier: MIT */
/*
 * The errors a disk, a filesystem or a sandbox gives (EIO, ENOSPC, an
 * attribute removed meanwhile, an id the namespace does not map), made
 * for one call: fn runs in a child whose seccomp filter answers chosen
 * syscalls with them, as test_threads forces routes, so that the
 * library's error paths run as they would there.  The library has no
 * test path; ps-emulate's profiles stay the routes a whole run takes.
 */
#ifndef PS_TEST_FAULT_H
#define PS_TEST_FAULT_H

#include <seccomp.h>

#include "common.h"

/* Syscall nr answers err: always (arg < 0), or when argument arg
 * compares by op (SCMP_CMP_*) with x (with SCMP_CMP_MASKED_EQ, when
 * arg & x is y).  A list ends with err 0. */
struct pst_fault {
	int nr;
	int err;
	int arg;
	enum scmp_compare op;
	scmp_datum_t x, y;
};
#define PST_FAULT(nr, err) { (nr), (err), -1, SCMP_CMP_EQ, 0, 0 }
#define PST_FAULT_IF(nr, err, arg, op, x) \
	{ (nr), (err), (arg), (op), (x), 0 }
#define PST_FAULT_MASKED(nr, err, arg, mask, value) \
	{ (nr), (err), (arg), SCMP_CMP_MASKED_EQ, (mask), (value) }

/* fn(t) in a child under the faults; its exit status (PST_CHECK's 1 on
 * a failed check).  Skips the test where no filter can be installed. */
int pst_with_faults(struct pst *t, const struct pst_fault *faults,
    int (*fn)(struct pst *t));

/* Faults are made in plain runs (no profile, or "none") and under the
 * profile also (NULL: none), where the run's routes change what they
 * reach; elsewhere the test skips: the profile would only repeat them
 * (and CI's time). */
void pst_fault_runs(const char *also);

#endif /* PS_TEST_FAULT_H */
