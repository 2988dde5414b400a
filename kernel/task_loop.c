/* The life of a task thread: run the vCPU, turn each event into a syscall, a page fault
 * or a signal, and deliver signals on the way back to the guest (Linux's
 * exit_to_user_mode_loop). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pte.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/signal.h"
#include "kernel/signal_frame.h"
#include "kernel/syscall.h"
#include "kernel/transport.h"
#include "ptrace/host_task.h"
#include "ptrace/hwbp.h"
#include "vmm/log.h"
#include "vmm/vm.h"
#include "vmm/vcpu.h"

#define SYSCALL_INSN_LEN 2
/* How soon to look again when a kick found the vCPU inside the exit-less trampoline. */
#define RETRY_KICK_NS 50000

static bool is_restart(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

/* Re-executes the interrupted syscall on return (RIP back onto `syscall`); after
 * ERESTART_RESTARTBLOCK it is restart_syscall(2), which resumes the saved sleep. */
static void restart_syscall(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	r->rax = t->restart_ret == -ERESTART_RESTARTBLOCK ? __NR_restart_syscall : t->orig_rax;
	r->rip -= SYSCALL_INSN_LEN;
	vcpu_regs_changed(t->vcpu);
}

/* As Linux's handle_signal() before the frame: the syscall's fate. */
static void restart_for_handler(struct task *t, const struct ksigaction *act)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	switch (t->restart_ret) {
	case -ERESTARTSYS:
		if (act->flags & SA_RESTART) {
			restart_syscall(t);
			break;
		}
		__attribute__((fallthrough));
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		r->rax = (uint64_t)-EINTR;
		vcpu_regs_changed(t->vcpu);
		break;
	case -ERESTARTNOINTR:
		restart_syscall(t);
		break;
	}
	t->restart_ret = 0;
}

/* Dies by signo's default action. Preconditions: k->mu held. */
static void die_by_signal(struct task *t, int signo, const siginfo_t *info)
{
	struct process *p = t->proc;
	/* The status's core bit says a dump was written; Linux writes none with
	 * RLIMIT_CORE 0. hvtrace never writes one, but reports what Linux would. */
	bool core = sig_default_action(signo) == SIG_DEFAULT_CORE && p->rlim[RLIMIT_CORE].rlim_cur != 0;

	if (!p->group_exiting && info->si_code > 0 && (SIGBIT(signo) & (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) |
	    SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE)))) {
		p->fault_exit = (struct task_exit){.is_signal = true, .code = signo, .core = core};
		p->fault_addr = (uint64_t)(uintptr_t)info->si_addr;
		p->fault_rip = vcpu_regs(t->vcpu)->rip;
		p->fault_code = info->si_code;
		hv_info("pid %d killed by %s (%s, address %#llx, rip %#llx)", p->pid, sig_name(signo),
			sig_code_name(signo, info->si_code), (unsigned long long)p->fault_addr,
			(unsigned long long)p->fault_rip);
	}
	sig_group_exit(p, signo | (core ? 0x80 : 0));
	/* This thread ends by the signal it dequeued: as Linux's do_group_exit(), it is
	 * not itself killed (a tracer still sees its PTRACE_EVENT_EXIT). */
	t->killed = false;
	t->has_exited = true;
}

/* Signal delivery on the way back to the guest. Preconditions: the vCPU is at a user
 * instruction boundary (registers exact). */
static void do_work(struct task *t)
{
	struct kernel *k = t->k;
	struct process *p = t->proc;
	siginfo_t info;

	atomic_store(&t->work, 0);
	pthread_mutex_lock(&k->mu);
	for (;;) {
		if (t->has_exited)
			break;
		if (t->killed) {
			t->has_exited = true;
			break;
		}
		/* A host tracer's stop asked for (attach, interrupt, a new task's first). */
		if (t->ht.pending) {
			host_pending_stop(t);
			continue;
		}
		bool traced = t->pt.tracer != NULL;
		/* A traced task takes its group-stop (and PTRACE_INTERRUPT) as a ptrace-stop;
		 * once the tracer resumes it, it runs although the group is stopped. */
		if (traced && ptrace_group_stop(t))
			continue;
		if (p->stopped && !(traced && t->pt.group_stop_taken)) {
			task_sleep_nosignal(t);
			continue;
		}
		int signo = sig_dequeue(t, &info);
		if (!signo)
			break;
		/* The signal-delivery-stop: the tracer may drop the signal or change it. */
		if (traced && signo != SIGKILL && !(signo = ptrace_signal(t, signo, &info)))
			continue;
		if (t->ht.s && !(signo = host_signal(t, signo, &info)))
			continue;
		struct ksigaction *act = &p->sighand->action[signo - 1];
		if (act->handler == (uint64_t)(uintptr_t)SIG_IGN)
			continue;
		if (act->handler == (uint64_t)(uintptr_t)SIG_DFL) {
			switch (sig_default_action(signo)) {
			case SIG_DEFAULT_IGNORE:
			case SIG_DEFAULT_CONT:
				continue;
			case SIG_DEFAULT_STOP:
				if (!p->stopped && !p->group_exiting) {
					p->stopped = true;
					for (struct task *x = p->threads; x; x = x->thread_next)
						x->pt.group_stop_taken = false;
					p->stop_signo = signo;
					p->report_stopped = true;
					p->report_continued = false;
					sig_notify_parent_stop(p, CLD_STOPPED);
					for (struct task *x = p->threads; x; x = x->thread_next)
						if (x != t)
							task_kick(x);
				}
				continue;
			case SIG_DEFAULT_TERM:
			case SIG_DEFAULT_CORE:
				die_by_signal(t, signo, &info);
				continue;
			}
		}
		/* A handler. */
		struct ksigaction a = *act;
		if (t->restart_ret)
			restart_for_handler(t, &a);
		if (sig_setup_frame(t, signo, &info, &a)) {
			/* As Linux's signal_setup_done() failing: SIGSEGV, forced. */
			p->sighand->action[SIGSEGV - 1].handler = (uint64_t)(uintptr_t)SIG_DFL;
			t->blocked &= ~SIGBIT(SIGSEGV);
			siginfo_t si;
			memset(&si, 0, sizeof si);
			si.si_signo = SIGSEGV;
			si.si_code = SI_KERNEL;
			sig_send(p, t, SIGSEGV, &si);
			continue;
		}
		t->restore_saved_mask = false;
		t->blocked |= a.mask;
		if (!(a.flags & SA_NODEFER))
			t->blocked |= SIGBIT(signo);
		t->blocked &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		if (a.flags & SA_RESETHAND)
			*act = (struct ksigaction){0};
		/* A step into a handler stops at its first instruction, as Linux. */
		if (t->pt.tracer)
			ptrace_handler_entered(t);
	}
	if (!t->has_exited) {
		if (t->restart_ret) {
			/* No handler ran: the syscall starts over (as Linux without a handler). */
			restart_syscall(t);
			t->restart_ret = 0;
		}
		if (t->restore_saved_mask) {
			t->blocked = t->saved_mask;
			t->restore_saved_mask = false;
		}
	}
	pthread_mutex_unlock(&k->mu);
}

/* A fault's signal, as Linux's force_sig_fault(): it cannot be blocked or ignored. */
static void force_fault_signal(struct task *t, const struct fault_signal *fs, const struct vcpu_event *ev)
{
	struct kernel *k = t->k;
	siginfo_t info;

	memset(&info, 0, sizeof info);
	info.si_signo = fs->signo;
	info.si_code = fs->code;
	info.si_addr = (void *)(uintptr_t)fs->addr;
	t->fault_trapno = ev->vector;
	t->fault_err = ev->error_code;
	t->fault_cr2 = ev->vector == VEC_PF ? ev->cr2 : 0;
	pthread_mutex_lock(&k->mu);
	sig_force(t, &info, false);
	pthread_mutex_unlock(&k->mu);
}

/* A page fault with guest RAM exhausted. Linux would run its OOM killer; we kill the
 * faulting process, as Linux does with vm.oom_kill_allocating_task=1, and say so on
 * stderr as Linux says so in its log (the guest has no log to read). The host never
 * runs out: guest RAM is a fixed reservation (--mem). */
static void oom_kill(struct task *t)
{
	struct kernel *k = t->k;
	siginfo_t info = {.si_signo = SIGKILL, .si_code = SI_KERNEL};

	pthread_mutex_lock(&k->mu);
	hv_err("guest out of memory (%llu MiB of guest RAM in use, see --mem): killed process %d (%s)",
	       (unsigned long long)(frames_used(&k->vm->mem) * PAGE_SIZE >> 20), t->proc->pid,
	       t->proc->comm);
	sig_send(t->proc, NULL, SIGKILL, &info);
	pthread_mutex_unlock(&k->mu);
}

static void run_syscall(struct task *t, uint64_t nr)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	bool traced = ptrace_traced(&t->pt);
	bool htraced = host_traced(&t->ht);

	hwbp_syscall_entered(t);
	t->orig_rax = nr;
	if (traced || htraced) {
		/* As Linux's pt_regs during a call: rax reads -ENOSYS until the result (a
		 * tracer looks at it in syscall and event stops). */
		r->rax = (uint64_t)-ENOSYS;
		vcpu_regs_changed(t->vcpu);
	}
	/* A host tracer sees the call first, as the program made it, and its result last. */
	if (htraced && host_syscall_enter(t)) {
		if (!t->has_exited)
			host_syscall_exit(t);
		return;
	}
	/* The syscall-enter-stop: the tracer may change the number and the arguments, or
	 * skip the call (its rax is then the result). */
	if (traced && ptrace_syscall_enter(t)) {
		ptrace_syscall_exit(t);
		if (htraced && !t->has_exited)
			host_syscall_exit(t);
		return;
	}
	/* Then seccomp, which may refuse the call (or let the tracer change it). */
	if (atomic_load_explicit(&t->seccomp.mode, memory_order_relaxed) && !seccomp_syscall_allowed(t)) {
		if (traced && !t->has_exited)
			ptrace_syscall_exit(t);
		if (htraced && !t->has_exited)
			host_syscall_exit(t);
		return;
	}
	nr = t->orig_rax;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	long ret = syscall_dispatch(t, nr, args);
	if (nr == __NR_rt_sigreturn && syscall_handler(nr)) {
		/* The registers are the frame's (or a forced SIGSEGV is pending). As Linux's
		 * restore_sigcontext(), orig_rax is -1: no restart of what the frame held. */
		t->orig_rax = (uint64_t)-1;
		t->restart_deadline_ns = 0; /* a later restart_syscall is EINTR, as Linux */
		if (traced && !t->has_exited)
			ptrace_syscall_exit(t);
		if (htraced && !t->has_exited)
			host_syscall_exit(t);
		return;
	}
	r->rax = (uint64_t)ret;
	vcpu_regs_changed(t->vcpu);
	if (traced && !t->has_exited) {
		/* The exit stop shows the raw result, ERESTART* included, as Linux. */
		ptrace_syscall_exit(t);
		ret = (long)r->rax;
	}
	if (htraced && !t->has_exited) {
		host_syscall_exit(t);
		ret = (long)r->rax;
	}
	if (is_restart(ret)) {
		t->restart_ret = ret;
		r->rax = (uint64_t)-EINTR;
		atomic_fetch_or(&t->work, TASK_WORK_SIGNAL);
	}
}

/* Handles one event. Returns -1 when the guest cannot go on (message in k->fatal). */
static int handle_event(struct task *t, struct vcpu_event *ev)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	struct fault_signal sig = {0};

	switch (ev->kind) {
	case VEV_SYSCALL_SLOT: {
		long ret;
		enum transport_action act = transport_on_fallback(t, &ret);
		if (act == TRANSPORT_RESUME)
			return 0;
		if (act == TRANSPORT_RETURN) {
			r->rax = (uint64_t)ret;
			vcpu_regs_changed(t->vcpu);
			return 0;
		}
		/* Registers are at syscall entry now: as the exit path. */
		run_syscall(t, (uint32_t)r->rax);
		return 0;
	}
	case VEV_SYSCALL:
		/* As Linux's do_syscall_64(): the number is the low 32 bits of RAX. */
		run_syscall(t, (uint32_t)r->rax);
		return 0;
	case VEV_EXCEPTION: {
		int pf = 0;
		t->orig_rax = (uint64_t)-1; /* as Linux's pt_regs of an exception */
		if (ev->vector == VEC_PF) {
			pf = mm_fault(t->proc->mm, ev->cr2, (uint32_t)ev->error_code);
			if (pf == 0)
				return 0;
			if (pf == MM_FAULT_WATCH) {
				hwbp_on_watch_fault(t, ev->cr2, (uint32_t)ev->error_code);
				return 0;
			}
			if (pf == -ENOMEM) {
				oom_kill(t);
				return 0;
			}
		}
		/* A tracer's breakpoints and their hidden steps (ptrace/hwbp.h). */
		if (ev->vector == VEC_BP && (host_on_int3(t) || hwbp_on_int3(t)))
			return 0;
		if (ev->vector == VEC_DB && (hwbp_on_debug_trap(t) || host_on_debug_trap(t)))
			return 0;
		struct fpu_status fpu, *fp = NULL;
		if ((ev->vector == VEC_MF || ev->vector == VEC_XM) &&
		    !vcpu_get_fpu_status(t->vcpu, &fpu.fcw, &fpu.fsw, &fpu.mxcsr))
			fp = &fpu;
		sig_from_exception(ev, r->rip, pf, fp, &sig);
		if (sig.signo)
			force_fault_signal(t, &sig, ev);
		return 0;
	}
	case VEV_DEBUG:
		t->orig_rax = (uint64_t)-1;
		if (host_on_debug_trap(t))
			return 0;
		sig = (struct fault_signal){.signo = SIGTRAP, .code = TRAP_TRACE, .addr = r->rip};
		force_fault_signal(t, &sig, ev);
		return 0;
	case VEV_INTERRUPTED:
		return 0;
	case VEV_FATAL: {
		char regs[400];
		vcpu_describe_state(t->vcpu, regs, sizeof regs);
		pthread_mutex_lock(&t->k->mu);
		if (!t->k->fatal[0])
			snprintf(t->k->fatal, sizeof t->k->fatal, "guest stopped (pid %d): %s; %s",
				 t->proc->pid, ev->what, regs);
		pthread_mutex_unlock(&t->k->mu);
		return -1;
	}
	}
	return 0;
}

/* A one-shot kick of this thread, for when a signal found the vCPU inside the
 * exit-less trampoline and the guest might go back to user code without an exit. */
static void arm_retry_kick(timer_t *timer, bool *have)
{
	if (!*have) {
		struct sigevent sev;
		memset(&sev, 0, sizeof sev);
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = SIGKICK;
		sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, timer))
			return;
		*have = true;
	}
	struct itimerspec its = {.it_value = {0, RETRY_KICK_NS}};
	timer_settime(*timer, 0, &its, NULL);
}

static void *task_main(void *arg)
{
	struct task *t = arg;
	struct kernel *k = t->k;
	struct vcpu_event ev;
	timer_t retry;
	bool have_retry = false;

	pthread_mutex_lock(&k->mu);
	t->host_tid = (pid_t)syscall(SYS_gettid);
	pthread_mutex_unlock(&k->mu);

	if (vcpu_set_owner(t->vcpu) || transport_start(t, (enum syscall_transport)k->transport)) {
		pthread_mutex_lock(&k->mu);
		if (!k->fatal[0])
			snprintf(k->fatal, sizeof k->fatal, "pid %d: cannot set up its vCPU", t->proc->pid);
		sig_group_exit(k->init, SIGKILL);
		sig_group_exit(t->proc, SIGKILL);
		pthread_mutex_unlock(&k->mu);
		t->has_exited = true;
	}
	while (!t->has_exited) {
		if (atomic_load(&t->work)) {
			/* SIGKILL needs no user boundary: the registers do not matter any more. */
			if (t->killed)
				break;
			if (!transport_mid_call(t))
				do_work(t);
			else
				arm_retry_kick(&retry, &have_retry);
			if (t->has_exited)
				break;
		}
		/* A shootdown's re-stores wait for ring 3: come back soon (vcpu_flush_blocked). */
		if (vcpu_flush_blocked(t->vcpu))
			arm_retry_kick(&retry, &have_retry);
		hwbp_before_run(t);
		transport_before_entry(t);
		if (vcpu_run(t->vcpu, &ev) || handle_event(t, &ev)) {
			/* The guest cannot go on: the whole guest ends (as a kernel panic). */
			pthread_mutex_lock(&k->mu);
			if (!k->fatal[0])
				snprintf(k->fatal, sizeof k->fatal, "pid %d: vCPU failure", t->proc->pid);
			for (struct process *p = k->procs; p; p = p->all_next)
				if (p->state == PROC_LIVE)
					sig_group_exit(p, SIGKILL);
			pthread_mutex_unlock(&k->mu);
		}
	}
	if (have_retry)
		timer_delete(retry);
	pthread_mutex_lock(&k->mu);
	t->exit_wstatus = t->self_exit ? (t->exit.code & 0xff) << 8 : t->proc->group_exit_wstatus;
	pthread_mutex_unlock(&k->mu);
	if (ptrace_traced(&t->pt))
		ptrace_exit_event(t, t->exit_wstatus);
	hwbp_release(t);
	transport_stop(t);
	task_exit_final(t);
	return NULL;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The handlers keep a few pages on the stack (signal frames, XSAVE images). */
	pthread_attr_setstacksize(&attr, 1 << 20);
	r = pthread_create(&t->thread, &attr, task_main, t);
	pthread_attr_destroy(&attr);
	if (r)
		return -r;
	t->thread_started = true;
	return 0;
}
