/* The ptrace-stops, on the tracee's own thread (Linux's ptrace_stop and its callers:
 * ptrace_report_syscall_*, ptrace_event, the signal-delivery-stop and the group-stop
 * trap of get_signal), and what fork, exit and wait need from ptrace. */
#include <errno.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "ptrace/internal.h"
#include "ptrace/ptrace.h"
#include "ptrace/status.h"
#include "vmm/vcpu.h"


/* SIGCHLD (CLD_TRAPPED) to the tracer's process and a wake-up for its waiters.
 * Preconditions: k->mu held; t traced. */
static void notify_tracer(struct task *t, int code, int status)
{
	struct process *tp = t->pt.tracer->proc;

	if (!(tp->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP) || code != CLD_TRAPPED) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGCHLD;
		info.si_code = code;
		info.si_pid = t->tid;
		info.si_uid = t->proc->cred.uid;
		info.si_status = status;
		sig_send(tp, NULL, SIGCHLD, &info);
	}
	for (struct task *x = tp->threads; x; x = x->thread_next)
		if (x->sleeping)
			pthread_cond_signal(&x->wake);
}

/* The siginfo Linux's ptrace_do_notify() gives syscall, event and group stops. */
static void trap_info(struct task *t, int signo, int exit_code)
{
	memset(&t->pt.siginfo, 0, sizeof t->pt.siginfo);
	t->pt.has_siginfo = true;
	t->pt.siginfo.si_signo = signo;
	t->pt.siginfo.si_code = exit_code;
	t->pt.siginfo.si_pid = t->tid;
	t->pt.siginfo.si_uid = t->proc->cred.uid;
}

/* Stops until the tracer resumes (or detaches, or SIGKILL comes). exit_code is what
 * wait reports in bits 8..23 of the status. Returns the signal the tracer resumed
 * with. Preconditions: k->mu held; t->pt.siginfo set. */
static int stop_locked(struct task *t, enum pt_stop_kind kind, int exit_code)
{
	struct task_ptrace *pt = &t->pt;

	if (!pt->tracer || t->killed)
		return 0;
	pt->stopped = true;
	pt->report = true;
	pt->wstatus = pt_stop_wstatus(exit_code);
	pt->kind = kind;
	pt->exit_code = 0;
	notify_tracer(t, CLD_TRAPPED, exit_code & 0x7f);
	while (pt->stopped && pt->tracer && !t->killed)
		task_sleep_nosignal(t);
	pt->stopped = false;
	pt->report = false;
	pt->kind = PT_STOP_NONE;
	int code = pt->exit_code;
	pt->exit_code = 0;
	return t->killed ? 0 : code;
}

/* As Linux's ptrace_report_syscall(): a signal the tracer resumed a syscall-stop with
 * is sent (not delivered as is). Preconditions: k->mu held. */
static void syscall_stop(struct task *t, enum pt_stop_kind kind)
{
	int exit_code = pt_syscall_code(t->pt.options);

	trap_info(t, SIGTRAP, exit_code);
	/* GETEVENTMSG says which side of the call this is (Linux's PTRACE_EVENTMSG_*). */
	t->pt.message = kind == PT_STOP_SYSCALL_ENTER ? PTRACE_EVENTMSG_SYSCALL_ENTRY
						     : PTRACE_EVENTMSG_SYSCALL_EXIT;
	int sig = stop_locked(t, kind, exit_code);
	if (sig > 0 && sig <= HV_NSIG) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = sig;
		info.si_code = SI_KERNEL;
		sig_send(t->proc, t, sig, &info);
	}
}

bool ptrace_syscall_enter(struct task *t)
{
	struct kernel *k = t->k;
	struct task_ptrace *pt = &t->pt;
	bool skip = false;

	pthread_mutex_lock(&k->mu);
	if (pt->tracer && !pt->exiting && pt->resume != PT_RESUME_CONT && pt->resume != PT_RESUME_SINGLESTEP &&
	    pt->resume != PT_RESUME_SINGLEBLOCK) {
		bool emu = pt->resume == PT_RESUME_SYSEMU || pt->resume == PT_RESUME_SYSEMU_SINGLESTEP;
		syscall_stop(t, PT_STOP_SYSCALL_ENTER);
		skip = emu || (int64_t)t->orig_rax == -1 || t->killed;
	}
	pthread_mutex_unlock(&k->mu);
	return skip;
}

void ptrace_syscall_exit(struct task *t)
{
	struct kernel *k = t->k;
	struct task_ptrace *pt = &t->pt;

	pthread_mutex_lock(&k->mu);
	if (pt->tracer && !pt->exiting && !t->killed) {
		if (pt->resume == PT_RESUME_SINGLESTEP || pt->resume == PT_RESUME_SINGLEBLOCK) {
			/* As Linux's user_single_step_report(): the step over `syscall` ends here. */
			siginfo_t info;
			memset(&info, 0, sizeof info);
			info.si_signo = SIGTRAP;
			info.si_code = TRAP_BRKPT;
			sig_send(t->proc, t, SIGTRAP, &info);
		} else if (pt->resume == PT_RESUME_SYSCALL) {
			syscall_stop(t, PT_STOP_SYSCALL_EXIT);
		}
	}
	pthread_mutex_unlock(&k->mu);
}

int ptrace_signal(struct task *t, int signo, siginfo_t *info)
{
	struct task_ptrace *pt = &t->pt;

	pt->siginfo = *info;
	pt->has_siginfo = true;
	int sig = stop_locked(t, PT_STOP_SIGNAL, signo);
	if (!sig || t->killed)
		return 0;
	*info = pt->siginfo;
	if (sig != info->si_signo) {
		/* As Linux: a different signal than the one stopped for comes from the tracer,
		 * unless SETSIGINFO said otherwise. */
		memset(info, 0, sizeof *info);
		info->si_signo = sig;
		info->si_code = SI_USER;
		info->si_pid = pt->tracer ? pt->tracer->proc->pid : 0;
		info->si_uid = pt->tracer ? pt->tracer->proc->cred.uid : 0;
	}
	if (t->blocked & SIGBIT(sig)) {
		sig_send(t->proc, t, sig, info); /* blocked now: it waits like any other */
		return 0;
	}
	return sig;
}

bool ptrace_group_stop(struct task *t)
{
	struct task_ptrace *pt = &t->pt;
	struct process *p = t->proc;

	if (!pt->tracer || pt->exiting)
		return false;
	if (p->stopped && !pt->group_stop_taken) {
		pt->group_stop_taken = true;
		int exit_code = p->stop_signo | (pt->seized ? PTRACE_EVENT_STOP << 8 : 0);
		trap_info(t, p->stop_signo, exit_code);
		/* As Linux: only a SEIZEd tracee's group-stop has a siginfo. */
		pt->has_siginfo = pt->seized;
		stop_locked(t, PT_STOP_GROUP, exit_code);
		/* PTRACE_LISTEN: asleep until the group-stop ends, then a trap to say so. */
		while (pt->listening && p->stopped && pt->tracer && !t->killed)
			task_sleep_nosignal(t);
		if (pt->listening && pt->tracer && !t->killed) {
			pt->listening = false;
			trap_info(t, SIGTRAP, pt_event_code(PTRACE_EVENT_STOP));
			stop_locked(t, PT_STOP_EVENT, pt_event_code(PTRACE_EVENT_STOP));
		}
		pt->listening = false;
		return true;
	}
	if (pt->interrupt) {
		pt->interrupt = false;
		trap_info(t, SIGTRAP, pt_event_code(PTRACE_EVENT_STOP));
		stop_locked(t, PT_STOP_EVENT, pt_event_code(PTRACE_EVENT_STOP));
		return true;
	}
	return false;
}

void ptrace_handler_entered(struct task *t)
{
	struct task_ptrace *pt = &t->pt;

	if (pt->exiting || (pt->resume != PT_RESUME_SINGLESTEP && pt->resume != PT_RESUME_SYSEMU_SINGLESTEP &&
			    pt->resume != PT_RESUME_SINGLEBLOCK))
		return;
	/* Linux's ptrace_notify(SIGTRAP): si_code is the exit code, SIGTRAP itself. */
	trap_info(t, SIGTRAP, SIGTRAP);
	stop_locked(t, PT_STOP_EVENT, SIGTRAP);
}

static bool event_enabled(const struct task_ptrace *pt, int event)
{
	return pt->tracer && !pt->exiting && (pt->options & (1u << event));
}

bool ptrace_event(struct task *t, int event, uint64_t msg)
{
	struct kernel *k = t->k;
	bool stopped = false;

	pthread_mutex_lock(&k->mu);
	if (event_enabled(&t->pt, event) && !t->killed) {
		int exit_code = pt_event_code(event);
		t->pt.message = msg;
		trap_info(t, SIGTRAP, exit_code);
		stop_locked(t, PT_STOP_EVENT, exit_code); /* a signal to resume with is dropped */
		stopped = true;
	}
	pthread_mutex_unlock(&k->mu);
	return stopped;
}

void ptrace_exec(struct task *t, int old_tid)
{
	/* The new image's registers, with the call still in progress: rax reads -ENOSYS
	 * in the stop, as Linux's (the syscall's 0 comes after). */
	vcpu_regs(t->vcpu)->rax = (uint64_t)-ENOSYS;
	vcpu_regs_changed(t->vcpu);
	if (ptrace_event(t, PTRACE_EVENT_EXEC, (uint64_t)old_tid))
		return;
	pthread_mutex_lock(&t->k->mu);
	if (t->pt.tracer && !t->pt.seized) {
		/* The legacy SIGTRAP after execve, as Linux's send_sig(SIGTRAP, current, 0). */
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGTRAP;
		info.si_code = SI_USER;
		info.si_pid = t->proc->pid;
		info.si_uid = t->proc->cred.uid;
		sig_send(t->proc, t, SIGTRAP, &info);
	}
	pthread_mutex_unlock(&t->k->mu);
}

/* Preconditions: k->mu held; child not traced. */
void ptrace_link(struct task *tracer, struct task *child)
{
	child->pt.tracer = tracer;
	child->pt.next = tracer->pt.tracees;
	tracer->pt.tracees = child;
	atomic_store(&child->pt.traced, true);
}

int ptrace_clone_attach(struct task *parent, struct task *child, unsigned long clone_flags)
{
	struct task_ptrace *pp = &parent->pt;
	int event;

	if (!pp->tracer || (clone_flags & CLONE_UNTRACED))
		return 0;
	if (clone_flags & CLONE_VFORK)
		event = PTRACE_EVENT_VFORK;
	else if ((clone_flags & 0xff) != SIGCHLD)
		event = PTRACE_EVENT_CLONE;
	else
		event = PTRACE_EVENT_FORK;
	if (!event_enabled(pp, event) && !(clone_flags & CLONE_PTRACE))
		return 0;
	ptrace_link(pp->tracer, child);
	child->pt.seized = pp->seized;
	child->pt.options = pp->options;
	/* As Linux's ptrace_init_task(): the new task's first stop is the attach stop. */
	if (pp->seized) {
		child->pt.interrupt = true;
	} else {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = SIGSTOP;
		info.si_code = SI_USER;
		sig_send(child->proc, child, SIGSTOP, &info);
	}
	atomic_fetch_or(&child->work, TASK_WORK_SIGNAL);
	return event_enabled(pp, event) ? event : 0;
}

void ptrace_exit_event(struct task *t, int code)
{
	ptrace_event(t, PTRACE_EVENT_EXIT, (uint64_t)code);
	pthread_mutex_lock(&t->k->mu);
	t->pt.exiting = true;
	pthread_mutex_unlock(&t->k->mu);
}

/* Preconditions: k->mu held; t traced. */
static void unlink_tracee(struct task *t)
{
	struct task *tr = t->pt.tracer;

	for (struct task **pp = &tr->pt.tracees; *pp; pp = &(*pp)->pt.next)
		if (*pp == t) {
			*pp = t->pt.next;
			break;
		}
	t->pt.tracer = NULL;
	t->pt.next = NULL;
	atomic_store(&t->pt.traced, false);
}

void ptrace_detach(struct task *t, int sig)
{
	struct task_ptrace *pt = &t->pt;

	if (pt->forced_tf) {
		vcpu_regs(t->vcpu)->rflags &= ~RFLAGS_TF;
		vcpu_regs_changed(t->vcpu);
		pt->forced_tf = false;
	}
	unlink_tracee(t);
	pt->seized = false;
	pt->options = 0;
	pt->resume = PT_RESUME_CONT;
	pt->interrupt = pt->listening = false;
	if (pt->stopped) {
		pt->exit_code = sig;
		pt->stopped = false;
		pthread_cond_signal(&t->wake);
	}
	task_kick(t);
}

void ptrace_task_gone(struct task *t, int wstatus, bool last_thread)
{
	/* As a tracer: its tracees go free (or die with PTRACE_O_EXITKILL). */
	while (t->pt.tracees) {
		struct task *x = t->pt.tracees;
		if (x->pt.options & PTRACE_O_EXITKILL) {
			siginfo_t info;
			memset(&info, 0, sizeof info);
			info.si_signo = SIGKILL;
			info.si_code = SI_KERNEL;
			sig_send(x->proc, x, SIGKILL, &info);
		}
		ptrace_detach(x, 0);
	}
	while (t->pt.zombies) {
		struct pt_zombie *z = t->pt.zombies;
		t->pt.zombies = z->next;
		if (z->proc)
			process_ptrace_released(z->proc);
		free(z);
	}
	/* As a tracee: the tracer hears of the end, unless it is the parent that waits
	 * for the process anyway. */
	struct task *tr = t->pt.tracer;
	if (!tr)
		return;
	unlink_tracee(t);
	if (last_thread && t->proc->parent == tr->proc)
		return;
	struct pt_zombie *z = calloc(1, sizeof *z);
	if (z) {
		z->proc = last_thread && t->proc->ptrace_delayed ? t->proc : NULL;
		z->tid = t->tid;
		z->uid = t->proc->cred.uid;
		z->pgid = t->proc->pgid;
		z->wstatus = wstatus;
		z->is_clone = t->proc->exit_signal != SIGCHLD;
		z->next = tr->pt.zombies;
		tr->pt.zombies = z;
	}
	struct process *tp = tr->proc;
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = SIGCHLD;
	info.si_pid = t->tid;
	info.si_uid = t->proc->cred.uid;
	info.si_code = WIFEXITED(wstatus) ? CLD_EXITED : WCOREDUMP(wstatus) ? CLD_DUMPED : CLD_KILLED;
	info.si_status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
	if (tp->sighand->action[SIGCHLD - 1].handler != (uint64_t)(uintptr_t)SIG_IGN)
		sig_send(tp, NULL, SIGCHLD, &info);
	for (struct task *x = tp->threads; x; x = x->thread_next)
		if (x->sleeping)
			pthread_cond_signal(&x->wake);
}

static bool filter_matches(const struct wait_filter *w, int tid, int pgid)
{
	if (w->kind == 0)
		return tid == w->id;
	if (w->kind == 1)
		return pgid == w->id;
	return true;
}

int ptrace_wait_scan(struct task *waiter, const struct wait_filter *w, int *wstatus, int *code,
		     int *status, uid_t *uid)
{
	bool any = false;

	for (struct task *th = waiter->proc->threads; th; th = th->thread_next) {
		if ((w->options & __WNOTHREAD) && th != waiter)
			continue;
		for (struct pt_zombie **zp = &th->pt.zombies; *zp; zp = &(*zp)->next) {
			struct pt_zombie *z = *zp;
			if (!filter_matches(w, z->tid, z->pgid))
				continue;
			any = true;
			if (!(w->options & WEXITED))
				continue;
			int tid = z->tid;
			*uid = z->uid;
			*wstatus = z->wstatus;
			if (WIFEXITED(z->wstatus)) {
				*code = CLD_EXITED;
				*status = WEXITSTATUS(z->wstatus);
			} else {
				*code = WCOREDUMP(z->wstatus) ? CLD_DUMPED : CLD_KILLED;
				*status = WTERMSIG(z->wstatus);
			}
			if (!(w->options & WNOWAIT)) {
				*zp = z->next;
				if (z->proc)
					process_ptrace_released(z->proc);
				free(z);
			}
			return tid;
		}
		for (struct task *x = th->pt.tracees; x; x = x->pt.next) {
			if (!filter_matches(w, x->tid, x->proc->pgid))
				continue;
			any = true;
			/* ptrace-stops are reported without WUNTRACED (as Linux). */
			if (x->pt.stopped && x->pt.report) {
				*wstatus = x->pt.wstatus;
				*uid = x->proc->cred.uid;
				*code = CLD_TRAPPED;
				*status = x->pt.wstatus >> 8;
				if (!(w->options & WNOWAIT))
					x->pt.report = false;
				return x->tid;
			}
		}
	}
	return any ? 0 : -ECHILD;
}

bool ptrace_owns_child_stops(const struct process *child, const struct process *parent)
{
	for (const struct task *x = child->threads; x; x = x->thread_next)
		if (x->pt.tracer && x->pt.tracer->proc == parent)
			return true;
	return false;
}
