/* The pid namespace, kicks and sleeps: what every task thread shares. */
#include "kernel/kernel.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/log.h"

struct task *kernel_find_task(struct kernel *k, int tid)
{
	for (struct process *p = k->procs; p; p = p->all_next)
		for (struct task *t = p->threads; t; t = t->thread_next)
			if (t->tid == tid)
				return t;
	return NULL;
}

struct process *kernel_find_process(struct kernel *k, int pid)
{
	for (struct process *p = k->procs; p; p = p->all_next)
		if (p->pid == pid && p->state != PROC_DEAD)
			return p;
	return NULL;
}

/* Is pid in use as a tid, a pid, a process group or a session? (Linux keeps a pid
 * while anything refers to it by number.) */
static bool pid_in_use(struct kernel *k, int pid)
{
	for (struct process *p = k->procs; p; p = p->all_next) {
		if (p->pid == pid || p->pgid == pid || p->sid == pid)
			return true;
		for (struct task *t = p->threads; t; t = t->thread_next)
			if (t->tid == pid)
				return true;
	}
	return false;
}

int kernel_alloc_pid(struct kernel *k)
{
	/* As Linux: increasing numbers, wrapping at pid_max to above the reserved range. */
	for (int tries = 0; tries < PID_MAX; tries++) {
		int pid = k->last_pid + 1;
		if (pid >= PID_MAX)
			pid = 300;
		k->last_pid = pid;
		if (!pid_in_use(k, pid))
			return pid;
	}
	return -EAGAIN;
}

struct task *process_leader(const struct process *p)
{
	for (struct task *x = p->threads; x; x = x->thread_next)
		if (x->tid == p->pid)
			return x;
	return NULL;
}

void task_kick(struct task *t)
{
	atomic_fetch_or(&t->work, TASK_WORK_SIGNAL);
	if (t->sleeping)
		pthread_cond_signal(&t->wake);
	if (t->thread_started)
		pthread_kill(t->thread, SIGKICK);
}

void task_sleep_nosignal(struct task *t)
{
	t->sleeping = true;
	pthread_cond_wait(&t->wake, &t->k->mu);
	t->sleeping = false;
}

bool task_signal_pending(struct task *t)
{
	if (t->killed || t->pt.interrupt || t->ht.pending)
		return true; /* PTRACE_INTERRUPT (and a host tracer's) ends a blocking call as a signal would */
	ksigset_t want = (t->pending.set | t->proc->shared_pending.set) & ~t->blocked;
	return want != 0;
}

int task_sleep(struct task *t, const struct timespec *deadline)
{
	int r = 0;

	if (task_signal_pending(t))
		return -EINTR;
	t->sleeping = true;
	if (deadline)
		r = pthread_cond_timedwait(&t->wake, &t->k->mu, deadline);
	else
		r = pthread_cond_wait(&t->wake, &t->k->mu);
	t->sleeping = false;
	if (task_signal_pending(t))
		return -EINTR;
	return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

int task_poll_host(struct task *t, struct pollfd *fds, unsigned long n, const struct timespec *timeout)
{
	sigset_t allow;
	struct timespec end, left;

	/* Only the kick may interrupt the wait: ppoll unblocks it atomically, so a kick
	 * sent before we got here is pending and ends the wait at once. */
	pthread_sigmask(SIG_SETMASK, NULL, &allow);
	sigdelset(&allow, SIGKICK);
	if (timeout) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout->tv_sec;
		end.tv_nsec += timeout->tv_nsec;
		if (end.tv_nsec >= 1000000000L) {
			end.tv_sec++;
			end.tv_nsec -= 1000000000L;
		}
	}
	for (;;) {
		if (atomic_load(&t->work)) {
			pthread_mutex_lock(&t->k->mu);
			bool pending = task_signal_pending(t);
			pthread_mutex_unlock(&t->k->mu);
			if (pending) {
				/* As Linux's pipe_read() and do_poll(): what is ready wins over
				 * the signal (which is delivered after the call). */
				static const struct timespec zero;
				int r = ppoll(fds, n, &zero, NULL);
				return r > 0 ? r : -EINTR;
			}
		}
		const struct timespec *tp = NULL;
		if (timeout) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t ns = (end.tv_sec - now.tv_sec) * 1000000000LL + (end.tv_nsec - now.tv_nsec);
			if (ns < 0)
				ns = 0;
			left.tv_sec = ns / 1000000000LL;
			left.tv_nsec = ns % 1000000000LL;
			tp = &left;
		}
		int r = ppoll(fds, n, tp, &allow);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -errno;
		/* EINTR: a kick, which set the task's work; the loop looks at it. */
	}
}

int task_wait_host_fd(struct task *t, int fd, short events)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r = task_poll_host(t, &pfd, 1, NULL);

	return r < 0 ? r : 0;
}
