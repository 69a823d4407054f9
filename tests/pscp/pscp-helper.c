/* SPDX-License-Identifier: MIT */
/*
 * pscp-helper: what the pscp tests (the scripts in tests/pscp) need
 * beyond the shell and coreutils.
 *
 *   pscp-helper xattr-set FILE NAME VALUE
 *   pscp-helper xattr-get FILE NAME
 *   pscp-helper tree DIR SINCE
 *   pscp-helper stamp DIR TIME
 *
 * tree: one line per entry below DIR, sorted by name, for the
 * differential test against cp: the path, type, mode, owner, size, an
 * FNV-1a hash of a file's content or a symlink's target, the first path
 * (in that order) of the same inode, the mtime when it is older than
 * SINCE (seconds: kept by a copy, not made by it), "sparse" for a file
 * with fewer bytes allocated than its size, and every extended
 * attribute (ACLs included) in hex.  stamp: every entry below DIR
 * (symlinks themselves) gets TIME (seconds) as its access and
 * modification time.
 *   pscp-helper crash [-s SIG] [-k KILLS] [-m MIB] [-S SEED] [-l] [-f]
 *       DIR -- COMMAND...
 *
 * crash: DIR/old and DIR/new get two different contents of MIB MiB (4),
 * and DIR/dst/file starts as a copy of old.  Then, KILLS times (500),
 * COMMAND SRC DIR/dst/file (e.g. "pscp --atomic") copies the content the
 * file does not hold, and gets SIG (9) after a random delay, within a
 * window that follows the machine's load so that about a third of the
 * runs finish first.  With -f (fresh), the file is removed before each
 * run, which copies new to a name that does not exist.  Meanwhile a
 * reader process reads DIR/dst/file without pause.  Fails if the reader
 * or the check after each kill ever finds anything but exactly the
 * content before the run or the one copied (or no file, with -f), if a
 * run that was not killed fails or left the content before, if no kill
 * interrupted a run, or if anything but "file" is left in DIR/dst
 * (hidden ".pathsafe-" names are only counted with -l).  Exit status 0 or
 * 1, 2 for usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

struct crash {
	char old_path[4096], new_path[4096], dst[4096], dir[4096];
	char *old, *new;
	size_t size;
	int fresh;
	char **cmd;		/* COMMAND with two free slots at the end */
	int ncmd;
};

static int die(const char *what)
{
	fprintf(stderr, "pscp-helper: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(char *buf, size_t size, uint64_t seed)
{
	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint64_t v = next_random(&seed);

		memcpy(buf + i, &v, 8);
	}
}

static void write_file(const char *path, const char *buf, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, buf, size) != (ssize_t)size || close(fd))
		die(path);
}

enum { ABSENT = -2, TORN = -1, OLD = 0, NEW = 1 };
static const char *const shown[] = { "absent", "torn", "old", "new" };

static int which(const struct crash *c, char *buf)
{
	int fd = open(c->dst, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n = 1;

	if (fd < 0)
		return errno == ENOENT ? ABSENT : TORN;
	while (got <= c->size && (n = read(fd, buf + got,
	    c->size + 1 - got)) > 0)
		got += n;
	close(fd);
	if (n < 0 || got != c->size)
		return TORN;
	if (!memcmp(buf, c->old, c->size))
		return OLD;
	return memcmp(buf, c->new, c->size) ? TORN : NEW;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static _Noreturn void reader(const struct crash *c)
{
	unsigned long seen[4] = { 0 };
	char *buf = malloc(c->size + 1);
	int w;

	signal(SIGTERM, on_stop);
	while (!stop) {
		w = which(c, buf);
		/* Torn, or a state that cannot be: missing, or old after
		 * -f removed it. */
		seen[w == NEW || w == (c->fresh ? ABSENT : OLD) ? w + 2 : 1]++;
	}
	printf("reader: %lu reads (%lu %s, %lu new), %lu torn or missing\n",
	    seen[0] + seen[1] + seen[2] + seen[3], seen[c->fresh ? 0 : 2],
	    c->fresh ? "absent" : "old", seen[3], seen[1]);
	exit(seen[1] ? 1 : 0);
}

static pid_t run(struct crash *c, int src)
{
	pid_t pid;

	c->cmd[c->ncmd] = src ? c->new_path : c->old_path;
	c->cmd[c->ncmd + 1] = c->dst;
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		execvp(c->cmd[0], c->cmd);
		_exit(127);
	}
	return pid;
}

/* Removes and counts what besides "file" is in the directory; -1 for a
 * name that is not hidden. */
static int leftovers(const struct crash *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		die(c->dir);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "file"))
			continue;
		if (strncmp(e->d_name, ".pathsafe-", 10)) {
			fprintf(stderr, "stray name '%s'\n", e->d_name);
			n = -1;
			break;
		}
		unlinkat(dirfd(d), e->d_name, 0);
		n++;
	}
	closedir(d);
	return n;
}

/* One run killed at a random moment; span: the window. */
static int kill_one(struct crash *c, int sig, uint64_t *seed,
    unsigned long *span, unsigned long counts[3], char *buf)
{
	int before = which(c, buf), want, st, got;
	pid_t pid;

	if (c->fresh && before != ABSENT) {
		unlink(c->dst);
		before = ABSENT;
	}
	want = before == OLD ? NEW : before == NEW ? OLD : NEW;
	pid = run(c, want);
	usleep(next_random(seed) % *span);
	kill(pid, sig);
	waitpid(pid, &st, 0);
	/* The load of the machine changes how long a run takes: the
	 * window shrinks when a run finished first, grows when it was
	 * killed, and settles where a third of the runs finish. */
	*span = WIFEXITED(st) ? *span * 9 / 10 + 1 : *span * 21 / 20 + 1;
	got = which(c, buf);
	if (WIFSIGNALED(st) && WTERMSIG(st) == sig && got == before)
		counts[0]++;
	else if (WIFSIGNALED(st) && WTERMSIG(st) == sig && got == want)
		counts[1]++;
	else if (WIFEXITED(st) && !WEXITSTATUS(st) && got == want)
		counts[2]++;
	else
		return printf("status %#x, content %s, was %s\n", st,
		    shown[got + 2], shown[before + 2]), -1;
	return leftovers(c);
}

static int crash(int argc, char **argv)
{
	unsigned long kills = 500, mib = 4, counts[3] = { 0 }, left = 0;
	unsigned long failures = 0, span = 0;
	uint64_t seed = now_us() ^ (uint64_t)getpid() << 32, t;
	int sig = SIGKILL, allow_left = 0, o, st;
	struct crash c = { .fresh = 0 };
	pid_t rd;
	char *buf;

	while ((o = getopt(argc, argv, "+s:k:m:S:lf")) != -1) {
		switch (o) {
		case 's': sig = atoi(optarg); break;
		case 'k': kills = strtoul(optarg, NULL, 10); break;
		case 'm': mib = strtoul(optarg, NULL, 10); break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		case 'l': allow_left = 1; break;
		case 'f': c.fresh = 1; break;
		default: return 2;
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		return fprintf(stderr, "usage: see pscp-helper.c\n"), 2;
	printf("seed %llu, signal %d, %lu kills, %lu MiB%s\n",
	    (unsigned long long)seed, sig, kills, mib,
	    c.fresh ? ", to a new name each time" : "");
	c.size = mib << 20;
	snprintf(c.old_path, sizeof(c.old_path), "%s/old", argv[optind]);
	snprintf(c.new_path, sizeof(c.new_path), "%s/new", argv[optind]);
	snprintf(c.dir, sizeof(c.dir), "%s/dst", argv[optind]);
	snprintf(c.dst, sizeof(c.dst), "%s/dst/file", argv[optind]);
	c.ncmd = argc - optind - 2;
	c.cmd = calloc(c.ncmd + 3, sizeof(char *));
	c.old = malloc(c.size);
	c.new = malloc(c.size);
	buf = malloc(c.size + 1);
	if (!c.cmd || !c.old || !c.new || !buf)
		die("malloc");
	memcpy(c.cmd, argv + optind + 2, c.ncmd * sizeof(char *));
	fill(c.old, c.size, seed | 1);
	fill(c.new, c.size, ~seed | 1);
	c.new[0] = ~c.old[0];
	write_file(c.old_path, c.old, c.size);
	write_file(c.new_path, c.new, c.size);
	if (mkdir(c.dir, 0755) < 0 && errno != EEXIST)
		die(c.dir);
	write_file(c.dst, c.old, c.size);

	/* Full runs first: they must work, and the fastest sets the
	 * window. */
	for (int i = 0; i < 4; i++) {
		t = now_us();
		o = which(&c, buf);
		waitpid(run(&c, o != NEW), &st, 0);
		t = now_us() - t;
		span = !span || t * 3 / 2 < span ? t * 3 / 2 : span;
		if (!WIFEXITED(st) || WEXITSTATUS(st) || which(&c, buf) == o)
			return printf("a full run failed (status %#x)\n", st), 1;
	}
	printf("a full run takes %lu us\n", span * 2 / 3);

	if (c.fresh)
		unlink(c.dst);
	fflush(stdout);
	if ((rd = fork()) == 0)
		reader(&c);
	for (unsigned long i = 0; i < kills && failures < 5; i++) {
		o = kill_one(&c, sig, &seed, &span, counts, buf);
		if (o < 0)
			failures++, printf("run %lu failed\n", i);
		else
			left += o;
	}
	kill(rd, SIGTERM);
	waitpid(rd, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		failures++;
	printf("%lu killed before publishing, %lu after, %lu finished first "
	    "(window at the end %lu us); %lu hidden names left%s; "
	    "%lu failures\n", counts[0], counts[1], counts[2], span, left,
	    allow_left ? " (allowed)" : "", failures);
	/* Kills that never interrupted a copy would prove nothing. */
	return failures || !counts[0] || (left && !allow_left) ? 1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct entry {
	char *path;
	dev_t dev;
	ino_t ino;
};
static struct entry *seen;
static size_t nseen;

static void walk(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			exit(2);
		*names = realloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = p;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(p, names, n);
	}
	closedir(d);
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 1099511628211u;
	return h;
}

static int tree(const char *top, long since)
{
	char **names = NULL, buf[65536], list[65536], value[65536];
	size_t n = 0, skip = strlen(top) + 1;
	struct stat st;

	walk(top, &names, &n);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		uint64_t h = 14695981039346656037u;
		const char *first = "-";
		ssize_t len, k;
		int fd;

		if (lstat(names[i], &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) &&
		    (fd = open(names[i], O_RDONLY | O_NONBLOCK)) >= 0) {
			while ((k = read(fd, buf, sizeof(buf))) > 0)
				h = fnv(h, (unsigned char *)buf, k);
			close(fd);
		} else if (S_ISLNK(st.st_mode) &&
		    (k = readlink(names[i], buf, sizeof(buf))) >= 0) {
			h = fnv(h, (unsigned char *)buf, k);
		}
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			size_t j;

			for (j = 0; j < nseen; j++)
				if (seen[j].dev == st.st_dev &&
				    seen[j].ino == st.st_ino)
					break;
			if (j == nseen) {
				seen = realloc(seen, ++nseen * sizeof(*seen));
				seen[j] = (struct entry){ names[i] + skip,
				    st.st_dev, st.st_ino };
			}
			first = seen[j].path;
		}
		printf("%s %c %04o %u:%u %lld %016llx link=%s", names[i] + skip,
		    S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' :
		    S_ISLNK(st.st_mode) ? 'l' : S_ISFIFO(st.st_mode) ? 'p' :
		    'o', (unsigned)st.st_mode & 07777, (unsigned)st.st_uid,
		    (unsigned)st.st_gid, S_ISDIR(st.st_mode) ? 0LL :
		    (long long)st.st_size, (unsigned long long)h, first);
		if (S_ISREG(st.st_mode) && st.st_blocks * 512 < st.st_size)
			printf(" sparse");
		if (st.st_mtim.tv_sec < since)
			printf(" mtime=%lld.%09ld", (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec);
		len = llistxattr(names[i], list, sizeof(list));
		for (char *p = list; len > 0 && p < list + len;
		    p += strlen(p) + 1) {
			k = lgetxattr(names[i], p, value, sizeof(value));
			printf(" %s=", p);
			for (ssize_t j = 0; j < k; j++)
				printf("%02x", (unsigned char)value[j]);
		}
		putchar('\n');
	}
	return 0;
}

static int stamp(const char *top, long t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	walk(top, &names, &n);
	/* Deepest first: setting a child's times leaves its directory's. */
	while (n--)
		if (utimensat(AT_FDCWD, names[n], ts, AT_SYMLINK_NOFOLLOW) < 0)
			r = 1;
	return r;
}

int main(int argc, char **argv)
{
	char value[4096];
	ssize_t n;

	if (argc == 5 && !strcmp(argv[1], "xattr-set"))
		return setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) ?
		    die("setxattr") : 0;
	if (argc == 4 && !strcmp(argv[1], "xattr-get")) {
		if ((n = getxattr(argv[2], argv[3], value, sizeof(value))) < 0)
			die("getxattr");
		printf("%.*s\n", (int)n, value);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "stamp"))
		return stamp(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "tree"))
		return tree(argv[2], atol(argv[3]));
	if (argc > 1 && !strcmp(argv[1], "crash"))
		return crash(argc - 1, argv + 1);
	fprintf(stderr, "usage: see pscp-helper.c\n");
	return 2;
}
