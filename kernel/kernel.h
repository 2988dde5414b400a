/* The guest kernel's global state: the pid namespace and the task threads.
 *
 * Every task runs on its own host thread (kernel/task_loop.c). A thread that must stop
 * running guest code or stop sleeping (a signal, SIGKILL, a TLB shootdown) is kicked:
 * SIGKICK makes its KVM_RUN or host ppoll() return EINTR. Task threads keep SIGKICK
 * blocked everywhere else, so a kick sent at any moment is seen at the next of those
 * (KVM_SET_SIGNAL_MASK unblocks it only inside KVM_RUN), never lost. */
#ifndef HV_KERNEL_KERNEL_H
#define HV_KERNEL_KERNEL_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "kernel/task.h"

#define SIGKICK (SIGRTMIN + 1)
#define PID_MAX 4194304

struct hv_run_options;
struct futex_waiter;
struct page_cache;

struct kernel {
	struct hv_vm *vm;
	int transport; /* enum syscall_transport for new tasks */
	int ptrace_scope; /* Yama's ptrace_scope, 0-3 (ptrace/ptrace.c) */
	struct host_session *host_sessions; /* host-side tracers (ptrace/host.h); mu */
	int max_tasks;       /* --max-tasks: live tasks allowed (0: no limit) */

	pthread_mutex_t mu; /* the task-list lock: see kernel/task.h */
	struct process *procs; /* every process, live or zombie (all_next) */
	struct process *init;
	int last_pid;
	int live_threads;    /* task threads not yet finished */
	pthread_cond_t idle; /* signalled when live_threads reaches 0 */
	struct futex_waiter *futex_waiters; /* kernel/futex.c */
	struct page_cache *pcache; /* shared file pages of every address space */
	char proc_scratch[64];     /* host directory of /proc/PID/fd snapshots (procfs.c) */
	unsigned proc_snapshots;
	uint64_t syscalls;   /* served for tasks that have ended */
	/* ITIMER_REAL of every process: one thread (kernel/sys_timer.c). */
	pthread_t itimer_thread;
	bool itimer_started, itimer_stop;
	pthread_cond_t itimer_cv;
	char fatal[512];     /* set when the guest could not go on (triple fault...) */
};

/* Preconditions: k->mu held. A free pid (tids and pids share the space), or -EAGAIN. */
int kernel_alloc_pid(struct kernel *k);
/* Preconditions: k->mu held. The live task with this tid, or NULL. */
struct task *kernel_find_task(struct kernel *k, int tid);
/* The thread whose tid is p's pid, or NULL once it has ended. Preconditions: k->mu held. */
struct task *process_leader(const struct process *p);
/* Preconditions: k->mu held. The live or zombie process with this pid, or NULL. */
struct process *kernel_find_process(struct kernel *k, int pid);

/* Starts t's host thread (its vCPU is set up and t linked into its process).
 * Preconditions: k->mu held. */
int task_start(struct task *t);
/* Makes t notice its work soon: wakes it from a sleep, a host wait or KVM_RUN.
 * Preconditions: k->mu held. */
void task_kick(struct task *t);
/* Sleeps until kicked, woken or until deadline (CLOCK_MONOTONIC; NULL: none).
 * Returns 0, -ETIMEDOUT, or -EINTR when a signal is pending or the task must die.
 * Preconditions: k->mu held (released while asleep). */
int task_sleep(struct task *t, const struct timespec *deadline);
/* Sleeps until woken, whatever signals are pending (callers loop on their condition
 * and t->killed). Preconditions: k->mu held (released while asleep). */
void task_sleep_nosignal(struct task *t);
/* Is a signal deliverable to t, or must t die? Preconditions: k->mu held. */
bool task_signal_pending(struct task *t);
/* ppoll(2) on host fds for a task: signals and SIGKICK interrupt it (-EINTR).
 * timeout NULL: no limit. Returns the ready count or -errno. */
int task_poll_host(struct task *t, struct pollfd *fds, unsigned long n, const struct timespec *timeout);
/* Waits for host fd to become ready for events (POLLIN/POLLOUT), interruptibly.
 * Returns 0 when ready, -EINTR when a signal is pending or the task must die. */
int task_wait_host_fd(struct task *t, int fd, short events);

/* The end of a task thread: unlinks t, releases what its process no longer needs when
 * it was the last thread (the process becomes a zombie and its parent is told), and
 * frees t. See kernel/exit.c. */
void task_exit_final(struct task *t);
/* Stops the ITIMER_REAL thread (the guest has ended). */
void kernel_itimer_stop(struct kernel *k);
/* Frees a process nobody refers to any more (reaped). Preconditions: k->mu held. */
void process_free(struct process *p);
/* A zombie's tracer has reaped it (or is gone): now its parent is told and may reap it.
 * Preconditions: k->mu held. */
void process_ptrace_released(struct process *p);

#endif
