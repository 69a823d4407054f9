/* SPDX-License-Identifier: MIT */
/*
 * pscp's parts: the options and operands (pscp.c), the tree walk
 * (tree.c), what is at a destination name and regular files (file.c),
 * attributes and hard links (attrs.c), cp's quoting (quote.c), the
 * progress bar (progress.c) and the cleanup of hidden names on a signal
 * (signals.c).  Copy functions report their own errors and return 0 or
 * -1.
 */
#ifndef PSCP_H
#define PSCP_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

enum { KEEP_MODE = 1, KEEP_OWNER = 2, KEEP_TIMES = 4, KEEP_XATTR = 8,
	KEEP_LINKS = 16 };
enum { BAR_NEVER, BAR_AUTO, BAR_ALWAYS };
enum { DEREF_UNSET, DEREF_NEVER, DEREF_ARGS, DEREF_ALWAYS };
enum { ASK_UNSET, ASK_NO, ASK_USER };
enum { BACKUP_NONE, BACKUP_SIMPLE, BACKUP_NUMBERED, BACKUP_EXISTING };

struct options {
	int atomic, recursive, verbose, routes, sync;
	int interactive;	/* ASK_*: -n, -i; the last one counts */
	int force;		/* -f: remove what cannot be opened */
	int remove_first;	/* --remove-destination */
	int update;		/* -u */
	int deref;		/* DEREF_* */
	int one_fs;		/* -x */
	int hard_link, sym_link;	/* -l, -s */
	int backup;		/* BACKUP_* */
	const char *suffix;
	int attrs_only;		/* --attributes-only: no data */
	int copy_contents;	/* --copy-contents: special files read */
	int quiet_attrs;	/* -a: attributes that cannot be kept are
				 * not reported */
	int clone;		/* PS__CLONE_* */
	int holes;		/* PS__HOLES_*: --sparse */
	int bar;		/* BAR_* */
	unsigned keep;		/* KEEP_* */
	int no_mode;		/* --no-preserve=mode */
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
/* -i: asks on stderr; 1 for a yes on stdin. */
int ask(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* quote.c: cp's quoting of a name, valid for the next 3 calls too. */
const char *q(const char *name);

/* tree.c */
enum {
	TOP = 1,		/* an operand */
	FOLLOW = 2,		/* follow src if it is a symlink */
	SLASH = 4,		/* dst was written with a trailing slash */
};
int copy_entry(const struct loc *src, const struct loc *dst, int how,
    dev_t dev);
void verbose_line(const struct loc *src, const struct loc *dst,
    const char *backup, const char *routes);

/* file.c: what is at dst, for src (st); dst_st gets what is there.
 * Returns ABSENT, EXISTS, SKIP (nothing to do) or -1 (reported). */
enum { ABSENT, EXISTS, SKIP };
int check_target(const struct loc *src, const struct loc *dst,
    const struct stat *st, struct stat *dst_st, int how);
/* Moves dst aside for --backup or removes it for --remove-destination,
 * as check_target found it; *backup gets the backup's path or NULL. */
int clear_target(const struct loc *dst, int exists, char **backup);
/* The files this run made, for cp's "will not overwrite just-created". */
void made_remember(const struct stat *st);
int copy_regular(int sfd, const struct stat *st, const struct loc *src,
    const struct loc *dst, int how);
/* -l and -s. */
int make_link(const struct loc *src, const struct stat *st,
    const struct loc *dst, int how);

/* attrs.c: --preserve on dst (by fd, or by name when fd < 0), from st
 * and sfd's extended attributes; made: 0 if dst was there, 1 if pscp
 * made it with a private mode (to be set), 2 with its final one. */
int keep_attrs(int fd, const struct loc *dst, const struct stat *st,
    int sfd, int made);
/* --preserve=links: the first copy of a file with several links is
 * remembered; a later one is linked to it.  1: linked, 0: not known,
 * -1: failed (reported). */
int link_known(const struct stat *st, const struct loc *dst, int exists);
/* Is st one whose copies are tracked (how: tree.c's flags)? */
int link_tracked(const struct stat *st, int how);
void link_remember(const struct stat *st, const struct loc *dst);

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
