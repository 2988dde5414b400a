/* Vector and x87 state belongs to the guest: syscalls, host-served page faults and the
 * agent's PTE re-store must leave xmm/ymm registers, MXCSR, the x87 control word and
 * the x87 registers as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

static void test_sse_avx_and_x87_state_survive_syscalls_and_faults(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* guests/simd.S: 0 = checked with AVX, 77 = checked without AVX, else the check
	 * that failed. The guest should get AVX when the host has it. */
	__builtin_cpu_init();
	run_guest("simd", &res);
	assert_guest_exited(&res, __builtin_cpu_supports("avx") ? 0 : 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sse_avx_and_x87_state_survive_syscalls_and_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
