/* Each ring-3 exception becomes the signal Linux's arch/x86/kernel/traps.c and
 * mm/fault.c would send, with the same si_code and address, and the exit status is
 * 128+signal. The guest (guests/faults.S) executes one faulting instruction per case;
 * its label gives the exact rip and address to expect. */
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

#define GUEST "faults"

/* Runs case `which` and checks signal, si_code, address and rip. */
static void expect_fault(const char *which, int sig, int code, uint64_t addr, uint64_t rip)
{
	struct hv_run_result res;

	run_guest_arg(GUEST, which, &res);
	if (res.outcome != HV_SIGNALED || res.signo != sig || res.si_code != code ||
	    res.fault_addr != addr || res.fault_rip != rip) {
		print_message("case %s: want signal %d code %#x addr %#llx rip %#llx\n", which, sig, code,
			      (unsigned long long)addr, (unsigned long long)rip);
		print_result("got", &res);
	}
	assert_int_equal(res.outcome, HV_SIGNALED);
	assert_int_equal(res.signo, sig);
	assert_int_equal(res.si_code, code);
	assert_int_equal(res.fault_addr, addr);
	assert_int_equal(res.fault_rip, rip);
	assert_int_equal(hv_run_status(&res), 128 + sig);
	/* Every one of these signals dumps core by default; as Linux, the status says so
	 * only when RLIMIT_CORE allows a dump. */
	struct rlimit core;
	getrlimit(RLIMIT_CORE, &core);
	assert_int_equal(res.core, core.rlim_cur != 0);
}

static uint64_t sym(const char *s)
{
	return guest_sym(GUEST, s);
}

static void test_guest_without_fault_case_exits_normally(void **state)
{
	struct hv_run_result res;
	(void)state;

	run_guest(GUEST, &res);
	assert_guest_exited(&res, 100);
	run_guest_arg(GUEST, "?", &res);
	assert_guest_exited(&res, 101);
}

static void test_int3_is_sigtrap_si_kernel_after_the_int3(void **state)
{
	(void)state;
	/* Linux: do_int3_user() -> do_trap(..., SIGTRAP, ...) with no siginfo: SI_KERNEL, addr 0. */
	expect_fault("b", SIGTRAP, SI_KERNEL, 0, sym("after_int3"));
	assert_int_equal(sym("after_int3"), sym("int3_insn") + 1);
}

static void test_ud2_is_sigill_illopn_at_the_ud2(void **state)
{
	(void)state;
	expect_fault("u", SIGILL, ILL_ILLOPN, sym("ud2_insn"), sym("ud2_insn"));
}

static void test_divide_by_zero_is_sigfpe_intdiv(void **state)
{
	(void)state;
	expect_fault("d", SIGFPE, FPE_INTDIV, sym("div_insn"), sym("div_insn"));
}

static void test_divide_overflow_is_sigfpe_intdiv(void **state)
{
	(void)state;
	/* #DE for INT64_MIN / -1 too: Linux reports FPE_INTDIV for every #DE. */
	expect_fault("D", SIGFPE, FPE_INTDIV, sym("divov_insn"), sym("divov_insn"));
}

static void test_read_of_unmapped_page_is_segv_maperr(void **state)
{
	(void)state;
	expect_fault("r", SIGSEGV, SEGV_MAPERR, 0x10000, sym("read_low_insn"));
}

static void test_write_to_read_only_text_is_segv_accerr(void **state)
{
	(void)state;
	expect_fault("w", SIGSEGV, SEGV_ACCERR, sym("_start"), sym("write_text_insn"));
}

static void test_execute_from_nx_data_is_segv_accerr(void **state)
{
	(void)state;
	/* The fetch faults at the target: rip and address are both the data address. */
	expect_fault("e", SIGSEGV, SEGV_ACCERR, sym("nx_data"), sym("nx_data"));
}

static void test_hlt_in_ring3_is_segv_si_kernel(void **state)
{
	(void)state;
	expect_fault("h", SIGSEGV, SI_KERNEL, 0, sym("hlt_insn"));
}

static void test_cli_in_ring3_is_segv_si_kernel(void **state)
{
	(void)state;
	expect_fault("c", SIGSEGV, SI_KERNEL, 0, sym("cli_insn"));
}

static void test_non_canonical_access_is_segv_si_kernel(void **state)
{
	(void)state;
	/* #GP, not #PF: Linux sends SIGSEGV SI_KERNEL with address 0. */
	expect_fault("n", SIGSEGV, SI_KERNEL, 0, sym("noncanon_insn"));
}

static void test_out_to_syscall_port_outside_trampoline_is_segv(void **state)
{
	(void)state;
	expect_fault("o", SIGSEGV, SI_KERNEL, 0, sym("out_insn"));
}

static void test_out_to_another_port_is_segv(void **state)
{
	(void)state;
	expect_fault("p", SIGSEGV, SI_KERNEL, 0, sym("out80_insn"));
}

static void test_out_through_dx_to_syscall_port_is_segv_at_the_out(void **state)
{
	(void)state;
	/* `out %al,(%dx)` is one byte long (0xee); the reported rip must be the out's. */
	expect_fault("x", SIGSEGV, SI_KERNEL, 0, sym("outdx_insn"));
}

static void test_in_from_syscall_port_is_segv(void **state)
{
	(void)state;
	/* The TSS I/O bitmap opens port 0x10 for `in` as well: Linux would send SIGSEGV for
	 * a user `in` (IOPL 0, no ioperm); it must not end the VM. */
	expect_fault("i", SIGSEGV, SI_KERNEL, 0, sym("in_insn"));
}

static void test_string_out_to_syscall_port_is_segv_at_the_insn(void **state)
{
	(void)state;
	expect_fault("S", SIGSEGV, SI_KERNEL, 0, sym("outsb_insn"));
}

static void test_string_out_from_physmap_is_segv_si_kernel(void **state)
{
	(void)state;
	/* Linux refuses the port (#GP) before any memory is read: SI_KERNEL, address 0. */
	expect_fault("X", SIGSEGV, SI_KERNEL, 0, sym("outsb_kernel_insn"));
}

static void test_string_in_from_syscall_port_is_segv(void **state)
{
	(void)state;
	expect_fault("I", SIGSEGV, SI_KERNEL, 0, sym("insb_insn"));
}

static void test_read_of_physmap_is_segv_maperr(void **state)
{
	(void)state;
	/* Linux answers a user access to a kernel address with SEGV_MAPERR (bad_area_nosemaphore),
	 * although the page is present (supervisor); hvtrace must not reveal the mapping. */
	expect_fault("k", SIGSEGV, SEGV_MAPERR, 0xffff888000000000ull, sym("kread_insn"));
}

static void test_read_of_agent_page_is_segv_maperr(void **state)
{
	(void)state;
	expect_fault("a", SIGSEGV, SEGV_MAPERR, 0xffffffff81000000ull, sym("agent_read_insn"));
}

static void test_write_to_trampoline_page_is_segv_maperr(void **state)
{
	(void)state;
	expect_fault("t", SIGSEGV, SEGV_MAPERR, 0xffffffff81001000ull, sym("tramp_write_insn"));
}

static void test_jump_into_agent_page_is_segv_maperr(void **state)
{
	(void)state;
	expect_fault("j", SIGSEGV, SEGV_MAPERR, 0xffffffff81000000ull, 0xffffffff81000000ull);
}

static void test_misaligned_access_with_ac_is_sigbus_adraln(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG does not implement alignment checking (#AC)");
	(void)state;
	/* Linux: exc_alignment_check -> do_trap(..., SIGBUS, ..., BUS_ADRALN, NULL): addr 0. */
	expect_fault("g", SIGBUS, BUS_ADRALN, 0, sym("ac_insn"));
}

static void test_single_step_by_tf_is_sigtrap_trace_after_next_insn(void **state)
{
	(void)state;
	/* TF set by popfq traps after the following instruction; Linux: TRAP_TRACE, si_addr = ip. */
	expect_fault("s", SIGTRAP, TRAP_TRACE, sym("after_tf_nop"), sym("after_tf_nop"));
}

static void test_non_canonical_stack_access_is_sigbus(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG raises #GP, not #SS, for a non-canonical stack access");
	(void)state;
	/* #SS: Linux's exc_stack_segment sends SIGBUS without siginfo (SI_KERNEL, addr 0). */
	expect_fault("q", SIGBUS, SI_KERNEL, 0, sym("ss_insn"));
}

static void test_sse_divide_by_zero_is_sigfpe_fltdiv(void **state)
{
	SKIP_ON_LANE("svm-tcg", "QEMU/TCG does not raise SIMD floating-point exceptions (#XM)");
	(void)state;
	/* #XM: Linux's math_error() takes si_code from MXCSR (fpu__exception_code). */
	expect_fault("Z", SIGFPE, FPE_FLTDIV, sym("sse_div_insn"), sym("sse_div_insn"));
}

static void test_x87_divide_by_zero_is_sigfpe_fltdiv_at_the_wait(void **state)
{
	(void)state;
	/* #MF is raised by the next waiting x87 instruction; si_code from FSW & ~FCW. */
	expect_fault("F", SIGFPE, FPE_FLTDIV, sym("x87_wait_insn"), sym("x87_wait_insn"));
}

static void test_tf_across_syscall_traps_after_the_next_insn(void **state)
{
	(void)state;
	/* As Linux: the syscall itself is not reported; TF comes back with R11 and the
	 * trap follows the first instruction after the syscall. */
	expect_fault("y", SIGTRAP, TRAP_TRACE, sym("after_tf_nop2"), sym("after_tf_nop2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_without_fault_case_exits_normally),
		cmocka_unit_test(test_int3_is_sigtrap_si_kernel_after_the_int3),
		cmocka_unit_test(test_ud2_is_sigill_illopn_at_the_ud2),
		cmocka_unit_test(test_divide_by_zero_is_sigfpe_intdiv),
		cmocka_unit_test(test_divide_overflow_is_sigfpe_intdiv),
		cmocka_unit_test(test_read_of_unmapped_page_is_segv_maperr),
		cmocka_unit_test(test_write_to_read_only_text_is_segv_accerr),
		cmocka_unit_test(test_execute_from_nx_data_is_segv_accerr),
		cmocka_unit_test(test_hlt_in_ring3_is_segv_si_kernel),
		cmocka_unit_test(test_cli_in_ring3_is_segv_si_kernel),
		cmocka_unit_test(test_non_canonical_access_is_segv_si_kernel),
		cmocka_unit_test(test_out_to_syscall_port_outside_trampoline_is_segv),
		cmocka_unit_test(test_out_to_another_port_is_segv),
		cmocka_unit_test(test_out_through_dx_to_syscall_port_is_segv_at_the_out),
		cmocka_unit_test(test_in_from_syscall_port_is_segv),
		cmocka_unit_test(test_string_out_to_syscall_port_is_segv_at_the_insn),
		cmocka_unit_test(test_string_out_from_physmap_is_segv_si_kernel),
		cmocka_unit_test(test_string_in_from_syscall_port_is_segv),
		cmocka_unit_test(test_read_of_physmap_is_segv_maperr),
		cmocka_unit_test(test_read_of_agent_page_is_segv_maperr),
		cmocka_unit_test(test_write_to_trampoline_page_is_segv_maperr),
		cmocka_unit_test(test_jump_into_agent_page_is_segv_maperr),
		cmocka_unit_test(test_misaligned_access_with_ac_is_sigbus_adraln),
		cmocka_unit_test(test_single_step_by_tf_is_sigtrap_trace_after_next_insn),
		cmocka_unit_test(test_tf_across_syscall_traps_after_the_next_insn),
		cmocka_unit_test(test_non_canonical_stack_access_is_sigbus),
		cmocka_unit_test(test_sse_divide_by_zero_is_sigfpe_fltdiv),
		cmocka_unit_test(test_x87_divide_by_zero_is_sigfpe_fltdiv_at_the_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
