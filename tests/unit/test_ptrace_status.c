/* The words ptrace hands out (ptrace/status.h), checked with the C library's own
 * W* macros the tracers use. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "ptrace/status.h"

static void stop_statuses_decode_as_wait_does(void **unused)
{
	(void)unused;
	int st = pt_stop_wstatus(SIGSTOP);

	assert_true(WIFSTOPPED(st));
	assert_int_equal(WSTOPSIG(st), SIGSTOP);
	assert_int_equal(st >> 16, 0);
	st = pt_stop_wstatus(pt_event_code(PTRACE_EVENT_EXEC));
	assert_true(WIFSTOPPED(st));
	assert_int_equal(WSTOPSIG(st), SIGTRAP);
	assert_int_equal(st >> 16, PTRACE_EVENT_EXEC);
	/* A SEIZEd tracee's group-stop: the stop signal with PTRACE_EVENT_STOP above it. */
	st = pt_stop_wstatus(SIGTSTP | PTRACE_EVENT_STOP << 8);
	assert_int_equal(WSTOPSIG(st), SIGTSTP);
	assert_int_equal(st >> 16, PTRACE_EVENT_STOP);
}

static void syscall_stops_carry_0x80_with_tracesysgood(void **unused)
{
	(void)unused;
	assert_int_equal(WSTOPSIG(pt_stop_wstatus(pt_syscall_code(0))), SIGTRAP);
	assert_int_equal(WSTOPSIG(pt_stop_wstatus(pt_syscall_code(PTRACE_O_TRACESYSGOOD))), SIGTRAP | 0x80);
	assert_int_equal(pt_syscall_code(PTRACE_O_TRACEEXEC), SIGTRAP);
}

static void unknown_options_fail_as_linux(void **unused)
{
	(void)unused;
	uint64_t all = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		       PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEVFORKDONE |
		       PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL |
		       PTRACE_O_SUSPEND_SECCOMP;

	assert_int_equal(pt_options_check(all, false), 0);
	assert_int_equal(pt_options_check(all, true), 0);
	assert_int_equal(pt_options_check(0x400, false), -EINVAL);
	assert_int_equal(pt_options_check(0x80000000ull, true), -EIO);
	assert_int_equal(pt_options_check(1ull << 40, false), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stop_statuses_decode_as_wait_does),
		cmocka_unit_test(syscall_stops_carry_0x80_with_tracesysgood),
		cmocka_unit_test(unknown_options_fail_as_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
