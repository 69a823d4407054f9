/* SPDX-License-Identifier: MIT */
/*
 * A signal that ends pscp while a hidden name exists (a named tmpfile,
 * where the filesystem lacks O_TMPFILE, or a symlink on its way to its
 * name) removes that name first, so only SIGKILL can leave one behind.
 * The name is armed and disarmed with the signals blocked, so the handler
 * never sees one half-written.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pscp.h"

static const int caught[] = { SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM };
#define NCAUGHT (sizeof(caught) / sizeof(caught[0]))

static volatile sig_atomic_t armed;
static int armed_dirfd;
static char armed_name[PS__HIDDEN_SIZE];

static void on_signal(int sig)
{
	if (armed)
		unlinkat(armed_dirfd, armed_name, 0);
	/* SA_RESETHAND: the default action, once the handler returns. */
	raise(sig);
}

void signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal,
		.sa_flags = SA_RESETHAND }, was;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NCAUGHT; i++) {
		/* A signal ignored by our parent (nohup) stays ignored. */
		if (sigaction(caught[i], NULL, &was) == 0 &&
		    was.sa_handler != SIG_IGN)
			sigaction(caught[i], &sa, NULL);
	}
}

void signals_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < NCAUGHT; i++)
		sigaddset(&set, caught[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

void signals_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

void cleanup_arm(int dirfd, const char *name)
{
	armed = 0;
	if (!name[0])
		return;
	armed_dirfd = dirfd;
	strcpy(armed_name, name);
	armed = 1;
}
