/* hvtrace's own seccomp filter (vmm/sandbox.h), in a forked child: what hvtrace needs
 * still works, a host program cannot be started, and a refusal ends the process with
 * status 125 and a message naming the syscall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/sandbox.h"

/* Runs what(), sandboxed, in a child; returns its wait status and its stderr. */
static int sandboxed(void (*what)(void), char *err, size_t len)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t c = fork();
	if (c == 0) {
		char msg[256];
		dup2(p[1], 2);
		if (sandbox_enter(msg, sizeof msg))
			_exit(99);
		what();
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], err, len - 1);
	err[n > 0 ? n : 0] = 0;
	close(p[0]);
	int st;
	assert_int_equal(waitpid(c, &st, 0), c);
	return st;
}

static void allowed_calls(void)
{
	char buf[64];
	if (getpid() <= 0 || getcwd(buf, sizeof buf) == NULL || write(2, "", 0) != 0)
		_exit(1);
}

static void start_a_program(void)
{
	char *argv[] = {"/bin/true", NULL};
	execve("/bin/true", argv, NULL);
	_exit(2); /* refused with an error instead of a stop: also wrong */
}

static void ptrace_something(void)
{
	ptrace(PTRACE_TRACEME, 0, 0, 0);
	_exit(2);
}

static void test_what_hvtrace_needs_still_works(void **state)
{
	(void)state;
	char err[256];
	int st = sandboxed(allowed_calls, err, sizeof err);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_starting_a_host_program_ends_the_process_with_a_message(void **state)
{
	(void)state;
	char err[256];
	int st = sandboxed(start_a_program, err, sizeof err);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 125);
	char want[64];
	snprintf(want, sizeof want, "host syscall %d refused", SYS_execve);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "--no-sandbox"));
}

static void test_ptrace_of_host_processes_is_refused(void **state)
{
	(void)state;
	char err[256];
	int st = sandboxed(ptrace_something, err, sizeof err);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 125);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_hvtrace_needs_still_works),
		cmocka_unit_test(test_starting_a_host_program_ends_the_process_with_a_message),
		cmocka_unit_test(test_ptrace_of_host_processes_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
