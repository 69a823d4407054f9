/* SPDX-License-Identifier: MIT */
/* FreeBSD 14.0 sys/sys/extattr.h: the namespaces and the fd calls. */
#ifndef _SYS_EXTATTR_H_
#define	_SYS_EXTATTR_H_

#include <sys/types.h>

#define	EXTATTR_NAMESPACE_USER		0x00000001
#define	EXTATTR_NAMESPACE_SYSTEM	0x00000002

ssize_t	extattr_get_fd(int _fd, int _attrnamespace, const char *_attrname,
	    void *_data, size_t _nbytes);
ssize_t	extattr_list_fd(int _fd, int _attrnamespace, void *_data,
	    size_t _nbytes);
ssize_t	extattr_set_fd(int _fd, int _attrnamespace, const char *_attrname,
	    const void *_data, size_t _nbytes);

#endif /* !_SYS_EXTATTR_H_ */
