/* Tasks and processes: the Linux process model as hvtrace keeps it.
 *
 * A task is a host thread plus a vCPU (design decision 1). A process is a thread group:
 * it owns an address space (struct mm, shared with CLONE_VM), a file table (shared with
 * CLONE_FILES), a file-system context, signal handlers and the process-wide signal
 * queue. All processes of one guest live in one struct kernel, which is the guest's pid
 * namespace: the first program is pid 1.
 *
 * Locking: kernel->mu (the task-list lock) protects the pid space, every parent/child and
 * thread link, every task's and process's life-cycle state (state, exit status, wait
 * state), signal state (masks, queues, handlers) and the sleeping/waking of tasks. It is
 * taken before mm->lock and fdtable->lock, never while holding them. */
#ifndef HV_KERNEL_TASK_H
#define HV_KERNEL_TASK_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/resource.h>

#include "kernel/cred.h"
#include "kernel/fdtable.h"
#include "kernel/mm.h"
#include "kernel/seccomp.h"
#include "ptrace/host_task.h"
#include "ptrace/ptrace.h"

struct hv_vm;
struct vcpu;
struct transport;
struct task;

#define HV_NSIG 64
#define SIGBIT(s) (1ull << ((s) - 1))
typedef uint64_t ksigset_t; /* bit s-1 is signal s, as Linux's x86-64 sigset */

/* How the guest sees the host file system: Linux's fs_struct, shared by the threads of
 * a process and by processes made with CLONE_FS. */
struct fs_context {
	_Atomic int refs;
	int root_fd;     /* host O_PATH fd of the guest's "/" */
	char *root_path; /* host path of it, without trailing '/' ("" for the host root) */
	int cwd_fd;      /* host O_PATH fd of the current directory; its number never
			  * changes (chdir dup3s onto it), so users need no lock */
	unsigned umask;
};

/* As Linux's struct sigaction for rt_sigaction on x86-64 (the kernel's layout). */
struct ksigaction {
	uint64_t handler; /* SIG_DFL 0, SIG_IGN 1, or a user address */
	uint64_t flags;
	uint64_t restorer;
	ksigset_t mask;
};

/* Signal handlers, shared by the threads of a process (and by CLONE_SIGHAND). */
struct sighand {
	int refs; /* Preconditions for every field: kernel->mu held. */
	struct ksigaction action[HV_NSIG];
};

/* One queued signal with its siginfo (glibc's siginfo_t is the kernel's x86-64 layout). */
struct ksiginfo {
	siginfo_t info;
	struct ksiginfo *next;
};

struct sigpending {
	ksigset_t set;          /* signals pending */
	struct ksiginfo *queue; /* their siginfo, oldest first */
};

/* What ended a task, for the exit status and the report. */
struct task_exit {
	bool is_signal;
	int code;    /* exit code, or signal number */
	bool core;   /* signal with a core-dumping default action */
};

enum proc_state {
	PROC_LIVE,
	PROC_ZOMBIE, /* every thread has ended: waits for its parent to reap it */
	PROC_DEAD,   /* reaped (or auto-reaped): gone once nothing points to it */
};

struct kernel;

struct process {
	struct kernel *k;
	int pid, pgid, sid;
	/* Preconditions for the links and the life cycle: k->mu held. */
	struct process *parent;           /* NULL only for pid 1 */
	int creator_tid;                  /* the parent's thread that forked it (Linux's
					   * real_parent): TRACEME's tracer, __WNOTHREAD */
	struct process *children, *sibling;
	struct process *all_next;         /* every process of the guest */
	struct task *threads;             /* live threads (linked by thread_next) */
	int nthreads;
	enum proc_state state;
	int exit_signal;                  /* sent to the parent at death (SIGCHLD, or clone's) */
	int wstatus;                      /* wait status, once a zombie */
	bool group_exiting;               /* exit_group or a fatal signal: threads are ending */
	bool ptrace_delayed;              /* a zombie its tracer (not its parent) must reap
					   * first: the parent hears of it after that */
	int group_exit_wstatus;
	bool is_subreaper;
	bool did_exec;
	int pdeath_signal;  /* PR_SET_PDEATHSIG: sent when the parent dies */
	bool dumpable;      /* PR_SET_DUMPABLE (ptrace access checks use it) */
	bool no_new_privs;
	int ptracer;        /* PR_SET_PTRACER: 0 none, -1 any, else a pid */
	uint64_t itimer_deadline, itimer_interval; /* ITIMER_REAL, CLOCK_MONOTONIC ns; 0: off */
	/* Group stop (SIGSTOP & co.) and what wait(2) has yet to report of it. */
	bool stopped;
	int stop_signo;
	bool report_stopped, report_continued;
	struct task *exec_waiter; /* execve in progress: woken as the other threads end */
	struct task_exit fault_exit;      /* the fault that killed it, for hvtrace's report */
	uint64_t fault_addr, fault_rip;
	int fault_code;

	struct mm *mm;
	struct fdtable *files;
	struct fs_context *fs;
	struct sighand *sighand;
	struct cred cred;                 /* kernel/cred.h */
	struct sigpending shared_pending; /* kill(2): for any thread (Preconditions: k->mu) */

	char *exe_path; /* guest path of the running image, for /proc/self/exe */
	char comm[16];
	struct rlimit rlim[RLIM_NLIMITS];
	uint8_t enosys_seen[512 / 8]; /* unimplemented syscalls already reported (--verbose) */
};

/* Work a task must look at before it returns to the guest (task->work bits). */
#define TASK_WORK_SIGNAL 1u /* a signal may be deliverable, or the task must die */

struct task {
	struct kernel *k;
	struct hv_vm *vm;
	struct vcpu *vcpu;
	struct process *proc;
	struct transport *transport; /* how its syscalls reach the host (kernel/transport.h) */
	int tid;
	pthread_t thread;
	bool thread_started;
	pid_t host_tid; /* of that thread (affinity); 0 until it runs */
	struct task *thread_next; /* in proc->threads; Preconditions: k->mu held */

	_Atomic unsigned work;    /* TASK_WORK_*: set by anyone, read lock-free at each exit */
	pthread_cond_t wake;      /* a sleeping task waits here, with k->mu */
	bool sleeping;            /* Preconditions: k->mu held */
	bool killed;              /* SIGKILL or group exit: end at the next chance (k->mu) */

	/* Signal state; Preconditions: k->mu held. */
	ksigset_t blocked;
	ksigset_t saved_mask; bool restore_saved_mask; /* rt_sigsuspend and friends */
	ksigset_t sigwait_set; /* rt_sigtimedwait: unblocked to wait, yet never fatal (Linux's real_blocked) */
	struct sigpending pending;
	uint64_t sas_sp, sas_size; int sas_flags; /* sigaltstack */
	/* The syscall being finished and its number, for the restart rules (ERESTART*). */
	uint64_t orig_rax;
	long restart_ret; /* an ERESTART* code the last syscall ended with, or 0 */
	/* Linux's restart_block: what restart_syscall(2) resumes after an interrupted
	 * relative sleep returned ERESTART_RESTARTBLOCK (0: nothing, EINTR). */
	int64_t restart_deadline_ns; /* CLOCK_MONOTONIC */
	uint64_t restart_rem_va;

	uint64_t clear_child_tid;
	uint64_t robust_list_head;
	uint64_t robust_list_len;
	/* Its futexes are released (Linux's FUTEX_STATE_DEAD): it may no longer own a PI
	 * futex, though still in the pid space. Preconditions: k->mu held. */
	bool futex_dead;
	struct task *vfork_parent; /* CLONE_VFORK: woken when this task execs or exits */
	bool vfork_done;           /* (on the parent) its vfork child let go; k->mu */
	uint64_t nr_syscalls; /* served, by any transport (one at a time per task) */
	bool has_exited;
	struct task_exit exit;
	bool self_exit;   /* ended by its own exit(2): exit.code is its status */
	int exit_wstatus; /* fixed when it leaves the guest (a later group exit of the
			   * others does not change it): for ptrace's reports */
	struct task_ptrace pt; /* ptrace/ptrace.h; Preconditions: k->mu held */
	struct task_host ht;   /* ptrace/host.h: a host-side tracer's; k->mu */
	struct task_seccomp seccomp; /* kernel/seccomp.h */
	uint64_t tls[3]; /* GDT TLS entries 12-14 (set_thread_area), also in its vCPU's GDT */
	/* The last fault, for the sigcontext of its signal (err, trapno, cr2). */
	uint64_t fault_err, fault_trapno, fault_cr2;
};

#endif
