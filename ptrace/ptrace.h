/* ptrace(2) for guest tracers: the per-task tracing state, the stop points the task
 * loop calls (Linux's ptrace_stop, ptrace_report_syscall_*, ptrace_event, the
 * signal-delivery-stop of get_signal), and the hooks of fork, exec, exit and wait.
 *
 * A tracee stops on its own host thread: it sleeps in ptrace_stop() with its vCPU out
 * of KVM_RUN, so the tracer's thread reads and writes its registers (the sync-regs
 * area) and its memory (the page tables, through kernel/mm.c) directly.
 *
 * Locking: every field of struct task_ptrace is protected by kernel->mu, except
 * `traced`, which the exit-less server reads without it. */
#ifndef HV_PTRACE_PTRACE_H
#define HV_PTRACE_PTRACE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct task;
struct process;

/* How the tracer last resumed the tracee. */
enum pt_resume {
	PT_RESUME_CONT,
	PT_RESUME_SYSCALL,
	PT_RESUME_SINGLESTEP,
	PT_RESUME_SINGLEBLOCK, /* a step that stops only after a taken branch */
	PT_RESUME_SYSEMU,
	PT_RESUME_SYSEMU_SINGLESTEP,
};

/* What kind of ptrace-stop the tracee is in (for GETSIGINFO and GET_SYSCALL_INFO). */
enum pt_stop_kind {
	PT_STOP_NONE,
	PT_STOP_SIGNAL,       /* signal-delivery-stop: the tracer may change or drop it */
	PT_STOP_GROUP,        /* group-stop */
	PT_STOP_SYSCALL_ENTER,
	PT_STOP_SYSCALL_EXIT,
	PT_STOP_EVENT,        /* PTRACE_EVENT_* */
};

/* A traced task that ended and that its tracer has not waited for yet. */
struct pt_zombie {
	struct process *proc; /* a process whose parent waits for this reap, or NULL */
	int tid, pgid;
	uid_t uid;
	int wstatus;
	bool is_clone; /* reports with a signal other than SIGCHLD */
	struct pt_zombie *next;
};

struct task_ptrace {
	_Atomic bool traced;   /* tracer != NULL: every syscall takes the exit path */
	struct task *tracer;   /* NULL: not traced */
	struct task *tracees;  /* on a tracer: the tasks it traces (linked by next) */
	struct task *next;
	struct pt_zombie *zombies; /* on a tracer: ended tracees not yet waited for */
	bool seized;           /* PTRACE_SEIZE: group-stops are PTRACE_EVENT_STOP */
	unsigned options;      /* PTRACE_O_* */
	enum pt_resume resume;

	bool stopped;          /* in a ptrace-stop: the tracer may inspect and change it */
	bool report;           /* the stop is still to be reported by wait */
	int wstatus;           /* its wait status */
	enum pt_stop_kind kind;
	int exit_code;         /* on resume: the signal to deliver (signal-delivery-stop) */
	siginfo_t siginfo;     /* of the stop (GETSIGINFO/SETSIGINFO) */
	bool has_siginfo;      /* false in the group-stop of an ATTACHed tracee (EINVAL) */
	uint64_t message;      /* PTRACE_GETEVENTMSG */
	bool interrupt;        /* PTRACE_INTERRUPT: stop at the next chance */
	bool listening;        /* PTRACE_LISTEN: in group-stop, woken by SIGCONT */
	bool forced_tf;        /* hvtrace set RFLAGS.TF for a step (hidden from the tracee) */
	bool sigstop_expected; /* PTRACE_ATTACH's SIGSTOP: its stop is the attach stop */
	bool exiting;          /* past PTRACE_EVENT_EXIT: no more stops */
	bool group_stop_taken; /* took its ptrace-stop for the current group-stop */
	uint64_t debugreg[8];  /* u_debugreg as the tracer wrote it (DR6: Linux's
				* virtual_dr6 polarity) */
	/* ptrace/hwbp.c: the breakpoints the task applied (its own thread only), and a
	 * hidden step under way. */
	bool hw_dirty;         /* debugreg changed since they were applied (k->mu) */
	struct hw_applied {
		bool on;
		int type; /* 0 execute, 1 write, 3 read/write (DR7's RW encoding) */
		uint64_t addr;
		unsigned len;
	} hw_applied[4];
	bool hw_real;          /* hw_applied is in the vCPU's debug registers */
	bool hw_step;          /* a hidden step is under way (one instruction) */
	bool hw_step_tf;       /* TF was set before it (the tracer's own step) */
	bool hw_step_int3;     /* it lifted the int3 at hw_step_int3_va */
	uint64_t hw_step_int3_va;
	uint64_t hw_step_pages[2]; /* the watched pages it let the instruction use */
	int hw_step_npages;
	bool hw_step_data;     /* a data access faulted: at hw_step_cr2, a write or not */
	uint64_t hw_step_cr2;
	bool hw_step_write;
	/* An execute breakpoint at exec_resumed_rip was reported: the next fetch there runs
	 * the instruction (the RF of a debug register's trap). */
	bool exec_resumed;
	uint64_t exec_resumed_rip;
	uint64_t block_rip;    /* PTRACE_SINGLEBLOCK: where the current step began */
};

/* May t attach to x (PTRACE_ATTACH/SEIZE, process_vm_*)? As Linux's
 * __ptrace_may_access() in PTRACE_MODE_ATTACH_REALCREDS: same thread group, or the
 * same real uid/gid as all of x's ids, or CAP_SYS_PTRACE; x dumpable unless
 * CAP_SYS_PTRACE; x's permitted capabilities within t's; then Yama's scope
 * (--ptrace-scope). 0, -EPERM, or -ESRCH when x is NULL or gone.
 * Preconditions: k->mu held. */
int ptrace_may_access(struct task *t, struct task *x);

/* ptrace(2) itself. */
long sys_ptrace(struct task *t, const uint64_t *a);

/* ---- Stop points: on the tracee's own thread, registers exact. ---- */

/* Is t traced? Lock-free hint for the hot paths. */
static inline bool ptrace_traced(struct task_ptrace *pt)
{
	return atomic_load_explicit(&pt->traced, memory_order_relaxed);
}
/* Before a syscall runs: the syscall-enter-stop (or SYSEMU's). Returns true when the
 * syscall must be skipped (SYSEMU, or the tracer set orig_rax to -1); the number may
 * have been changed (t->orig_rax and the argument registers are re-read). */
bool ptrace_syscall_enter(struct task *t);
/* After it ran (result in rax): the syscall-exit-stop, and the SIGTRAP of a step over
 * the `syscall` instruction. */
void ptrace_syscall_exit(struct task *t);
/* A signal about to be delivered: the signal-delivery-stop. Returns the signal to
 * deliver instead (0: none), info updated. Preconditions: k->mu held. */
int ptrace_signal(struct task *t, int signo, siginfo_t *info);
/* A handler frame was just set up: a single-stepping tracee stops at the handler's
 * first instruction. Preconditions: k->mu held. */
void ptrace_handler_entered(struct task *t);
/* The group-stop of a traced task (and PTRACE_INTERRUPT / LISTEN). Returns true when
 * the task took a ptrace-stop for it. Preconditions: k->mu held. */
bool ptrace_group_stop(struct task *t);
/* A PTRACE_EVENT_* stop if the tracer asked for it (option bit for event), with msg for
 * GETEVENTMSG. Returns true when the task stopped. Preconditions: k->mu not held. */
bool ptrace_event(struct task *t, int event, uint64_t msg);
/* After a successful execve: PTRACE_EVENT_EXEC, or the legacy SIGTRAP. old_tid: the
 * tid the exec'ing thread had. */
void ptrace_exec(struct task *t, int old_tid);
/* A new task from fork/vfork/clone: auto-attach it when the parent's tracer asked for
 * it (or CLONE_PTRACE), before it runs. Returns the PTRACE_EVENT_* to report on the
 * parent, or 0. Preconditions: k->mu held. */
int ptrace_clone_attach(struct task *parent, struct task *child, unsigned long clone_flags);
/* The task leaves its stops behind (exit): PTRACE_EVENT_EXIT first, with the status. */
void ptrace_exit_event(struct task *t, int code);
/* The task has ended: its tracer is told (a zombie to wait for) and it is untraced; a
 * tracer's tracees are detached (or killed with PTRACE_O_EXITKILL).
 * Preconditions: k->mu held. */
void ptrace_task_gone(struct task *t, int wstatus, bool last_thread);
/* For wait4/waitid of waiter: the first ptrace event of a tracee of the waiter's
 * thread group (or of waiter alone with __WNOTHREAD) matching the filter. Returns
 * its tid and fills wstatus, code and status; 0 if tracees match but none has news,
 * -ECHILD if none matches. Preconditions: k->mu held. */
struct wait_filter {
	int kind; /* 0: a pid, 1: a process group, 2: any */
	int id;
	int options;
};
int ptrace_wait_scan(struct task *waiter, const struct wait_filter *w, int *wstatus, int *code,
		     int *status, uid_t *uid);
/* Does a stop or exit of this child process belong to its tracer instead of its
 * parent? (The parent does not see the stops of a traced child, as Linux.) */
bool ptrace_owns_child_stops(const struct process *child, const struct process *parent);

#endif
