/* The signal syscalls: handlers, masks, sending, waiting, sigaltstack, sigreturn;
 * and process groups and sessions. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/signal_frame.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/vcpu.h"

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SS_AUTODISARM_FLAG (1u << 31)

static bool valid_sig(long s)
{
	return s >= 1 && s <= HV_NSIG;
}

SYSCALL(rt_sigaction)
{
	long signo = (long)a[0];
	struct ksigaction nact, oact;

	if (a[3] != sizeof(ksigset_t))
		return -EINVAL;
	if (!valid_sig(signo))
		return -EINVAL;
	if (a[1] && get_user(t, &nact, a[1], sizeof nact))
		return -EFAULT;
	struct kernel *k = t->k;
	struct process *p = t->proc;
	pthread_mutex_lock(&k->mu);
	struct ksigaction *cur = &p->sighand->action[signo - 1];
	oact = *cur;
	if (a[1]) {
		if (signo == SIGKILL || signo == SIGSTOP) {
			pthread_mutex_unlock(&k->mu);
			return -EINVAL;
		}
		nact.mask &= ~UNBLOCKABLE;
		*cur = nact;
		/* As Linux: setting SIG_IGN (or SIG_DFL for a default-ignored signal) discards
		 * what is pending of it in the whole group. */
		if (nact.handler == (uint64_t)(uintptr_t)SIG_IGN ||
		    (nact.handler == (uint64_t)(uintptr_t)SIG_DFL &&
		     sig_default_action((int)signo) == SIG_DEFAULT_IGNORE)) {
			sig_discard(&p->shared_pending, SIGBIT(signo));
			for (struct task *x = p->threads; x; x = x->thread_next)
				sig_discard(&x->pending, SIGBIT(signo));
		}
	}
	pthread_mutex_unlock(&k->mu);
	if (a[2] && put_user(t, a[2], &oact, sizeof oact))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	int how = (int)a[0];
	ksigset_t set, old;

	if (a[3] != sizeof(ksigset_t))
		return -EINVAL;
	if (a[1] && get_user(t, &set, a[1], sizeof set))
		return -EFAULT;
	pthread_mutex_lock(&t->k->mu);
	old = t->blocked;
	if (a[1]) {
		switch (how) {
		case SIG_BLOCK: sig_set_blocked(t, old | set); break;
		case SIG_UNBLOCK: sig_set_blocked(t, old & ~set); break;
		case SIG_SETMASK: sig_set_blocked(t, set); break;
		default:
			pthread_mutex_unlock(&t->k->mu);
			return -EINVAL;
		}
	}
	pthread_mutex_unlock(&t->k->mu);
	if (a[2] && put_user(t, a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigpending)
{
	if (a[1] > sizeof(ksigset_t))
		return -EINVAL;
	pthread_mutex_lock(&t->k->mu);
	ksigset_t set = (t->pending.set | t->proc->shared_pending.set) & t->blocked;
	pthread_mutex_unlock(&t->k->mu);
	return put_user(t, a[0], &set, a[1]) ? -EFAULT : 0;
}

SYSCALL(rt_sigsuspend)
{
	ksigset_t mask;

	if (a[1] != sizeof(ksigset_t))
		return -EINVAL;
	if (get_user(t, &mask, a[0], sizeof mask))
		return -EFAULT;
	pthread_mutex_lock(&t->k->mu);
	t->saved_mask = t->blocked;
	t->restore_saved_mask = true;
	sig_set_blocked(t, mask);
	while (task_sleep(t, NULL) != -EINTR)
		;
	pthread_mutex_unlock(&t->k->mu);
	return -ERESTARTNOHAND;
}

SYSCALL(pause)
{
	(void)a;
	pthread_mutex_lock(&t->k->mu);
	while (task_sleep(t, NULL) != -EINTR)
		;
	pthread_mutex_unlock(&t->k->mu);
	return -ERESTARTNOHAND;
}

SYSCALL(rt_sigtimedwait)
{
	ksigset_t set;
	struct timespec ts, deadline;
	const struct timespec *dl = NULL;
	siginfo_t info;

	if (a[3] != sizeof(ksigset_t))
		return -EINVAL;
	if (get_user(t, &set, a[0], sizeof set))
		return -EFAULT;
	if (a[2]) {
		if (get_user(t, &ts, a[2], sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += ts.tv_sec;
		deadline.tv_nsec += ts.tv_nsec;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		dl = &deadline;
	}
	set &= ~UNBLOCKABLE;
	pthread_mutex_lock(&t->k->mu);
	/* As Linux: the waited-for signals are taken while blocked; they count as
	 * unblocked only for the wait. */
	ksigset_t saved = t->blocked;
	long r;
	for (;;) {
		t->blocked = ~set;
		int signo = sig_dequeue(t, &info);
		t->blocked = saved;
		if (signo) {
			r = signo;
			break;
		}
		if (dl && ts.tv_sec == 0 && ts.tv_nsec == 0) {
			r = -EAGAIN;
			break;
		}
		t->blocked = saved & ~set;
		t->sigwait_set = set;
		int s = task_sleep(t, dl);
		t->sigwait_set = 0;
		t->blocked = saved;
		if (s == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
		if (s == -EINTR) {
			/* One of ours arrived, or something else is to be delivered. */
			t->blocked = ~set;
			signo = sig_dequeue(t, &info);
			t->blocked = saved;
			if (signo) {
				r = signo;
				break;
			}
			r = -ERESTARTNOHAND;
			break;
		}
	}
	pthread_mutex_unlock(&t->k->mu);
	if (r > 0 && a[1] && put_user(t, a[1], &info, sizeof info))
		return -EFAULT;
	return r;
}

SYSCALL(sigaltstack)
{
	uint64_t ss[3]; /* ss_sp, ss_flags (int + pad), ss_size */
	uint64_t sp = vcpu_regs(t->vcpu)->rsp;
	bool on = t->sas_size && sp > t->sas_sp && sp - t->sas_sp <= t->sas_size;
	uint64_t old[3] = {t->sas_sp, (uint64_t)(uint32_t)(!t->sas_size ? SS_DISABLE : on ? SS_ONSTACK : 0) |
			   (uint32_t)(t->sas_flags & SS_AUTODISARM_FLAG), t->sas_size};

	if (a[0]) {
		if (get_user(t, ss, a[0], sizeof ss))
			return -EFAULT;
		if (on)
			return -EPERM;
		uint32_t flags = (uint32_t)ss[1];
		uint32_t mode = flags & ~SS_AUTODISARM_FLAG;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		pthread_mutex_lock(&t->k->mu);
		if (mode == SS_DISABLE) {
			t->sas_sp = t->sas_size = 0;
			t->sas_flags = 0;
		} else {
			if (ss[2] < (uint64_t)MINSIGSTKSZ) {
				pthread_mutex_unlock(&t->k->mu);
				return -ENOMEM;
			}
			t->sas_sp = ss[0];
			t->sas_size = ss[2];
			t->sas_flags = (int)(flags & SS_AUTODISARM_FLAG);
		}
		pthread_mutex_unlock(&t->k->mu);
	}
	if (a[1] && put_user(t, a[1], old, sizeof old))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigreturn)
{
	(void)a;
	pthread_mutex_lock(&t->k->mu);
	int r = sig_restore_frame(t);
	if (r) {
		/* As Linux's badframe: SIGSEGV, which cannot be blocked or ignored. */
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGSEGV;
		info.si_code = SI_KERNEL;
		struct ksigaction *act = &t->proc->sighand->action[SIGSEGV - 1];
		if (act->handler == (uint64_t)(uintptr_t)SIG_IGN || (t->blocked & SIGBIT(SIGSEGV))) {
			act->handler = (uint64_t)(uintptr_t)SIG_DFL;
			t->blocked &= ~SIGBIT(SIGSEGV);
		}
		sig_send(t->proc, t, SIGSEGV, &info);
	}
	pthread_mutex_unlock(&t->k->mu);
	/* RAX is the frame's (kernel/task_loop.c leaves it alone for rt_sigreturn). */
	return 0;
}

/* ---- sending ---- */

static void kill_info(struct task *t, siginfo_t *info, int signo, int code)
{
	memset(info, 0, sizeof *info);
	info->si_signo = signo;
	info->si_code = code;
	info->si_pid = t->proc->pid;
	info->si_uid = t->proc->cred.uid;
}

/* May t signal p? As Linux's check_kill_permission(): a matching real or effective
 * uid against p's real or saved one, CAP_KILL, or SIGCONT within the session.
 * Preconditions: k->mu held. */
static bool may_signal(const struct task *t, const struct process *p, int signo)
{
	const struct cred *c = &t->proc->cred, *tc = &p->cred;

	if (p == t->proc || cred_capable(c, CAP_KILL))
		return true;
	if (c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid || c->uid == tc->uid)
		return true;
	return signo == SIGCONT && p->sid == t->proc->sid;
}

/* Preconditions: k->mu held. */
static long kill_process(struct task *t, struct process *p, int signo, const siginfo_t *info)
{
	if (!may_signal(t, p, signo))
		return -EPERM;
	if (p->state != PROC_LIVE)
		return 0; /* a zombie takes signals silently */
	if (signo == 0)
		return 0;
	return sig_send(p, NULL, signo, info);
}

static long do_kill(struct task *t, int pid, int signo, const siginfo_t *info)
{
	struct kernel *k = t->k;
	long r = -ESRCH;

	pthread_mutex_lock(&k->mu);
	if (pid > 0) {
		struct process *p = kernel_find_process(k, pid);
		if (p)
			r = kill_process(t, p, signo, info);
	} else {
		/* -1: everyone but pid 1 and the caller's own process; else a group. As
		 * Linux: success when any was signalled, else EPERM if one was refused. */
		int pgid = pid == 0 ? t->proc->pgid : -pid;
		bool ok = false, refused = false;
		for (struct process *p = k->procs; p; p = p->all_next) {
			if (p->state == PROC_DEAD)
				continue;
			if (pid == -1 ? (p == k->init || p == t->proc) : p->pgid != pgid)
				continue;
			if (kill_process(t, p, signo, info) == -EPERM)
				refused = true;
			else
				ok = true;
		}
		r = ok ? 0 : refused ? -EPERM : -ESRCH;
	}
	pthread_mutex_unlock(&k->mu);
	return r;
}

SYSCALL(kill)
{
	int pid = (int)a[0], signo = (int)a[1];
	siginfo_t info;

	if (signo < 0 || signo > HV_NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	kill_info(t, &info, signo, SI_USER);
	return do_kill(t, pid, signo, &info);
}

static long do_tkill(struct task *t, int tgid, int tid, int signo, const siginfo_t *info)
{
	struct kernel *k = t->k;
	long r = -ESRCH;

	if (tid <= 0 || (tgid != -1 && tgid <= 0))
		return -EINVAL;
	if (signo < 0 || signo > HV_NSIG)
		return -EINVAL;
	pthread_mutex_lock(&k->mu);
	struct task *x = kernel_find_task(k, tid);
	if (x && (tgid == -1 || x->proc->pid == tgid)) {
		r = may_signal(t, x->proc, signo) ? 0 : -EPERM;
		if (!r && signo && !x->has_exited)
			r = sig_send(x->proc, x, signo, info);
	}
	pthread_mutex_unlock(&k->mu);
	return r;
}

SYSCALL(tkill)
{
	siginfo_t info;

	kill_info(t, &info, (int)a[1], SI_TKILL);
	return do_tkill(t, -1, (int)a[0], (int)a[1], &info);
}

SYSCALL(tgkill)
{
	siginfo_t info;

	kill_info(t, &info, (int)a[2], SI_TKILL);
	return do_tkill(t, (int)a[0], (int)a[1], (int)a[2], &info);
}

static long queueinfo(struct task *t, int tgid, int tid, int signo, uint64_t uinfo)
{
	siginfo_t info;

	if (get_user(t, &info, uinfo, sizeof info))
		return -EFAULT;
	/* As Linux: a process may not forge kernel or kill() siginfo for others. */
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && (tgid != t->proc->pid))
		return -EPERM;
	info.si_signo = signo;
	if (tid == 0)
		return do_kill(t, tgid, signo, &info);
	return do_tkill(t, tgid, tid, signo, &info);
}

SYSCALL(rt_sigqueueinfo)
{
	if ((int)a[1] < 0 || (int)a[1] > HV_NSIG)
		return -EINVAL;
	if ((int)a[0] <= 0)
		return -ESRCH;
	return queueinfo(t, (int)a[0], 0, (int)a[1], a[2]);
}

SYSCALL(rt_tgsigqueueinfo)
{
	return queueinfo(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}

/* ---- process groups and sessions ---- */

SYSCALL(getpgid)
{
	int pid = (int)a[0];
	long r = -ESRCH;

	pthread_mutex_lock(&t->k->mu);
	struct process *p = pid ? kernel_find_process(t->k, pid) : t->proc;
	if (p)
		r = p->pgid;
	pthread_mutex_unlock(&t->k->mu);
	return r;
}

SYSCALL(getpgrp)
{
	(void)a;
	pthread_mutex_lock(&t->k->mu);
	long r = t->proc->pgid;
	pthread_mutex_unlock(&t->k->mu);
	return r;
}

SYSCALL(getsid)
{
	int pid = (int)a[0];
	long r = -ESRCH;

	pthread_mutex_lock(&t->k->mu);
	struct process *p = pid ? kernel_find_process(t->k, pid) : t->proc;
	if (p)
		r = p->sid;
	pthread_mutex_unlock(&t->k->mu);
	return r;
}

SYSCALL(setsid)
{
	(void)a;
	struct kernel *k = t->k;
	long r;

	pthread_mutex_lock(&k->mu);
	/* As Linux: fails when a process group with the caller's pid exists. */
	bool leader = false;
	for (struct process *p = k->procs; p; p = p->all_next)
		if (p->pgid == t->proc->pid && p->state != PROC_DEAD)
			leader = true;
	if (leader) {
		r = -EPERM;
	} else {
		t->proc->sid = t->proc->pgid = t->proc->pid;
		r = t->proc->pid;
	}
	pthread_mutex_unlock(&k->mu);
	return r;
}

SYSCALL(setpgid)
{
	struct kernel *k = t->k;
	int pid = (int)a[0], pgid = (int)a[1];
	long r = 0;

	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->mu);
	struct process *self = t->proc;
	struct process *p = pid ? kernel_find_process(k, pid) : self;
	if (!pgid)
		pgid = p ? p->pid : 0;
	/* As Linux's setpgid(): the caller or one of its children, not after exec, in the
	 * caller's session, not a session leader; the group exists in that session. */
	if (!p || (p != self && p->parent != self)) {
		r = -ESRCH;
	} else if (p != self && p->did_exec) {
		r = -EACCES;
	} else if (p->sid != self->sid || (p != self && p->sid != self->sid)) {
		r = -EPERM;
	} else if (p->sid == p->pid) {
		r = -EPERM;
	} else if (pgid != p->pid) {
		bool found = false;
		for (struct process *q = k->procs; q; q = q->all_next)
			if (q->pgid == pgid && q->sid == self->sid && q->state != PROC_DEAD)
				found = true;
		if (!found)
			r = -EPERM;
	}
	if (!r)
		p->pgid = pgid;
	pthread_mutex_unlock(&k->mu);
	return r;
}
