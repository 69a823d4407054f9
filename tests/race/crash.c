/* SPDX-License-Identifier: MIT */
/*
 * ps-crash [-n KILLS]: crash atomicity of ps_publish_tmpfile(PS_REPLACE).
 *
 * A child publishes numbered, checksummed versions of "file" in a loop
 * and is SIGKILLed at a random time; after each kill "file" must hold a
 * complete version, never an older one than before, and the directory
 * nothing but "file" and the hidden names the library makes.  Those are
 * counted (a kill on the named-tmpfile route, or between the link and
 * the rename of a replacing publish, leaves one), checked to be at most
 * one per kill, and removed with ps_tmpfile_sweep(), which must find
 * exactly them.  Run it under ps-emulate no-tmpfile for the named route.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pathsafe/pathsafe.h>

#include "harness.h"

struct shared {
	atomic_uint writing;	/* the newest version the child began */
	atomic_uint publishing;	/* the child is in ps_publish_tmpfile */
};

static int publish(int d, uint32_t v, struct shared *sh)
{
	ps_tmpfile *t = ps_tmpfile_open(d, ".", 0644, 0);
	int r;

	atomic_store(&sh->writing, v);
	if (!t || rh_version_write(ps_tmpfile_fd(t), v) < 0)
		return -1;
	atomic_store(&sh->publishing, 1);
	r = ps_publish_tmpfile(t, "file", PS_REPLACE);
	atomic_store(&sh->publishing, 0);
	ps_tmpfile_close(t);
	return r;
}

static _Noreturn void child(int d, uint32_t v, struct shared *sh)
{
	for (;; v++)
		if (publish(d, v, sh) < 0)
			_exit(3);
}

/* Entries besides "file": hidden ones counted, any other one fatal. */
static int leftovers(int d)
{
	int fd = openat(d, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *dir = fdopendir(fd);
	struct dirent *e;

	RH_CHECK(dir);
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "file"))
			continue;
		if (strncmp(e->d_name, ".pathsafe-", 10) ||
		    strlen(e->d_name) != 26) {
			printf("FAIL crash: stray entry %s\n", e->d_name);
			exit(1);
		}
		n++;
	}
	closedir(dir);
	return n;
}

static void random_delay(void)
{
	struct timespec ts = { 0, (rand() % 3000) * 1000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long kills = rh_iterations(argc, argv, 1000), inside = 0, left = 0;
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int d, fds, status, most = 0, n, r = 0;
	char path[4096], route[64];
	uint32_t last = 0, v;
	pid_t pid, parent = getpid();

	setvbuf(stdout, NULL, _IOLBF, 0);
	RH_CHECK(sh != MAP_FAILED);
	d = rh_scratch(path);
	fds = pst_fd_count();
	srand(getpid());
	RH_CHECK(publish(d, 0, sh) >= 0);
	snprintf(route, sizeof(route), "%s", ps_last_route());
	for (long k = 0; k < kills; k++) {
		RH_CHECK((pid = fork()) >= 0);
		if (pid == 0) {
			rh_die_with(parent);
			child(d, last + 1, sh);
		}
		random_delay();
		inside += atomic_load(&sh->publishing);
		RH_CHECK(kill(pid, SIGKILL) == 0);
		RH_CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFSIGNALED(status)) {
			printf("FAIL crash: the writer failed (%d)\n", status);
			return 1;
		}
		n = rh_version_read(d, "file", &v);
		if (n != 1 || v < last || (v > last &&
		    v > atomic_load(&sh->writing))) {
			printf("FAIL crash: after kill %ld: read %d, version "
			    "%u, expected %u..%u\n", k, n, v, last,
			    atomic_load(&sh->writing));
			return 1;
		}
		last = v;
		n = leftovers(d);
		left += n;
		most = n > most ? n : most;
		if (n > 1 || (r = ps_tmpfile_sweep(d, ".", 0)) != n) {
			printf("FAIL crash: after kill %ld: %d hidden files, "
			    "%d swept\n", k, n, r);
			return 1;
		}
		RH_CHECK(leftovers(d) == 0);
	}
	printf("crash[%s]: %ld kills (%ld inside ps_publish_tmpfile), "
	    "version %u reached, every file complete\n", route, kills,
	    inside, last);
	printf("  # hidden files left: %ld in all, at most %d per kill, all "
	    "removed by ps_tmpfile_sweep; fds leaked: %d\n", left, most,
	    pst_fd_count() - fds);
	rh_summary("kills", kills);
	rh_summary("hidden-left", left);
	n = pst_fd_count() - fds;
	close(d);
	rh_remove_tree(path);
	printf("%s crash\n", n ? "FAIL" : "PASS");
	return n != 0;
}
