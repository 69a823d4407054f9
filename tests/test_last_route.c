/* SPDX-License-Identifier: MIT */
/* ps_last_route and ps_version. */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static void last_route_empty_before_any(void **state)
{
	(void)state;
	assert_string_equal(ps_last_route(), "");
}

static void *other_thread(void *arg)
{
	(void)arg;
	return (void *)ps_last_route();
}

static void last_route_per_thread(void **state)
{
	struct pst *t = *state;
	void *seen;
	pthread_t th;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0), 0);
	pst_assert_route(pst_route_chmod());
	assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
	assert_int_equal(pthread_join(th, &seen), 0);
	assert_string_equal(seen, "");
}

static void last_route_kept_on_failure(void **state)
{
	struct pst *t = *state;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0), 0);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "missing", 0600, 0), -1);
	assert_int_equal(errno, ENOENT);
	pst_assert_route(pst_route_chmod());
}

/* A route that worked for one step of a call that failed later is not
 * the route of a successful call. */
static void last_route_not_set_by_a_failed_call(void **state)
{
	struct pst *t = *state;
	int fd;

	pst_write(t->dirfd, "f", "x", 0644);
	assert_int_equal(mkdirat(t->dirfd, "d", 0755), 0);
	pst_write(t->dirfd, "d/full", "x", 0644);
	assert_int_equal(ps_fchmod_nofollow(t->dirfd, "f", 0600, 0), 0);
	fd = openat(t->dirfd, "f", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* The hidden link is made, then the rename onto d fails. */
	assert_int_equal(ps_flink(fd, t->dirfd, "d", PS_REPLACE |
	    PS_COPY_FALLBACK), -1);
	assert_int_equal(errno, EISDIR);
	close(fd);
	assert_string_equal(ps_last_route(), pst_route_chmod());
	pst_assert_entries(t->dirfd, 2);
}

static void version_matches_build(void **state)
{
	(void)state;
	assert_string_equal(ps_version(), PS__VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_route_empty_before_any),
		PST_TEST(last_route_per_thread),
		PST_TEST(last_route_kept_on_failure),
		PST_TEST(last_route_not_set_by_a_failed_call),
		cmocka_unit_test(version_matches_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
