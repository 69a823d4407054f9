/* SPDX-License-Identifier: MIT */
/*
 * What the attack, crash and fault programs share: a scratch directory,
 * checksummed file versions, an fd count, CPU pinning and the
 * "summary:" lines tests/ci.d/65-race.sh adds up into its table.
 */
#ifndef PS_RACE_HARNESS_H
#define PS_RACE_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "../fdcount.h"

/* Prints the failed check and exits 1: a harness error, not a loss. */
#define RH_CHECK(cond) do { if (!(cond)) rh_die(__FILE__, __LINE__, \
	#cond); } while (0)
_Noreturn void rh_die(const char *file, int line, const char *what);

/* A new directory under $PS_RACE_DIR, $PS_TEST_DIR or /tmp, opened. */
int rh_scratch(char path[4096]);
/* Removes the tree at path, symlinks never followed. */
void rh_remove_tree(const char *path);

/* Pins the calling thread to cpu modulo the CPUs we may run on; the
 * first call must come before any thread is started. */
void rh_pin(int cpu);
/* In a forked child that loops until killed: it dies with its parent
 * (parent: the pid before fork), so a harness that fails never leaves
 * it spinning. */
void rh_die_with(pid_t parent);
/* renameat2(RENAME_EXCHANGE) of two names in one directory. */
int rh_exchange(int dirfd, const char *a, const char *b);

/*
 * Version v of a test file: a header (magic, v, length, checksum) and a
 * body that depends on v, of a length that depends on v too, so that a
 * mix of two versions or a short file never checks out.
 */
#define RH_VERSION_MAX 20480
size_t rh_version_fill(unsigned char *buf, uint32_t v);
/* 1 and *v for a complete version, 0 for anything else. */
int rh_version_check(const unsigned char *buf, size_t n, uint32_t *v);
/* Writes version v to fd (at its offset); 0 or -errno. */
int rh_version_write(int fd, uint32_t v);
/* Reads dirfd/name: 1 complete (*v set), 0 partial or corrupt, -errno. */
int rh_version_read(int dirfd, const char *name, uint32_t *v);

/* Iterations from argv: -n N, --soak (1,000,000), else def. */
long rh_iterations(int argc, char **argv, long def);

/* One line the CI stage sums into its table. */
#define rh_summary(what, n) printf("summary: %s %ld\n", (what), (long)(n))

#endif /* PS_RACE_HARNESS_H */
