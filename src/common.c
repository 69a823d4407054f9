/* SPDX-License-Identifier: MIT */
/* What every call shares: the error exit, the route record, hidden names
 * and the check of a single name. */
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

/* A single name in a directory: not "", "." or ".." and without "/". */
int ps__check_name(const char *name)
{
	if (!name)
		return -EFAULT;
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

int ps__same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}
