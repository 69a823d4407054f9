/* SPDX-License-Identifier: MIT */
/*
 * The progress bar on stderr: the file, percent, bytes done and the mean
 * rate, redrawn at most five times a second and once at the end.
 */
#include <stdio.h>
#include <unistd.h>

#include "pscp.h"

#define BAR_LARGE ((off_t)64 << 20)

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static const char *human(double n, char buf[16])
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	for (; n >= 1024 && i < 4; i++)
		n /= 1024;
	snprintf(buf, 16, i ? "%.1f %s" : "%.0f %s", n, unit[i]);
	return buf;
}

static void draw(struct bar *b, uint64_t done, const struct timespec *now)
{
	double secs = since(&b->start, now);
	char d[16], t[16], rate[16];

	fprintf(stderr, "\r%s %3u%% %s / %s %s/s", b->path,
	    b->total ? (unsigned)(done * 100 / b->total) : 100,
	    human((double)done, d), human((double)b->total, t),
	    human(secs > 0 ? (double)done / secs : 0, rate));
}

int bar_start(struct bar *b, const char *path, off_t size)
{
	if (opt.bar == BAR_NEVER || (opt.bar == BAR_AUTO &&
	    (size < BAR_LARGE || !isatty(STDERR_FILENO))))
		return 0;
	b->path = path;
	b->total = size;
	clock_gettime(CLOCK_MONOTONIC, &b->start);
	b->last = b->start;
	return 1;
}

void bar_update(uint64_t done, uint64_t total, void *arg)
{
	struct bar *b = arg;
	struct timespec now;

	(void)total;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&b->last, &now) < 0.2)
		return;
	b->last = now;
	draw(b, done, &now);
}

void bar_end(struct bar *b, int ok)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Holes are not counted as they go by: a done copy is all done. */
	if (ok)
		draw(b, b->total, &now);
	fputc('\n', stderr);
}
