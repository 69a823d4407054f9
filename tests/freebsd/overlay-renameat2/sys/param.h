/* SPDX-License-Identifier: MIT */
/*
 * Compile-only overlay, not a FreeBSD header: with renameat2.h it lets
 * compile-check.sh compile the #ifdef AT_RENAME_NOREPLACE branch of
 * src/freebsd/native.c, which FreeBSD 14.0's headers never reach.  The
 * value is a placeholder; the check reads none.
 */
#define	__FreeBSD_version	1500000
