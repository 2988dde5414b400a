/* Bad syscall inputs get Linux's answers and never hurt the VMM: bad pointers (user,
 * kernel half, the agent's own pages) are EFAULT, unknown numbers ENOSYS, impossible
 * lengths ENOMEM; and the syscall trampoline, which ring 3 can jump into directly with
 * RCX/R11 of its choosing, gives the guest nothing more than a syscall would. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

static void test_bad_pointers_numbers_and_lengths_get_linux_errors(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* guests/bad_syscalls.S: the exit status names the first failed check. */
	run_guest("bad_syscalls", &res);
	assert_guest_exited(&res, 0);
}

static void test_syscall_number_and_int_arguments_use_the_low_32_bits(void **state)
{
	struct hv_run_result res;
	(void)state;

	/* guests/syscall_int_args.S: Linux's do_syscall_64(regs, int nr) ignores RAX's
	 * upper half; `unsigned int fd` arguments are truncated. */
	run_guest("syscall_int_args", &res);
	assert_guest_exited(&res, 0);
}

#define TJ "trampoline_jump"

static void test_honest_jump_into_trampoline_is_a_syscall(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG faults a ring-3 `out` despite the TSS I/O bitmap");
	struct hv_run_result res;
	(void)state;

	run_guest_arg(TJ, "s", &res);
	assert_guest_exited(&res, 0);
}

static void test_trampoline_jump_cannot_raise_iopl(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG faults a ring-3 `out` despite the TSS I/O bitmap");
	struct hv_run_result res;
	(void)state;

	/* R11 = IOPL 3: afterwards `cli` must still fault (exit 3: RFLAGS showed IOPL 3;
	 * 99: cli went through). */
	run_guest_arg(TJ, "i", &res);
	if (res.outcome != HV_SIGNALED)
		print_result("IOPL from R11", &res);
	assert_guest_signaled(&res, SIGSEGV, SI_KERNEL);
	assert_int_equal(res.fault_rip, guest_sym(TJ, "cli_after"));
}

static void test_trampoline_jump_with_vm_flag_does_not_stop_the_vm(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG faults a ring-3 `out` despite the TSS I/O bitmap");
	struct hv_run_result res;
	(void)state;

	/* RFLAGS.VM is illegal in long mode: it must not reach VM entry. */
	run_guest_arg(TJ, "v", &res);
	if (res.outcome != HV_EXITED)
		print_result("VM from R11", &res);
	assert_guest_exited(&res, 0);
}

static void test_trampoline_jump_to_non_canonical_rcx_is_segv(void **state)
{
	struct hv_run_result res;
	(void)state;

	run_guest_arg(TJ, "c", &res);
	if (res.outcome != HV_SIGNALED)
		print_result("non-canonical RCX", &res);
	assert_int_equal(res.outcome, HV_SIGNALED);
	assert_int_equal(res.signo, SIGSEGV);
}

static void test_trampoline_jump_to_kernel_rcx_is_segv(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG faults a ring-3 `out` despite the TSS I/O bitmap");
	struct hv_run_result res;
	(void)state;

	run_guest_arg(TJ, "k", &res);
	assert_guest_signaled(&res, SIGSEGV, SEGV_MAPERR);
	assert_int_equal(res.fault_addr, 0xffffffff81000000ull);
	assert_int_equal(res.fault_rip, 0xffffffff81000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_pointers_numbers_and_lengths_get_linux_errors),
		cmocka_unit_test(test_syscall_number_and_int_arguments_use_the_low_32_bits),
		cmocka_unit_test(test_honest_jump_into_trampoline_is_a_syscall),
		cmocka_unit_test(test_trampoline_jump_cannot_raise_iopl),
		cmocka_unit_test(test_trampoline_jump_with_vm_flag_does_not_stop_the_vm),
		cmocka_unit_test(test_trampoline_jump_to_non_canonical_rcx_is_segv),
		cmocka_unit_test(test_trampoline_jump_to_kernel_rcx_is_segv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
