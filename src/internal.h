/* SPDX-License-Identifier: MIT */
/*
 * The one seam between the portable calls in src/ and the OS routes in
 * src/linux/ and src/freebsd/.  Both backends define every ps__os_*
 * function with these signatures; a route the OS lacks returns
 * PS__ENOROUTE.  Internal code returns >= 0 or -errno and never touches
 * errno; the public call converts once, with ps__ret().
 */
#ifndef PS_INTERNAL_H
#define PS_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <pathsafe/pathsafe.h>

#define PS__HIDDEN __attribute__((visibility("hidden")))

/* "Not here": a missing syscall, a seccomp refusal, an OS without it. */
#define PS__ENOROUTE (-ENOSYS)

/* A /proc check that failed: EXDEV to the caller, but kept apart inside
 * so that no fallback takes it for a cross-device link. */
#define PS__EVERIFY (-EXDEV - 4096)

/* Evaluates a libc call that returns -1 and errno, as >= 0 or -errno. */
#define PS__SYS(call) ({ long ps__r_ = (call); \
	ps__r_ < 0 ? -errno : (int)ps__r_; })

/* ".pathsafe-" and 16 hex digits: the temporary names, which
 * ps_tmpfile_sweep may remove.  ".pathsafe~": a name ps_funlinkat puts a
 * file aside under, someone's data, which the sweep never matches. */
#define PS__HIDDEN_PREFIX ".pathsafe-"
#define PS__ASIDE_PREFIX ".pathsafe~"
#define PS__HIDDEN_SIZE (sizeof(PS__HIDDEN_PREFIX) + 16)

/* A feature known missing for the life of the thread: kernels never gain
 * a syscall and seccomp filters are never lifted, so only absence is
 * cached.  Filters belong to threads, so one thread's refusal says
 * nothing of another's: flags are declared PS__MISSING_FLAG. */
#define PS__MISSING_FLAG static _Thread_local int
#define PS__MISSING(flag) (flag)
#define PS__SET_MISSING(flag) ((flag) = 1)

/* The resolution flags, accepted by every call that resolves a path. */
#define PS__RESOLVE_FLAGS (PS_BENEATH | PS_IN_ROOT | PS_NO_SYMLINKS | \
	PS_NO_XDEV)
/* ps__resolve: create missing directories on the way (ps_mkdirs). */
#define PS__RESOLVE_MKDIRS 0x10000u

struct ps_tmpfile {
	int dirfd;		/* the pinned directory */
	int fd;			/* the file, O_RDWR */
	int published;
	int borrowed;		/* dirfd is the caller's (PS_EMPTY_PATH) */
	char name[PS__HIDDEN_SIZE];	/* hidden name, "" for O_TMPFILE */
};

/* resolve.c: the one resolution step every call shares.
 *
 * ps__resolve_parent splits path into the directory that holds its last
 * component, opened once (pinned) and resolved under rflags, and that
 * component itself, which the caller acts on without following it.
 * Trailing "/" and "/." are not followed through a symlink: they set
 * must_dir, and base is the component before them.  base is "." when the
 * path names the directory fd itself ("", ".", "..", "a/..").  fd is
 * dirfd itself (AT_FDCWD too) when the path has no directory part and no
 * flags; owned says whether it must be closed. */
#define PS__NAME_MAX 255
struct ps__parent {
	int fd;
	int owned;
	int must_dir;
	const char *base;
	char name[PS__NAME_MAX + 1];
};
PS__HIDDEN int ps__resolve_parent(int dirfd, const char *path,
    unsigned rflags, struct ps__parent *p);
PS__HIDDEN void ps__parent_close(struct ps__parent *p);
/* The whole path under rflags, as openat2 would open it: ps_open. */
PS__HIDDEN int ps__resolve(int dirfd, const char *path, int oflags,
    mode_t mode, unsigned rflags);

/* common.c */
PS__HIDDEN int ps__ret(int r);
PS__HIDDEN void ps__set_route(const char *route);
PS__HIDDEN void ps__hidden_name(char name[PS__HIDDEN_SIZE],
    const char *prefix);
PS__HIDDEN int ps__check_name(const char *name);
PS__HIDDEN int ps__same_inode(const struct stat *a, const struct stat *b);

/* funlinkat.c: remove name (a single name in the pinned directory pfd)
 * only if it is the inode st describes; -EDEADLK, and nothing removed,
 * when it is not. */
PS__HIDDEN int ps__unlink_if(int pfd, const char *name,
    const struct stat *st);

/* flink.c: name fd as base in the pinned directory pfd, by link, or copy
 * when allowed.  Every route but a plain linkat AT_EMPTY_PATH makes the
 * file under a hidden name first and then places it, so the name appears
 * complete or not at all.  With kept, a linked file whose placing failed
 * keeps its hidden name there instead of being unlinked (which would
 * leave an O_TMPFILE unlinkable). */
enum {
	PS__NAME_REPLACE = 1,	/* replace name atomically */
	PS__NAME_COPY = 2,	/* copy when the kernel refuses the link */
	PS__NAME_SYNC = 4,	/* fsync a copy before it gets the name */
	PS__NAME_TMPFILE = 8,	/* fd is a handle's anonymous file: it has
				 * no other name and its offset is ours */
};
PS__HIDDEN int ps__give_name(int fd, int pfd, const char *base,
    int how, char kept[PS__HIDDEN_SIZE]);
/* flink.c: give the file at from (in pfd) the name to, atomically:
 * renameat to replace; else renameat2 NOREPLACE, or link and unlink where
 * that is missing ("link-unlink", two names for a moment).  *route says
 * which ran. */
PS__HIDDEN int ps__place(int pfd, const char *from, const char *to,
    int replace, const char **route);
/* copy_attrs.c: what a copy keeps of its source st, after its data. */
PS__HIDDEN int ps__copy_attrs(int src, int dst, const struct stat *st);
/* reopen.c: reopen a non-directory, checked to be the same inode. */
PS__HIDDEN int ps__reopen(int fd, const struct stat *st, int oflags);

/* copy.c: the copy engine, shared with pscp. */
enum { PS__CLONE_AUTO, PS__CLONE_NEVER, PS__CLONE_ALWAYS };
/* What a copy with keep_holes does with holes: keeps the source's (cp's
 * --sparse=auto), fills them with zeros (never), or also makes a hole of
 * each block of zeros (always). */
enum { PS__HOLES_KEEP, PS__HOLES_FILL, PS__HOLES_MAKE };
struct ps__copy {
	int clone;		/* PS__CLONE_* */
	int keep_holes;		/* may move src's offset, and restores it */
	int holes;		/* PS__HOLES_*, with keep_holes */
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *arg;
	const char *method;	/* out: "reflink", "copy-file-range",
				 * "read-write" */
};
PS__HIDDEN int ps__copy_fd(int src, int dst, struct ps__copy *c);

/*
 * OS routes.  Each returns >= 0 or -errno, PS__ENOROUTE where the route
 * cannot run here, and records its route name on success.
 */

/* linkat(fd, "", dirfd, name, AT_EMPTY_PATH). */
PS__HIDDEN int ps__os_link_empty_path(int fd, int dirfd, const char *name);
/* A link through the OS's fd namespace, verified to be fd's inode. */
PS__HIDDEN int ps__os_link_fdpath(int fd, int dirfd, const char *name);
/* Rename without replacing; PS__ENOROUTE where the kernel or the
 * filesystem lacks it. */
PS__HIDDEN int ps__os_rename_noreplace(int dirfd, const char *from,
    const char *to);
/* The kernel's own funlinkat, or PS__ENOROUTE. */
PS__HIDDEN int ps__os_funlinkat(int dirfd, const char *name, int fd,
    int isdir);
/* A current absolute path of fd, into buf. */
PS__HIDDEN int ps__os_fd_path(int fd, char *buf, size_t size);
/* The kernel's own no-follow chmod (path "" with empty). */
PS__HIDDEN int ps__os_fchmod_nofollow(int dirfd, const char *path,
    mode_t mode, int empty);
/* chmod of the file open on fd (st: its stat), never a symlink. */
PS__HIDDEN int ps__os_fchmod_fd(int fd, const struct stat *st, mode_t mode);
/* A new descriptor for the non-directory open on fd (st: its stat); the
 * caller checks it is the same inode. */
PS__HIDDEN int ps__os_reopen(int fd, const struct stat *st, int oflags);
/* openat2 with the RESOLVE_* of rflags (PS_* resolution flags); 
 * PS__ENOROUTE where the kernel cannot resolve under those flags. */
PS__HIDDEN int ps__os_openat2(int dirfd, const char *path, int oflags,
    mode_t mode, unsigned rflags);
/* The walk's last component: name, one name in dirfd, opened as
 * openat(dirfd, name, oflags | O_NOFOLLOW | O_CLOEXEC, mode) opens it on
 * Linux (a symlink: ELOOP, or ENOTDIR to O_DIRECTORY), except a node
 * whose open yields some other file (FreeBSD's fd/N): EXDEV, as a magic
 * link, before it is opened.  Linux's such nodes are magic links, which
 * ps__os_magic_link tells: there, one openat. */
PS__HIDDEN int ps__os_open_name(int dirfd, const char *name, int oflags,
    mode_t mode);
/* What the userspace walk needs of an open file: its type, inode, and
 * the mount it is on (0 where the kernel cannot tell; then st_dev
 * alone decides). */
struct ps__ident {
	mode_t mode;
	dev_t dev;
	ino_t ino;
	uint64_t mnt;
};
PS__HIDDEN int ps__os_ident(int fd, struct ps__ident *id);
/* The text of the symlink open on linkfd (O_PATH|O_NOFOLLOW), found as
 * name in parent; its length, not NUL-terminated. */
PS__HIDDEN int ps__os_readlink(int linkfd, int parent, const char *name,
    char *buf, size_t size);
/* Is that symlink one the kernel follows by magic, not by its text
 * (Linux's /proc/PID/fd/N, exe, cwd, root)? */
PS__HIDDEN int ps__os_magic_link(int linkfd, const char *name);
/* An anonymous file in dirfd. */
PS__HIDDEN int ps__os_tmpfile(int dirfd, mode_t mode);
/* Share src's extents with dst (a reflink). */
PS__HIDDEN int ps__os_clone(int src, int dst);
/* Make the entries of dirfd durable where dirfd itself cannot be
 * fsync'ed (O_PATH: the directory is not readable); fd is a file in it. */
PS__HIDDEN int ps__os_sync_dir(int dirfd, int fd);
/* Copy src's extended attributes (ACLs included) to dst, skipping those
 * the caller may not read or set there; file capabilities only when
 * owner_kept (dst has src's owner and group). */
PS__HIDDEN int ps__os_copy_xattrs(int src, int dst, int owner_kept);
/* Copy up to len bytes in the kernel; 0 at the source's end. */
PS__HIDDEN int64_t ps__os_copy_range(int src, off_t *src_off, int dst,
    off_t *dst_off, size_t len);

#endif /* PS_INTERNAL_H */
