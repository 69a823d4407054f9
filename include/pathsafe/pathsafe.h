/* SPDX-License-Identifier: MIT */
/**
 * @file pathsafe.h
 * @brief Race-free filesystem primitives for Linux and FreeBSD.
 *
 * Every call acts on an open file descriptor or on a name inside a
 * directory the caller holds open, so a path that changes between a check
 * and a use (TOCTOU) cannot redirect it.  Each call picks the best route
 * the running kernel offers and falls back, safely, when a route is
 * missing or denied; ps_last_route() tells which route ran.
 *
 * Conventions, as in libc: a call returns -1 (or NULL) and sets errno on
 * failure; success never needs errno.  Unknown flag bits give EINVAL
 * before any system call.  Every descriptor the library opens is
 * close-on-exec, and the library keeps no descriptor between calls but
 * one: a handle of procfs for the /proc routes, checked before every use
 * and given up for good once found invalid (a program that closes every
 * descriptor before exec is safe).  All calls are thread-safe; what a
 * thread learns of a missing route (a seccomp filter is per thread) is
 * kept for that thread only.
 *
 * The /proc routes.  Where Linux has no fd-based call, the library acts
 * through procfs's entry for a descriptor of its own (a duplicate of the
 * caller's), under /proc/thread-self, never /proc/self, so a thread with
 * its own fd table or a process whose main thread exited is served; the
 * action is the one lookup, in a procfs of the library's own (a private
 * instance, or a detached clone of /proc) or, without the privilege for
 * those, in /proc reached without crossing a mount.  A check that fails
 * is EXDEV, never a reason to try a weaker route; EOPNOTSUPP means no
 * procfs at all.
 *
 * Names.  Every call that takes a path resolves all but its last
 * component once, to a directory it then holds open (the resolution flags
 * below confine that step), and acts on the last component itself, never
 * through a symlink, whatever "/" or "/." follow it: a trailing slash
 * only says the last component must be a directory (ENOTDIR when it is
 * not, a symlink to one included).  Three calls are the exceptions, as
 * their manual pages say: ps_tmpfile_open() and ps_tmpfile_sweep() take
 * a directory, which they open as openat(2) would, following a final
 * symlink unless a resolution flag confines it; ps_open() does what
 * openat2(2) does, O_NOFOLLOW included.  And ps_remove_tree() refuses
 * "x/." (EINVAL), as rm(1) does.
 *
 * What each route guarantees, and against which attacker, is in
 * docs/threat-model.md; the remaining windows are under CAVEATS in each
 * call's manual page.
 */
#ifndef PATHSAFE_PATHSAFE_H
#define PATHSAFE_PATHSAFE_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the library's exported symbols (default visibility). */
#if defined(__GNUC__)
#define PS_EXPORT __attribute__((visibility("default")))
#else
#define PS_EXPORT
#endif

/** Returned instead of 0 when the data was copied rather than linked. */
#define PS_COPIED 1

/** @name Flags
 * One namespace for all calls; each call rejects bits it does not take
 * with EINVAL.
 * @{ */
/** ps_flink(), ps_publish_tmpfile(): atomically replace an existing name. */
#define PS_REPLACE		0x01u
/** ps_flink(): copy the data when the kernel refuses the hard link. */
#define PS_COPY_FALLBACK	0x02u
/** ps_publish_tmpfile(): skip the fsync of the file and the directory. */
#define PS_NO_SYNC		0x04u
/** ps_reopen(): refuse access the descriptor does not already have. */
#define PS_NO_UPGRADE		0x08u
/** ps_fchmod_nofollow(), ps_tmpfile_open(): act on @p dirfd itself; the
 * path must be "". */
#define PS_EMPTY_PATH		0x10u
/** @} */

/** @name Resolution flags
 * Accepted by ps_open(), ps_mkdirs(), ps_remove_tree(), and by ps_flink(),
 * ps_linkat(), ps_funlinkat(), ps_fchmod_nofollow() and ps_tmpfile_open()
 * for their path.  They mean what openat2(2)'s RESOLVE_* flags mean, on
 * every kernel: where openat2 is missing the library resolves the path
 * itself, one component at a time.  PS_BENEATH and PS_IN_ROOT together
 * give EINVAL.  Under either, magic links (/proc/self/fd/N,
 * /proc/self/exe) are never followed (EXDEV).
 * @{ */
/** Never leave @p dirfd: an absolute path, an absolute symlink or ".."
 * above @p dirfd gives EXDEV. */
#define PS_BENEATH		0x20u
/** @p dirfd is "/" for the path and every symlink in it; ".." at
 * @p dirfd stays there. */
#define PS_IN_ROOT		0x40u
/** Any symlink in the path gives ELOOP. */
#define PS_NO_SYMLINKS		0x80u
/** Crossing a mount point gives EXDEV. */
#define PS_NO_XDEV		0x100u
/** @} */

/**
 * Give the file open on @p fd a new name.
 *
 * Links the inode open on @p fd (any open mode, O_PATH included) as
 * @p name relative to @p dirfd, without ever resolving the file's old
 * path.  Routes, best first: linkat(fd, "", ..., AT_EMPTY_PATH); on
 * ENOENT (no CAP_DAC_READ_SEARCH before Linux 6.10) a link through
 * procfs (see "The /proc routes" below), verified to have linked this
 * very inode; then, with PS_COPY_FALLBACK, a copy.
 *
 * Every route but the first makes the file under a random hidden name
 * (".pathsafe-" and 16 hex digits) in the directory holding @p name and
 * then gives it @p name, with renameat2(RENAME_NOREPLACE) (a link and an
 * unlink where that is missing) or, for PS_REPLACE, rename(2): the name
 * appears complete or not at all, a copy included.
 *
 * @param fd     the open file; must not be a directory.
 * @param dirfd  directory @p name is relative to, or AT_FDCWD.
 * @param name   the new name; its last component may not be "." or "..",
 *               nor end in "/".
 * @param flags  PS_REPLACE: replace an existing @p name atomically (a
 *               reader sees the old or the new file, never neither).
 *               PS_COPY_FALLBACK: when the kernel refuses the link
 *               (EPERM/EACCES from an LSM or a filesystem without hard
 *               links, EMLINK, EXDEV, or a deleted file that is not an
 *               O_TMPFILE), copy a regular file's bytes and attributes
 *               (see ps_flink(3)); setuid and setgid bits are kept only
 *               with the owner and group.  The copy is a snapshot: later
 *               writes to @p fd do not reach it.  @p fd's offset is not
 *               changed.  And the resolution flags, for @p name.
 * @return 0 when linked, PS_COPIED when copied, -1 with errno on failure:
 *         EEXIST (@p name exists, without PS_REPLACE), EXDEV (a /proc
 *         check failed: the route reached another inode, whose stray
 *         hidden link was removed; or a resolution flag refused the
 *         path), EOPNOTSUPP (no route can link this file here, or a copy
 *         cannot be named without replacing: neither RENAME_NOREPLACE nor
 *         links), ENOTDIR (@p name ends in "/"), EINVAL (bad flags or
 *         name), ENOENT (@p name is ""), EBADF, and the errors of
 *         linkat(2).
 */
PS_EXPORT int ps_flink(int fd, int dirfd, const char *name, unsigned flags);

/**
 * Give the file found at @p oldname a new name, never following a symlink
 * there.
 *
 * The hard link of a name, as linkat(2) with no flags, with ps_flink()'s
 * options: exactly the inode found at @p oldname is linked (a symlink
 * itself, not its target), or, with PS_COPY_FALLBACK where the kernel
 * refuses the link, copied.
 *
 * @param olddirfd  directory @p oldname is relative to, or AT_FDCWD.
 * @param oldname   the existing name.
 * @param newdirfd  directory @p newname is relative to, or AT_FDCWD.
 * @param newname   the new name.
 * @param flags     PS_REPLACE, PS_COPY_FALLBACK as for ps_flink(), and the
 *                  resolution flags, for both paths.
 * @return 0 when linked, PS_COPIED when copied, -1 with errno: the errors
 *         of ps_flink() and of linkat(2).
 */
PS_EXPORT int ps_linkat(int olddirfd, const char *oldname, int newdirfd,
    const char *newname, unsigned flags);

/**
 * Remove @p name only if it still names the file open on @p fd.
 *
 * FreeBSD 13+ does this in the kernel with funlinkat(2).  Linux has no
 * such call, so the name is first renamed to a random hidden name in the
 * same directory, compared with fstat(@p fd) (st_dev and st_ino), then
 * removed, or renamed back on a mismatch.  A directory is removed as
 * rmdir(2) would.  A symlink to the file is not the file.
 *
 * CAVEATS: on Linux, @p name is absent while the file is aside.  Anyone
 * who may create names in the directory (in a sticky directory, every
 * user) can create @p name meanwhile; a file that then turns out not to
 * be @p fd's is not put back over the newcomer, but stays under its
 * hidden name (".pathsafe~" and 16 hex digits), where its owner must look
 * for it: ps_tmpfile_sweep() never removes such names.  And a writer of
 * the directory who renames the hidden name between the comparison and
 * the removal makes the call remove the file they put there instead of
 * @p fd's, which stays under the name they gave it.
 *
 * @param dirfd  directory @p name is relative to, or AT_FDCWD.
 * @param name   the name to remove; "x/" only if x is @p fd's directory.
 * @param fd     the file the name must still refer to (O_PATH is fine).
 * @param flags  the resolution flags, for @p name.
 * @return 0, or -1 with errno: EDEADLK (@p name is not the file open on
 *         @p fd; nothing was removed), ENOENT, ENOTEMPTY, ENOTDIR (a
 *         trailing "/" and @p fd is no directory), EXDEV (a resolution
 *         flag refused the path), EINVAL, EBADF, and the errors of
 *         rename(2) and unlink(2).
 */
PS_EXPORT int ps_funlinkat(int dirfd, const char *name, int fd,
    unsigned flags);

/**
 * Remove the name of the file open on @p fd, found by the library.
 *
 * The name is read from procfs on Linux (F_KINFO on FreeBSD) and
 * then removed as ps_funlinkat() does, so the same verification applies.
 *
 * @param fd     the open file.
 * @param flags  none defined yet; must be 0.
 * @return 0, or -1 with errno: ENOENT (the file has no name left),
 *         EMLINK (more than one name: ambiguous, use ps_funlinkat()),
 *         EOPNOTSUPP (no usable /proc), EXDEV (a /proc check failed:
 *         another inode, another process's or a mounted-over fd
 *         directory), and the errors of ps_funlinkat().
 */
PS_EXPORT int ps_funlink(int fd, unsigned flags);

/**
 * Change a file's mode without ever following a symlink.
 *
 * Routes: fchmodat2(AT_SYMLINK_NOFOLLOW) (Linux 6.6); when it is missing
 * or filtered (ENOSYS, or the EPERM of a seccomp policy), an
 * O_PATH|O_NOFOLLOW open followed by a chmod of that descriptor through
 * procfs.  Never a path-based chmod.
 * On FreeBSD, fchmodat(AT_SYMLINK_NOFOLLOW), with AT_EMPTY_PATH for
 * PS_EMPTY_PATH: it never follows a symlink either, but where Linux
 * refuses one with EOPNOTSUPP, FreeBSD changes the symlink's own mode, as
 * lchmod(2) does, and the call succeeds.
 *
 * @param dirfd  directory @p path is relative to, or AT_FDCWD; with
 *               PS_EMPTY_PATH, the file to change (AT_FDCWD: the current
 *               directory, on every route).
 * @param path   the file; "" with PS_EMPTY_PATH.  "x/" changes x only if
 *               x itself is a directory.
 * @param mode   new mode, at most 07777.
 * @param flags  PS_EMPTY_PATH, and the resolution flags, for @p path.
 * @return 0, or -1 with errno: EOPNOTSUPP (@p path is a symlink on Linux,
 *         or neither fchmodat2 nor a usable /proc is available), EXDEV
 *         (a /proc check failed, nothing was changed; or a resolution
 *         flag refused the path), ENOTDIR (a trailing "/" on what is not
 *         a directory), EINVAL (bad flags or mode, or a non-empty path
 *         with PS_EMPTY_PATH), and the errors of chmod(2).
 */
PS_EXPORT int ps_fchmod_nofollow(int dirfd, const char *path, mode_t mode,
    unsigned flags);

/**
 * Open the file open on @p fd again, with new open flags.
 *
 * O_CLOEXEC is always added.  Directories reopen with openat(fd, ".");
 * other files through procfs on Linux (O_EMPTY_PATH on FreeBSD), and
 * the new descriptor is checked to be the same inode before O_TRUNC
 * truncates it, which only a regular file is.
 *
 * @param fd      the open file, typically an O_PATH descriptor.
 * @param oflags  open(2) flags; O_CREAT, O_EXCL, O_TMPFILE, and O_TRUNC
 *                with read-only access are refused.
 * @param flags   PS_NO_UPGRADE: the new access must be within the access
 *                @p fd has (an O_PATH descriptor allows only O_PATH;
 *                dropping O_APPEND from a writable descriptor counts as
 *                an upgrade).
 * @return the new descriptor, or -1 with errno: ELOOP (@p fd is a
 *         symlink), EPERM (PS_NO_UPGRADE refused), EXDEV (/proc led to
 *         another inode), EOPNOTSUPP (no usable /proc), ENOTDIR
 *         (O_DIRECTORY and not a directory), EINVAL, EBADF, and the errors
 *         of open(2).
 */
PS_EXPORT int ps_reopen(int fd, int oflags, unsigned flags);

/** An anonymous file waiting to be published; opaque. */
typedef struct ps_tmpfile ps_tmpfile;

/**
 * Create an anonymous file in a directory, to be published later.
 *
 * The directory is pinned by a descriptor, so the file is published into
 * the directory opened here whatever later happens to its path.  Routes:
 * O_TMPFILE; where the filesystem or kernel lacks it, a hidden file with a
 * random name (".pathsafe-" and 16 hex digits), created O_EXCL|O_NOFOLLOW.
 * Write and search permission on the directory suffice (mode 0300 too).
 *
 * @param dirfd  directory @p dir is relative to, or AT_FDCWD; with
 *               PS_EMPTY_PATH, the directory itself, borrowed: the caller
 *               keeps it open until ps_tmpfile_close().
 * @param dir    the directory; "" with PS_EMPTY_PATH.
 * @param mode   the file's mode, subject to the umask as in open(2).
 * @param flags  PS_EMPTY_PATH, and the resolution flags for @p dir.
 * @return a handle, or NULL with errno: EINVAL (bad flags or mode, or a
 *         non-empty @p dir with PS_EMPTY_PATH), ENOTDIR, ENOMEM, EXDEV
 *         (refused by a resolution flag), and the errors of open(2).
 */
PS_EXPORT ps_tmpfile *ps_tmpfile_open(int dirfd, const char *dir,
    mode_t mode, unsigned flags);

/**
 * The descriptor to write the file's contents to (open O_RDWR).
 * It stays owned by the handle: do not close it.
 * @param t  the handle.
 * @return the descriptor, or -1 with errno EINVAL for a NULL handle.
 */
PS_EXPORT int ps_tmpfile_fd(const ps_tmpfile *t);

/**
 * Give the file its name, atomically.
 *
 * By default the file is fsync'ed before it gets its name and the
 * directory after.  From O_TMPFILE the name is given by the ps_flink()
 * routes, and when the kernel refuses the link the bytes are copied and
 * PS_COPIED is returned.  From a hidden file, renameat2(RENAME_NOREPLACE),
 * or a link and unlink of the hidden name where that is unsupported.  A
 * failed publish leaves @p name as it was and the handle publishable
 * again (after a failed PS_REPLACE from O_TMPFILE the file keeps the
 * hidden name it was linked to, so that it can still be linked, until it
 * is published or closed).
 *
 * @param t      the handle.
 * @param name   a single name in the handle's directory: not "", ".",
 *               ".." and without "/".
 * @param flags  PS_REPLACE: replace an existing @p name atomically;
 *               PS_NO_SYNC: skip both fsyncs.
 * @return 0, PS_COPIED, or -1 with errno: EEXIST (@p name exists, without
 *         PS_REPLACE; it is untouched), EINVAL (bad flags or name, a NULL
 *         handle, or one already published), EOPNOTSUPP (no route can
 *         publish without replacing), and the errors of fsync(2),
 *         link(2) and rename(2).
 */
PS_EXPORT int ps_publish_tmpfile(ps_tmpfile *t, const char *name,
    unsigned flags);

/**
 * Close the handle.  An unpublished file leaves nothing behind.
 * NULL does nothing, like free().
 * @param t  the handle, published or not, or NULL.
 * @return 0, or -1 with errno: the error close(2) reported for the file
 *         (NFS reports write errors there); the handle is freed anyway.
 */
PS_EXPORT int ps_tmpfile_close(ps_tmpfile *t);

/**
 * Remove the hidden files that killed processes left in a directory.
 *
 * A process killed while it holds a handle on the named-tmpfile route,
 * or in the middle of a PS_REPLACE publish or ps_flink() (between the
 * link of the hidden name and the rename over the target), leaves a
 * hidden name behind.  This removes the entries whose name is exactly
 * ".pathsafe-" and 16 lowercase hex digits, that are regular files, and
 * whose mtime and ctime are both at least @p min_age_seconds old; any
 * other entry, symlinks and directories included, is left alone.  Each
 * removal is verified as ps_funlinkat() does, against the stat that
 * found the entry stale, so an entry swapped in meanwhile is kept.
 *
 * CAVEATS: a live handle on the named-tmpfile route looks like a stale
 * file once its writer has not touched it for @p min_age_seconds; choose
 * an age longer than any writer pauses.
 *
 * @param dirfd            directory @p dir is relative to, or AT_FDCWD.
 * @param dir              the directory to sweep, e.g. ".".
 * @param min_age_seconds  how old an entry must be; 0 removes all.
 * @return the number of entries removed, or -1 with errno: ENOTDIR,
 *         EFAULT (a NULL @p dir), and the errors of open(2), getdents(2),
 *         rename(2) and unlink(2) (then some entries may be removed).
 */
PS_EXPORT int ps_tmpfile_sweep(int dirfd, const char *dir,
    unsigned min_age_seconds);

/**
 * Open a path resolved with the resolution flags, on every kernel.
 *
 * What openat2(@p dirfd, @p path, {@p oflags | O_CLOEXEC, @p mode,
 * RESOLVE_* of @p flags}) does on a kernel that has it: the kernel's
 * resolver where openat2 is there (route "openat2"), a userspace one
 * otherwise (route "walk"), with the same results.
 *
 * @param dirfd   directory @p path is relative to, or AT_FDCWD.
 * @param path    the path.
 * @param oflags  open(2) flags.
 * @param mode    the mode of a file O_CREAT creates.
 * @param flags   the resolution flags.
 * @return a descriptor, or -1 with errno: EXDEV (the path leaves the root,
 *         crosses a mount with PS_NO_XDEV, or meets a magic link), ELOOP,
 *         EAGAIN (renames kept racing the resolution), EINVAL, and the
 *         errors of openat(2).
 */
PS_EXPORT int ps_open(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned flags);

/**
 * Create a directory and its missing parents (mkdir -p), resolved with
 * the resolution flags.
 *
 * @param dirfd  directory @p path is relative to, or AT_FDCWD.
 * @param path   the directory.
 * @param mode   the mode of directories created, less the umask.
 * @param flags  the resolution flags.
 * @return a search-only descriptor (O_PATH on Linux) of the last
 *         directory, or -1 with errno: ENOTDIR or EEXIST (a component is
 *         not a directory), and the errors of ps_open() and mkdir(2).
 */
PS_EXPORT int ps_mkdirs(int dirfd, const char *path, mode_t mode,
    unsigned flags);

/**
 * Remove a path and everything beneath it (rm -rf), never following a
 * symlink and never crossing into another mount.
 *
 * @param dirfd  directory @p path is relative to, or AT_FDCWD.
 * @param path   the file or tree to remove.
 * @param flags  the resolution flags, for @p path.
 * @return 0, or -1 with errno: ENOENT (no @p path), EXDEV (a mount point
 *         in the tree; it and what is beneath it are untouched), and the
 *         errors of ps_open(), unlink(2) and rmdir(2).
 */
PS_EXPORT int ps_remove_tree(int dirfd, const char *path, unsigned flags);

/**
 * The route taken by this thread's last successful call, e.g.
 * "linkat-empty-path", "proc-chmod" or "copy"; "" before any.
 * @return a static string; never NULL.
 */
PS_EXPORT const char *ps_last_route(void);

/**
 * The version of the library loaded at run time.
 * @return a static string, e.g. "0.1.0".
 */
PS_EXPORT const char *ps_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PATHSAFE_PATHSAFE_H */
