/* The C API (include/hvtrace.h) on real guests: each test spawns tests/vcpu/guests/
 * api_target in one mode, drives it through the host session's stops and checks what
 * the guest saw through its exit status. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <hvtrace.h>

#include "tests/vcpu/guest_run.h"

#define TIMEOUT_MS 20000

static hvt_session *spawn(const char *mode, unsigned flags)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", guest_path("api_target"));
	char *argv[] = {path, (char *)mode, NULL};
	char *envp[] = {"HVTRACE_TEST=1", NULL};
	struct hvt_spawn_options o = {.argv = argv, .envp = envp, .stdio = {-1, -1, -1},
				      .mem_size = GUEST_TEST_MEM, .flags = flags};
	const char *tr = getenv("HVTRACE_TEST_TRANSPORT");
	if (tr && *tr)
		o.transport = !strcmp(tr, "exit") ? 1 : !strcmp(tr, "shared") ? 2 : 0;
	hvt_session *s = NULL;
	int r = hvt_spawn(&o, &s);
	if (r)
		fail_msg("hvt_spawn: %d %s", r, hvt_spawn_error());
	return s;
}

/* The next event, which must be of kind `kind`. */
static void next(hvt_session *s, struct hvt_event *ev, enum hvt_event_kind kind)
{
	int r = hvt_wait(s, ev, TIMEOUT_MS);
	if (r)
		fail_msg("hvt_wait: %d waiting for event %d", r, kind);
	if (ev->kind != kind)
		fail_msg("event %d (nr %ld) where %d was expected", ev->kind, ev->nr, kind);
}

/* Resumes every stop until the guest ends; returns its status. */
static int run_to_end(hvt_session *s)
{
	struct hvt_event ev;
	int r;

	while ((r = hvt_wait(s, &ev, TIMEOUT_MS)) == 0) {
		if (ev.stopped)
			assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, ev.kind == HVT_EV_SIGNAL ? ev.info.si_signo : 0), 0);
		if (ev.kind == HVT_EV_GUEST_EXITED)
			break;
	}
	assert_int_equal(r, 0);
	assert_int_equal(hvt_wait(s, &ev, TIMEOUT_MS), -ECHILD);
	return hvt_close(s);
}

static void test_spawned_program_stops_before_its_first_instruction(void **state)
{
	(void)state;
	hvt_session *s = spawn("", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	struct user_regs_struct u;
	uint64_t argc = 0;

	next(s, &ev, HVT_EV_START);
	assert_true(ev.stopped);
	assert_int_equal(ev.pid, 1);
	assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
	assert_int_equal(u.rip, guest_sym("api_target", "_start"));
	assert_int_equal(u.rsp % 16, 0);
	assert_int_equal(hvt_read_mem(s, ev.tid, u.rsp, &argc, sizeof argc), (ssize_t)sizeof argc);
	assert_int_equal(argc, 2);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_syscalls_stop_at_entry_and_exit_with_the_result(void **state)
{
	(void)state;
	hvt_session *s = spawn("pid", HVT_TRACE_SYSCALLS);
	struct hvt_event ev;
	bool saw_getpid = false;
	long entered = -1;

	while (hvt_wait(s, &ev, TIMEOUT_MS) == 0 && ev.kind != HVT_EV_EXITED) {
		if (ev.kind == HVT_EV_SYSCALL_ENTER) {
			assert_int_equal(entered, -1);
			entered = ev.nr;
		} else {
			assert_int_equal(ev.kind, HVT_EV_SYSCALL_EXIT);
			assert_int_equal(ev.nr, entered);
			entered = -1;
			if (ev.nr == SYS_getpid) {
				saw_getpid = true;
				assert_int_equal(ev.ret, 1);
			}
		}
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	}
	assert_int_equal(ev.kind, HVT_EV_EXITED);
	assert_int_equal(entered, SYS_exit_group); /* it has no exit stop */
	assert_true(WIFEXITED(ev.status) && WEXITSTATUS(ev.status) == 3);
	assert_true(saw_getpid);
	assert_int_equal(run_to_end(s), 3);
}

struct rec {
	pthread_mutex_t mu;
	hvt_session *s;
	uint64_t var;
	int enters, exits, getpids, reads_ok;
	long last_enter;
};

static void recorder(void *arg, const struct hvt_event *ev)
{
	struct rec *r = arg;
	long v;

	pthread_mutex_lock(&r->mu);
	if (ev->kind == HVT_EV_SYSCALL_ENTER) {
		r->enters++;
		r->last_enter = ev->nr;
	} else if (ev->kind == HVT_EV_SYSCALL_EXIT) {
		r->exits++;
		if (ev->nr == SYS_getpid && ev->ret == 1 && r->last_enter == SYS_getpid)
			r->getpids++;
	}
	/* The recorder may read the task's memory where it stands. */
	if (hvt_read_mem(r->s, ev->tid, r->var, &v, sizeof v) == (ssize_t)sizeof v)
		r->reads_ok++;
	pthread_mutex_unlock(&r->mu);
}

static void test_recorder_sees_every_syscall_without_stopping_the_task(void **state)
{
	(void)state;
	struct rec r = {.mu = PTHREAD_MUTEX_INITIALIZER, .var = guest_sym("api_target", "counter")};
	char path[4096];
	snprintf(path, sizeof path, "%s", guest_path("api_target"));
	char *argv[] = {path, "pid", NULL};
	char *envp[] = {"HVTRACE_TEST=1", NULL};
	struct hvt_spawn_options o = {.argv = argv, .envp = envp, .stdio = {-1, -1, -1}, .mem_size = GUEST_TEST_MEM,
				      .flags = HVT_TRACE_SYSCALLS | HVT_STOP_AT_ENTRY, .recorder = recorder, .recorder_arg = &r};
	const char *tr = getenv("HVTRACE_TEST_TRANSPORT");
	if (tr && *tr)
		o.transport = !strcmp(tr, "exit") ? 1 : !strcmp(tr, "shared") ? 2 : 0;
	hvt_session *s;
	assert_int_equal(hvt_spawn(&o, &s), 0);
	struct hvt_event ev;
	r.s = s;
	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	/* No syscall stops: the next event is the end. */
	next(s, &ev, HVT_EV_EXITED);
	next(s, &ev, HVT_EV_GUEST_EXITED);
	assert_int_equal(ev.status, 3);
	assert_int_equal(hvt_close(s), 3);
	assert_true(r.enters > 5);
	assert_int_equal(r.enters, r.exits + 1); /* exit_group never returns */
	assert_int_equal(r.last_enter, SYS_exit_group);
	assert_int_equal(r.getpids, 1);
	assert_int_equal(r.reads_ok, r.enters + r.exits);
}

static void test_tracer_can_skip_a_syscall_and_choose_its_result(void **state)
{
	(void)state;
	hvt_session *s = spawn("skip", HVT_TRACE_SYSCALLS);
	struct hvt_event ev;

	for (;;) {
		next(s, &ev, HVT_EV_SYSCALL_ENTER);
		if (ev.nr == SYS_getppid)
			break;
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
		next(s, &ev, HVT_EV_SYSCALL_EXIT);
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	}
	struct user_regs_struct u;
	assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
	assert_int_equal(u.orig_rax, SYS_getppid);
	assert_int_equal((long)u.rax, -ENOSYS);
	u.orig_rax = (unsigned long long)-1;
	u.rax = 4242;
	assert_int_equal(hvt_set_regs(s, ev.tid, &u), 0);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	next(s, &ev, HVT_EV_SYSCALL_EXIT);
	assert_int_equal(ev.ret, 4242);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 42);
}

static void test_tracer_can_drop_a_signal_before_delivery(void **state)
{
	(void)state;
	hvt_session *s = spawn("signal", HVT_TRACE_SIGNALS);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_SIGNAL);
	assert_int_equal(ev.info.si_signo, SIGUSR1);
	assert_int_equal(ev.info.si_code, SI_TKILL);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_undropped_signal_still_kills(void **state)
{
	(void)state;
	hvt_session *s = spawn("signal", HVT_TRACE_SIGNALS);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_SIGNAL);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, SIGUSR1), 0);
	next(s, &ev, HVT_EV_EXITED);
	assert_true(WIFSIGNALED(ev.status) && WTERMSIG(ev.status) == SIGUSR1);
	assert_int_equal(run_to_end(s), 128 + SIGUSR1);
}

static void test_breakpoint_stops_at_each_call_and_is_invisible_to_reads(void **state)
{
	(void)state;
	uint64_t fn = guest_sym("api_target", "bp_target");
	hvt_session *s = spawn("calls", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	uint8_t before[16], during[16];

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_read_mem(s, ev.tid, fn, before, sizeof before), (ssize_t)sizeof before);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_SW, fn, 1), 0);
	assert_int_equal(hvt_read_mem(s, ev.tid, fn, during, sizeof during), (ssize_t)sizeof during);
	assert_memory_equal(before, during, sizeof before);
	for (long i = 1; i <= 3; i++) {
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
		next(s, &ev, HVT_EV_BREAKPOINT);
		assert_int_equal(ev.addr, fn);
		struct user_regs_struct u;
		assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
		assert_int_equal(u.rip, fn);
		assert_int_equal(u.rdi, i);
	}
	assert_int_equal(hvt_clear_breakpoint(s, ev.tid, HVT_BP_SW, fn, 1), 0);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_hardware_breakpoint_stops_at_each_call_without_touching_the_text(void **state)
{
	(void)state;
	uint64_t fn = guest_sym("api_target", "bp_target");
	hvt_session *s = spawn("calls", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_HW, fn, 1), 0);
	for (long i = 1; i <= 3; i++) {
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
		next(s, &ev, HVT_EV_BREAKPOINT);
		assert_int_equal(ev.addr, fn);
		struct user_regs_struct u;
		assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
		assert_int_equal(u.rip, fn);
		assert_int_equal(u.rdi, i);
	}
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_single_step_runs_one_instruction(void **state)
{
	(void)state;
	hvt_session *s = spawn("", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	struct user_regs_struct u;
	uint64_t rip;

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
	rip = u.rip;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(hvt_resume(s, ev.tid, HVT_STEP, 0), 0);
		next(s, &ev, HVT_EV_STEP);
		assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
		assert_true(u.rip != rip);
		assert_false(u.eflags & 0x100); /* the step's TF is not the program's */
		rip = u.rip;
	}
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_write_watchpoint_stops_after_each_write(void **state)
{
	(void)state;
	uint64_t var = guest_sym("api_target", "counter");
	hvt_session *s = spawn("watch", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_WRITE, var, 8), 0);
	for (long i = 1; i <= 3; i++) {
		assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
		next(s, &ev, HVT_EV_WATCHPOINT);
		assert_int_equal(ev.addr, var);
		long v = -1;
		assert_int_equal(hvt_read_mem(s, ev.tid, var, &v, sizeof v), (ssize_t)sizeof v);
		assert_int_equal(v, i);
	}
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_followed_fork_child_starts_stopped_and_its_exit_is_reported(void **state)
{
	(void)state;
	hvt_session *s = spawn("fork", HVT_TRACE_FOLLOW);
	struct hvt_event ev;
	int child = 0;
	bool child_exited = false;

	while (hvt_wait(s, &ev, TIMEOUT_MS) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		if (ev.kind == HVT_EV_START) {
			assert_int_equal(ev.parent_tid, 1);
			assert_false(ev.is_thread);
			child = ev.tid;
			assert_int_equal(ev.pid, child);
		}
		if (ev.kind == HVT_EV_EXITED && ev.tid == child && child) {
			assert_true(WIFEXITED(ev.status) && WEXITSTATUS(ev.status) == 7);
			child_exited = true;
		}
		if (ev.stopped)
			assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	}
	assert_int_equal(ev.kind, HVT_EV_GUEST_EXITED);
	assert_true(child > 1);
	assert_true(child_exited);
	assert_int_equal(ev.status, 3);
	assert_int_equal(hvt_close(s), 3);
}

static void test_vfork_child_is_reported_as_such(void **state)
{
	(void)state;
	hvt_session *s = spawn("vfork", HVT_TRACE_FOLLOW);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_START);
	assert_true(ev.is_vfork);
	assert_false(ev.is_thread);
	assert_int_equal(ev.parent_tid, 1);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

/* The parent's `forked` flag, which it sets once fork/vfork returned. */
static int parent_forked(hvt_session *s, int tid)
{
	int v = -1;
	assert_int_equal(hvt_read_mem(s, tid, guest_sym("api_target", "forked"), &v, sizeof v), (ssize_t)sizeof v);
	return v;
}

static void test_fork_stops_the_parent_before_fork_returns_then_the_child_starts(void **state)
{
	(void)state;
	hvt_session *s = spawn("fork", HVT_TRACE_FOLLOW | HVT_TRACE_FORK);
	struct hvt_event ev;
	struct user_regs_struct u;

	next(s, &ev, HVT_EV_FORK);
	assert_int_equal(ev.tid, 1);
	assert_true(ev.stopped);
	assert_false(ev.is_vfork);
	assert_false(ev.is_thread);
	int child = ev.child_tid;
	assert_true(child > 1);
	assert_int_equal(parent_forked(s, 1), 0);
	assert_int_equal(hvt_get_regs(s, 1, &u), 0);
	assert_int_equal(u.orig_rax, SYS_clone); /* glibc's fork() */
	/* The child's first stop comes after its parent's fork stop. */
	next(s, &ev, HVT_EV_START);
	assert_int_equal(ev.tid, child);
	assert_int_equal(ev.pid, child);
	assert_int_equal(ev.parent_tid, 1);
	assert_int_equal(hvt_resume(s, child, HVT_CONT, 0), 0);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_no_fork_stop_unless_asked(void **state)
{
	(void)state;
	hvt_session *s = spawn("fork", HVT_TRACE_FOLLOW);
	struct hvt_event ev;
	int starts = 0;

	while (hvt_wait(s, &ev, TIMEOUT_MS) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		assert_int_not_equal(ev.kind, HVT_EV_FORK);
		assert_int_not_equal(ev.kind, HVT_EV_VFORK_DONE);
		starts += ev.kind == HVT_EV_START;
		if (ev.stopped)
			assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	}
	assert_int_equal(starts, 1);
	assert_int_equal(hvt_close(s), 3);
}

static void test_vfork_stops_the_parent_at_the_vfork_and_when_the_child_lets_it_go(void **state)
{
	(void)state;
	hvt_session *s = spawn("vfork", HVT_TRACE_FOLLOW | HVT_TRACE_FORK);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_FORK);
	assert_int_equal(ev.tid, 1);
	assert_true(ev.is_vfork);
	assert_false(ev.is_thread);
	int child = ev.child_tid;
	next(s, &ev, HVT_EV_START);
	assert_int_equal(ev.tid, child);
	assert_true(ev.is_vfork);
	/* Resumed, the parent waits for its child: nothing comes while the child is held. */
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(hvt_wait(s, &ev, 300), -ETIMEDOUT);
	assert_int_equal(parent_forked(s, 1), 0);
	assert_int_equal(hvt_resume(s, child, HVT_CONT, 0), 0);
	bool done = false, exited = false;
	while (!done || !exited) {
		assert_int_equal(hvt_wait(s, &ev, TIMEOUT_MS), 0);
		if (ev.kind == HVT_EV_EXITED) {
			assert_int_equal(ev.tid, child);
			exited = true;
			continue;
		}
		assert_int_equal(ev.kind, HVT_EV_VFORK_DONE);
		assert_int_equal(ev.tid, 1);
		assert_int_equal(ev.child_tid, child);
		assert_int_equal(parent_forked(s, 1), 0); /* vfork has not returned yet */
		done = true;
	}
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_interrupt_stops_a_parent_blocked_in_vfork(void **state)
{
	(void)state;
	hvt_session *s = spawn("vfork", HVT_TRACE_FOLLOW | HVT_TRACE_FORK);
	struct hvt_event ev;
	struct user_regs_struct u;

	next(s, &ev, HVT_EV_FORK);
	int child = ev.child_tid;
	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(hvt_interrupt(s, 1), 0);
	next(s, &ev, HVT_EV_INTERRUPT);
	assert_int_equal(ev.tid, 1);
	assert_int_equal(hvt_get_regs(s, 1, &u), 0);
	assert_int_equal(u.orig_rax, SYS_vfork);
	/* Resumed, it waits on for its child. */
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(hvt_wait(s, &ev, 300), -ETIMEDOUT);
	assert_int_equal(hvt_resume(s, child, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_exec_takes_the_breakpoints_out_of_a_vfork_parents_memory(void **state)
{
	(void)state;
	hvt_session *s = spawn("vfork_exec", HVT_TRACE_FOLLOW | HVT_TRACE_FORK);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_FORK);
	int child = ev.child_tid;
	next(s, &ev, HVT_EV_START);
	assert_int_equal(ev.tid, child);
	/* The child's breakpoint, in the memory it borrows from its parent. */
	assert_int_equal(hvt_set_breakpoint(s, child, HVT_BP_SW, guest_sym("api_target", "bp_target"), 1), 0);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(hvt_resume(s, child, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_clone_stop_for_threads_is_its_own_option(void **state)
{
	(void)state;
	struct hvt_event ev;
	/* HVT_TRACE_FORK alone: a new thread makes no stop. */
	hvt_session *s = spawn("thread", HVT_TRACE_FOLLOW | HVT_TRACE_FORK);
	while (hvt_wait(s, &ev, TIMEOUT_MS) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		assert_int_not_equal(ev.kind, HVT_EV_FORK);
		if (ev.stopped)
			assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	}
	assert_int_equal(hvt_close(s), 3);

	s = spawn("thread", HVT_TRACE_FOLLOW | HVT_TRACE_CLONE);
	next(s, &ev, HVT_EV_FORK);
	assert_int_equal(ev.tid, 1);
	assert_true(ev.is_thread);
	assert_false(ev.is_vfork);
	int thread = ev.child_tid;
	next(s, &ev, HVT_EV_START);
	assert_int_equal(ev.tid, thread);
	assert_int_equal(ev.pid, 1);
	assert_true(ev.is_thread);
	assert_int_equal(hvt_resume(s, thread, HVT_CONT, 0), 0);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

/* Reads at most len-1 bytes of fd into buf (NUL-terminated) and closes it. */
static ssize_t slurp(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	assert_true(fd >= 0);
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fd);
	return (ssize_t)n;
}

static void test_open_file_sees_what_the_task_sees(void **state)
{
	(void)state;
	hvt_session *s = spawn("calls", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	static char buf[65536];

	next(s, &ev, HVT_EV_START);
	/* The program's file, by its path and as /proc/self/exe. */
	assert_true(slurp(hvt_open_file(s, 1, guest_path("api_target")), buf, sizeof buf) > 4);
	assert_memory_equal(buf, "\177ELF", 4);
	assert_true(slurp(hvt_open_file(s, 1, "/proc/self/exe"), buf, sizeof buf) > 4);
	assert_memory_equal(buf, "\177ELF", 4);
	/* The guest's own /proc, not the host's: pid 1 is the program. */
	assert_true(slurp(hvt_open_file(s, 1, "/proc/1/cmdline"), buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "api_target"));
	assert_true(slurp(hvt_open_file(s, 1, "/proc/1/task/1/maps"), buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "api_target"));
	assert_int_equal(hvt_open_file(s, 1, "/proc/1/task/2/maps"), -ENOENT);
	assert_int_equal(hvt_open_file(s, 1, "/nonexistent/file"), -ENOENT);
	assert_int_equal(hvt_open_file(s, 99, "/proc/self/maps"), -ESRCH);
	assert_int_equal(hvt_resume(s, 1, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_xstate_written_is_read_back(void **state)
{
	(void)state;
	hvt_session *s = spawn("", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	static uint8_t img[4096], again[4096];

	next(s, &ev, HVT_EV_START);
	int n = hvt_get_xstate(s, ev.tid, img, sizeof img);
	assert_true(n >= 512);
	memset(img + 160, 0xa5, 16); /* xmm0 in the legacy area */
	img[512] |= 2;                /* XSTATE_BV: SSE state in use (as a tool must say) */
	assert_true(hvt_set_xstate(s, ev.tid, img, (size_t)n) >= 0);
	assert_int_equal(hvt_get_xstate(s, ev.tid, again, sizeof again), n);
	assert_memory_equal(again + 160, img + 160, 16);
	/* Through the FXSAVE layout alone, the SSE state counts as in use by itself. */
	struct user_fpregs_struct f;
	assert_int_equal(hvt_get_fpregs(s, ev.tid, &f), 0);
	memset(&f.xmm_space[4], 0x5a, 16); /* xmm1 */
	assert_int_equal(hvt_set_fpregs(s, ev.tid, &f), 0);
	struct user_fpregs_struct g;
	assert_int_equal(hvt_get_fpregs(s, ev.tid, &g), 0);
	assert_memory_equal(&g.xmm_space[4], &f.xmm_space[4], 16);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

static void test_exec_stop_reports_the_new_image(void **state)
{
	(void)state;
	hvt_session *s = spawn("exec", HVT_TRACE_EXEC);
	struct hvt_event ev;
	struct user_regs_struct u;

	next(s, &ev, HVT_EV_EXEC);
	assert_int_equal(ev.old_tid, 1);
	assert_int_equal(hvt_get_regs(s, ev.tid, &u), 0);
	assert_int_equal(u.rip, guest_sym("api_target", "_start"));
	uint64_t auxv[2];
	assert_true(hvt_read_auxv(s, ev.tid, auxv, sizeof auxv) == (ssize_t)sizeof auxv);
	char exe[256];
	assert_true(hvt_exe_path(s, ev.tid, exe, sizeof exe) > 0);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(run_to_end(s), 3);
}

/* The next stop of task 1 (the sled's parent) within timeout_ms; other tasks' stops
 * are resumed. */
static int parent_stop_within(hvt_session *s, struct hvt_event *ev, int timeout_ms)
{
	for (;;) {
		int r = hvt_wait(s, ev, timeout_ms);
		if (r)
			return r;
		if (ev->tid == 1 && ev->stopped)
			return 0;
		if (ev->stopped)
			assert_int_equal(hvt_resume(s, ev->tid, HVT_CONT, 0), 0);
	}
}

static void parent_stop(hvt_session *s, struct hvt_event *ev)
{
	if (parent_stop_within(s, ev, TIMEOUT_MS))
		fail_msg("no stop of the parent");
}

/* A step is one instruction also when a signal's kick lands while the step's trap is
 * being delivered (once 1.5% of steps ran two: gdb's `next` then skipped a line). The
 * passed signals come in between as signal stops, resumed with the step. */
static void test_step_is_one_instruction_under_a_signal_storm(void **state)
{
	(void)state;
	hvt_session *s = spawn("sled", HVT_STOP_AT_ENTRY | HVT_TRACE_SIGNALS);
	struct hvt_event ev;
	struct user_regs_struct r = {0};
	const uint64_t base = 0x5eed0000; /* rax in the sled: base and up */
	int sig = 0, one = 0, more = 0;
	/* HVTRACE_TEST_SCALE: the emulated SVM lane takes fewer steps. */
	const char *scale = getenv("HVTRACE_TEST_SCALE");
	int steps = 10000 / (scale && atoi(scale) > 0 ? atoi(scale) : 1);
	if (steps < 200)
		steps = 200;

	next(s, &ev, HVT_EV_START);
	/* Into the sled first (start-up takes seconds on the emulated lane): the storm's
	 * signal stops come every ~30 us once the child runs; an interrupt when none came. */
	for (int tries = 0; r.rax - base >= (1ull << 40); tries++) {
		if (tries == 100000)
			fail_msg("the guest never reached its sled");
		assert_int_equal(hvt_resume(s, 1, HVT_CONT, sig), 0);
		if (parent_stop_within(s, &ev, 50)) {
			assert_int_equal(hvt_interrupt(s, 1), 0);
			parent_stop(s, &ev);
		}
		sig = ev.kind == HVT_EV_SIGNAL ? ev.info.si_signo : 0;
		assert_int_equal(hvt_get_regs(s, 1, &r), 0);
	}
	for (int i = 0; i < steps; i++) {
		assert_int_equal(hvt_resume(s, 1, HVT_STEP, sig), 0);
		sig = 0;
		parent_stop(s, &ev);
		/* Signals (and a late answer to the interrupt) stop before the step ends. */
		while (ev.kind == HVT_EV_SIGNAL || ev.kind == HVT_EV_INTERRUPT) {
			int pass = ev.kind == HVT_EV_SIGNAL ? ev.info.si_signo : 0;
			assert_int_equal(hvt_resume(s, 1, HVT_STEP, pass), 0);
			parent_stop(s, &ev);
		}
		assert_int_equal(ev.kind, HVT_EV_STEP);
		uint64_t rip = r.rip, rax = r.rax;
		assert_int_equal(hvt_get_regs(s, 1, &r), 0);
		if (rax - base < (1ull << 40) && r.rip > rip) {
			one += r.rip - rip == 3 && r.rax - rax == 1;
			more += r.rax - rax > 1;
		}
	}
	assert_int_equal(more, 0);
	if (one < steps * 9 / 10) /* the steps were in the sled */
		fail_msg("only %d of %d steps were single incs in the sled (last rip %#llx rax %#llx)", one, steps,
			 (unsigned long long)r.rip, (unsigned long long)r.rax);
	assert_int_equal(hvt_kill(s), 0);
	while (hvt_wait(s, &ev, TIMEOUT_MS) == 0 && ev.kind != HVT_EV_GUEST_EXITED)
		;
	assert_int_equal(hvt_close(s), 128 + SIGKILL);
}

static void test_kill_ends_a_running_guest(void **state)
{
	(void)state;
	hvt_session *s = spawn("spin", 0);
	struct hvt_event ev;

	assert_int_equal(hvt_wait(s, &ev, 200), -ETIMEDOUT);
	assert_int_equal(hvt_kill(s), 0);
	next(s, &ev, HVT_EV_EXITED);
	assert_true(WIFSIGNALED(ev.status) && WTERMSIG(ev.status) == SIGKILL);
	next(s, &ev, HVT_EV_GUEST_EXITED);
	assert_int_equal(ev.status, 128 + SIGKILL);
	assert_int_equal(hvt_close(s), 128 + SIGKILL);
}

static void test_interrupt_stops_a_running_task(void **state)
{
	(void)state;
	hvt_session *s = spawn("spin", 0);
	struct hvt_event ev;
	long a = 0, b = 0;
	uint64_t var = guest_sym("api_target", "counter");

	assert_int_equal(hvt_interrupt(s, 1), 0);
	next(s, &ev, HVT_EV_INTERRUPT);
	assert_int_equal(hvt_read_mem(s, 1, var, &a, sizeof a), (ssize_t)sizeof a);
	assert_int_equal(hvt_read_mem(s, 1, var, &b, sizeof b), (ssize_t)sizeof b);
	assert_int_equal(a, b); /* stopped: the loop does not run */
	assert_int_equal(hvt_interrupt(s, 1), 0); /* already stopped: nothing more */
	assert_int_equal(hvt_kill(s), 0);
	next(s, &ev, HVT_EV_EXITED);
	next(s, &ev, HVT_EV_GUEST_EXITED);
	assert_int_equal(hvt_close(s), 128 + SIGKILL);
}

static void test_detach_lets_the_program_finish_untraced(void **state)
{
	(void)state;
	uint64_t fn = guest_sym("api_target", "bp_target");
	hvt_session *s = spawn("calls", HVT_STOP_AT_ENTRY | HVT_TRACE_SYSCALLS);
	struct hvt_event ev;

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_SW, fn, 1), 0);
	assert_int_equal(hvt_detach(s), 0);
	/* No event after a detach, and the breakpoint left with the session. */
	assert_int_equal(hvt_wait(s, &ev, TIMEOUT_MS), -ECHILD);
	assert_int_equal(hvt_close(s), 3);
}

static void test_misuse_gives_precise_errors(void **state)
{
	(void)state;
	hvt_session *s = spawn("spin", HVT_STOP_AT_ENTRY);
	struct hvt_event ev;
	struct user_regs_struct u;
	char b;

	next(s, &ev, HVT_EV_START);
	assert_int_equal(hvt_get_regs(s, 999, &u), -ESRCH);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 65), -EINVAL);
	assert_int_equal(hvt_read_mem(s, ev.tid, 0, &b, 1), -EFAULT);
	assert_int_equal(hvt_read_mem(s, ev.tid, 0xffff800000000000ull, &b, 1), -EFAULT);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_SW, 0xffff800000001000ull, 1), -EINVAL);
	assert_int_equal(hvt_set_breakpoint(s, ev.tid, HVT_BP_WRITE, 0x1001, 4), -EINVAL);
	assert_int_equal(hvt_clear_breakpoint(s, ev.tid, HVT_BP_SW, 0x401000, 1), -ENOENT);
	assert_int_equal(hvt_resume(s, ev.tid, HVT_CONT, 0), 0);
	assert_int_equal(hvt_get_regs(s, ev.tid, &u), -EBUSY); /* running */
	assert_int_equal(hvt_kill(s), 0);
	assert_int_equal(run_to_end(s), 128 + SIGKILL);
}

static void test_spawn_of_a_missing_program_says_why(void **state)
{
	(void)state;
	char *argv[] = {"/nonexistent/prog", NULL};
	struct hvt_spawn_options o = {.argv = argv, .stdio = {-1, -1, -1}, .mem_size = GUEST_TEST_MEM};
	hvt_session *s = (hvt_session *)1;

	assert_true(hvt_spawn(&o, &s) < 0);
	assert_null(s);
	assert_non_null(strstr(hvt_spawn_error(), "/nonexistent/prog"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawned_program_stops_before_its_first_instruction),
		cmocka_unit_test(test_syscalls_stop_at_entry_and_exit_with_the_result),
		cmocka_unit_test(test_recorder_sees_every_syscall_without_stopping_the_task),
		cmocka_unit_test(test_tracer_can_skip_a_syscall_and_choose_its_result),
		cmocka_unit_test(test_tracer_can_drop_a_signal_before_delivery),
		cmocka_unit_test(test_undropped_signal_still_kills),
		cmocka_unit_test(test_breakpoint_stops_at_each_call_and_is_invisible_to_reads),
		cmocka_unit_test(test_hardware_breakpoint_stops_at_each_call_without_touching_the_text),
		cmocka_unit_test(test_single_step_runs_one_instruction),
		cmocka_unit_test(test_write_watchpoint_stops_after_each_write),
		cmocka_unit_test(test_followed_fork_child_starts_stopped_and_its_exit_is_reported),
		cmocka_unit_test(test_vfork_child_is_reported_as_such),
		cmocka_unit_test(test_fork_stops_the_parent_before_fork_returns_then_the_child_starts),
		cmocka_unit_test(test_no_fork_stop_unless_asked),
		cmocka_unit_test(test_vfork_stops_the_parent_at_the_vfork_and_when_the_child_lets_it_go),
		cmocka_unit_test(test_interrupt_stops_a_parent_blocked_in_vfork),
		cmocka_unit_test(test_exec_takes_the_breakpoints_out_of_a_vfork_parents_memory),
		cmocka_unit_test(test_clone_stop_for_threads_is_its_own_option),
		cmocka_unit_test(test_open_file_sees_what_the_task_sees),
		cmocka_unit_test(test_xstate_written_is_read_back),
		cmocka_unit_test(test_exec_stop_reports_the_new_image),
		cmocka_unit_test(test_kill_ends_a_running_guest),
		cmocka_unit_test(test_interrupt_stops_a_running_task),
		cmocka_unit_test(test_detach_lets_the_program_finish_untraced),
		cmocka_unit_test(test_misuse_gives_precise_errors),
		cmocka_unit_test(test_step_is_one_instruction_under_a_signal_storm),
		cmocka_unit_test(test_spawn_of_a_missing_program_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
