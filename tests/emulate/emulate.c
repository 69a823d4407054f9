/*
 * ps-emulate: run a command under a seccomp filter that makes this kernel
 * answer some syscalls the way older kernels, filesystems and sandboxes do,
 * so that libpathsafe's fallback paths can be tested on one machine.
 *
 *   ps-emulate PROFILE[,PROFILE...] -- COMMAND [ARGS...]
 *   ps-emulate --list
 *
 * Exit status: 2 for usage errors, 125 if the filter cannot be installed,
 * 127 if COMMAND cannot be executed, otherwise that of COMMAND.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * fchmodat2 is Linux 6.6: older kernel headers lack its number, and older
 * libseccomp headers its SCMP_SYS() name.  Syscalls added since Linux 5.1
 * keep the same distance from each other on every architecture (452 =
 * 437 + 15 on x86_64), so derive it from openat2, not one ABI's number.
 */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 (__NR_openat2 + 15)
#endif

/*
 * The kernel's __O_TMPFILE bit, which alone marks a tmpfile open: glibc's
 * O_TMPFILE and __O_TMPFILE both include O_DIRECTORY.
 */
#define TMPFILE_BIT ((scmp_datum_t)(O_TMPFILE & ~O_DIRECTORY))

/* The open_how size no-openat2 lets through (see there). */
#define PS_EMULATE_ORACLE_SIZE 32

/* A rule: syscall nr answers errno err, if cmp matches when nargs is 1. */
struct rule {
	int nr;
	int err;
	unsigned int nargs;
	struct scmp_arg_cmp cmp;
};

#define ALWAYS(sys, e) { .nr = (sys), .err = (e) }
#define WHEN(sys, e, a, op, x, y) \
	{ .nr = (sys), .err = (e), .nargs = 1, .cmp = { (a), (op), (x), (y) } }
#define FLAG_SET(sys, e, a, bit) WHEN(sys, e, a, SCMP_CMP_MASKED_EQ, bit, bit)

struct profile {
	const char *name;
	const char *desc;
	const struct rule *rules;	/* ends with err == 0 */
};

#define RULES(...) ((const struct rule[]){ __VA_ARGS__, { .err = 0 } })

static const struct profile profiles[] = {
	{ "none", "install no filter (baseline)", NULL },
	{ "fchmodat2-enosys", "fchmodat2 -> ENOSYS (kernel < 6.6)",
	  RULES(ALWAYS(__NR_fchmodat2, ENOSYS)) },
	/* Docker/containerd default seccomp profiles and Nix builders. */
	{ "fchmodat2-eperm", "fchmodat2 -> EPERM (Docker, containerd, Nix)",
	  RULES(ALWAYS(__NR_fchmodat2, EPERM)) },
	/* Before 6.10, AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH. */
	{ "linkat-old", "linkat AT_EMPTY_PATH -> ENOENT (unprivileged, < 6.10)",
	  RULES(FLAG_SET(SCMP_SYS(linkat), ENOENT, 4, AT_EMPTY_PATH)) },
	/* Before 2.6.39 linkat knows no AT_EMPTY_PATH. */
	{ "linkat-einval", "linkat AT_EMPTY_PATH -> EINVAL (kernel < 2.6.39)",
	  RULES(FLAG_SET(SCMP_SYS(linkat), EINVAL, 4, AT_EMPTY_PATH)) },
	/* SELinux policies of Android and HarmonyOS forbid hard links. */
	{ "link-denied", "link, linkat -> EPERM (LSM, e.g. Android SELinux)",
	  RULES(ALWAYS(SCMP_SYS(link), EPERM),
		ALWAYS(SCMP_SYS(linkat), EPERM)) },
	/* FUSE, NFS and overlayfs without tmpfile support. */
	{ "no-tmpfile", "open(at) O_TMPFILE -> EOPNOTSUPP (FUSE, NFS, overlay)",
	  RULES(FLAG_SET(SCMP_SYS(open), EOPNOTSUPP, 1, TMPFILE_BIT),
		FLAG_SET(SCMP_SYS(openat), EOPNOTSUPP, 2, TMPFILE_BIT)) },
	/* Before 3.11 the unknown bit is ignored: O_DIRECTORY|O_RDWR fails. */
	{ "tmpfile-eisdir", "open(at) O_TMPFILE -> EISDIR (kernel < 3.11)",
	  RULES(FLAG_SET(SCMP_SYS(open), EISDIR, 1, TMPFILE_BIT),
		FLAG_SET(SCMP_SYS(openat), EISDIR, 2, TMPFILE_BIT)) },
	/*
	 * Every openat2 but one with a 32-byte open_how, which the library
	 * never passes (its struct is 24 bytes; the kernel accepts a longer
	 * one ending in zeros): tests/test_open.c asks the real kernel that
	 * way for the results the library's walk must reproduce.  Were the
	 * library to pass 32 bytes one day, test_open's route check fails.
	 */
	{ "no-openat2", "openat2 -> ENOSYS (kernel < 5.6)",
	  RULES(WHEN(SCMP_SYS(openat2), ENOSYS, 3, SCMP_CMP_NE,
		     PS_EMULATE_ORACLE_SIZE, 0)) },
	/*
	 * glibc 2.36 on x86_64 issues the rename and renameat syscalls for
	 * rename() and renameat(), never renameat2 (checked with strace), so
	 * the whole syscall can go, as on kernels before 3.15.  Its
	 * renameat2() wrapper then turns ENOSYS into EINVAL.
	 */
	{ "no-renameat2", "renameat2 -> ENOSYS (kernel < 3.15)",
	  RULES(ALWAYS(SCMP_SYS(renameat2), ENOSYS)) },
	/* NFS, FUSE servers without rename2, pre-4.9 filesystems without it. */
	{ "renameat2-einval", "renameat2 with flags -> EINVAL (e.g. NFS)",
	  RULES(WHEN(SCMP_SYS(renameat2), EINVAL, 4, SCMP_CMP_NE, 0, 0)) },
	/* Kernels before 3.17, and sandboxes that filter it. */
	{ "no-getrandom", "getrandom -> ENOSYS (kernel < 3.17, sandboxes)",
	  RULES(ALWAYS(SCMP_SYS(getrandom), ENOSYS)) },
	/* Without CAP_SYS_ADMIN (ENOSYS before 5.2): the library cannot
	 * make a private procfs; no-mount-api neither clone /proc. */
	{ "no-fsopen", "fsopen -> EPERM (no private procfs instance)",
	  RULES(ALWAYS(SCMP_SYS(fsopen), EPERM)) },
	{ "no-mount-api", "fsopen, open_tree -> EPERM (unprivileged, sandboxes)",
	  RULES(ALWAYS(SCMP_SYS(fsopen), EPERM),
		ALWAYS(SCMP_SYS(open_tree), EPERM)) },
	/* Kernels before 4.11: no statx, so no mount ids either. */
	{ "no-statx", "statx -> ENOSYS (kernel < 4.11)",
	  RULES(ALWAYS(SCMP_SYS(statx), ENOSYS)) },
	/* Kernels before 4.5, and filesystems without reflink (ext4). */
	{ "no-copy-accel",
	  "copy_file_range -> ENOSYS, ioctl FICLONE -> EOPNOTSUPP",
	  RULES(ALWAYS(SCMP_SYS(copy_file_range), ENOSYS),
		WHEN(SCMP_SYS(ioctl), EOPNOTSUPP, 1, SCMP_CMP_EQ,
		     FICLONE, 0)) },
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

static const struct profile *find_profile(const char *name, size_t len)
{
	for (size_t i = 0; i < NPROFILES; i++)
		if (strlen(profiles[i].name) == len &&
		    strncmp(profiles[i].name, name, len) == 0)
			return &profiles[i];
	return NULL;
}

/*
 * Returns the number of rules added.  libseccomp refuses (EEXIST) a rule
 * with the same condition as an earlier one but another errno: the profile
 * named first wins.  An unconditional rule replaces conditional ones on the
 * same syscall whatever the order (link-denied beats linkat-old).
 */
static int add_rules(scmp_filter_ctx ctx, const struct profile *p)
{
	int n = 0;

	for (const struct rule *r = p->rules; r && r->err; r++) {
		int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(r->err),
						r->nr, r->nargs, &r->cmp);

		if (rc == -EEXIST)
			continue;
		if (rc < 0) {
			fprintf(stderr, "ps-emulate: %s: syscall %d: %s\n",
				p->name, r->nr, strerror(-rc));
			exit(125);
		}
		n++;
	}
	return n;
}

static int usage(void)
{
	fputs("usage: ps-emulate PROFILE[,PROFILE...] -- COMMAND [ARGS...]\n"
	      "       ps-emulate --list\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < NPROFILES; i++)
			printf("%-18s %s\n", profiles[i].name,
			       profiles[i].desc);
		return 0;
	}
	if (argc < 4 || strcmp(argv[2], "--") != 0)
		return usage();

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int nrules = 0;

	if (!ctx) {
		fputs("ps-emulate: seccomp_init failed\n", stderr);
		return 125;
	}
	for (const char *s = argv[1];; ) {
		size_t len = strcspn(s, ",");
		const struct profile *p = find_profile(s, len);

		if (!p) {
			fprintf(stderr, "ps-emulate: unknown profile '%.*s' "
				"(see ps-emulate --list)\n", (int)len, s);
			return 2;
		}
		nrules += add_rules(ctx, p);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (nrules > 0) {
		int rc;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
			perror("ps-emulate: PR_SET_NO_NEW_PRIVS");
			return 125;
		}
		rc = seccomp_load(ctx);
		if (rc < 0) {
			fprintf(stderr, "ps-emulate: seccomp_load: %s\n",
				strerror(-rc));
			return 125;
		}
	}
	seccomp_release(ctx);

	execvp(argv[3], argv + 3);
	fprintf(stderr, "ps-emulate: cannot exec '%s': %s\n", argv[3],
		strerror(errno));
	return 127;
}
