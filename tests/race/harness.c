/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif

#define MAGIC 0x70736166u	/* "psaf" */

void rh_die(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: harness check failed: %s (errno %d: %s)\n",
	    file, line, what, errno, strerror(errno));
	fflush(stdout);
	_exit(1);
}

int rh_scratch(char path[4096])
{
	const char *base = getenv("PS_RACE_DIR");
	int fd;

	if (!base)
		base = getenv("PS_TEST_DIR");
	snprintf(path, 4096, "%s/psrace.XXXXXX", base ? base : "/tmp");
	RH_CHECK(mkdtemp(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	RH_CHECK(fd >= 0);
	return fd;
}

static int remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st, (void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

void rh_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void rh_die_with(pid_t parent)
{
	/* After the prctl, a parent already gone shows as another. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
}

void rh_pin(int cpu)
{
	/* The process's CPUs, read before any thread is pinned: a thread
	 * inherits its creator's pinning. */
	static cpu_set_t allowed;
	static int n;
	cpu_set_t one;
	int k = 0;

	if (!n) {
		RH_CHECK(sched_getaffinity(0, sizeof(allowed), &allowed) == 0);
		n = CPU_COUNT(&allowed);
	}
	if (n < 2)
		return;
	cpu %= n;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &allowed) || k++ != cpu)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		RH_CHECK(pthread_setaffinity_np(pthread_self(), sizeof(one),
		    &one) == 0);
		return;
	}
}

int rh_exchange(int dirfd, const char *a, const char *b)
{
	return syscall(SYS_renameat2, dirfd, a, dirfd, b, RENAME_EXCHANGE);
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

size_t rh_version_fill(unsigned char *buf, uint32_t v)
{
	uint32_t hdr[4], len = 4096 + (v * 2654435761u) % 16384;

	for (uint32_t i = sizeof(hdr); i < len; i++)
		buf[i] = (unsigned char)(v * 31 + i * 7 + (i >> 8));
	hdr[0] = MAGIC;
	hdr[1] = v;
	hdr[2] = len;
	hdr[3] = checksum(buf + sizeof(hdr), len - sizeof(hdr));
	memcpy(buf, hdr, sizeof(hdr));
	return len;
}

int rh_version_check(const unsigned char *buf, size_t n, uint32_t *v)
{
	uint32_t hdr[4];

	if (n < sizeof(hdr))
		return 0;
	memcpy(hdr, buf, sizeof(hdr));
	if (hdr[0] != MAGIC || hdr[2] != n ||
	    hdr[3] != checksum(buf + sizeof(hdr), n - sizeof(hdr)))
		return 0;
	*v = hdr[1];
	return 1;
}

int rh_version_write(int fd, uint32_t v)
{
	unsigned char buf[RH_VERSION_MAX];
	size_t len = rh_version_fill(buf, v);

	for (size_t at = 0; at < len; ) {
		ssize_t w = write(fd, buf + at, len - at);

		if (w < 0)
			return -errno;
		at += w;
	}
	return 0;
}

int rh_version_read(int dirfd, const char *name, uint32_t *v)
{
	unsigned char buf[RH_VERSION_MAX + 1];
	size_t n = 0;
	ssize_t r = 1;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += r;
	close(fd);
	return r < 0 ? -EIO : rh_version_check(buf, n, v);
}

long rh_iterations(int argc, char **argv, long def)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--soak"))
			return 1000000;
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			return atol(argv[i + 1]);
	}
	return def;
}
