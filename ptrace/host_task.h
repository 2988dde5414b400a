/* The per-task state of host-side tracing and the stop points the kernel calls (see
 * ptrace/host.h, which kernel code does not include: it brings <sys/user.h>). */
#ifndef HV_PTRACE_HOST_TASK_H
#define HV_PTRACE_HOST_TASK_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct task;
struct kernel;
struct host_session;

/* Per task (struct task's `ht`). Preconditions: k->mu held, except for `traced`. */
struct task_host {
	_Atomic bool traced;       /* s != NULL: every syscall takes the exit path, */
	_Atomic bool record;       /* unless its session records syscalls (no stops) */
	struct host_session *s;
	bool stopped;              /* in a host stop: the session may inspect and change it */
	int pending;               /* HVT_EV_START or HVT_EV_INTERRUPT to take at the next
				    * user boundary, or 0 */
	bool step;                 /* resumed with HVT_STEP */
	int resume_sig;
	bool stepping;             /* its RFLAGS.TF is the session's step (own thread only) */
	bool step_tf_forced;       /* TF was clear before: clear it again after the step */
	int parent_tid;            /* for its START event */
	bool is_thread, is_vfork;
};

static inline bool host_traced(struct task_host *h)
{
	return atomic_load_explicit(&h->traced, memory_order_relaxed);
}

/* The guest has ended (every task thread is gone): HVT_EV_GUEST_EXITED with status for
 * each session. Called with no lock held. */
void host_guest_ended(struct kernel *k, int status);
/* Makes s trace the guest's first task t (not started yet); with HVT_STOP_AT_ENTRY it
 * stops before its first instruction. Preconditions: k->mu held. */
void host_session_start(struct host_session *s, struct kernel *k, struct task *t);

/* A syscall of a recording session's task (record set), on the thread serving it:
 * its entry and its exit with the result, given to the recorder. No lock held. */
void host_record_enter(struct task *t, long nr, const uint64_t a[6]);
void host_record_exit(struct task *t, long nr, const uint64_t a[6], long ret);

/* ---- Stop points, on the tracee's own thread ---- */
/* Before a syscall runs; true when it must be skipped (orig_rax set to -1). */
bool host_syscall_enter(struct task *t);
void host_syscall_exit(struct task *t);
/* A signal about to be delivered: the signal to deliver instead (0: none).
 * Preconditions: k->mu held. */
int host_signal(struct task *t, int signo, siginfo_t *info);
/* At a user boundary (do_work): a START or INTERRUPT stop asked for.
 * Preconditions: k->mu held. */
void host_pending_stop(struct task *t);
/* An int3 trap: true when it was a session's breakpoint (stopped and handled). */
bool host_on_int3(struct task *t);
/* A fetch fault on a page with execute breakpoints: true when rip is a session's
 * HVT_BP_HW (stopped and handled). */
bool host_on_exec_breakpoint(struct task *t);
/* A #DB trap: true when it ended the session's step (stopped and handled). */
bool host_on_debug_trap(struct task *t);
/* ptrace/hwbp.c's hidden step over a watched access ended: stops when a session watches
 * the bytes (cr2: the faulting address; write: it was a write). */
void host_watch_step_done(struct task *t, uint64_t cr2, bool write);
/* A new task of fork/vfork/clone, before it runs: traced when the parent's session
 * follows. Preconditions: k->mu held. */
void host_clone(struct task *parent, struct task *child, bool is_thread, bool is_vfork);
/* The new task child_tid exists (started: a followed one waits for its START, which
 * comes after this stop): HVT_EV_FORK when the session asked for it. The caller holds
 * k->mu from host_clone on, so that no START of the child is queued before this stop.
 * Preconditions: k->mu held. */
void host_forked(struct task *parent, int child_tid, bool is_thread, bool is_vfork);
/* The vfork child let parent go: HVT_EV_VFORK_DONE when asked for. Preconditions: k->mu
 * held. */
void host_vfork_done(struct task *parent, int child_tid);
/* An execve past its point of no return, before the new image replaces the address
 * space: the session's breakpoints of the process leave it. No lock held. */
void host_exec_begin(struct task *t);
/* After a successful execve (old_tid: the tid the thread had). */
void host_exec(struct task *t, int old_tid);
/* The task has ended with wstatus: HVT_EV_EXITED, untraced. Preconditions: k->mu held. */
void host_task_gone(struct task *t, int wstatus);

#endif
