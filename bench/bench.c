/* SPDX-License-Identifier: MIT */
/*
 * ps-bench: time the library against the raw syscall limit and against
 * what users run today, and count the syscalls of each.
 *
 *   ps-bench -d DIR [-r ROUNDS] [-k OPS] [-s SRC] [-p PSCP] ROW...
 *   ps-bench -d DIR -t ROW...	one marked op per variant, for strace
 *   ps-bench -l ROW...		what each variant's timed op runs
 *
 * Each round runs one batch of k ops of every variant, in an order that
 * rotates each round; a batch is timed as a whole, so the clock costs
 * nothing per op.  One markdown line per row goes to stdout: the median
 * time per op with its p25-p75 spread, the median of the per-round ratios
 * (a noisy neighbour slows both sides of one round alike), the syscalls
 * per op, counted exactly by the raw_syscalls:sys_enter tracepoint in a
 * separate, untimed batch, and the library's route.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "bench.h"

/* musl's toolchain ships no kernel headers: then nothing is counted. */
#if defined(__has_include)
#if __has_include(<linux/perf_event.h>)
#include <linux/perf_event.h>
#define HAVE_PERF 1
#endif
#endif

static const char *const variant_name[NVARIANT] = {
	"library", "limit", "today"
};

struct result {
	double ns[NVARIANT][3];		/* p25, median, p75 per op */
	double ratio[2][3];	/* library/limit, library/today: the
				 * median and its 95% confidence interval */
	double calls[NVARIANT];		/* syscalls per op, < 0 unknown */
	char route[32];
};

static void die(const struct row *row, const char *what)
{
	fprintf(stderr, "ps-bench: %s: %s: %s\n", row ? row->id : "setup",
	    what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank quantile; sorts v. */
static double quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)(q * (n - 1) + 0.5)];
}

/*
 * The median of v and its 95% confidence interval, distribution-free: the
 * order statistics n/2 -+ 0.98 sqrt(n) (the binomial's normal
 * approximation); sorts v.  With a round's ratio spread of +-15% on a busy
 * machine, 101 rounds pin the median to a few per cent, 1001 to about 1%.
 */
static void median_ci(double *v, int n, double out[3])
{
	int h = 1, lo, hi;

	/* h = 0.98 sqrt(n), rounded up (no libm needed). */
	while ((double)h * h < 0.9604 * n)
		h++;
	lo = (n - 1) / 2 - h;
	hi = n / 2 + h;
	out[1] = quantile(v, n, 0.5);
	out[0] = v[lo < 0 ? 0 : lo];
	out[2] = v[hi > n - 1 ? n - 1 : hi];
}

/* One batch of k ops; the time per op, or the syscalls per op. */
static double batch(struct bench *b, const struct row *row, int v,
    int counter, long calib)
{
	const struct variant *var = &row->v[v];
	uint64_t c0 = 0, c1 = 0;
	double t0, t1;

	if (var->prep(b, b->k) < 0)
		die(row, "prep");
	if (counter >= 0 && read(counter, &c0, sizeof(c0)) != sizeof(c0))
		die(row, "read counter");
	t0 = now_ns();
	for (int i = 0; i < b->k; i++)
		if (var->op(b, i) < 0)
			die(row, variant_name[v]);
	t1 = now_ns();
	if (counter >= 0 && read(counter, &c1, sizeof(c1)) != sizeof(c1))
		die(row, "read counter");
	if (var->done(b, b->k) < 0)
		die(row, "done");
	if (counter >= 0)
		return (double)((long)(c1 - c0) - calib) / b->k;
	return (t1 - t0) / b->k;
}

#ifdef HAVE_PERF
static long tracepoint_id(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	long id = -1;

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths) && id < 0;
	    i++) {
		FILE *f = fopen(paths[i], "re");

		if (f && fscanf(f, "%ld", &id) != 1)
			id = -1;
		if (f)
			fclose(f);
	}
	return id;
}

/* Counts this process's syscalls, and its children's once they exit. */
static int counter_open(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(a),
		.inherit = 1,
	};
	long id = tracepoint_id();

	if (id < 0)
		return -1;
	a.config = (uint64_t)id;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1,
	    PERF_FLAG_FD_CLOEXEC);
}
#else
static int counter_open(void)
{
	return -1;
}
#endif

/* The syscalls per op of each variant, or -1 where none can be counted;
 * the counter is closed before timing: it slows every syscall. */
static void count(struct bench *b, const struct row *row,
    struct result *res)
{
	int fd = counter_open();
	uint64_t c0, c1;

	for (int v = 0; v < NVARIANT; v++)
		res->calls[v] = -1;
	if (fd < 0)
		return;
	/* The second read's own entry is counted: measure it. */
	if (read(fd, &c0, sizeof(c0)) != sizeof(c0) ||
	    read(fd, &c1, sizeof(c1)) != sizeof(c1))
		die(row, "read counter");
	for (int v = 0; v < NVARIANT; v++)
		res->calls[v] = batch(b, row, v, fd, (long)(c1 - c0));
	close(fd);
}

static void measure(struct bench *b, const struct row *row,
    struct result *res)
{
	int n = row->rounds;
	double *t = calloc((size_t)n * (NVARIANT + 2), sizeof(*t));
	double *ratio = t + (size_t)n * NVARIANT;

	if (!t)
		die(row, "calloc");
	/* A warm-up round: caches, lazy binding, the first-call probes. */
	for (int v = 0; v < NVARIANT; v++) {
		batch(b, row, v, -1, 0);
		if (v == LIB)
			snprintf(res->route, sizeof(res->route), "%s",
			    row->spawns ? "-" : ps_last_route());
	}
	for (int r = 0; r < n; r++)
		for (int j = 0; j < NVARIANT; j++) {
			int v = (r + j) % NVARIANT;

			t[v * n + r] = batch(b, row, v, -1, 0);
		}
	for (int r = 0; r < n; r++) {
		ratio[r] = t[LIB * n + r] / t[LIMIT * n + r];
		ratio[n + r] = t[LIB * n + r] / t[TODAY * n + r];
	}
	for (int i = 0; i < 2; i++)
		median_ci(ratio + (size_t)i * n, n, res->ratio[i]);
	for (int v = 0; v < NVARIANT; v++) {
		res->ns[v][0] = quantile(t + v * n, n, 0.25);
		res->ns[v][1] = quantile(t + v * n, n, 0.5);
		res->ns[v][2] = quantile(t + v * n, n, 0.75);
	}
	free(t);
}

static const char *fs_name(int dir)
{
	static char other[24];
	struct statfs sfs;

	if (fstatfs(dir, &sfs) < 0)
		return "?";
	switch ((unsigned long)sfs.f_type) {
	case 0xef53:
		return "ext4";
	case 0x01021994:
		return "tmpfs";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	}
	snprintf(other, sizeof(other), "%#lx", (unsigned long)sfs.f_type);
	return other;
}

/* A time with a unit fit for its size. */
static const char *fmt_time(char *s, size_t size, double ns)
{
	if (ns < 1e4)
		snprintf(s, size, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(s, size, "%.1f µs", ns / 1e3);
	else if (ns < 1e9)
		snprintf(s, size, "%.1f ms", ns / 1e6);
	else
		snprintf(s, size, "%.2f s", ns / 1e9);
	return s;
}

static void print_row(const struct bench *b, const struct row *row,
    const struct result *res)
{
	char s[3][24];

	printf("| %s | %s |", b->label[0] ? b->label : row->label,
	    fs_name(b->dir));
	for (int v = 0; v < NVARIANT; v++)
		printf(" %s [%s–%s] |",
		    fmt_time(s[0], sizeof(s[0]), res->ns[v][1]),
		    fmt_time(s[1], sizeof(s[1]), res->ns[v][0]),
		    fmt_time(s[2], sizeof(s[2]), res->ns[v][2]));
	for (int i = 0; i < 2; i++)
		printf(" %.2f [%.2f–%.2f] |", res->ratio[i][1], res->ratio[i][0],
		    res->ratio[i][2]);
	for (int v = 0; v < NVARIANT; v++)
		if (res->calls[v] < 0)
			printf(" n/a |");
		else
			printf(" %.2f |", res->calls[v]);
	printf(" %s |\n", res->route[0] ? res->route : "n/a");
	fflush(stdout);
}

/* A marker strace shows: faccessat of a path that cannot exist. */
static void mark(const struct row *row, int v, const char *which)
{
	char path[96];

	snprintf(path, sizeof(path), "/@bench/%s/%s/%s", row->id,
	    variant_name[v], which);
	faccessat(AT_FDCWD, path, F_OK, 0);
}

/* The first op and the next, each between markers, for strace. */
static void trace(struct bench *b, const struct row *row)
{
	b->k = 2;
	for (int v = 0; v < NVARIANT; v++) {
		const struct variant *var = &row->v[v];

		if (var->prep(b, 2) < 0)
			die(row, "prep");
		mark(row, v, "first");
		if (var->op(b, 0) < 0)
			die(row, variant_name[v]);
		mark(row, v, "next");
		if (var->op(b, 1) < 0)
			die(row, variant_name[v]);
		mark(row, v, "end");
		if (var->done(b, 2) < 0)
			die(row, "done");
	}
}

/* Each row runs in its own subdirectory of the scratch directory. */
static void enter(struct bench *b, const struct row *row, int scratch)
{
	if (mkdirat(scratch, row->id, 0755) < 0 && errno != EEXIST)
		die(row, "mkdir");
	if (b->dir >= 0)
		close(b->dir);
	b->dir = openat(scratch, row->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->dir < 0 || fchdir(b->dir) < 0)
		die(row, "enter");
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->label[0] = '\0';
	if (row->init && row->init(b) < 0)
		die(row, "init");
}

/* A markdown table cell: a "|" in it would end the cell. */
static void cell(const char *s)
{
	fputs(" ", stdout);
	for (; *s; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
	fputs(" |", stdout);
}

static void list_row(const struct row *row)
{
	fputs("|", stdout);
	cell(row->label);
	for (int v = 0; v < NVARIANT; v++)
		cell(row->v[v].what);
	fputs("\n", stdout);
}

static const struct row *find_row(const char *id)
{
	for (const struct row *row = bench_rows; row->id; row++)
		if (!strcmp(row->id, id))
			return row;
	fprintf(stderr, "ps-bench: no row %s\n", id);
	exit(2);
}

static void usage(void)
{
	fprintf(stderr, "usage: ps-bench -d DIR [-r ROUNDS] [-k OPS] "
	    "[-s SRC] [-p PSCP] [-t] ROW...\n"
	    "       ps-bench -l ROW...\nrows:");
	for (const struct row *row = bench_rows; row->id; row++)
		fprintf(stderr, " %s", row->id);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct bench b = { .dir = -1, .fd = -1 };
	int opt, rounds = 0, k = 0, tracing = 0, list = 0, scratch = -1;
	struct result res;

	while ((opt = getopt(argc, argv, "d:r:k:s:p:tl")) != -1) {
		switch (opt) {
		case 'd':
			scratch = open(optarg, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
			if (scratch < 0)
				die(NULL, optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'k':
			k = atoi(optarg);
			break;
		/* Absolute: each row runs in its own directory. */
		case 's':
			b.src = realpath(optarg, NULL);
			break;
		case 'p':
			b.pscp = realpath(optarg, NULL);
			break;
		case 't':
			tracing = 1;
			break;
		case 'l':
			list = 1;
			break;
		default:
			usage();
		}
	}
	if (optind == argc || (!list && scratch < 0) || k < 0 ||
	    k > BENCH_MAXK || rounds < 0)
		usage();
	for (int i = 0; i < BENCH_MAXK; i++)
		snprintf(b.names[i], BENCH_NAME, "n%d", i);
	memset(b.buf, 'x', sizeof(b.buf));
	for (int i = optind; i < argc; i++) {
		const struct row *row = find_row(argv[i]);
		struct row r = *row;

		if (list) {
			list_row(row);
			continue;
		}
		r.rounds = rounds ? rounds : row->rounds;
		b.k = k && !row->spawns ? k : row->k;
		enter(&b, &r, scratch);
		if (tracing) {
			trace(&b, &r);
			continue;
		}
		fprintf(stderr, "ps-bench: %s: %d rounds of %d ops\n", r.id,
		    r.rounds, b.k);
		memset(&res, 0, sizeof(res));
		measure(&b, &r, &res);
		count(&b, &r, &res);
		print_row(&b, &r, &res);
	}
	return 0;
}
