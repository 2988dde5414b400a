/* The exit-less syscall transport (kernel/transport.h): exactly-once execution with
 * registers intact over many calls, under every transport setting, and a guest that
 * scribbles over its own request slot hurts nobody but itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "guest_run.h"
#include "kernel/transport.h"

/* count / HVTRACE_TEST_SCALE (the emulated SVM lane divides long loops). */
static const char *scaled(const char *count, char *buf, size_t len)
{
	const char *s = getenv("HVTRACE_TEST_SCALE");
	long scale = s ? atol(s) : 1;

	snprintf(buf, len, "%ld", atol(count) / (scale > 0 ? scale : 1));
	return buf;
}

static void run_lseek_count(int transport, const char *count)
{
	char n[32];
	count = scaled(count, n, sizeof n);
	char file[] = "/tmp/hvtrace-lseek.XXXXXX";
	int fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);

	struct hv_run_options opt = {.mem_size = GUEST_TEST_MEM, .umask = 022, .transport = transport};
	char *argv[] = {(char *)guest_path("lseek_count"), file, (char *)count, NULL};
	char *envp[] = {NULL};
	struct hv_run_result res;
	char path[4096];
	snprintf(path, sizeof path, "%s", argv[0]);
	argv[0] = path;
	hv_run_program(&opt, 3, argv, envp, &res);
	unlink(file);
	assert_int_equal(res.outcome, HV_EXITED);
	assert_int_equal(res.exit_code, 0);
}

static void test_a_million_syscalls_run_exactly_once_on_the_shared_transport(void **state)
{
	(void)state;
	run_lseek_count(TRANSPORT_SHARED, "1000000");
}

static void test_a_million_syscalls_run_exactly_once_on_the_auto_transport(void **state)
{
	(void)state;
	run_lseek_count(TRANSPORT_AUTO, "1000000");
}

static void test_syscalls_run_exactly_once_on_the_exit_transport(void **state)
{
	(void)state;
	run_lseek_count(TRANSPORT_EXIT, "20000");
}

static void scribble(int transport)
{
	struct hv_run_options opt = {.mem_size = GUEST_TEST_MEM, .umask = 022, .transport = transport};
	char path[4096];
	snprintf(path, sizeof path, "%s", guest_path("slot_scribble"));
	char *argv[] = {path, NULL};
	char *envp[] = {NULL};
	struct hv_run_result res;

	hv_run_program(&opt, 1, argv, envp, &res);
	assert_int_equal(res.outcome, HV_EXITED);
	assert_int_equal(res.exit_code, 7);
	/* And the VMM goes on serving others correctly. */
	run_lseek_count(transport, "10000");
}

static void test_scribbling_on_the_slot_hurts_only_the_guest_shared(void **state)
{
	(void)state;
	scribble(TRANSPORT_SHARED);
}

static void test_scribbling_on_the_slot_hurts_only_the_guest_auto(void **state)
{
	(void)state;
	scribble(TRANSPORT_AUTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_million_syscalls_run_exactly_once_on_the_shared_transport),
		cmocka_unit_test(test_a_million_syscalls_run_exactly_once_on_the_auto_transport),
		cmocka_unit_test(test_syscalls_run_exactly_once_on_the_exit_transport),
		cmocka_unit_test(test_scribbling_on_the_slot_hurts_only_the_guest_shared),
		cmocka_unit_test(test_scribbling_on_the_slot_hurts_only_the_guest_auto),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
