/* SPDX-License-Identifier: MIT */
/*
 * The hostile-names layout that ps-sentinel and ps-fuzz-names share:
 *
 *	BASE/sentinel		a file (0640), outside the tree
 *	BASE/sentdir/		a directory (0750) with two files: "secret"
 *				and an old hidden name a sweep would take
 *	BASE/tree/		the scratch tree every call is given
 *
 * The tree holds directories, files and symlinks of every kind a hostile
 * name can end in: to a file and a directory inside, dangling, to the
 * sentinel file and directory and to BASE (relative and absolute), and a
 * dangling one whose target would be created in the sentinel directory.
 * Everything under BASE but the tree is the sentinel: its mode, owner,
 * group, content, link count, times and existence are never to change.
 */
#ifndef PS_ATTACK_LAYOUT_H
#define PS_ATTACK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAY_HIDDEN ".pathsafe-0123456789abcdef"
#define LAY_NENTS 5

struct lay_ent {
	const char *path;	/* relative to BASE */
	int err;		/* of the lstat: 0 when it exists */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	unsigned long nlink, ino;
	long long size, mtime, ctime;	/* times in ns */
	uint64_t data;		/* content, link text or names */
};

/* Everything outside the tree a call could change. */
struct lay_outside {
	struct lay_ent e[LAY_NENTS];
};

struct layout {
	char base[4096];
	char tree[4096];
	int treefd;
	uint64_t pristine;	/* lay_hash of the tree as made */
};

/* Prints what failed and exits 1 (a harness error, not a loss). */
#define LAY_CHECK(cond) do { if (!(cond)) lay_die(__FILE__, __LINE__, \
	#cond); } while (0)
_Noreturn void lay_die(const char *file, int line, const char *what);

/* Makes BASE (which must not exist), the sentinels and the tree. */
void lay_create(struct layout *l, const char *base);
/* The tree's contents made again; the tree directory itself is kept. */
void lay_reset_tree(struct layout *l);
/* BASE removed and made again; treefd reopened, cwd is the tree. */
void lay_reset_all(struct layout *l);
/* Removes BASE for good. */
void lay_destroy(struct layout *l);

/* A hash of what dirfd/path is (never followed), times included,
 * recursively for a directory. */
uint64_t lay_hash(int dirfd, const char *path);

/* prev, when given, is a state of moments ago: what it shows unchanged
 * is not read again. */
void lay_outside(const struct layout *l, struct lay_outside *o,
    const struct lay_outside *prev);
/* 0 when equal; else 1 and a description of every change in buf. */
int lay_outside_diff(const struct lay_outside *a, const struct lay_outside *b,
    char *buf, size_t n);

#endif /* PS_ATTACK_LAYOUT_H */
