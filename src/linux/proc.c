/* SPDX-License-Identifier: MIT */
/*
 * The /proc routes: link (linkat-proc), chmod (proc-chmod), reopen
 * (proc-reopen) and the name of an fd (ps_funlink).  /proc has been used
 * to escape containers (CVE-2019-5736, CVE-2025-52881), and a process
 * that can mount can lay its own fd directory over ours, so each route
 *   - duplicates the caller's descriptor to a number of its own, which no
 *     other thread of a correct program reuses meanwhile;
 *   - looks that number up under thread-self, never self: a thread with
 *     its own fd table (unshare(CLONE_FILES)) sees its own, and a process
 *     whose main thread has exited still has one;
 *   - does so in one lookup, the action itself, inside a procfs handle no
 *     mount can redirect:
 *       private  a procfs instance of our own (fsopen, subset=pid), which
 *                has no mounts at all;
 *       clone    a detached copy of the /proc mount (open_tree), without
 *                the mounts on top of its directories;
 *       plain    /proc itself, checked to be procfs's root, in which the
 *                fd directory is reached without crossing a mount
 *                (openat2 RESOLVE_NO_XDEV, or one name at a time and a
 *                mount id check) and the entry looked up there.
 * A failed check is PS__EVERIFY; EOPNOTSUPP means no procfs at all.
 *
 * The process keeps one handle between calls, made on first use and
 * checked before every use by its mount id, device and inode; a handle
 * found invalid (the program closed it, as before exec, and the number
 * may hold anything now) is never used nor closed again, and every later
 * call makes its own.  Only a handle that serves every thread alike is
 * kept: a private or cloned procfs, or /proc itself when the kernel
 * refuses the others to the whole process (no privilege, or a mount
 * namespace that forbids the clone), not when this thread's seccomp
 * filter may be what refused them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux.h"

/* From <linux/magic.h> and <linux/mount.h>, which musl's toolchain does
 * not ship. */
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PS__PROC_ROOT_INO 1
#define PS__FSOPEN_CLOEXEC 0x1
#define PS__FSCONFIG_SET_STRING 1
#define PS__FSCONFIG_CMD_CREATE 6
#define PS__FSMOUNT_CLOEXEC 0x1
#define PS__MOUNT_ATTR_NOSUID 0x2
#define PS__MOUNT_ATTR_NODEV 0x4
#define PS__MOUNT_ATTR_NOEXEC 0x8
#define PS__OPEN_TREE_CLONE 0x1

enum { PROC_PRIVATE = 1, PROC_CLONE, PROC_PLAIN };

struct proc {
	int fd;
	int kind;		/* PROC_* */
	int owned;		/* made for this call: closed after it */
	int unique;		/* mnt is never reused (Linux 6.8) */
	uint64_t mnt;		/* 0 where statx cannot tell */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
};

/* The kept handle: NONE until made, BUSY while one thread makes it,
 * READY, or DEAD once found invalid. */
enum { KEPT_NONE, KEPT_BUSY, KEPT_READY, KEPT_DEAD };
static atomic_int kept_state;
static struct proc kept;	/* written before READY is published */

/* What this thread could not make (a filter, or no privilege). */
PS__MISSING_FLAG private_missing, clone_missing, proc_statx_missing;

static int resource_error(int r)
{
	return r == -EMFILE || r == -ENFILE || r == -ENOMEM;
}

/* The handle's mount id (unique where the kernel has it), device and
 * inode; mnt stays 0 where statx is missing or filtered. */
static int identify(int fd, struct proc *p)
{
	struct ps__statx stx;
	struct stat st;
	int r = -ENOSYS;

	if (!PS__MISSING(proc_statx_missing))
		r = ps__linux_statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		    PS__STATX_TYPE | PS__STATX_INO | PS__STATX_MNT_ID_UNIQUE,
		    &stx);
	if (r == -ENOSYS || r == -EPERM) {
		PS__SET_MISSING(proc_statx_missing);
		r = PS__SYS(fstat(fd, &st));
		if (r == 0) {
			p->mnt = 0;
			p->unique = 0;
			p->dev_major = major(st.st_dev);
			p->dev_minor = minor(st.st_dev);
			p->ino = st.st_ino;
		}
		return r;
	}
	if (r < 0)
		return r;
	p->unique = !!(stx.mask & PS__STATX_MNT_ID_UNIQUE);
	p->mnt = stx.mask & (PS__STATX_MNT_ID | PS__STATX_MNT_ID_UNIQUE) ?
	    stx.mnt_id : 0;
	p->dev_major = stx.dev_major;
	p->dev_minor = stx.dev_minor;
	p->ino = stx.ino;
	return 0;
}

static int is_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* fd becomes p if it is the root of a procfs; closed otherwise. */
static int take_root(int fd, int kind, struct proc *p)
{
	int r = identify(fd, p);

	if (r == 0 && (!is_procfs(fd) || p->ino != PS__PROC_ROOT_INO))
		r = -EOPNOTSUPP;
	if (r < 0) {
		close(fd);
		return r;
	}
	p->fd = fd;
	p->kind = kind;
	return 0;
}

/* A procfs instance of our own: nothing is mounted in it, ever. */
static int make_private(struct proc *p)
{
	int fs, fd;

	if (PS__MISSING(private_missing))
		return PS__ENOROUTE;
	fs = PS__SYS(syscall(SYS_fsopen, "proc", PS__FSOPEN_CLOEXEC));
	if (fs < 0) {
		if (!resource_error(fs))
			PS__SET_MISSING(private_missing);
		return fs;
	}
	/* Only the process directories (5.8); older kernels show all. */
	syscall(SYS_fsconfig, fs, PS__FSCONFIG_SET_STRING, "subset", "pid", 0);
	fd = PS__SYS(syscall(SYS_fsconfig, fs, PS__FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0));
	if (fd == 0)
		fd = PS__SYS(syscall(SYS_fsmount, fs, PS__FSMOUNT_CLOEXEC,
		    PS__MOUNT_ATTR_NOSUID | PS__MOUNT_ATTR_NODEV |
		    PS__MOUNT_ATTR_NOEXEC));
	close(fs);
	/* A user namespace without a visible /proc refuses it (EPERM). */
	if (fd < 0 && !resource_error(fd))
		PS__SET_MISSING(private_missing);
	return fd < 0 ? fd : take_root(fd, PROC_PRIVATE, p);
}

/*
 * A detached copy of the /proc mount, without its submounts.  *shared
 * says whether a refusal holds for every thread: EINVAL (a mount
 * namespace whose /proc has locked submounts) or an EPERM that the
 * kernel gave, as all-ones flags tell apart from a filter's.
 */
static int make_clone(struct proc *p, int *shared)
{
	int fd;

	*shared = 0;
	if (PS__MISSING(clone_missing))
		return PS__ENOROUTE;
	fd = PS__SYS(syscall(SYS_open_tree, AT_FDCWD, "/proc",
	    PS__OPEN_TREE_CLONE | O_CLOEXEC));
	if (fd == -EINVAL || (fd == -EPERM &&
	    !ps__linux_filtered(SYS_open_tree, -1, (long)"", -1, 0, 0)))
		*shared = 1;
	if (fd < 0 && !resource_error(fd))
		PS__SET_MISSING(clone_missing);
	/* A fake /proc is cloned too, and refused here. */
	return fd < 0 ? fd : take_root(fd, PROC_CLONE, p);
}

/* /proc itself; EOPNOTSUPP where there is no procfs at its path. */
static int make_plain(struct proc *p)
{
	int fd = PS__SYS(openat(AT_FDCWD, "/proc",
	    O_PATH | O_DIRECTORY | O_CLOEXEC));

	if (fd < 0)
		return resource_error(fd) ? fd : -EOPNOTSUPP;
	return take_root(fd, PROC_PLAIN, p);
}

/* The best handle this thread can make; *keep says it may serve every
 * thread: one that is not /proc itself, or /proc itself where the clone
 * was refused to the whole process; and checkable (a mount id). */
static int make(struct proc *p, int *keep)
{
	int shared = 0, r;

	r = make_private(p);
	if (r < 0 && !resource_error(r))
		r = make_clone(p, &shared);
	if (r < 0 && !resource_error(r)) {
		r = make_plain(p);
		if (!shared)
			*keep = 0;
	}
	if (r == 0 && !p->mnt)
		*keep = 0;
	return r;
}

/* 1: the kept handle is still the one made; 0: it is not (drop it);
 * -1: this thread cannot tell (statx filtered). */
static int kept_valid(void)
{
	struct proc now;
	int r;

	if (PS__MISSING(proc_statx_missing))
		return -1;
	r = identify(kept.fd, &now);
	if (r == -EBADF)
		return 0;
	if (r < 0 || !now.mnt)
		return -1;
	if (now.mnt != kept.mnt || now.unique != kept.unique ||
	    now.dev_major != kept.dev_major ||
	    now.dev_minor != kept.dev_minor || now.ino != kept.ino)
		return 0;
	/* A reusable mount id (before 6.8) could name a newer mount. */
	return kept.unique || is_procfs(kept.fd);
}

static int proc_get(struct proc *p)
{
	int s = atomic_load_explicit(&kept_state, memory_order_acquire);
	int keep = 1, v, r;

	if (s == KEPT_READY) {
		v = kept_valid();
		if (v > 0) {
			*p = kept;
			return 0;
		}
		/* Never closed: the number may be someone else's by now. */
		if (v == 0)
			atomic_compare_exchange_strong(&kept_state, &s,
			    KEPT_DEAD);
	} else if (s == KEPT_NONE && atomic_compare_exchange_strong(
	    &kept_state, &s, KEPT_BUSY)) {
		r = make(p, &keep);
		p->owned = !(r == 0 && keep);
		if (!p->owned)
			kept = *p;
		atomic_store_explicit(&kept_state,
		    p->owned ? KEPT_NONE : KEPT_READY, memory_order_release);
		return r;
	}
	r = make(p, &keep);
	p->owned = 1;
	return r;
}

static void proc_put(struct proc *p)
{
	if (p->owned)
		close(p->fd);
}

/*
 * The fd directory of this thread in a plain /proc, one name at a time
 * with O_NOFOLLOW: a walk that crossed a mount can never come back into
 * /proc's own mount (no symlink is followed, no ".." taken), so the
 * mount id of the last directory tells.  Without mount ids, procfs is
 * all that is checked.
 */
static int walk_fd_dir(const struct proc *p)
{
	char text[64], *comp, *save = NULL;
	struct proc at;
	int cur, next, n;

	cur = PS__SYS(openat(p->fd, "thread-self", O_PATH | O_NOFOLLOW |
	    O_CLOEXEC));
	n = cur;
	if (cur >= 0 && p->mnt && (identify(cur, &at) < 0 || at.mnt != p->mnt))
		n = PS__EVERIFY;
	if (n >= 0)
		n = PS__SYS(readlinkat(cur, "", text, sizeof(text) - 4));
	if (cur >= 0)
		close(cur);
	if (n < 0)
		return n;
	memcpy(text + n, "/fd", 4);
	cur = p->fd;
	for (comp = strtok_r(text, "/", &save); comp;
	    comp = strtok_r(NULL, "/", &save)) {
		next = comp[0] == '.' ? PS__EVERIFY : PS__SYS(openat(cur, comp,
		    O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
		if (cur != p->fd)
			close(cur);
		if (next < 0)
			return next;
		cur = next;
	}
	n = p->mnt ? identify(cur, &at) : 0;
	if (n == 0 && (p->mnt ? at.mnt != p->mnt : !is_procfs(cur)))
		n = PS__EVERIFY;
	if (n < 0) {
		close(cur);
		return n;
	}
	return cur;
}

/* Where own's entry is: dfd and ent, dfd to be closed when not h.fd. */
struct entry {
	struct proc h;
	int dfd;
	char ent[32];
};

/* A failed lookup in procfs is a failed check, never "no route". */
static int verify_error(int r)
{
	return r >= 0 || resource_error(r) || r == -EOPNOTSUPP ? r :
	    PS__EVERIFY;
}

/* An action on own's entry: ENOENT can only be the lookup's. */
static int act_error(int r)
{
	return r == -ENOENT ? PS__EVERIFY : r;
}

static int entry_open(struct entry *e, int own)
{
	int r = proc_get(&e->h);

	if (r < 0)
		return r;
	e->dfd = e->h.fd;
	if (e->h.kind != PROC_PLAIN) {
		snprintf(e->ent, sizeof(e->ent), "thread-self/fd/%d", own);
		return 0;
	}
	snprintf(e->ent, sizeof(e->ent), "%d", own);
	/* Magic links are refused under RESOLVE_BENEATH; thread-self is a
	 * plain symlink. */
	r = ps__os_openat2(e->h.fd, "thread-self/fd", O_PATH | O_DIRECTORY, 0,
	    PS_BENEATH | PS_NO_XDEV);
	if (r == PS__ENOROUTE)
		r = walk_fd_dir(&e->h);
	r = verify_error(r);
	if (r < 0) {
		proc_put(&e->h);
		return r;
	}
	e->dfd = r;
	return 0;
}

static void entry_close(struct entry *e)
{
	if (e->dfd != e->h.fd)
		close(e->dfd);
	proc_put(&e->h);
}

/* A number of our own for the file open on fd. */
static int own_fd(int fd)
{
	return PS__SYS(fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

int ps__os_link_fdpath(int fd, int dirfd, const char *name)
{
	struct entry e;
	struct stat est;
	int own = own_fd(fd), r;

	if (own < 0)
		return own;
	r = entry_open(&e, own);
	if (r == 0) {
		r = PS__SYS(linkat(e.dfd, e.ent, dirfd, name,
		    AT_SYMLINK_FOLLOW));
		/* ENOENT is the link's own (a deleted file) only if the entry
		 * is there. */
		if (r == -ENOENT && fstatat(e.dfd, e.ent, &est,
		    AT_SYMLINK_NOFOLLOW) < 0)
			r = PS__EVERIFY;
		entry_close(&e);
	}
	close(own);
	if (r == 0)
		ps__set_route("linkat-proc");
	return r;
}

int ps__os_fchmod_fd(int fd, const struct stat *st, mode_t mode)
{
	struct entry e;
	struct stat ost;
	int own = own_fd(fd), r;

	if (own < 0)
		return own;
	/* The number checked is the caller's: the chmod goes to what was
	 * checked, or nowhere. */
	r = PS__SYS(fstat(own, &ost));
	if (r == 0 && !ps__same_inode(st, &ost))
		r = PS__EVERIFY;
	if (r == 0)
		r = entry_open(&e, own);
	if (r == 0) {
		r = act_error(PS__SYS(fchmodat(e.dfd, e.ent, mode, 0)));
		entry_close(&e);
	}
	close(own);
	if (r == 0)
		ps__set_route("proc-chmod");
	return r;
}

int ps__os_reopen(int fd, const struct stat *st, int oflags)
{
	struct entry e;
	int own = own_fd(fd), nfd;

	(void)st;	/* the caller checks the new descriptor */
	if (own < 0)
		return own;
	nfd = entry_open(&e, own);
	if (nfd == 0) {
		/* fd is no symlink, and O_NOFOLLOW would refuse the magic
		 * link. */
		nfd = act_error(PS__SYS(openat(e.dfd, e.ent,
		    (oflags & ~O_NOFOLLOW) | O_CLOEXEC)));
		entry_close(&e);
	}
	close(own);
	if (nfd >= 0)
		ps__set_route("proc-reopen");
	return nfd;
}

int ps__os_fd_path(int fd, char *buf, size_t size)
{
	struct entry e;
	int own = own_fd(fd), len;

	if (own < 0)
		return own;
	len = entry_open(&e, own);
	if (len == 0) {
		len = act_error(PS__SYS(readlinkat(e.dfd, e.ent, buf,
		    size)));
		entry_close(&e);
	}
	close(own);
	if (len < 0)
		return len;
	if ((size_t)len >= size)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	/* Sockets, pipes and anonymous inodes have no path to remove. */
	if (buf[0] != '/')
		return -ENOENT;
	return 0;
}

int ps__linux_filtered(long nr, long a, long b, long c, long d, long e)
{
	return syscall(nr, a, b, c, d, e) < 0 && errno == EPERM;
}
