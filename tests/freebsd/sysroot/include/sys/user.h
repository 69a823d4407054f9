/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 sys/sys/user.h: struct kinfo_file, which fcntl(F_KINFO)
 * fills (fcntl(2)), with cap_rights_t from sys/sys/caprights.h
 * (CAP_RIGHTS_VERSION 0).  The library reads only kf_structsize and
 * kf_path; of the unnamed union only kf_un.kf_file is kept, which has the
 * union's full 304 bytes, so sizes and offsets are FreeBSD's:
 * tests/freebsd/layout.c checks sizeof == KINFO_FILE_SIZE (1392) and
 * offsetof(kf_path) == 368.
 */
#ifndef _SYS_USER_H_
#define _SYS_USER_H_

#include <limits.h>
#include <stdint.h>

struct cap_rights {
	uint64_t	cr_rights[0 + 2];
};
typedef	struct cap_rights	cap_rights_t;

#define	KINFO_FILE_SIZE	1392

struct kinfo_file {
	int		kf_structsize;		/* Variable size of record. */
	int		kf_type;		/* Descriptor type. */
	int		kf_fd;			/* Array index. */
	int		kf_ref_count;		/* Reference count. */
	int		kf_flags;		/* Flags. */
	int		kf_pad0;		/* Round to 64 bit alignment. */
	int64_t		kf_offset;		/* Seek location. */
	union {
		struct {
			int		kf_file_type;
			int		kf_spareint[3];
			uint64_t	kf_spareint64[30];
			uint64_t	kf_file_fsid;
			uint64_t	kf_file_rdev;
			uint64_t	kf_file_fileid;
			uint64_t	kf_file_size;
			uint32_t	kf_file_fsid_freebsd11;
			uint32_t	kf_file_rdev_freebsd11;
			uint16_t	kf_file_mode;
			uint16_t	kf_file_pad0;
			uint32_t	kf_file_pad1;
		} kf_file;
	} kf_un;
	uint16_t	kf_status;		/* Status flags. */
	uint16_t	kf_pad1;		/* Round to 32 bit alignment. */
	int		_kf_ispare0;		/* Space for more stuff. */
	cap_rights_t	kf_cap_rights;		/* Capability rights. */
	uint64_t	_kf_cap_spare;		/* Space for future cap_rights_t. */
	char		kf_path[PATH_MAX];	/* Path to file, if any. */
};

#endif /* !_SYS_USER_H_ */
