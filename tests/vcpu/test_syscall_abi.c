/* The x86-64 syscall ABI as the guest sees it: registers and flags across `syscall`,
 * and exit_group's status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

static void test_registers_and_flags_survive_1000_syscalls(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* guests/syscall_regs.S: exit status names the first failed check (see there). */
	run_guest("syscall_regs", &res);
	assert_guest_exited(&res, 0);
}

static void test_registers_survive_syscalls_returning_through_the_agent(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* mprotect of a touched page: each return goes through hv_agent_flush and iretq. */
	run_guest_arg("syscall_regs", "m", &res);
	assert_guest_exited(&res, 0);
}

static void test_all_registers_and_flags_survive_served_page_faults(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* 1000 first touches served by the host: RAX, RCX and R11 included. */
	run_guest_arg("syscall_regs", "f", &res);
	assert_guest_exited(&res, 0);
}

static void expect_exit_status(const char *arg, int status)
{
	struct hv_run_result res;

	run_guest_arg("exit_code", arg, &res);
	if (res.outcome != HV_EXITED || res.exit_code != status)
		print_message("exit_group(%s): want %d\n", arg, status);
	assert_guest_exited(&res, status);
}

static void test_exit_group_status_comes_back_exactly(void **state)
{
	(void)state;
	expect_exit_status("0", 0);
	expect_exit_status("1", 1);
	expect_exit_status("42", 42);
	expect_exit_status("128", 128);
	expect_exit_status("255", 255);
}

static void test_exit_group_status_keeps_the_low_8_bits(void **state)
{
	(void)state;
	expect_exit_status("263", 7);  /* 256 + 7 */
	expect_exit_status("256", 0);
	expect_exit_status("-1", 255); /* as Linux: (code & 0xff) << 8 */
	expect_exit_status("4294967338", 42); /* 2^32 + 42: the upper half of RDI is ignored */
}

static void test_exit_syscall_ends_the_single_threaded_program(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* exit (60), not exit_group: the last thread leaving ends the process. */
	run_guest_arg("exit_code", "x77", &res);
	assert_guest_exited(&res, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers_and_flags_survive_1000_syscalls),
		cmocka_unit_test(test_registers_survive_syscalls_returning_through_the_agent),
		cmocka_unit_test(test_all_registers_and_flags_survive_served_page_faults),
		cmocka_unit_test(test_exit_group_status_comes_back_exactly),
		cmocka_unit_test(test_exit_group_status_keeps_the_low_8_bits),
		cmocka_unit_test(test_exit_syscall_ends_the_single_threaded_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
