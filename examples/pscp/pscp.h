/* SPDX-License-Identifier: MIT */
/*
 * pscp's parts: the options and operands (pscp.c), the tree walk
 * (tree.c), regular files (file.c), attributes (attrs.c), the progress
 * bar (progress.c) and the cleanup of hidden names on a signal
 * (signals.c).  Copy functions report their own errors and return 0 or
 * -1.
 */
#ifndef PSCP_H
#define PSCP_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

enum { KEEP_MODE = 1, KEEP_OWNER = 2, KEEP_TIMES = 4, KEEP_XATTR = 8 };
enum { BAR_NEVER, BAR_AUTO, BAR_ALWAYS };

struct options {
	int atomic, recursive, no_clobber, verbose, sync;
	int clone;		/* PS__CLONE_* */
	int bar;		/* BAR_* */
	unsigned keep;		/* KEEP_* */
	mode_t umask;
};
extern struct options opt;

/* A name to copy from or to: dirfd/name, shown to the user as path. */
struct loc {
	int dirfd;
	const char *name;
	const char *path;
};

/* pscp.c: "pscp: " and the message, then ": strerror(err)" if err. */
int fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *join(const char *dir, const char *name);

/* tree.c */
enum {
	TOP = 1,		/* an operand: check a directory is not copied
				 * into itself */
	FOLLOW = 2,		/* follow src if it is a symlink */
	SLASH = 4,		/* dst was written with a trailing slash */
};
int copy_entry(const struct loc *src, const struct loc *dst, int how);

/* file.c: what is at dst, compared with src's st; dst_st gets its stat. */
enum { ABSENT, EXISTS, SKIP };
int check_target(const struct loc *src, const struct loc *dst,
    const struct stat *st, struct stat *dst_st, int regular);
int copy_regular(int sfd, const struct stat *st, const struct loc *src,
    const struct loc *dst);

/* attrs.c: --preserve on dst (by fd, or by name when fd < 0), from st
 * and sfd's extended attributes; private: the mode must be set even
 * without --preserve=mode. */
int keep_attrs(int fd, const struct loc *dst, const struct stat *st,
    int sfd, int private);

/* progress.c */
struct bar {
	const char *path;
	uint64_t total;
	struct timespec start, last;
};
int bar_start(struct bar *b, const char *path, off_t size);
void bar_update(uint64_t done, uint64_t total, void *arg);
void bar_end(struct bar *b, int ok);

/* signals.c: arm and disarm (name "") with the signals blocked. */
void signals_init(void);
void signals_block(sigset_t *old);
void signals_restore(const sigset_t *old);
void cleanup_arm(int dirfd, const char *name);

#endif /* PSCP_H */
