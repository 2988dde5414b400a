/* FS/GS base: arch_prctl and ring-3 rd/wr{fs,gs}base must agree, across syscalls and
 * page faults (the host keeps segment state in the vCPU's synchronized sregs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

static void test_fs_and_gs_base_from_arch_prctl_and_wrfsbase_agree(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* guests/fsbase.S: the exit status names the first failed check. */
	run_guest("fsbase", &res);
	assert_guest_exited(&res, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fs_and_gs_base_from_arch_prctl_and_wrfsbase_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
