/* SPDX-License-Identifier: MIT */
/*
 * Compile-only overlay, force-included: what newer FreeBSD headers add
 * for renameat2.  The prototype is rename(2)'s SYNOPSIS (lib/libsys/
 * rename.2, March 2026); the flag's value is a placeholder.
 */
#define	AT_RENAME_NOREPLACE	0x0001
int	renameat2(int, const char *, int, const char *, unsigned int);
