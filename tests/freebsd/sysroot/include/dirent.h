/* SPDX-License-Identifier: MIT */
/*
 * FreeBSD 14.0 include/dirent.h with sys/sys/dirent.h: struct dirent as
 * laid out since 12.0, and the directory stream calls.
 */
#ifndef _DIRENT_H_
#define	_DIRENT_H_

#include <sys/types.h>

#define	MAXNAMLEN	255

struct dirent {
	ino_t      d_fileno;
	off_t      d_off;
	__uint16_t d_reclen;
	__uint8_t  d_type;
	__uint8_t  d_pad0;
	__uint16_t d_namlen;
	__uint16_t d_pad1;
	char	d_name[MAXNAMLEN + 1];
};

typedef	struct _dirdesc	DIR;

int	 closedir(DIR *);
DIR	*fdopendir(int);
struct dirent *readdir(DIR *);

#endif /* !_DIRENT_H_ */
