/* The vDSO (guest-agent/vdso.c): glibc finds it through AT_SYSINFO_EHDR and its clocks
 * then cost no syscall at all, as on Linux, while staying consistent with the syscall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest_run.h"

static void test_glibc_time_functions_make_no_syscalls(void **state)
{
	struct hv_run_result res;
	(void)state;

	run_guest("vdso_clock", &res);
	assert_int_equal(res.outcome, HV_EXITED);
	assert_int_equal(res.exit_code, 0);
	/* 100 explicit clock syscalls plus start-up and exit; 100000+ vDSO calls add none. */
	assert_true(res.syscalls < 200);
	assert_true(res.syscalls >= 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glibc_time_functions_make_no_syscalls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
