/* SPDX-License-Identifier: MIT */
/*
 * Compiled, never run, by compile-check.sh: the structures of the stub
 * sysroot have FreeBSD's sizes and offsets on amd64, so that an abridged
 * declaration cannot hide a wrong layout.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/user.h>

/* sys/sys/user.h: "This size should never be changed." */
_Static_assert(sizeof(struct kinfo_file) == KINFO_FILE_SIZE,
    "struct kinfo_file is not KINFO_FILE_SIZE bytes");
_Static_assert(__builtin_offsetof(struct kinfo_file, kf_path) == 368,
    "kf_path is not where FreeBSD's kernel writes it");
/* The ino64 layouts of 12.0 and later. */
_Static_assert(sizeof(struct stat) == 224, "struct stat is not 224 bytes");
_Static_assert(sizeof(struct dirent) == 280,
    "struct dirent is not 280 bytes");
