/* The guest file descriptor table, with real host descriptors from pipe() and dup(). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/fdtable.h"

static bool host_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool host_fd_closed(int fd)
{
	errno = 0;
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

/* A fresh host descriptor (one end of a new pipe; the other end is closed). */
static int host_fd(void)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[1]);
	return p[0];
}

static int setup(void **state)
{
	struct fdtable *t;

	if (fdt_create(&t, FD_MAX_DEFAULT))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	fdt_destroy(*state);
	return 0;
}

static void test_install_gives_lowest_free_fd(void **state)
{
	struct fdtable *t = *state;
	int h[4];

	for (int i = 0; i < 4; i++) {
		h[i] = host_fd();
		assert_int_equal(fdt_install(t, h[i], false, 0), i);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(fdt_host_fd(t, i), h[i]);
	assert_int_equal(fdt_close(t, 1), 0);
	assert_true(host_fd_closed(h[1]));
	int h2 = host_fd();
	assert_int_equal(fdt_install(t, h2, false, 0), 1);
	assert_int_equal(fdt_host_fd(t, 1), h2);
	int h3 = host_fd();
	assert_int_equal(fdt_install(t, h3, false, 0), 4);
}

static void test_install_with_min_gives_lowest_free_fd_at_or_above_min(void **state)
{
	struct fdtable *t = *state;

	assert_int_equal(fdt_install(t, host_fd(), false, 10), 10);
	assert_int_equal(fdt_install(t, host_fd(), false, 10), 11);
	assert_int_equal(fdt_install(t, host_fd(), false, 5), 5);
	/* Below min, lower slots stay free. */
	assert_int_equal(fdt_host_fd(t, 0), -EBADF);
	assert_int_equal(fdt_install(t, host_fd(), false, 0), 0);
	/* A negative min counts as 0. */
	assert_int_equal(fdt_install(t, host_fd(), false, -3), 1);
	/* Far beyond the initial table size. */
	assert_int_equal(fdt_install(t, host_fd(), false, 1000), 1000);
	assert_int_equal(fdt_install(t, host_fd(), false, 1000), 1001);
}

static void test_install_records_cloexec(void **state)
{
	struct fdtable *t = *state;
	bool c = false;

	int a = fdt_install(t, host_fd(), true, 0);
	int b = fdt_install(t, host_fd(), false, 0);
	assert_int_equal(fdt_get_cloexec(t, a, &c), 0);
	assert_true(c);
	assert_int_equal(fdt_get_cloexec(t, b, &c), 0);
	assert_false(c);
}

static void test_set_cloexec_changes_only_that_fd(void **state)
{
	struct fdtable *t = *state;
	bool c = true;

	int a = fdt_install(t, host_fd(), false, 0);
	int b = fdt_install(t, host_fd(), false, 0);
	assert_int_equal(fdt_set_cloexec(t, a, true), 0);
	assert_int_equal(fdt_get_cloexec(t, a, &c), 0);
	assert_true(c);
	assert_int_equal(fdt_get_cloexec(t, b, &c), 0);
	assert_false(c);
	assert_int_equal(fdt_set_cloexec(t, a, false), 0);
	assert_int_equal(fdt_get_cloexec(t, a, &c), 0);
	assert_false(c);
}

static void test_cloexec_of_unknown_fd_is_ebadf(void **state)
{
	struct fdtable *t = *state;
	bool c = true;

	assert_int_equal(fdt_get_cloexec(t, 0, &c), -EBADF);
	assert_int_equal(fdt_set_cloexec(t, 0, true), -EBADF);
	assert_int_equal(fdt_get_cloexec(t, -1, &c), -EBADF);
	assert_int_equal(fdt_set_cloexec(t, 5000, true), -EBADF);
	assert_true(c);
	int a = fdt_install(t, host_fd(), false, 3);
	assert_int_equal(fdt_close(t, a), 0);
	assert_int_equal(fdt_get_cloexec(t, a, &c), -EBADF);
	assert_int_equal(fdt_set_cloexec(t, a, true), -EBADF);
}

static void test_install_at_free_slot_uses_exactly_that_fd(void **state)
{
	struct fdtable *t = *state;
	bool c = false;
	int h = host_fd();

	assert_int_equal(fdt_install_at(t, 7, h, true), 7);
	assert_int_equal(fdt_host_fd(t, 7), h);
	assert_int_equal(fdt_get_cloexec(t, 7, &c), 0);
	assert_true(c);
	/* The lowest free fd is still 0. */
	assert_int_equal(fdt_install(t, host_fd(), false, 0), 0);
	assert_int_equal(fdt_install(t, host_fd(), false, 7), 8);
}

static void test_install_at_replaces_and_closes_old_host_fd(void **state)
{
	struct fdtable *t = *state;
	bool c = true;
	int old = host_fd();

	assert_int_equal(fdt_install(t, old, true, 0), 0);
	int repl = dup(old);
	assert_true(repl >= 0);
	assert_int_equal(fdt_install_at(t, 0, repl, false), 0);
	assert_true(host_fd_closed(old));
	assert_true(host_fd_open(repl));
	assert_int_equal(fdt_host_fd(t, 0), repl);
	/* The new entry's cloexec is the one given, not the old one. */
	assert_int_equal(fdt_get_cloexec(t, 0, &c), 0);
	assert_false(c);
}

static void test_install_at_out_of_range_is_ebadf_and_closes_host_fd(void **state)
{
	struct fdtable *t = *state;
	int h = host_fd();

	assert_int_equal(fdt_install_at(t, -1, h, false), -EBADF);
	assert_true(host_fd_closed(h));
	h = host_fd();
	assert_int_equal(fdt_install_at(t, FD_MAX_DEFAULT, h, false), -EBADF);
	assert_true(host_fd_closed(h));
	h = host_fd();
	assert_int_equal(fdt_install_at(t, FD_MAX_DEFAULT - 1, h, false), FD_MAX_DEFAULT - 1);
	assert_int_equal(fdt_host_fd(t, FD_MAX_DEFAULT - 1), h);
}

static void test_install_beyond_limit_is_emfile_and_closes_host_fd(void **state)
{
	struct fdtable *t;
	int h[3];
	(void)state;

	assert_int_equal(fdt_create(&t, 3), 0);
	for (int i = 0; i < 3; i++) {
		h[i] = host_fd();
		assert_int_equal(fdt_install(t, h[i], false, 0), i);
	}
	int extra = host_fd();
	assert_int_equal(fdt_install(t, extra, false, 0), -EMFILE);
	assert_true(host_fd_closed(extra));
	for (int i = 0; i < 3; i++)
		assert_true(host_fd_open(h[i]));
	/* min at or past the limit: -EMFILE even with free slots below. */
	assert_int_equal(fdt_close(t, 1), 0);
	extra = host_fd();
	assert_int_equal(fdt_install(t, extra, false, 3), -EMFILE);
	assert_true(host_fd_closed(extra));
	extra = host_fd();
	assert_int_equal(fdt_install(t, extra, false, 2), -EMFILE);
	assert_true(host_fd_closed(extra));
	/* The freed slot is found from 0. */
	extra = host_fd();
	assert_int_equal(fdt_install(t, extra, false, 0), 1);
	fdt_destroy(t);
	for (int i = 0; i < 3; i++)
		assert_true(host_fd_closed(i == 1 ? extra : h[i]));
}

static void test_limit_zero_refuses_every_install(void **state)
{
	struct fdtable *t;
	(void)state;

	assert_int_equal(fdt_create(&t, 0), 0);
	int h = host_fd();
	assert_int_equal(fdt_install(t, h, false, 0), -EMFILE);
	assert_true(host_fd_closed(h));
	h = host_fd();
	assert_int_equal(fdt_install_at(t, 0, h, false), -EBADF);
	assert_true(host_fd_closed(h));
	fdt_destroy(t);
}

static void test_install_grows_table_past_initial_size(void **state)
{
	struct fdtable *t = *state;
	int shared = host_fd();

	/* dup() keeps the process within its own RLIMIT_NOFILE: install the same pipe end
	 * at many guest fds by handing each slot its own dup. */
	for (int i = 0; i < 100; i++) {
		int d = dup(shared);
		assert_true(d >= 0);
		assert_int_equal(fdt_install(t, d, false, 0), i);
	}
	for (int i = 0; i < 100; i++)
		assert_true(fdt_host_fd(t, i) >= 0);
	close(shared);
}

static void test_close_of_unknown_fd_is_ebadf(void **state)
{
	struct fdtable *t = *state;

	assert_int_equal(fdt_close(t, 0), -EBADF);
	assert_int_equal(fdt_close(t, -1), -EBADF);
	assert_int_equal(fdt_close(t, 100000), -EBADF);
	int a = fdt_install(t, host_fd(), false, 0);
	assert_int_equal(fdt_close(t, a), 0);
	assert_int_equal(fdt_close(t, a), -EBADF);
	assert_int_equal(fdt_close(t, a + 1), -EBADF);
}

static void test_close_releases_host_fd_and_slot(void **state)
{
	struct fdtable *t = *state;
	int h = host_fd();
	int a = fdt_install(t, h, false, 0);

	assert_int_equal(fdt_close(t, a), 0);
	assert_true(host_fd_closed(h));
	assert_int_equal(fdt_host_fd(t, a), -EBADF);
}

static void test_host_fd_of_unknown_fd_is_ebadf(void **state)
{
	struct fdtable *t = *state;

	assert_int_equal(fdt_host_fd(t, 0), -EBADF);
	assert_int_equal(fdt_host_fd(t, -5), -EBADF);
	assert_int_equal(fdt_host_fd(t, FD_MAX_DEFAULT + 10), -EBADF);
}

static void test_destroy_closes_every_host_fd(void **state)
{
	struct fdtable *t;
	int h[5];
	(void)state;

	assert_int_equal(fdt_create(&t, 64), 0);
	for (int i = 0; i < 5; i++) {
		h[i] = host_fd();
		assert_true(fdt_install(t, h[i], false, i * 10) >= 0);
	}
	fdt_destroy(t);
	for (int i = 0; i < 5; i++)
		assert_true(host_fd_closed(h[i]));
	fdt_destroy(NULL); /* harmless */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_install_gives_lowest_free_fd),
		T(test_install_with_min_gives_lowest_free_fd_at_or_above_min),
		T(test_install_records_cloexec),
		T(test_set_cloexec_changes_only_that_fd),
		T(test_cloexec_of_unknown_fd_is_ebadf),
		T(test_install_at_free_slot_uses_exactly_that_fd),
		T(test_install_at_replaces_and_closes_old_host_fd),
		T(test_install_at_out_of_range_is_ebadf_and_closes_host_fd),
		cmocka_unit_test(test_install_beyond_limit_is_emfile_and_closes_host_fd),
		cmocka_unit_test(test_limit_zero_refuses_every_install),
		T(test_install_grows_table_past_initial_size),
		T(test_close_of_unknown_fd_is_ebadf),
		T(test_close_releases_host_fd_and_slot),
		T(test_host_fd_of_unknown_fd_is_ebadf),
		cmocka_unit_test(test_destroy_closes_every_host_fd),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
