/* SPDX-License-Identifier: MIT */
/*
 * What the resolution step needs of Linux: openat2 (5.6) for the kernel's
 * own resolver, statx's mount id (5.8) for PS_NO_XDEV in the walk, and
 * the procfs test for magic links.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux.h"

/* <linux/openat2.h> and struct statx, which musl's toolchain lacks. */
struct ps__open_how {
	uint64_t flags, mode, resolve;
};
#define PS__RESOLVE_NO_XDEV 0x01
#define PS__RESOLVE_NO_SYMLINKS 0x04
#define PS__RESOLVE_BENEATH 0x08
#define PS__RESOLVE_IN_ROOT 0x10
#define PS__O_TMPFILE_BIT 020000000

PS__MISSING_FLAG openat2_missing, statx_missing;

int ps__os_openat2(int dirfd, const char *path, int oflags, mode_t mode,
    unsigned rflags)
{
	/* openat2 refuses a mode without O_CREAT or O_TMPFILE. */
	struct ps__open_how how = {
		.flags = (unsigned)(oflags | O_CLOEXEC),
		.mode = oflags & (O_CREAT | PS__O_TMPFILE_BIT) ? mode : 0,
		.resolve = (rflags & PS_BENEATH ? PS__RESOLVE_BENEATH : 0) |
		    (rflags & PS_IN_ROOT ? PS__RESOLVE_IN_ROOT : 0) |
		    (rflags & PS_NO_SYMLINKS ? PS__RESOLVE_NO_SYMLINKS : 0) |
		    (rflags & PS_NO_XDEV ? PS__RESOLVE_NO_XDEV : 0),
	};
	int r;

	if (PS__MISSING(openat2_missing))
		return PS__ENOROUTE;
	r = PS__SYS(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
	/* Before 5.6 ENOSYS; a container's seccomp policy EPERM, which a
	 * real open never answers for an O_PATH probe of "/". */
	if (r == -ENOSYS || (r == -EPERM &&
	    ps__linux_filtered(SYS_openat2, AT_FDCWD, (long)"/",
	    (long)&(struct ps__open_how){ .flags = O_PATH | O_CLOEXEC },
	    sizeof(struct ps__open_how), 0))) {
		PS__SET_MISSING(openat2_missing);
		return PS__ENOROUTE;
	}
	return r;
}

/* Linux's nodes that lead elsewhere are procfs's magic links, which
 * O_NOFOLLOW refuses (ELOOP) and ps__os_magic_link tells. */
int ps__os_open_name(int dirfd, const char *name, int oflags, mode_t mode)
{
	return PS__SYS(openat(dirfd, name, oflags | O_NOFOLLOW | O_CLOEXEC,
	    mode));
}

int ps__os_ident(int fd, struct ps__ident *id)
{
	struct ps__statx stx;
	struct stat st;
	int r;

	if (!PS__MISSING(statx_missing)) {
		r = ps__linux_statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		    PS__STATX_TYPE | PS__STATX_INO | PS__STATX_MNT_ID, &stx);
		if (r == 0) {
			id->mode = stx.mode;
			id->dev = makedev(stx.dev_major, stx.dev_minor);
			id->ino = stx.ino;
			id->mnt = stx.mask & PS__STATX_MNT_ID ? stx.mnt_id : 0;
			return 0;
		}
		/* Before 4.11, or filtered: fstat still serves. */
		if (r != -ENOSYS && r != -EPERM)
			return r;
		PS__SET_MISSING(statx_missing);
	}
	r = PS__SYS(fstat(fd, &st));
	if (r == 0)
		*id = (struct ps__ident){ st.st_mode, st.st_dev, st.st_ino, 0 };
	return r;
}

int ps__os_readlink(int linkfd, int parent, const char *name, char *buf,
    size_t size)
{
	(void)parent, (void)name;
	/* The very link that was opened, not a second lookup of name. */
	return PS__SYS(readlinkat(linkfd, "", buf, size));
}

/* From <linux/magic.h>, which musl's toolchain does not ship. */
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/*
 * procfs's plain symlinks are self, thread-self and the compatibility
 * links at its root (mounts, net), whose texts are relative; every other
 * symlink there (fd/N, exe, cwd, root, map_files, ns) jumps by magic.
 */
int ps__os_magic_link(int linkfd, const char *name)
{
	static const char *const plain[] = { "self", "thread-self", "mounts",
		"net" };
	struct statfs sfs;

	if (fstatfs(linkfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return 0;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(name, plain[i]))
			return 0;
	return 1;
}

int ps__linux_statx(int dirfd, const char *path, int flags, unsigned mask,
    struct ps__statx *stx)
{
	return PS__SYS(syscall(SYS_statx, dirfd, path, flags, mask, stx));
}
