/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"

static int load(const struct pst_fault *f)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = ctx ? 0 : -ENOMEM;

	for (; r == 0 && f->err; f++) {
		struct scmp_arg_cmp cmp = { (unsigned)f->arg, f->op, f->x,
			f->y };

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(f->err), f->nr,
		    f->arg < 0 ? 0 : 1, &cmp);
	}
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int pst_with_faults(struct pst *t, const struct pst_fault *faults,
    int (*fn)(struct pst *t))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int r = load(faults);

		if (r)
			fprintf(stderr, "skipped: no seccomp filter here (%s)\n",
			    strerror(-r));
		pst_exit(r ? 125 : fn(t));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 125)
		skip();
	return WEXITSTATUS(status);
}

void pst_fault_runs(const char *also)
{
	const char *p = getenv("PS_EMULATE_PROFILE");

	if (p && strcmp(p, "none") && !(also && !strcmp(p, also))) {
		fprintf(stderr, "skipped: faults are made in plain runs%s%s "
		    "only\n", also ? " and under " : "", also ? also : "");
		skip();
	}
}
