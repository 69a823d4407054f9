/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's one interface between the harness (bench.c: timing,
 * syscall counting, statistics, the table) and the rows (rows.c: what
 * each variant does).  A row compares three variants of one operation:
 * the library, the limit (the fewest raw syscalls) and what users run
 * today.
 */
#ifndef PS_BENCH_H
#define PS_BENCH_H

#include <sys/stat.h>

/* The most ops one timed batch runs, and the longest scratch name. */
#define BENCH_MAXK 1000
#define BENCH_NAME 32

/* Everything a row's variants share; rows.c owns its meaning. */
struct bench {
	int dir;		/* the scratch directory, also the cwd */
	int fd;			/* a row's file, when it needs one */
	int k;			/* ops per batch */
	const char *src;	/* -s: the copy row's source file */
	const char *pscp;	/* -p: the pscp program */
	char label[64];		/* init may name the op more exactly */
	int replace, sync;	/* the publish rows' kind */
	char names[BENCH_MAXK][BENCH_NAME];	/* one name per op */
	int fds[BENCH_MAXK];
	struct stat sts[BENCH_MAXK];
	char buf[4096];		/* the data a publish writes */
};

/* A step of a variant; returns 0, or -1 with errno to stop the bench. */
typedef int (*bench_fn)(struct bench *b, int i);

struct variant {
	const char *what;	/* what one timed op runs, for results.md */
	bench_fn prep;		/* untimed, before a batch (i: ops) */
	bench_fn op;		/* timed: op number i of the batch */
	bench_fn done;		/* untimed, after a batch (i: ops) */
};

enum { LIB, LIMIT, TODAY, NVARIANT };

struct row {
	const char *id;		/* the name on the command line */
	const char *label;	/* the operation column */
	int k, rounds;		/* ops per batch, timed rounds */
	int spawns;		/* runs programs: children's syscalls count,
				 * and no trace */
	int (*init)(struct bench *b);	/* once, in the scratch dir */
	struct variant v[NVARIANT];
};

extern const struct row bench_rows[];

#endif /* PS_BENCH_H */
