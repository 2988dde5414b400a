/* hvtrace's C API: trace Linux x86-64 programs that run in hvtrace guests, from the host.
 *
 * A session traces the tasks (threads) of one guest: a program it started (hvt_spawn) or
 * a task of a running `hvtrace run` (hvt_attach, over that VM's control socket). It is
 * the same machinery as the guest's own ptrace(2) (the same stop points, the same
 * register and memory access) but invisible to the guest: a host-traced program can
 * still ptrace and be ptraced inside the guest.
 *
 * Model: a traced task runs until it reaches an event the session asked for; it then
 * stops and the session hands out an event (hvt_wait). A stopped task stays stopped
 * until hvt_resume; meanwhile its registers and its address space may be read and
 * written. Events that are not stops (a task ended, the guest ended) are reported too.
 * No event is ever dropped: a task waits for its stop to be taken.
 *
 * Every call returns 0 (or a count) on success and a negative errno on failure:
 * -ESRCH unknown or untraced tid, -EBUSY the task is not stopped, -EFAULT unmapped
 * memory, -EINVAL bad arguments, -ENOSPC no breakpoint slot left. One thread at a time
 * per session (calls are not reentrant); different sessions are independent. */
#ifndef HVTRACE_H
#define HVTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hvt_session hvt_session;

/* What a session stops for (the flags of hvt_spawn/hvt_attach, hvt_set_flags). */
#define HVT_TRACE_SYSCALLS 0x1u /* syscall-entry and syscall-exit stops */
#define HVT_TRACE_SIGNALS  0x2u /* a stop before each signal is delivered */
#define HVT_TRACE_FOLLOW   0x4u /* new threads and child processes are traced too */
#define HVT_TRACE_EXEC     0x8u /* a stop after each successful execve */
#define HVT_STOP_AT_ENTRY  0x10u /* hvt_spawn: the first task stops before its first
				  * instruction (HVT_EV_START); hvt_attach always stops
				  * the attached task once */
#define HVT_TRACE_FORK     0x20u /* a stop of the parent as it makes a new process
				  * (fork, vfork, clone without CLONE_THREAD):
				  * HVT_EV_FORK; and HVT_EV_VFORK_DONE when a vfork child
				  * lets its parent go (as PTRACE_O_TRACEFORK, TRACEVFORK
				  * and TRACEVFORKDONE) */
#define HVT_TRACE_CLONE    0x40u /* the same HVT_EV_FORK stop as it makes a new thread
				  * (as PTRACE_O_TRACECLONE) */

/* Recording instead of stopping: with a recorder set (and HVT_TRACE_SYSCALLS), syscall
 * entries and exits are not stops and are not queued: fn is called with each
 * HVT_EV_SYSCALL_ENTER/EXIT event, at once, on the thread that serves the call (a
 * task's or the exit-less transport's), so that a syscall costs no VM exit and no
 * switch to the tracer. fn may read memory (hvt_read_mem with ev->tid, which sees the
 * call's buffers as they are at that moment) and must not block or call anything else
 * of this API; calls for different tasks come concurrently. Other events stay stops.
 * fn NULL goes back to stopping. Sessions of hvt_spawn only (-EOPNOTSUPP otherwise). */
struct hvt_event;
typedef void (*hvt_recorder)(void *arg, const struct hvt_event *ev);
int hvt_set_recorder(hvt_session *s, hvt_recorder fn, void *arg);

struct hvt_spawn_options {
	const char *path;     /* the host file to run; NULL: argv[0] (PATH lookup) */
	char *const *argv;    /* argv[0] is required */
	char *const *envp;    /* NULL: the caller's environment */
	const char *root;     /* the guest's / (NULL: the host's) */
	uint64_t mem_size;    /* guest RAM; 0: hvtrace's default */
	int stdio[3];         /* host fds for the guest's 0, 1, 2; -1: the caller's own
			       * (a zero-filled struct means fd 0 for all three: set them) */
	unsigned flags;       /* HVT_TRACE_* | HVT_STOP_AT_ENTRY */
	int transport;        /* 0 auto, 1 exit, 2 shared (hvtrace run --syscall-transport) */
	hvt_recorder recorder; /* as hvt_set_recorder, from the first instruction; or NULL */
	void *recorder_arg;
};

/* Starts a program in a new guest. Its tasks are traced from their first instruction.
 * On failure (-errno) *out is NULL and hvt_spawn_error() tells why. The guest starts
 * with the caller's umask; since hvtrace applies the guest's umask itself, the first
 * hvt_spawn sets the calling process's umask to 0 (as hvtrace run does). */
int hvt_spawn(const struct hvt_spawn_options *o, hvt_session **out);
/* The host file hvt_spawn runs for prog (no path in the options): prog itself when it
 * has a '/', else its first executable match in PATH, as execvp; malloc'd (NULL: out of
 * memory). */
char *hvt_find_program(const char *prog);
/* The message of the last failed hvt_spawn/hvt_attach of this thread. */
const char *hvt_spawn_error(void);

/* Attaches to task `tid` of a running guest: vm is a VM id as `hvtrace ps` lists it, or
 * the path of its control socket. The task stops once (HVT_EV_START); nothing else in
 * the guest stops. With HVT_TRACE_FOLLOW the whole process (every thread) is traced. */
int hvt_attach(const char *vm, int tid, unsigned flags, hvt_session **out);

/* Changes what the session stops for, from now on. */
int hvt_set_flags(hvt_session *s, unsigned flags);



enum hvt_event_kind {
	HVT_EV_START = 1,     /* a task became traced and stopped: the spawned program at
			       * its entry, an attached task, a followed new task */
	HVT_EV_SYSCALL_ENTER, /* before a syscall runs: nr and args (changeable with
			       * hvt_set_regs: orig_rax, rdi...; orig_rax -1 skips it) */
	HVT_EV_SYSCALL_EXIT,  /* after it ran: nr, args, ret (changeable: rax) */
	HVT_EV_SIGNAL,        /* a signal is about to be delivered (info); hvt_resume's
			       * signo is what is delivered instead (0: nothing) */
	HVT_EV_BREAKPOINT,    /* an execute breakpoint (HVT_BP_SW/HVT_BP_HW) at addr; rip
			       * is addr */
	HVT_EV_WATCHPOINT,    /* a data watchpoint: addr is the watched address that was
			       * accessed; the access has happened */
	HVT_EV_STEP,          /* an HVT_STEP ended */
	HVT_EV_INTERRUPT,     /* stopped by hvt_interrupt */
	HVT_EV_EXEC,          /* after a successful execve (the task's tid may have
			       * changed to the pid: old_tid says the one it had) */
	HVT_EV_EXITED,        /* not a stop: the task ended; status is its wait status
			       * (a thread that called exit(2) reports exit status) */
	HVT_EV_GUEST_EXITED,  /* not a stop: the whole guest ended; status is what
			       * `hvtrace run` would exit with; the last event */
	HVT_EV_FORK,          /* HVT_TRACE_FORK/CLONE: the task made child_tid (is_vfork,
			       * is_thread say how) and stops before its fork/vfork/clone
			       * returns, as at PTRACE_EVENT_FORK/VFORK/CLONE. A followed
			       * child's HVT_EV_START always comes after this event. A vfork
			       * parent then waits for its child as usual */
	HVT_EV_VFORK_DONE,    /* HVT_TRACE_FORK: the vfork child child_tid exec'd or ended
			       * and the parent stops before its vfork returns, as at
			       * PTRACE_EVENT_VFORK_DONE */
};

struct hvt_event {
	enum hvt_event_kind kind;
	int pid, tid;        /* guest ids of the task */
	bool stopped;        /* the task is stopped: resume it with hvt_resume */
	struct timespec time; /* CLOCK_REALTIME when it happened */
	/* SYSCALL_ENTER/EXIT */
	long nr;
	uint64_t args[6];
	long ret;            /* EXIT: the raw result (-errno on failure) */
	uint64_t sp;         /* ENTER/EXIT taken on the exit path: the stack pointer (0
			      * when served exit-less by a recorder); rt_sigreturn always has it */
	/* SIGNAL */
	siginfo_t info;
	/* BREAKPOINT/WATCHPOINT */
	uint64_t addr;
	/* EXITED/GUEST_EXITED */
	int status;
	/* START of a followed task: who made it (the tid of the forking/cloning task, 0
	 * otherwise) and whether it is a new thread of the same process (also FORK's);
	 * EXEC: old_tid */
	int parent_tid;
	bool is_thread;
	bool is_vfork;       /* made by vfork: its parent waits until it execs or exits */
	int old_tid;
	/* FORK and VFORK_DONE: the new task (for a new process its tid is its pid) */
	int child_tid;
	/* Stops: the CPU time (CLOCK_THREAD_CPUTIME_ID) of the host thread the task stopped
	 * on, when it stopped. A syscall's entry and exit happen on the thread serving it,
	 * so exit minus entry is the host's work on the call: what Linux counts as the
	 * task's system time for it. Zero for a recorder's events: the recorder runs on
	 * the serving thread and reads the clock itself when it wants it (not read for
	 * it, so that recording stays cheap). */
	struct timespec cpu_time;
};

/* Waits for the next event: 0, -ETIMEDOUT after timeout_ms (-1: no limit), or -ECHILD
 * when the guest has ended and every event was taken. */
int hvt_wait(hvt_session *s, struct hvt_event *ev, int timeout_ms);
/* A file descriptor that polls readable while an event is waiting (for event loops);
 * owned by the session. */
int hvt_event_fd(hvt_session *s);

enum hvt_resume_how {
	HVT_CONT, /* run until the next event */
	HVT_STEP, /* one instruction, then HVT_EV_STEP (or an earlier event) */
};
/* Resumes a stopped task. signo: at an HVT_EV_SIGNAL stop the signal delivered instead
 * (0 drops it); at another stop a signal to send to the task (0: none). */
int hvt_resume(hvt_session *s, int tid, enum hvt_resume_how how, int signo);
/* Stops a running task soon (HVT_EV_INTERRUPT); 0 at once if it is already stopped
 * (then no event follows). As PTRACE_INTERRUPT, the request stays until taken: a task
 * that stops for another reason first still takes its HVT_EV_INTERRUPT stop right after
 * its next resume. A task blocked in vfork stops there (rip after its syscall
 * instruction) and, resumed, waits on for its child. */
int hvt_interrupt(hvt_session *s, int tid);

/* Registers of a stopped task: Linux's user_regs_struct (with orig_rax, fs_base and
 * gs_base) and the FXSAVE area; the XSAVE area (x87, SSE, AVX) as PTRACE_GETREGSET's
 * NT_X86_XSTATE gives it: returns its length. Writes are checked as Linux's ptrace. */
int hvt_get_regs(hvt_session *s, int tid, struct user_regs_struct *r);
int hvt_set_regs(hvt_session *s, int tid, const struct user_regs_struct *r);
int hvt_get_fpregs(hvt_session *s, int tid, struct user_fpregs_struct *f);
int hvt_set_fpregs(hvt_session *s, int tid, const struct user_fpregs_struct *f);
int hvt_get_xstate(hvt_session *s, int tid, void *buf, size_t len);
int hvt_set_xstate(hvt_session *s, int tid, const void *buf, size_t len);

/* The address space of task tid (stopped or not). Returns the bytes copied, which is
 * less than len when the range runs into unmapped memory (-EFAULT when nothing could
 * be). Writes go into read-only text too (as ptrace's POKETEXT); reads see the
 * original bytes under the session's breakpoints. */
ssize_t hvt_read_mem(hvt_session *s, int tid, uint64_t addr, void *buf, size_t len);
ssize_t hvt_write_mem(hvt_session *s, int tid, uint64_t addr, const void *buf, size_t len);

enum hvt_bp_type {
	HVT_BP_SW,     /* execute: int3 in the text, invisible to reads of it */
	HVT_BP_HW,     /* execute, as a debug register (len 1) */
	HVT_BP_WRITE,  /* data: len 1, 2, 4 or 8, aligned */
	HVT_BP_READ,   /* data reads (reported as accesses: x86 has no read-only watch) */
	HVT_BP_ACCESS, /* data reads and writes */
};
/* Breakpoints belong to an address space: every task sharing task tid's hits them. */
int hvt_set_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len);
int hvt_clear_breakpoint(hvt_session *s, int tid, enum hvt_bp_type type, uint64_t addr, size_t len);

struct hvt_task_info {
	int pid, tid;
	bool stopped;       /* stopped for this session */
	char comm[16];
};
/* The tasks the session traces (live ones): returns how many there are (may exceed
 * max; the first max are filled). */
int hvt_tasks(hvt_session *s, struct hvt_task_info *out, int max);
/* The auxiliary vector and the executable's path of task tid's process. */
ssize_t hvt_read_auxv(hvt_session *s, int tid, void *buf, size_t len);
int hvt_exe_path(hvt_session *s, int tid, char *buf, size_t len);

/* Opens the file task tid would open at path (its root and working directory; /proc
 * is the guest's own, as the program reads it), read-only: a host file descriptor the
 * caller owns and closes (close-on-exec), or -errno. For debuggers that read the
 * program and its /proc through the target. */
int hvt_open_file(hvt_session *s, int tid, const char *path);

/* Stops tracing every task: stopped ones run on as if never traced. A spawned guest
 * runs on to its end (hvt_close then waits for it). */
int hvt_detach(hvt_session *s);
/* SIGKILL to the traced process (hvt_attach) or to every process of the guest
 * (hvt_spawn). Events until HVT_EV_GUEST_EXITED (spawned) follow. */
int hvt_kill(hvt_session *s);
/* Ends the session: detaches (attached) or waits for the guest to end after a
 * detach (spawned; hvt_kill first to end it at once), then frees it. Returns the guest's
 * exit status (spawned) or 0. */
int hvt_close(hvt_session *s);

#ifdef __cplusplus
}
#endif

#endif
