/* hvt_attach on a VM that another process runs (`hvtrace run --control PATH`): the
 * attached task stops once, is traced through the control socket, and runs on untraced
 * after the session closes; strangers cannot connect. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <hvtrace.h>

#include "tests/vcpu/guest_run.h"

#define TIMEOUT_MS 20000

struct vm {
	pid_t pid;
	char sock[108];
};

/* Starts `hvtrace run --control SOCK api_target mode` and waits for its socket. */
static void vm_start(struct vm *vm, const char *mode)
{
	const char *bin = getenv("HVTRACE_BIN");
	char guest[4096];

	snprintf(guest, sizeof guest, "%s", guest_path("api_target"));
	snprintf(vm->sock, sizeof vm->sock, "/tmp/hvtrace-test-%d.sock", (int)getpid());
	unlink(vm->sock);
	int ready[2];
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	vm->pid = fork();
	if (vm->pid == 0) {
		/* A failed assertion must not leave the VM spinning (and holding the
		 * runner's output pipe): it dies with the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(ready[1], 1);
		execl(bin ? bin : "build/hvtrace", "hvtrace", "run", "--control", vm->sock, "--", guest, mode, (char *)NULL);
		_exit(127);
	}
	assert_true(vm->pid > 0);
	close(ready[1]);
	/* The guest is in its loop (not in its start-up, where an attach would land in the
	 * middle of a syscall) once it said so; its socket exists before it starts. */
	char line[16] = "";
	struct pollfd p = {.fd = ready[0], .events = POLLIN};
	assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
	assert_true(read(ready[0], line, sizeof line - 1) > 0);
	assert_string_equal(line, "spinning\n");
	close(ready[0]);
	struct stat st;
	assert_int_equal(stat(vm->sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* owner-only */
}

static int vm_end(struct vm *vm, int sig)
{
	int st;

	if (sig)
		kill(vm->pid, sig);
	assert_int_equal(waitpid(vm->pid, &st, 0), vm->pid);
	unlink(vm->sock); /* left behind by a killed hvtrace */
	return st;
}

static void next(hvt_session *s, struct hvt_event *ev, enum hvt_event_kind kind)
{
	int r = hvt_wait(s, ev, TIMEOUT_MS);
	if (r)
		fail_msg("hvt_wait: %d waiting for event %d", r, kind);
	if (ev->kind != kind)
		fail_msg("event %d where %d was expected", ev->kind, kind);
}

static long counter_at_attach(struct vm *vm, uint64_t var)
{
	hvt_session *s;
	struct hvt_event ev;
	long v = -1;

	assert_int_equal(hvt_attach(vm->sock, 1, 0, &s), 0);
	next(s, &ev, HVT_EV_START);
	assert_int_equal(ev.tid, 1);
	assert_int_equal(hvt_read_mem(s, 1, var, &v, sizeof v), (ssize_t)sizeof v);
	long again = -2;
	assert_int_equal(hvt_read_mem(s, 1, var, &again, sizeof again), (ssize_t)sizeof again);
	assert_int_equal(v, again); /* stopped */
	struct hvt_task_info ti[4];
	assert_int_equal(hvt_tasks(s, ti, 4), 1);
	assert_true(ti[0].stopped);
	assert_int_equal(hvt_close(s), 0);
	return v;
}

static void test_attached_task_stops_once_and_runs_on_after_the_session(void **state)
{
	(void)state;
	SKIP_ON_LANE("svm-tcg", "its guest spins in ring 3 without exits; under QEMU 7.2 TCG the VM then at times stops taking interrupts (tests/svm/README.md)");
	struct vm vm;
	uint64_t var = guest_sym("api_target", "counter");

	vm_start(&vm, "spin-ready");
	long a = counter_at_attach(&vm, var);
	struct timespec ts = {0, 50000000};
	nanosleep(&ts, NULL);
	long b = counter_at_attach(&vm, var);
	assert_true(b > a); /* it ran between the sessions */
	int st = vm_end(&vm, SIGKILL);
	assert_true(WIFSIGNALED(st));
}

static void test_attached_session_sees_syscalls_and_can_kill(void **state)
{
	(void)state;
	SKIP_ON_LANE("svm-tcg", "its guest spins in ring 3 without exits; under QEMU 7.2 TCG the VM then at times stops taking interrupts (tests/svm/README.md)");
	struct vm vm;
	hvt_session *s;
	struct hvt_event ev;

	vm_start(&vm, "spin-ready");
	assert_int_equal(hvt_attach(vm.sock, 1, HVT_TRACE_SYSCALLS, &s), 0);
	next(s, &ev, HVT_EV_START);
	struct user_regs_struct u;
	assert_int_equal(hvt_get_regs(s, 1, &u), 0);
	/* Make it call getpid where it stands: the registers go through the socket. */
	uint8_t code[2] = {0x0f, 0x05};
	uint8_t saved[2];
	assert_int_equal(hvt_read_mem(s, 1, u.rip, saved, 2), 2);
	assert_int_equal(hvt_write_mem(s, 1, u.rip, code, 2), 2);
	struct user_regs_struct v = u;
	v.rax = SYS_getpid;
	assert_int_equal(hvt_set_regs(s, 1, &v), 0);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	next(s, &ev, HVT_EV_SYSCALL_ENTER);
	assert_int_equal(ev.nr, SYS_getpid);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	next(s, &ev, HVT_EV_SYSCALL_EXIT);
	assert_int_equal(ev.ret, 1);
	/* A file as the task sees it: the fd comes over the socket. */
	char buf[256] = "";
	int fd = hvt_open_file(s, 1, "/proc/self/status");
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof buf - 1) > 0);
	close(fd);
	assert_non_null(strstr(buf, "Name:\tapi_target"));
	assert_int_equal(hvt_open_file(s, 1, "/nonexistent"), -ENOENT);
	assert_int_equal(hvt_kill(s), 0);
	next(s, &ev, HVT_EV_EXITED);
	assert_true(WIFSIGNALED(ev.status) && WTERMSIG(ev.status) == SIGKILL);
	next(s, &ev, HVT_EV_GUEST_EXITED);
	assert_int_equal(hvt_wait(s, &ev, TIMEOUT_MS), -ECHILD);
	assert_int_equal(hvt_close(s), 0);
	int st = vm_end(&vm, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL);
}

static void test_attach_errors_name_the_problem(void **state)
{
	(void)state;
	SKIP_ON_LANE("svm-tcg", "its guest spins in ring 3 without exits; under QEMU 7.2 TCG the VM then at times stops taking interrupts (tests/svm/README.md)");
	struct vm vm;
	hvt_session *s;

	assert_int_equal(hvt_attach("/nonexistent/vm.sock", 1, 0, &s), -ENOENT);
	assert_non_null(strstr(hvt_spawn_error(), "no such running VM"));
	assert_int_equal(hvt_attach("bad id!", 1, 0, &s), -EINVAL);
	vm_start(&vm, "spin-ready");
	assert_int_equal(hvt_attach(vm.sock, 77, 0, &s), -ESRCH);
	assert_non_null(strstr(hvt_spawn_error(), "no such task"));
	/* Another user may not even connect. */
	pid_t c = fork();
	if (c == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(hvt_attach(vm.sock, 1, 0, &s) < 0 ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	vm_end(&vm, SIGKILL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attached_task_stops_once_and_runs_on_after_the_session),
		cmocka_unit_test(test_attached_session_sees_syscalls_and_can_kill),
		cmocka_unit_test(test_attach_errors_name_the_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
