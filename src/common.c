/* SPDX-License-Identifier: MIT */
/* What every call shares: the error exit, the route record, hidden names
 * and the check of a single name. */
#include <fcntl.h>
#include <pthread.h>
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
 * first; every use is O_EXCL or NOREPLACE anyway.  Each thread draws a
 * key once and names are SipHash-1-3 of a counter under it: no syscall
 * per name, and the names a directory shows tell nothing of the next
 * ones.  getrandom can be filtered by a sandbox, so a clock and counter
 * mix stands in for the key.  A forked child draws a new key, so that
 * parent and child do not race for the same names.
 */
static _Thread_local struct {
	uint64_t k0, k1, n;
	int seeded;
} gen;

static void forked(void)
{
	gen.seeded = 0;
}

__attribute__((constructor)) static void register_fork(void)
{
	pthread_atfork(NULL, NULL, forked);
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void sipround(uint64_t v[4])
{
	v[0] += v[1], v[1] = ROTL(v[1], 13), v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3], v[3] = ROTL(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = ROTL(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = ROTL(v[1], 17), v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* SipHash-1-3 of one 8-byte message. */
static uint64_t siphash(uint64_t k0, uint64_t k1, uint64_t m)
{
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575u, k1 ^ 0x646f72616e646f6du,
		k0 ^ 0x6c7967656e657261u, k1 ^ 0x7465646279746573u };
	uint64_t b = (uint64_t)8 << 56;

	v[3] ^= m, sipround(v), v[0] ^= m;
	v[3] ^= b, sipround(v), v[0] ^= b;
	v[2] ^= 0xff;
	sipround(v), sipround(v), sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void seed(void)
{
	static atomic_uint_fast64_t counter;
	uint64_t k[2];

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		struct timespec mono, real;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		k[0] = (uint64_t)mono.tv_nsec ^ ((uint64_t)mono.tv_sec << 32) ^
		    ((uint64_t)getpid() << 48) ^
		    atomic_fetch_add_explicit(&counter, 0x9e3779b97f4a7c15u,
			memory_order_relaxed);
		k[1] = (uint64_t)real.tv_nsec ^ ((uint64_t)real.tv_sec << 30) ^
		    (uint64_t)(unsigned long)&gen;
		k[0] = siphash(k[1], k[0], k[0]);
	}
	gen.k0 = k[0];
	gen.k1 = k[1];
	gen.seeded = 1;
}

/* x's 8 nibbles as lowercase hex digits, one per byte, the lowest first
 * in memory on little-endian: arithmetic on all 8 at once rather than 16
 * table lookups, since every replace draws a name. */
static uint64_t hex8(uint32_t x)
{
	uint64_t v = x, letter;

	v = (v | v << 16) & 0x0000ffff0000ffffu;
	v = (v | v << 8) & 0x00ff00ff00ff00ffu;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fu;
	/* 1 in each byte whose nibble is 10 or more (15 + 6 carries into
	 * no other byte). */
	letter = ((v + 0x0606060606060606u) >> 4) & 0x0101010101010101u;
	return v + 0x3030303030303030u + letter * ('a' - '0' - 10);
}

void ps__hidden_name(char name[PS__HIDDEN_SIZE], const char *prefix)
{
	const size_t at = sizeof(PS__HIDDEN_PREFIX) - 1;
	uint64_t v, lo, hi;

	if (!gen.seeded)
		seed();
	v = siphash(gen.k0, gen.k1, gen.n++);
	lo = hex8((uint32_t)v);
	hi = hex8((uint32_t)(v >> 32));
	memcpy(name, prefix, at);
	memcpy(name + at, &lo, sizeof(lo));
	memcpy(name + at + 8, &hi, sizeof(hi));
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
