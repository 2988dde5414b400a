#include "kernel/sig_send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kernel/signal.h"

#define SYNC_SIGNALS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
		      SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define STOP_SIGNALS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

enum sig_default sig_default_action(int signo)
{
	switch (signo) {
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SIG_DEFAULT_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIG_DEFAULT_STOP;
	case SIGCONT:
		return SIG_DEFAULT_CONT;
	default:
		if (signo >= SIGRTMIN && signo <= HV_NSIG)
			return SIG_DEFAULT_TERM;
		return sig_default_is_core(signo) ? SIG_DEFAULT_CORE : SIG_DEFAULT_TERM;
	}
}

void sig_set_blocked(struct task *t, ksigset_t mask)
{
	t->blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if ((t->pending.set | t->proc->shared_pending.set) & ~t->blocked)
		atomic_fetch_or(&t->work, TASK_WORK_SIGNAL);
}

void sig_flush_pending(struct sigpending *sp)
{
	while (sp->queue) {
		struct ksiginfo *q = sp->queue;
		sp->queue = q->next;
		free(q);
	}
	sp->set = 0;
}

void sig_discard(struct sigpending *sp, ksigset_t mask)
{
	for (struct ksiginfo **pp = &sp->queue; *pp;) {
		if (mask & SIGBIT((*pp)->info.si_signo)) {
			struct ksiginfo *q = *pp;
			*pp = q->next;
			free(q);
		} else {
			pp = &(*pp)->next;
		}
	}
	sp->set &= ~mask;
}

/* Tells the parent that the group stopped or continued. Preconditions: k->mu held. */
void sig_notify_parent_stop(struct process *p, int why)
{
	struct process *parent = p->parent;

	if (!parent)
		return;
	if (!(parent->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGCHLD;
		info.si_code = why;
		info.si_pid = p->pid;
		info.si_uid = p->cred.uid;
		info.si_status = why == CLD_STOPPED ? p->stop_signo : SIGCONT;
		sig_send(parent, NULL, SIGCHLD, &info);
	}
	for (struct task *x = parent->threads; x; x = x->thread_next)
		if (x->sleeping)
			pthread_cond_signal(&x->wake);
}

void process_continue(struct process *p)
{
	if (!p->stopped)
		return;
	p->stopped = false;
	p->report_stopped = false;
	p->report_continued = true;
	sig_notify_parent_stop(p, CLD_CONTINUED);
	for (struct task *x = p->threads; x; x = x->thread_next)
		task_kick(x);
}

/* Would the signal be dropped at once? As Linux's sig_ignored(): a blocked signal is
 * never ignored (the handler may change before it is unblocked). */
static bool ignored(struct process *p, struct task *t, int signo)
{
	/* A signal waited for in sigtimedwait counts as blocked (Linux's real_blocked). */
	if (t && ((t->blocked | t->sigwait_set) & SIGBIT(signo)))
		return false;
	/* A tracer sees even ignored signals (its signal-delivery-stop), as Linux. */
	if (t && (t->pt.tracer || t->ht.s) && signo != SIGKILL)
		return false;
	uint64_t h = p->sighand->action[signo - 1].handler;
	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		return signo != SIGKILL && signo != SIGSTOP;
	if (h == (uint64_t)(uintptr_t)SIG_DFL)
		return sig_default_action(signo) == SIG_DEFAULT_IGNORE;
	return false;
}

void sig_force(struct task *t, const siginfo_t *info, bool to_default)
{
	int signo = info->si_signo;
	struct ksigaction *act = &t->proc->sighand->action[signo - 1];

	if (to_default || act->handler == (uint64_t)(uintptr_t)SIG_IGN || (t->blocked & SIGBIT(signo))) {
		act->handler = (uint64_t)(uintptr_t)SIG_DFL;
		t->blocked &= ~SIGBIT(signo);
	}
	sig_send(t->proc, t, signo, info);
	atomic_fetch_or(&t->work, TASK_WORK_SIGNAL);
}

void sig_group_exit(struct process *p, int wstatus)
{
	if (!p->group_exiting) {
		p->group_exiting = true;
		p->group_exit_wstatus = wstatus;
	}
	for (struct task *t = p->threads; t; t = t->thread_next) {
		t->killed = true;
		task_kick(t);
	}
}

/* Would t take signo now? As Linux's wants_signal(): not blocked, not on its way out. */
static bool wants(const struct task *t, int signo)
{
	return !(t->blocked & SIGBIT(signo)) && !t->killed && !t->has_exited;
}

/* Which thread should handle a process-wide signal: the leader if it wants it (as
 * Linux's complete_signal() for kill(2)), else another that does. */
static struct task *pick_thread(struct process *p, int signo)
{
	struct task *any = NULL;

	for (struct task *t = p->threads; t; t = t->thread_next) {
		if (!wants(t, signo))
			continue;
		if (t->tid == p->pid)
			return t;
		if (!any)
			any = t;
	}
	return any;
}

int sig_send(struct process *p, struct task *t, int signo, const siginfo_t *info)
{
	if (p->state != PROC_LIVE || p->group_exiting)
		return 0;
	if (signo == SIGKILL) {
		sig_group_exit(p, SIGKILL);
		return 0;
	}
	/* As Linux's prepare_signal(): a stop signal cancels a pending SIGCONT and the
	 * other way round. */
	if (SIGBIT(signo) & STOP_SIGNALS) {
		sig_discard(&p->shared_pending, SIGBIT(SIGCONT));
		for (struct task *x = p->threads; x; x = x->thread_next)
			sig_discard(&x->pending, SIGBIT(SIGCONT));
	} else if (signo == SIGCONT) {
		process_continue(p);
		sig_discard(&p->shared_pending, STOP_SIGNALS);
		for (struct task *x = p->threads; x; x = x->thread_next)
			sig_discard(&x->pending, STOP_SIGNALS);
	}
	if (ignored(p, t ? t : p->threads, signo))
		return 0;
	struct sigpending *sp = t ? &t->pending : &p->shared_pending;
	/* Standard signals do not queue: one pending instance at most. */
	if (signo < SIGRTMIN && (sp->set & SIGBIT(signo)))
		return 0;
	struct ksiginfo *q = calloc(1, sizeof *q);
	if (!q) {
		if (signo >= SIGRTMIN)
			return -EAGAIN;
	} else {
		if (info)
			q->info = *info;
		else
			q->info.si_code = SI_KERNEL;
		q->info.si_signo = signo;
		struct ksiginfo **tail = &sp->queue;
		while (*tail)
			tail = &(*tail)->next;
		*tail = q;
	}
	sp->set |= SIGBIT(signo);

	/* As Linux's wants_signal(): a stopped group takes nothing but SIGKILL (above) and
	 * SIGCONT; the rest waits in the queue until it continues. */
	if (p->stopped && signo != SIGCONT)
		return 0;
	struct task *target = t ? t : pick_thread(p, signo);
	if (!target)
		return 0; /* every thread blocks it: it waits in the queue */
	uint64_t h = p->sighand->action[signo - 1].handler;
	enum sig_default d = sig_default_action(signo);
	if (h == (uint64_t)(uintptr_t)SIG_DFL && (d == SIG_DEFAULT_TERM || d == SIG_DEFAULT_CORE) &&
	    !((target->blocked | target->sigwait_set) & SIGBIT(signo)) && !(SIGBIT(signo) & SYNC_SIGNALS) &&
	    !target->pt.tracer && !target->ht.s) {
		/* As Linux's complete_signal(): a fatal signal takes the whole group down at
		 * once, even threads sleeping in the kernel (not when traced: the tracer sees
		 * it first, in a signal-delivery-stop). */
		sig_group_exit(p, signo | (d == SIG_DEFAULT_CORE && p->rlim[RLIMIT_CORE].rlim_cur ? 0x80 : 0));
		return 0;
	}
	task_kick(target);
	return 0;
}

/* Preconditions: k->mu held. */
static int take(struct sigpending *sp, ksigset_t allowed, siginfo_t *info)
{
	ksigset_t ready = sp->set & allowed;

	if (!ready)
		return 0;
	ksigset_t sync = ready & SYNC_SIGNALS;
	int signo = __builtin_ctzll(sync ? sync : ready) + 1;
	bool more = false;
	memset(info, 0, sizeof *info);
	info->si_signo = signo;
	info->si_code = SI_KERNEL;
	for (struct ksiginfo **pp = &sp->queue; *pp; pp = &(*pp)->next) {
		if ((*pp)->info.si_signo != signo)
			continue;
		struct ksiginfo *q = *pp;
		*info = q->info;
		*pp = q->next;
		free(q);
		for (struct ksiginfo *r = *pp; r; r = r->next)
			if (r->info.si_signo == signo)
				more = true;
		break;
	}
	if (!more)
		sp->set &= ~SIGBIT(signo);
	return signo;
}

int sig_dequeue(struct task *t, siginfo_t *info)
{
	ksigset_t allowed = ~t->blocked;
	int signo;

	/* Synchronous faults of this thread come before anything else. */
	if ((signo = take(&t->pending, allowed & SYNC_SIGNALS, info)))
		return signo;
	if ((signo = take(&t->pending, allowed, info)))
		return signo;
	return take(&t->proc->shared_pending, allowed, info);
}

void sig_send_from_host(struct kernel *k, int signo, bool to_group)
{
	siginfo_t info = {.si_signo = signo, .si_code = to_group ? SI_KERNEL : SI_USER};

	pthread_mutex_lock(&k->mu);
	for (struct process *p = k->procs; p; p = p->all_next)
		if (to_group ? p->pgid == 1 : p == k->init)
			sig_send(p, NULL, signo, &info);
	pthread_mutex_unlock(&k->mu);
}
