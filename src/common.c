/* SPDX-License-Identifier: MIT */
/* What every call shares: the error exit, the route record, hidden names
 * and the parent directory of a name. */
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* A route is pending until its call succeeds: a later step can fail. */
static _Thread_local const char *last_route = "", *pending_route;

int ps__ret(int r)
{
	const char *route = pending_route;

	pending_route = NULL;
	if (r >= 0) {
		if (route)
			last_route = route;
		return r;
	}
	errno = r == PS__EVERIFY ? EXDEV : -r;
	return -1;
}

void ps__set_route(const char *route)
{
	pending_route = route;
}

const char *ps_last_route(void)
{
	return last_route;
}

const char *ps_version(void)
{
	return PS__VERSION;
}

/*
 * Names only need to be unguessable enough that nobody can take them
 * first; every use is O_EXCL or NOREPLACE anyway.  getrandom can be
 * filtered by a sandbox, so a clock and counter mix stands in.
 */
void ps__hidden_name(char name[PS__HIDDEN_SIZE], const char *prefix)
{
	static const char hex[] = "0123456789abcdef";
	static atomic_uint_fast64_t counter;
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
		    ((uint64_t)getpid() << 48) ^
		    atomic_fetch_add_explicit(&counter, 0x9e3779b97f4a7c15u,
			memory_order_relaxed);
		v ^= v >> 31;
		v *= 0xbf58476d1ce4e5b9u;
		v ^= v >> 29;
	}
	memcpy(name, prefix, sizeof(PS__HIDDEN_PREFIX) - 1);
	for (size_t i = 0; i < 16; i++)
		name[sizeof(PS__HIDDEN_PREFIX) - 1 + i] =
		    hex[(v >> (4 * i)) & 0xf];
	name[PS__HIDDEN_SIZE - 1] = '\0';
}

/*
 * A name whose last component is "", "." or ".." cannot be linked,
 * removed or renamed aside; single also refuses any "/".
 */
int ps__check_name(const char *name, int single)
{
	const char *base;

	if (!name)
		return -EFAULT;
	base = strrchr(name, '/');
	if (base && single)
		return -EINVAL;
	base = base ? base + 1 : name;
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, ".."))
		return -EINVAL;
	return 0;
}

/*
 * The directory holding name, opened once so that every later step acts
 * in the same directory; dirfd itself when name has no "/".
 */
int ps__open_parent(int dirfd, const char *name, int *pd,
    const char **base)
{
	const char *slash = strrchr(name, '/');
	char dir[4096];
	size_t len;

	*pd = dirfd;
	*base = slash ? slash + 1 : name;
	if (!slash)
		return 0;
	len = slash == name ? 1 : (size_t)(slash - name);
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, name, len);
	dir[len] = '\0';
	*pd = PS__SYS(openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	return *pd < 0 ? *pd : 0;
}

void ps__close_parent(int pd, int dirfd)
{
	if (pd >= 0 && pd != dirfd)
		close(pd);
}

int ps__same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}
