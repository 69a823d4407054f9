/* SPDX-License-Identifier: MIT */
/*
 * The copy engine, shared by the copy fallback and pscp.  Routes, by
 * errno as coreutils does: reflink (FICLONE); copy_file_range; pread and
 * pwrite with a large buffer.  Holes are kept with SEEK_DATA/SEEK_HOLE
 * when the source's offset may move (it is restored); otherwise only
 * calls that take explicit offsets touch the source.  As cp's --sparse,
 * holes may instead be filled with zeros, or made from every block of
 * zeros (read and written then, to see them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define BUF_SIZE (1 << 20)
#define CHUNK ((size_t)1 << 30)
/* With a progress callback, often enough for a smooth bar. */
#define PROGRESS_CHUNK ((size_t)16 << 20)

struct job {
	int src, dst;
	struct ps__copy *c;
	uint64_t done, total;
	int kernel;		/* copy_file_range still worth trying */
	size_t block;		/* PS__HOLES_MAKE: a block of zeros is a hole */
	char *buf;
};

static int all_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

/* Writes n bytes at off, skipping the blocks of zeros if j->block. */
static int write_out(struct job *j, const char *p, size_t n, off_t off)
{
	size_t step = j->block ? j->block : n, len;
	ssize_t w;

	for (size_t at = 0; at < n; at += len) {
		len = n - at < step ? n - at : step;
		if (j->block && all_zero(p + at, len))
			continue;
		for (size_t done = 0; done < len; done += w) {
			w = pwrite(j->dst, p + at + done, len - done,
			    off + at + done);
			if (w < 0 && errno != EINTR)
				return -errno;
			w = w < 0 ? 0 : w;
		}
	}
	return 0;
}

static int copy_by_read(struct job *j, off_t *off, off_t end)
{
	ssize_t n;
	int r;

	if (!j->buf && !(j->buf = malloc(BUF_SIZE)))
		return -ENOMEM;
	while (*off < end) {
		size_t want = (uint64_t)(end - *off) < BUF_SIZE ?
		    (size_t)(end - *off) : BUF_SIZE;

		n = pread(j->src, j->buf, want, *off);
		/* A pipe or a terminal has no offset to keep: read it. */
		if (n < 0 && errno == ESPIPE)
			n = read(j->src, j->buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if ((r = write_out(j, j->buf, n, *off)) < 0)
			return r;
		*off += n;
		j->done += n;
		if (j->c->progress)
			j->c->progress(j->done, j->total, j->c->arg);
	}
	return 0;
}

/* Copies [*off, end) or up to the source's end, whichever is first. */
static int copy_extent(struct job *j, off_t *off, off_t end)
{
	size_t chunk = j->c->progress ? PROGRESS_CHUNK : CHUNK;

	while (j->kernel && *off < end) {
		off_t out = *off;
		uint64_t left = (uint64_t)(end - *off);
		int64_t n = ps__os_copy_range(j->src, off, j->dst, &out,
		    left < chunk ? (size_t)left : chunk);

		/* 0 before any byte: the source may lie about its size, as
		 * procfs does; read() tells the truth. */
		if (n == PS__ENOROUTE || (n == 0 && j->done == 0)) {
			j->kernel = 0;
			break;
		}
		/* A signal before any byte moved (a handler without
		 * SA_RESTART): nothing was copied, so ask again. */
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		j->done += n;
		j->c->method = "copy-file-range";
		if (j->c->progress)
			j->c->progress(j->done, j->total, j->c->arg);
	}
	if (!j->kernel && *off < end)
		j->c->method = "read-write";
	return j->kernel ? 0 : copy_by_read(j, off, end);
}

static int copy_sparse(struct job *j, off_t size)
{
	off_t off = 0, data, hole;
	int r = 0;

	while (r == 0 && off < size) {
		data = lseek(j->src, off, SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			return -errno;
		/* ENXIO: a hole up to the end. */
		if (data < 0)
			data = size;
		/* A hole to fill: its zeros are read and written. */
		if (j->c->holes == PS__HOLES_FILL && off < data) {
			r = copy_by_read(j, &off, data);
			if (r < 0 || off < data)
				return r;
		}
		if (data >= size)
			return 0;
		hole = lseek(j->src, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		off = data;
		r = copy_extent(j, &off, hole);
		if (r == 0 && off < hole)
			break;	/* the source shrank */
	}
	return r;
}

int ps__copy_fd(int src, int dst, struct ps__copy *c)
{
	/* copy_file_range clones too, where the filesystem can (xfs, btrfs):
	 * a copy that must not share blocks reads and writes, as cp's
	 * --reflink=never does. */
	struct job j = { src, dst, c, 0, 0, c->clone != PS__CLONE_NEVER, 0,
		NULL };
	struct stat st;
	off_t saved = -1, off = 0, size;
	int r;

	if (fstat(src, &st) < 0)
		return -errno;
	j.total = st.st_size;
	if (c->clone != PS__CLONE_NEVER) {
		r = ps__os_clone(src, dst);
		if (r == 0 || c->clone == PS__CLONE_ALWAYS) {
			c->method = "reflink";
			if (r == 0 && c->progress)
				c->progress(j.total, j.total, c->arg);
			return r;
		}
	}
	c->method = j.kernel ? "copy-file-range" : "read-write";
	if (c->keep_holes)
		saved = lseek(src, 0, SEEK_CUR);
	/* Blocks of zeros are seen only by reading them. */
	if (c->keep_holes && c->holes == PS__HOLES_MAKE) {
		j.kernel = 0;
		j.block = st.st_blksize > 0 ? (size_t)st.st_blksize : 4096;
		c->method = "read-write";
	}
	/* Without SEEK_DATA (or an offset to restore), copy every byte;
	 * ENXIO is a file that is all hole. */
	if (saved >= 0 && (lseek(src, 0, SEEK_DATA) >= 0 || errno == ENXIO)) {
		r = copy_sparse(&j, st.st_size);
		size = st.st_size;
	} else {
		r = copy_extent(&j, &off, INT64_MAX);
		size = off;
	}
	if (r == 0)
		r = PS__SYS(ftruncate(dst, size));
	if (saved >= 0)
		lseek(src, saved, SEEK_SET);
	free(j.buf);
	return r;
}
