/* The vDSO (guest-agent/vdso.c): glibc finds it through AT_SYSINFO_EHDR and its clocks
 * then cost no syscall at all, as on Linux, while staying consistent with the syscall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest_run.h"
#include "vmm/vm.h"

/* Does this platform let the vDSO compute time (the probe's verdict)? */
static bool vdso_computes_time(void)
{
	struct hv_vm vm;

	if (vm_create(&vm, 64ull << 20))
		fail_msg("cannot create a VM to read the platform description");
	bool ok = vm.platform.guest_tsc_usable;
	vm_destroy(&vm);
	return ok;
}

static void test_glibc_time_functions_make_no_syscalls_where_the_tsc_is_usable(void **state)
{
	struct hv_run_result res;
	(void)state;

	run_guest("vdso_clock", &res);
	assert_int_equal(res.outcome, HV_EXITED);
	assert_int_equal(res.exit_code, 0);
	if (vdso_computes_time()) {
		/* 100 explicit clock syscalls plus start-up and exit; 100000+ vDSO calls add none. */
		assert_true(res.syscalls < 200);
		assert_true(res.syscalls >= 100);
	} else {
		/* The platform's TSC is not usable from ring 3: the vDSO's fallback makes the
		 * syscalls, and the clocks are just as correct (checked by the guest). */
		print_message("guest TSC not usable here: checked the vDSO's syscall fallback\n");
		assert_true(res.syscalls >= 100000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glibc_time_functions_make_no_syscalls_where_the_tsc_is_usable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
