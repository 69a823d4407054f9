/* SPDX-License-Identifier: MIT */
/*
 * ps_tmpfile_sweep: remove the hidden files that killed processes left
 * behind.  Route: sweep, one pass over the directory; each stale entry
 * goes through the verified removal (ps__unlink_if) with the stat that
 * found it stale, so an entry swapped in after the check is put back.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Exactly ".pathsafe-" and 16 lowercase hex digits, as ps__hidden_name
 * makes them; anything else may be someone's file. */
static int is_hidden_name(const char *name)
{
	const char *hex = name + sizeof(PS__HIDDEN_PREFIX) - 1;

	if (strncmp(name, PS__HIDDEN_PREFIX, sizeof(PS__HIDDEN_PREFIX) - 1))
		return 0;
	if (strspn(hex, "0123456789abcdef") != 16)
		return 0;
	return hex[16] == '\0';
}

/* A writer still busy with the file keeps its mtime, or ctime, fresh;
 * a clock set back makes every file young, never old. */
static int is_stale(const struct stat *st, time_t now, unsigned min_age)
{
	time_t t = st->st_mtime > st->st_ctime ? st->st_mtime : st->st_ctime;

	return S_ISREG(st->st_mode) && t <= now &&
	    (unsigned long long)(now - t) >= min_age;
}

/* 1 when removed, 0 when the entry was not stale or changed under us. */
static int sweep_entry(int dfd, const char *name, time_t now,
    unsigned min_age)
{
	struct stat st;
	int r;

	if (!is_hidden_name(name))
		return 0;
	r = PS__SYS(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW));
	if (r == 0 && !is_stale(&st, now, min_age))
		return 0;
	if (r == 0)
		r = ps__unlink_if(dfd, name, &st);
	/* Gone already, or no longer the file that was stale. */
	if (r == -ENOENT || r == -EDEADLK)
		return 0;
	return r < 0 ? r : 1;
}

int ps_tmpfile_sweep(int dirfd, const char *dir, unsigned min_age_seconds)
{
	struct timespec ts;
	struct dirent *e;
	time_t now;
	DIR *d = NULL;
	int fd, n = 0, r;

	r = dir ? 0 : -EFAULT;
	if (r == 0)
		r = fd = PS__SYS(openat(dirfd, dir,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (r >= 0 && !(d = fdopendir(fd))) {
		r = -errno;
		close(fd);
	}
	if (r < 0)
		return ps__ret(r);
	/* Not time(): the coarse clock lags the fine-grained timestamps
	 * some filesystems give, and a file just made would look young. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	while (r >= 0 && (errno = 0, e = readdir(d))) {
		r = sweep_entry(fd, e->d_name, now, min_age_seconds);
		n += r > 0;
	}
	if (r >= 0 && errno)
		r = -errno;
	closedir(d);
	if (r >= 0)
		ps__set_route("sweep");
	return ps__ret(r < 0 ? r : n);
}
