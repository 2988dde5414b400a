/* The end of tasks and processes: exit, exit_group, zombies, reparenting, SIGCHLD,
 * and wait4/waitid (Linux's kernel/exit.c). */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/futex.h"
#include "kernel/kernel.h"
#include "kernel/path.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/transport.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"

#define WAIT_ANY_CHILD_FLAGS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)

SYSCALL(exit_group)
{
	pthread_mutex_lock(&t->k->mu);
	sig_group_exit(t->proc, (int)(a[0] & 0xff) << 8);
	t->killed = false; /* the caller exits, it is not killed (PTRACE_EVENT_EXIT) */
	pthread_mutex_unlock(&t->k->mu);
	t->has_exited = true;
	return 0;
}

SYSCALL(exit)
{
	t->exit = (struct task_exit){.is_signal = false, .code = (int)(a[0] & 0xff)};
	t->self_exit = true;
	t->has_exited = true;
	return 0;
}

void process_free(struct process *p)
{
	struct kernel *k = p->k;

	for (struct process **pp = &k->procs; *pp; pp = &(*pp)->all_next)
		if (*pp == p) {
			*pp = p->all_next;
			break;
		}
	if (p->sighand && --p->sighand->refs == 0)
		free(p->sighand);
	sig_flush_pending(&p->shared_pending);
	cred_release(&p->cred);
	free(p->exe_path);
	free(p);
}

static void unlink_child(struct process *p)
{
	if (!p->parent)
		return;
	for (struct process **pp = &p->parent->children; *pp; pp = &(*pp)->sibling)
		if (*pp == p) {
			*pp = p->sibling;
			break;
		}
	p->parent = NULL;
}

static void link_child(struct process *parent, struct process *c)
{
	c->parent = parent;
	c->sibling = parent->children;
	parent->children = c;
}

static void wake_waiters(struct process *p)
{
	for (struct task *x = p->threads; x; x = x->thread_next)
		if (x->sleeping)
			pthread_cond_signal(&x->wake);
}

/* As Linux's do_notify_parent(): SIGCHLD (or the clone's exit signal) and a wake-up for
 * the waiters. Returns true when p must be reaped right away (the parent ignores
 * SIGCHLD or set SA_NOCLDWAIT). Preconditions: k->mu held; p is a zombie. */
static bool notify_parent_exit(struct process *p)
{
	struct process *parent = p->parent;
	int sig = p->exit_signal;
	bool autoreap = false;

	if (!parent)
		return false;
	const struct ksigaction *act = &parent->sighand->action[SIGCHLD - 1];
	if (sig == SIGCHLD && (act->handler == (uint64_t)(uintptr_t)SIG_IGN || (act->flags & SA_NOCLDWAIT))) {
		autoreap = true;
		if (act->handler == (uint64_t)(uintptr_t)SIG_IGN)
			sig = 0;
	}
	if (sig > 0 && sig <= HV_NSIG) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = sig;
		info.si_pid = p->pid;
		info.si_uid = p->cred.uid;
		if (WIFEXITED(p->wstatus)) {
			info.si_code = CLD_EXITED;
			info.si_status = WEXITSTATUS(p->wstatus);
		} else {
			info.si_code = WCOREDUMP(p->wstatus) ? CLD_DUMPED : CLD_KILLED;
			info.si_status = WTERMSIG(p->wstatus);
		}
		sig_send(parent, NULL, sig, &info);
	}
	wake_waiters(parent);
	return autoreap;
}

/* The process that inherits p's children: the nearest live subreaper above p, else
 * pid 1 (as Linux's find_new_reaper). Preconditions: k->mu held. */
static struct process *find_reaper(struct process *p)
{
	for (struct process *a = p->parent; a; a = a->parent)
		if (a->is_subreaper && a->state == PROC_LIVE && !a->group_exiting)
			return a;
	struct process *init = p->k->init;
	return init == p ? NULL : init;
}

/* Preconditions: k->mu held; p has no threads left. */
static void process_become_zombie(struct process *p, int last_code)
{
	struct kernel *k = p->k;

	p->wstatus = p->group_exiting ? p->group_exit_wstatus : (last_code & 0xff) << 8;
	p->state = PROC_ZOMBIE;
	sig_flush_pending(&p->shared_pending);

	struct process *reaper = find_reaper(p);
	while (p->children) {
		struct process *c = p->children;
		p->children = c->sibling;
		c->parent = NULL;
		if (c->pdeath_signal && c->state == PROC_LIVE) {
			siginfo_t info;
			memset(&info, 0, sizeof info);
			info.si_signo = c->pdeath_signal;
			info.si_code = SI_USER;
			info.si_pid = p->pid;
			info.si_uid = p->cred.uid;
			sig_send(c, NULL, c->pdeath_signal, &info);
		}
		if (!reaper) {
			/* pid 1 is gone: every orphan dies with the guest and is reaped by it. */
			if (c->state == PROC_LIVE)
				sig_group_exit(c, SIGKILL);
			if (c->state == PROC_ZOMBIE)
				c->state = PROC_DEAD;
			continue;
		}
		link_child(reaper, c);
		c->exit_signal = c->exit_signal > 0 ? SIGCHLD : c->exit_signal;
		if (c->state == PROC_ZOMBIE && notify_parent_exit(c)) {
			unlink_child(c);
			c->state = PROC_DEAD;
		}
	}
	if (p == k->init) {
		for (struct process *q = k->procs; q; q = q->all_next)
			if (q->state == PROC_LIVE)
				sig_group_exit(q, SIGKILL);
		return;
	}
	if (!p->ptrace_delayed && notify_parent_exit(p)) {
		unlink_child(p);
		p->state = PROC_DEAD;
	}
}

void process_ptrace_released(struct process *p)
{
	if (!p->ptrace_delayed)
		return;
	p->ptrace_delayed = false;
	if (p->state == PROC_ZOMBIE && notify_parent_exit(p)) {
		unlink_child(p);
		p->state = PROC_DEAD;
	}
}

void task_exit_final(struct task *t)
{
	struct kernel *k = t->k;
	struct process *p = t->proc;
	struct vcpu *c = t->vcpu;

	/* As Linux's mm_release(): the futexes first, then CLONE_CHILD_CLEARTID is cleared
	 * and woken (a joiner must find the dead owner's mutexes marked and handed on). */
	futex_exit_release(t);
	if (t->clear_child_tid && p->mm) {
		uint32_t zero = 0;
		if (!put_user(t, t->clear_child_tid, &zero, sizeof zero))
			futex_wake_addr(t, t->clear_child_tid, 1);
	}

	pthread_mutex_lock(&k->mu);
	for (struct task **pp = &p->threads; *pp; pp = &(*pp)->thread_next)
		if (*pp == t) {
			*pp = t->thread_next;
			break;
		}
	bool last = --p->nthreads == 0;
	/* A thread that is not the last must be done with p before it drops k->mu: the
	 * last one may make p a zombie its parent reaps (and frees) meanwhile. */
	if (!last) {
		ptrace_task_gone(t, t->exit_wstatus, false);
		host_task_gone(t, t->exit_wstatus);
	}
	if (t->vfork_parent) {
		t->vfork_parent->vfork_done = true;
		task_kick(t->vfork_parent);
		t->vfork_parent = NULL;
	}
	if (p->exec_waiter)
		pthread_cond_signal(&p->exec_waiter->wake);
	/* The last thread takes the process's reference to the address space; another
	 * takes one of its own, since p (and its reference) may go once k->mu is dropped. */
	struct mm *mm = p->mm;
	struct fdtable *files = last ? p->files : NULL;
	if (last) {
		p->mm = NULL;
		p->files = NULL;
	} else if (mm) {
		mm_get(mm);
	}
	pthread_mutex_unlock(&k->mu);

	if (c && mm)
		mm_detach_vcpu(mm, c);
	if (mm)
		mm_put(mm, c);
	if (files)
		fdt_put(files);

	pthread_mutex_lock(&k->mu);
	if (last) {
		fs_put(p->fs);
		p->fs = NULL;
		/* As Linux's exit_notify(): a tracer that is not the parent reaps first. */
		p->ptrace_delayed = t->pt.tracer && t->pt.tracer->proc != p->parent;
		process_become_zombie(p, t->exit.code);
	}
	if (last) {
		ptrace_task_gone(t, p->wstatus, true);
		host_task_gone(t, p->wstatus);
	}
	sig_flush_pending(&t->pending);
	k->syscalls += t->nr_syscalls;
	seccomp_release(t);
	pthread_cond_destroy(&t->wake);
	if (c)
		vcpu_release(c);
	free(t);
	for (struct process **pp = &k->procs; *pp;) {
		struct process *q = *pp;
		if (q->state == PROC_DEAD && q != k->init) {
			process_free(q);
			continue;
		}
		pp = &q->all_next;
	}
	if (--k->live_threads == 0)
		pthread_cond_broadcast(&k->idle);
	pthread_mutex_unlock(&k->mu);
}

/* ---- wait4 / waitid ---- */

enum wait_kind { WK_PID, WK_PGID, WK_ALL };

struct wait_req {
	enum wait_kind kind;
	int id;
	int options;
};

struct wait_result {
	int pid;
	uid_t uid;
	int wstatus;
	int code; /* CLD_* for waitid */
	int status;
};

/* Is the thread that forked c alive in p? */
static bool creator_alive(const struct process *p, const struct process *c)
{
	for (const struct task *x = p->threads; x; x = x->thread_next)
		if (x->tid == c->creator_tid)
			return true;
	return false;
}

static bool child_matches(const struct wait_req *w, const struct process *c)
{
	if (w->kind == WK_PID && c->pid != w->id)
		return false;
	if (w->kind == WK_PGID && c->pgid != w->id)
		return false;
	/* As Linux's eligible_child(): __WCLONE selects children that report with a signal
	 * other than SIGCHLD; __WALL takes both. */
	bool is_clone = c->exit_signal != SIGCHLD;
	if (!(w->options & __WALL) && is_clone != !!(w->options & __WCLONE))
		return false;
	return true;
}

/* One pass over the children. Returns the pid reported, 0 when matching children exist
 * but none is ready, -ECHILD when none matches. Preconditions: k->mu held. */
static int wait_scan(struct task *t, const struct wait_req *w, struct wait_result *res)
{
	struct process *p = t->proc;
	bool any = false;

	for (struct process *c = p->children; c; c = c->sibling) {
		if (!child_matches(w, c) || c->state == PROC_DEAD)
			continue;
		/* __WNOTHREAD: only the children this thread forked (while it lives, Linux's
		 * children list is per thread). */
		if ((w->options & __WNOTHREAD) && c->creator_tid != t->tid && creator_alive(p, c))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE && c->ptrace_delayed)
			continue; /* its tracer reaps it first */
		if (c->state == PROC_ZOMBIE && (w->options & WEXITED)) {
			res->pid = c->pid;
			res->uid = c->cred.uid;
			res->wstatus = c->wstatus;
			if (WIFEXITED(c->wstatus)) {
				res->code = CLD_EXITED;
				res->status = WEXITSTATUS(c->wstatus);
			} else {
				res->code = WCOREDUMP(c->wstatus) ? CLD_DUMPED : CLD_KILLED;
				res->status = WTERMSIG(c->wstatus);
			}
			if (!(w->options & WNOWAIT)) {
				unlink_child(c);
				c->state = PROC_DEAD;
				process_free(c);
			}
			return res->pid;
		}
		/* Stops of a child the waiter traces are ptrace-stops (ptrace_wait_scan); its
		 * continues are reported as for any child. */
		bool traced = ptrace_owns_child_stops(c, p);
		if (!traced && c->state == PROC_LIVE && c->stopped && c->report_stopped && (w->options & WSTOPPED)) {
			res->pid = c->pid;
			res->uid = c->cred.uid;
			res->wstatus = (c->stop_signo << 8) | 0x7f;
			res->code = CLD_STOPPED;
			res->status = c->stop_signo;
			if (!(w->options & WNOWAIT))
				c->report_stopped = false;
			return res->pid;
		}
		/* Continues are reported to a tracing parent too (Linux's wait_task_continued). */
		if (c->state == PROC_LIVE && c->report_continued && (w->options & WCONTINUED)) {
			res->pid = c->pid;
			res->uid = c->cred.uid;
			res->wstatus = 0xffff;
			res->code = CLD_CONTINUED;
			res->status = SIGCONT;
			if (!(w->options & WNOWAIT))
				c->report_continued = false;
			return res->pid;
		}
	}
	return any ? 0 : -ECHILD;
}

/* The children, then the tracees (Linux's do_wait_thread and ptrace_do_wait).
 * Preconditions: k->mu held. */
static int wait_scan_all(struct task *t, const struct wait_req *w, struct wait_result *res)
{
	int r = wait_scan(t, w, res);

	if (r > 0)
		return r;
	struct wait_filter f = {w->kind == WK_PID ? 0 : w->kind == WK_PGID ? 1 : 2, w->id, w->options};
	int pr = ptrace_wait_scan(t, &f, &res->wstatus, &res->code, &res->status, &res->uid);
	if (pr > 0) {
		res->pid = pr;
		return pr;
	}
	return (r == -ECHILD && pr == -ECHILD) ? -ECHILD : 0;
}

static long do_wait(struct task *t, const struct wait_req *w, struct wait_result *res)
{
	struct kernel *k = t->k;
	long r;

	pthread_mutex_lock(&k->mu);
	for (;;) {
		r = wait_scan_all(t, w, res);
		if (r != 0 || (w->options & WNOHANG))
			break;
		if (task_sleep(t, NULL) == -EINTR) {
			/* As Linux's do_wait(): the children are looked at once more before a
			 * signal ends the wait (the SIGCHLD of the exit that woke us must not
			 * hide that exit). */
			r = wait_scan_all(t, w, res);
			if (r == 0)
				r = -ERESTARTSYS;
			break;
		}
	}
	pthread_mutex_unlock(&k->mu);
	return r;
}

static long put_rusage(struct task *t, uint64_t va)
{
	struct rusage ru;

	if (!va)
		return 0;
	memset(&ru, 0, sizeof ru);
	return put_user(t, va, &ru, sizeof ru);
}

SYSCALL(wait4)
{
	int pid = (int)a[0];
	int options = (int)a[2];
	struct wait_req w = {.options = options | WEXITED};
	struct wait_result res = {0};

	if (options & ~WAIT_ANY_CHILD_FLAGS)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid < -1) {
		w.kind = WK_PGID;
		w.id = -pid;
	} else if (pid == -1) {
		w.kind = WK_ALL;
	} else if (pid == 0) {
		w.kind = WK_PGID;
		pthread_mutex_lock(&t->k->mu);
		w.id = t->proc->pgid;
		pthread_mutex_unlock(&t->k->mu);
	} else {
		w.kind = WK_PID;
		w.id = pid;
	}
	long r = do_wait(t, &w, &res);
	if (r <= 0)
		return r;
	if (a[1] && put_user(t, a[1], &res.wstatus, sizeof res.wstatus))
		return -EFAULT;
	if (put_rusage(t, a[3]))
		return -EFAULT;
	return r;
}

SYSCALL(waitid)
{
	int idtype = (int)a[0];
	int id = (int)a[1];
	int options = (int)a[3];
	struct wait_req w = {.options = options};
	struct wait_result res = {0};

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		w.kind = WK_ALL;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		w.kind = WK_PID;
		w.id = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		w.kind = WK_PGID;
		w.id = id;
		if (!id) {
			pthread_mutex_lock(&t->k->mu);
			w.id = t->proc->pgid;
			pthread_mutex_unlock(&t->k->mu);
		}
		break;
	case P_PIDFD:
		return -EINVAL; /* no pidfds in hvtrace: pidfd_open is ENOSYS */
	default:
		return -EINVAL;
	}
	long r = do_wait(t, &w, &res);
	if (r < 0)
		return r;
	if (a[2]) {
		/* As Linux: with nothing to report under WNOHANG the siginfo is zeroed. */
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (r > 0) {
			si.si_signo = SIGCHLD;
			si.si_code = res.code;
			si.si_pid = res.pid;
			si.si_uid = res.uid;
			si.si_status = res.status;
		}
		if (put_user(t, a[2], &si, sizeof si))
			return -EFAULT;
	}
	if (put_rusage(t, a[4]))
		return -EFAULT;
	return 0;
}
