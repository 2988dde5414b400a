/* Host-side tracing, the guest's half: the stops of host-traced tasks (see host.h). */
#include "ptrace/host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "ptrace/host_internal.h"
#include "vmm/vcpu.h"

#define WATCH_ACCESS_MAX 8 /* as ptrace/hwbp.c: a faulting access is up to 8 bytes */

int host_session_create(struct host_session **out, unsigned flags)
{
	struct host_session *s = calloc(1, sizeof *s);
	pthread_condattr_t ca;

	if (!s)
		return -ENOMEM;
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
	if (s->efd < 0) {
		int e = errno;
		free(s);
		return -e;
	}
	pthread_rwlock_init(&s->life, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->flags = flags;
	*out = s;
	return 0;
}

void host_session_free(struct host_session *s)
{
	if (!s)
		return;
	while (s->head) {
		struct host_event_node *n = s->head;
		s->head = n->next;
		free(n);
	}
	while (s->bps) {
		struct host_bp *b = s->bps;
		s->bps = b->next;
		free(b);
	}
	close(s->efd);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	pthread_rwlock_destroy(&s->life);
	free(s);
}

void host_queue(struct host_session *s, const struct hvt_event *ev)
{
	struct host_event_node *n = malloc(sizeof *n);
	uint64_t one = 1;

	pthread_mutex_lock(&s->mu);
	if (n) {
		n->ev = *ev;
		n->next = NULL;
		if (s->tail)
			s->tail->next = n;
		else
			s->head = n;
		s->tail = n;
		/* The counter mirrors the queue's length (EFD_SEMAPHORE: one read per event). */
		if (write(s->efd, &one, sizeof one) < 0) {
			/* Cannot overflow a 64-bit counter; the queue itself is what counts. */
		}
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Does s hand syscalls to its recorder instead of stopping? Preconditions: k->mu held. */
bool host_records(const struct host_session *s)
{
	return s->recorder && (s->flags & HVT_TRACE_SYSCALLS);
}

/* Preconditions: k->mu held. */
void host_link(struct host_session *s, struct task *t, int pending)
{
	t->ht.s = s;
	atomic_store(&t->ht.record, host_records(s));
	atomic_store(&t->ht.traced, true);
	t->ht.pending = pending;
	if (pending)
		task_kick(t);
}

/* Preconditions: k->mu held. */
void host_unlink(struct task *t)
{
	struct task_host *h = &t->ht;

	h->s = NULL;
	atomic_store(&h->traced, false);
	atomic_store(&h->record, false);
	h->pending = 0;
	h->step = false;
	h->resume_sig = 0;
	if (h->stopped) {
		h->stopped = false;
		pthread_cond_signal(&t->wake);
	}
}

void host_session_start(struct host_session *s, struct kernel *k, struct task *t)
{
	pthread_mutex_lock(&s->mu);
	s->k = k;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	s->next = k->host_sessions;
	k->host_sessions = s;
	host_link(s, t, (s->flags & HVT_STOP_AT_ENTRY) ? HVT_EV_START : 0);
}

void host_guest_ended(struct kernel *k, int status)
{
	for (;;) {
		pthread_mutex_lock(&k->mu);
		struct host_session *s = k->host_sessions;
		if (s)
			k->host_sessions = s->next;
		pthread_mutex_unlock(&k->mu);
		if (!s)
			return;
		/* Waits for the session's calls that still use the kernel. */
		pthread_rwlock_wrlock(&s->life);
		struct hvt_event ev = {.kind = HVT_EV_GUEST_EXITED, .status = status};
		clock_gettime(CLOCK_REALTIME, &ev.time);
		pthread_mutex_lock(&s->mu);
		s->k = NULL;
		pthread_mutex_unlock(&s->mu);
		host_queue(s, &ev);
		pthread_mutex_lock(&s->mu);
		s->ended = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_rwlock_unlock(&s->life);
	}
}

/* Stops t with event ev until the session resumes it (or lets it go, or SIGKILL comes).
 * Returns the signal it was resumed with; one resumed from a stop other than a
 * signal's is sent that signal. Preconditions: k->mu held. */
static int stop_locked(struct task *t, struct hvt_event *ev)
{
	struct task_host *h = &t->ht;
	struct host_session *s = h->s;

	if (!s || t->killed)
		return 0;
	if (h->stepping && ev->kind != HVT_EV_SYSCALL_ENTER && ev->kind != HVT_EV_SYSCALL_EXIT) {
		/* Another stop before the step's trap (an interrupt asked earlier, a
		 * breakpoint, a signal) ends the step, as Linux's next resume sets or clears
		 * TF anew: left set, the next resume would take the forced TF for the
		 * program's own, never clear it, and the program would get a SIGTRAP. */
		struct kvm_regs *r = vcpu_regs(t->vcpu);
		h->stepping = false;
		if (h->step_tf_forced) {
			r->rflags &= ~RFLAGS_TF;
			vcpu_regs_changed(t->vcpu);
		}
	}
	ev->pid = t->proc->pid;
	ev->tid = t->tid;
	ev->stopped = true;
	clock_gettime(CLOCK_REALTIME, &ev->time);
	/* Read at every stop: a host syscall is nothing beside a stop's round trip. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ev->cpu_time);
	h->stopped = true;
	h->step = false;
	h->resume_sig = 0;
	host_queue(s, ev);
	while (h->stopped && h->s == s && !t->killed)
		task_sleep_nosignal(t);
	h->stopped = false;
	int sig = h->resume_sig;
	h->resume_sig = 0;
	if (t->killed || h->s != s)
		return 0;
	if (h->step) {
		/* The step's trap comes back as host_on_debug_trap (or ends at the syscall's
		 * exit when the instruction is a syscall). */
		struct kvm_regs *r = vcpu_regs(t->vcpu);
		h->stepping = true;
		h->step_tf_forced = !(r->rflags & RFLAGS_TF);
		r->rflags |= RFLAGS_TF;
		vcpu_regs_changed(t->vcpu);
	}
	if (sig && ev->kind != HVT_EV_SIGNAL) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		info.si_signo = sig;
		info.si_code = SI_USER;
		sig_send(t->proc, t, sig, &info);
		sig = 0;
	}
	return sig;
}

static void syscall_args(struct task *t, struct hvt_event *ev)
{
	const struct kvm_regs *r = vcpu_regs(t->vcpu);

	ev->nr = (long)t->orig_rax;
	ev->sp = r->rsp;
	ev->args[0] = r->rdi;
	ev->args[1] = r->rsi;
	ev->args[2] = r->rdx;
	ev->args[3] = r->r10;
	ev->args[4] = r->r8;
	ev->args[5] = r->r9;
}

/* Gives ev to t's session's recorder, if it records. No lock held. */
static void record(struct task *t, struct hvt_event *ev)
{
	struct kernel *k = t->k;

	pthread_mutex_lock(&k->mu);
	struct host_session *s = t->ht.s;
	/* A dying task's call has no exit to report, as a stopping session sees no
	 * syscall-exit stop of a killed task. */
	if (!s || !host_records(s) || (ev->kind == HVT_EV_SYSCALL_EXIT && t->killed)) {
		pthread_mutex_unlock(&k->mu);
		return;
	}
	hvt_recorder fn = s->recorder;
	void *arg = s->recorder_arg;
	/* Counted before k->mu goes: a detach waits for the count to drop. */
	atomic_fetch_add(&s->recording, 1);
	ev->pid = t->proc->pid;
	ev->tid = t->tid;
	pthread_mutex_unlock(&k->mu);
	clock_gettime(CLOCK_REALTIME, &ev->time);
	fn(arg, ev);
	atomic_fetch_sub(&s->recording, 1);
}

void host_record_enter(struct task *t, long nr, const uint64_t a[6])
{
	struct hvt_event ev = {.kind = HVT_EV_SYSCALL_ENTER, .nr = nr};

	memcpy(ev.args, a, sizeof ev.args);
	record(t, &ev);
}

void host_record_exit(struct task *t, long nr, const uint64_t a[6], long ret)
{
	struct hvt_event ev = {.kind = HVT_EV_SYSCALL_EXIT, .nr = nr, .ret = ret};

	memcpy(ev.args, a, sizeof ev.args);
	record(t, &ev);
}

bool host_syscall_enter(struct task *t)
{
	struct kernel *k = t->k;
	bool skip = false;

	if (atomic_load_explicit(&t->ht.record, memory_order_relaxed)) {
		struct hvt_event ev = {.kind = HVT_EV_SYSCALL_ENTER};
		syscall_args(t, &ev);
		record(t, &ev);
		return false;
	}
	pthread_mutex_lock(&k->mu);
	/* An attach (or interrupt) that came as the call was made: its stop comes first,
	 * as the session expects the START before anything else. */
	if (t->ht.pending)
		host_pending_stop(t);
	struct host_session *s = t->ht.s;
	if (s && (s->flags & HVT_TRACE_SYSCALLS)) {
		struct hvt_event ev = {.kind = HVT_EV_SYSCALL_ENTER};
		syscall_args(t, &ev);
		stop_locked(t, &ev);
		/* As a ptrace syscall-enter-stop: orig_rax -1 skips the call (rax is then its
		 * result); a dying task runs nothing more. */
		skip = t->killed || t->orig_rax == (uint64_t)-1;
	}
	pthread_mutex_unlock(&k->mu);
	return skip;
}

/* The session's step over a syscall instruction ends after the call, as Linux reports
 * a step over `syscall` at its exit. Preconditions: k->mu held. */
static void end_step(struct task *t)
{
	struct task_host *h = &t->ht;
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	h->stepping = false;
	if (h->step_tf_forced) {
		r->rflags &= ~RFLAGS_TF;
		vcpu_regs_changed(t->vcpu);
	}
	if (h->s) {
		struct hvt_event ev = {.kind = HVT_EV_STEP};
		stop_locked(t, &ev);
	}
}

void host_syscall_exit(struct task *t)
{
	struct kernel *k = t->k;

	if (atomic_load_explicit(&t->ht.record, memory_order_relaxed)) {
		struct hvt_event ev = {.kind = HVT_EV_SYSCALL_EXIT};
		syscall_args(t, &ev);
		ev.ret = (long)vcpu_regs(t->vcpu)->rax;
		record(t, &ev);
	}
	pthread_mutex_lock(&k->mu);
	struct host_session *s = t->ht.s;
	if (s && (s->flags & HVT_TRACE_SYSCALLS) && !host_records(s)) {
		struct hvt_event ev = {.kind = HVT_EV_SYSCALL_EXIT};
		syscall_args(t, &ev);
		ev.ret = (long)vcpu_regs(t->vcpu)->rax;
		stop_locked(t, &ev);
	}
	if (t->ht.stepping && !t->killed)
		end_step(t);
	pthread_mutex_unlock(&k->mu);
}

int host_signal(struct task *t, int signo, siginfo_t *info)
{
	struct host_session *s = t->ht.s;

	if (!s || !(s->flags & HVT_TRACE_SIGNALS) || signo == SIGKILL)
		return signo;
	struct hvt_event ev = {.kind = HVT_EV_SIGNAL, .info = *info};
	t->ht.resume_sig = signo;
	int sig = stop_locked(t, &ev);
	if (sig && sig != signo) {
		/* As ptrace's signal injection: the new signal comes from the tracer. */
		memset(info, 0, sizeof *info);
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
	return sig > 0 && sig <= HV_NSIG ? sig : 0;
}

void host_pending_stop(struct task *t)
{
	struct task_host *h = &t->ht;
	struct hvt_event ev = {.kind = h->pending};

	h->pending = 0;
	if (ev.kind == HVT_EV_START) {
		ev.parent_tid = h->parent_tid;
		ev.is_thread = h->is_thread;
		ev.is_vfork = h->is_vfork;
	}
	stop_locked(t, &ev);
}

/* The session's breakpoint of t's process covering [addr, addr+len) of a kind that
 * matches, or NULL. Preconditions: k->mu held. */
static const struct host_bp *bp_match(const struct host_session *s, int pid, uint64_t addr,
				      uint64_t len, bool exec, bool write)
{
	for (const struct host_bp *b = s->bps; b; b = b->next) {
		if (b->pid != pid || addr >= b->addr + b->len || addr + len <= b->addr)
			continue;
		bool is_exec = b->type == HVT_BP_SW || b->type == HVT_BP_HW;
		if (exec ? is_exec : !is_exec && (b->type != HVT_BP_WRITE || write))
			return b;
	}
	return NULL;
}

bool host_on_int3(struct task *t)
{
	struct kernel *k = t->k;
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	struct mm *mm = t->proc->mm;
	uint64_t addr = r->rip - 1;

	if (!host_traced(&t->ht) || !mm || !mm_int3_at(mm, addr))
		return false;
	pthread_mutex_lock(&k->mu);
	struct host_session *s = t->ht.s;
	bool mine = s && bp_match(s, t->proc->pid, addr, 1, true, false);
	if (mine) {
		/* As a debug register's trap: RF set, so that resuming runs the instruction
		 * once (ptrace/hwbp.c lifts the int3 for it). */
		r->rip = addr;
		r->rflags |= RFLAGS_RF;
		vcpu_regs_changed(t->vcpu);
		struct hvt_event ev = {.kind = HVT_EV_BREAKPOINT, .addr = addr};
		stop_locked(t, &ev);
	}
	pthread_mutex_unlock(&k->mu);
	return mine;
}

bool host_on_exec_breakpoint(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	if (!host_traced(&t->ht))
		return false;
	pthread_mutex_lock(&t->k->mu);
	struct host_session *s = t->ht.s;
	bool mine = s && bp_match(s, t->proc->pid, r->rip, 1, true, false);
	if (mine) {
		r->rflags |= RFLAGS_RF; /* as a debug register's fault-type trap */
		vcpu_regs_changed(t->vcpu);
		struct hvt_event ev = {.kind = HVT_EV_BREAKPOINT, .addr = r->rip};
		stop_locked(t, &ev);
	}
	pthread_mutex_unlock(&t->k->mu);
	return mine;
}

bool host_on_debug_trap(struct task *t)
{
	if (!t->ht.stepping)
		return false;
	pthread_mutex_lock(&t->k->mu);
	end_step(t);
	pthread_mutex_unlock(&t->k->mu);
	return true;
}

void host_watch_step_done(struct task *t, uint64_t cr2, bool write)
{
	if (!host_traced(&t->ht))
		return;
	pthread_mutex_lock(&t->k->mu);
	struct host_session *s = t->ht.s;
	const struct host_bp *b = s ? bp_match(s, t->proc->pid, cr2, WATCH_ACCESS_MAX, false, write) : NULL;
	if (b) {
		struct hvt_event ev = {.kind = HVT_EV_WATCHPOINT, .addr = cr2 > b->addr ? cr2 : b->addr};
		stop_locked(t, &ev);
	}
	pthread_mutex_unlock(&t->k->mu);
}

void host_clone(struct task *parent, struct task *child, bool is_thread, bool is_vfork)
{
	struct host_session *s = parent->ht.s;

	if (!s || !(s->flags & HVT_TRACE_FOLLOW))
		return;
	child->ht.parent_tid = parent->tid;
	child->ht.is_thread = is_thread;
	child->ht.is_vfork = is_vfork;
	/* Its first stop comes before its first instruction. */
	host_link(s, child, HVT_EV_START);
}

void host_forked(struct task *parent, int child_tid, bool is_thread, bool is_vfork)
{
	struct host_session *s = parent->ht.s;

	if (!s || !(s->flags & (is_thread ? HVT_TRACE_CLONE : HVT_TRACE_FORK)))
		return;
	struct hvt_event ev = {.kind = HVT_EV_FORK, .child_tid = child_tid, .is_thread = is_thread,
			       .is_vfork = is_vfork};
	stop_locked(parent, &ev);
}

void host_vfork_done(struct task *parent, int child_tid)
{
	struct host_session *s = parent->ht.s;

	if (!s || !(s->flags & HVT_TRACE_FORK))
		return;
	struct hvt_event ev = {.kind = HVT_EV_VFORK_DONE, .child_tid = child_tid, .is_vfork = true};
	stop_locked(parent, &ev);
}

void host_exec_begin(struct task *t)
{
	struct kernel *k = t->k;
	struct host_bp *mine = NULL;

	if (!host_traced(&t->ht))
		return;
	pthread_mutex_lock(&k->mu);
	struct host_session *s = t->ht.s;
	struct mm *mm = t->proc->mm;
	for (struct host_bp **bp = s ? &s->bps : NULL; bp && *bp;) {
		struct host_bp *b = *bp;
		if (b->pid == t->proc->pid) {
			*bp = b->next;
			b->next = mine;
			mine = b;
		} else {
			bp = &b->next;
		}
	}
	if (!mine)
		mm = NULL;
	if (mm)
		mm_get(mm);
	pthread_mutex_unlock(&k->mu);
	/* Out of the old address space (guest memory: without k->mu): a vfork parent
	 * keeps using it, and would find the child's int3s there. */
	while (mine) {
		struct host_bp *b = mine;
		mine = b->next;
		if (mm)
			host_bp_apply(mm, b, false);
		free(b);
	}
	if (mm)
		mm_put(mm, NULL);
}

void host_exec(struct task *t, int old_tid)
{
	struct kernel *k = t->k;

	if (!host_traced(&t->ht))
		return;
	pthread_mutex_lock(&k->mu);
	struct host_session *s = t->ht.s;
	if (s) {
		/* The breakpoints went with the old address space. */
		for (struct host_bp **bp = &s->bps; *bp;) {
			struct host_bp *b = *bp;
			if (b->pid == t->proc->pid) {
				*bp = b->next;
				free(b);
			} else {
				bp = &b->next;
			}
		}
		if (s->flags & HVT_TRACE_EXEC) {
			struct hvt_event ev = {.kind = HVT_EV_EXEC, .old_tid = old_tid};
			stop_locked(t, &ev);
		}
	}
	pthread_mutex_unlock(&k->mu);
}

void host_task_gone(struct task *t, int wstatus)
{
	struct host_session *s = t->ht.s;

	if (!s)
		return;
	struct hvt_event ev = {.kind = HVT_EV_EXITED, .pid = t->proc->pid, .tid = t->tid, .status = wstatus};
	clock_gettime(CLOCK_REALTIME, &ev.time);
	host_unlink(t);
	host_queue(s, &ev);
}
