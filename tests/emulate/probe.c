/*
 * ps-emulate-probe: perform, for real, each syscall that ps-emulate
 * profiles intercept, in a fresh directory under /tmp, and print one line
 * per syscall: "NAME OK" or "NAME ERRNONAME".  The directory is removed at
 * the end; the exit status is 1 if the setup fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_fchmodat2	/* see emulate.c */
#define __NR_fchmodat2 (__NR_openat2 + 15)
#endif

static char dir[] = "/tmp/ps-emulate-probe.XXXXXX";
static int dfd;

static void report(const char *name, long rc)
{
	const char *e = rc < 0 ? strerrorname_np(errno) : "OK";

	if (e)
		printf("%s %s\n", name, e);
	else
		printf("%s errno%d\n", name, errno);
}

static void cleanup(void)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			unlinkat(dfd, de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Create NAME in the test directory with some content; return an fd. */
static int make(const char *name)
{
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, "data\n", 5) != 5) {
		perror(name);
		cleanup();
		exit(1);
	}
	return fd;
}

int main(void)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH };
	int fd;

	if (!mkdtemp(dir) ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fchdir(dfd) != 0) {
		perror(dir);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	close(make("mode"));
	report("fchmodat2", syscall(__NR_fchmodat2, dfd, "mode", 0640,
				    AT_SYMLINK_NOFOLLOW));

	fd = make("anon");
	report("linkat-empty-path",
	       linkat(fd, "", dfd, "anon-link", AT_EMPTY_PATH));
	close(fd);
	report("linkat-plain", linkat(dfd, "anon", dfd, "anon-link2", 0));
	report("link", link("anon", "anon-link3"));

	fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	report("o-tmpfile", fd);
	if (fd >= 0)
		close(fd);
#ifdef SYS_open	/* glibc's open() uses openat; try the old syscall too */
	fd = syscall(SYS_open, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	report("open-tmpfile", fd);
	if (fd >= 0)
		close(fd);
#endif

	close(make("o2"));
	fd = syscall(__NR_openat2, dfd, "o2", &how, sizeof(how));
	report("openat2", fd);
	if (fd >= 0)
		close(fd);

	close(make("r1"));
	report("renameat2-noreplace", syscall(__NR_renameat2, dfd, "r1", dfd,
					      "r1-new", RENAME_NOREPLACE));
	/* glibc's wrapper turns the kernel's ENOSYS into EINVAL. */
	close(make("r2"));
	report("renameat2-glibc",
	       renameat2(dfd, "r2", dfd, "r2-new", RENAME_NOREPLACE));
	close(make("r3"));
	report("renameat-plain", renameat(dfd, "r3", dfd, "r3-new"));

	/* Flags the kernel refuses (EINVAL, as root) before doing anything:
	 * an EPERM is the filter's. */
	report("fsopen-badflags", syscall(__NR_fsopen, "proc", ~0u));
	report("open-tree-badflags", syscall(__NR_open_tree, AT_FDCWD, "/",
					     ~0u));

	/* struct statx is 256 bytes. */
	unsigned long long stx[32];

	report("statx", syscall(__NR_statx, AT_FDCWD, "/", 0, 0, stx));

	char rnd[8];

	report("getrandom", syscall(__NR_getrandom, rnd, sizeof(rnd), 0));

	int src = make("src"), dst = make("dst");

	report("copy_file_range",
	       copy_file_range(src, &(off_t){ 0 }, dst, NULL, 5, 0));
	/* ext4 has no reflink: this fails natively too, with EOPNOTSUPP. */
	report("ficlone", ioctl(dst, FICLONE, src));
	/* EBADF natively; an answer before the fd check proves the filter. */
	report("ficlone-badsrc", ioctl(dst, FICLONE, -1));
	/* Other ioctls must be unaffected. */
	report("ioctl-fionread", ioctl(src, FIONREAD, &(int){ 0 }));
	close(src);
	close(dst);

	cleanup();
	return 0;
}
