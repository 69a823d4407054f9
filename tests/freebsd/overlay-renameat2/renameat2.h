/* SPDX-License-Identifier: MIT */
/*
 * Compile-only overlay, force-included: what FreeBSD 16.0's headers add
 * for renameat2, which 13.5's lack.  The prototype is rename(2)'s SYNOPSIS
 * (lib/libsys/rename.2, renameat2 "appeared in FreeBSD 16.0"), declared by
 * <stdio.h> with <sys/fcntl.h>; the flag's value is a placeholder.
 */
#define	AT_RENAME_NOREPLACE	0x0001
int	renameat2(int, const char *, int, const char *, unsigned int);
