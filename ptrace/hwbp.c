/* Breakpoints and watchpoints by software (see hwbp.h). */
#include "ptrace/hwbp.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "ptrace/blockstep.h"
#include "ptrace/host_task.h"
#include "ptrace/user_regs.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RW_EXEC 0
#define RW_IO 2
#define PAGE 4096ull
#define ACCESS_MAX 8 /* a faulting access is taken as up to 8 bytes wide */

/* Slot i of dr7: 0 off, 1 on (type, len), -EINVAL for what Linux refuses
 * (arch_bp_generic_fields): I/O breakpoints, execute ones wider than one byte. */
static int decode(uint64_t dr7, int i, int *type, unsigned *len)
{
	unsigned rw = (unsigned)(dr7 >> (16 + 4 * i)) & 3, lb = (unsigned)(dr7 >> (18 + 4 * i)) & 3;

	if (!((dr7 >> (2 * i)) & 3))
		return 0;
	if (rw == RW_IO || (rw == RW_EXEC && lb != 0))
		return -EINVAL;
	*type = (int)rw;
	*len = rw == RW_EXEC ? 1 : lb == 0 ? 1 : lb == 1 ? 2 : lb == 3 ? 4 : 8;
	return 1;
}

/* As hw_breakpoint_arch_parse(): a user address, aligned to its length. */
static bool addr_ok(uint64_t addr, unsigned len)
{
	return addr < PT_TASK_SIZE_MAX && addr + len - 1 < PT_TASK_SIZE_MAX && !(addr & (len - 1));
}

uint64_t hwbp_peek(struct task *x, unsigned n)
{
	return x->pt.debugreg[n];
}

long hwbp_poke(struct task *x, unsigned n, uint64_t val)
{
	uint64_t *dr = x->pt.debugreg;
	int type;
	unsigned len;

	if (n == 4 || n == 5)
		return -EIO;
	if (n == 6) {
		dr[6] = val;
		return 0;
	}
	if (n < 4) {
		int on = decode(dr[7], (int)n, &type, &len);
		if (!addr_ok(val, on == 1 ? len : 1))
			return -EINVAL;
		dr[n] = val;
	} else {
		val &= ~DR7_RESERVED;
		for (int i = 0; i < 4; i++) {
			int on = decode(val, i, &type, &len);
			if (on < 0 || (on && !addr_ok(dr[i], len)))
				return -EINVAL; /* and DR7 stays as it was */
		}
		dr[7] = val;
	}
	x->pt.hw_dirty = true;
	return 0;
}

static struct mm *mm_of(struct task *t)
{
	return t->proc->mm;
}

/* Puts slot a into (on) or out of the address space. */
static void apply(struct task *t, const struct hw_applied *a, bool on)
{
	struct mm *mm = mm_of(t);

	if (!mm)
		return;
	enum mm_watch_mode mode = a->type == RW_EXEC ? MM_WATCH_EXEC : a->type == 1 ? MM_WATCH_WRITE : MM_WATCH_ACCESS;
	for (uint64_t page = a->addr & ~(PAGE - 1); page < a->addr + a->len; page += PAGE)
		mm_watch(mm, page, mode, on);
}

/* Makes what is applied what debugreg says. */
static void sync_applied(struct task *t)
{
	struct hw_applied want[4];

	pthread_mutex_lock(&t->k->mu);
	t->pt.hw_dirty = false;
	t->pt.exec_resumed = false;
	for (int i = 0; i < 4; i++) {
		int type = 0;
		unsigned len = 0;
		want[i].on = decode(t->pt.debugreg[7], i, &type, &len) == 1;
		want[i].type = type;
		want[i].addr = t->pt.debugreg[i];
		want[i].len = len;
	}
	uint64_t dr7 = t->pt.debugreg[7] & ~DR7_RESERVED;
	pthread_mutex_unlock(&t->k->mu);
	if (t->vm->platform.guest_debugregs_fire) {
		/* The platform fires debug registers in ring 3: the vCPU's own, as Linux. */
		uint64_t addr[4];
		for (int i = 0; i < 4; i++) {
			addr[i] = want[i].addr;
			if (!want[i].on)
				dr7 &= ~(3ull << (2 * i));
		}
		if (vcpu_set_debugregs(t->vcpu, addr, dr7) == 0)
			memcpy(t->pt.hw_applied, want, sizeof want);
		t->pt.hw_real = true;
		return;
	}
	for (int i = 0; i < 4; i++) {
		struct hw_applied *a = &t->pt.hw_applied[i];
		if (a->on == want[i].on && (!a->on || (a->type == want[i].type && a->addr == want[i].addr &&
						       a->len == want[i].len)))
			continue;
		if (a->on)
			apply(t, a, false);
		if (want[i].on)
			apply(t, &want[i], true);
		*a = want[i];
	}
}

/* Starts a hidden step: one instruction, then hwbp_on_debug_trap. An instruction that
 * faults on a second watched page (a fetch and then a store) restarts within the same
 * step: the step keeps the TF it found first. */
static void start_step(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	if (!t->pt.hw_step) {
		t->pt.hw_step = true;
		t->pt.hw_step_tf = r->rflags & RFLAGS_TF;
	}
	r->rflags = (r->rflags | RFLAGS_TF) & ~RFLAGS_RF;
	vcpu_regs_changed(t->vcpu);
}

/* Lifts the int3 at va for the step. */
static void step_lift_int3(struct task *t, struct mm *mm, uint64_t va)
{
	mm_int3_lift(mm, va, true);
	t->pt.hw_step_int3 = true;
	t->pt.hw_step_int3_va = va;
	start_step(t);
}

void hwbp_before_run(struct task *t)
{
	if (t->pt.hw_dirty)
		sync_applied(t);
	if (t->pt.hw_step)
		return;
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	t->pt.block_rip = r->rip;
	struct mm *mm = mm_of(t);
	/* RF: the instruction at a breakpoint runs once (its int3 lifted for it). */
	if ((r->rflags & RFLAGS_RF) && mm && mm->nint3 && mm_int3_at(mm, r->rip))
		step_lift_int3(t, mm, r->rip);
}

/* SIGTRAP for debug register i's hit (DR6 says which), as Linux's ptrace_triggered()
 * and send_sigtrap(): forced, si_addr the instruction pointer. */
static void report(struct task *t, int i)
{
	siginfo_t info;

	memset(&info, 0, sizeof info);
	info.si_signo = SIGTRAP;
	info.si_code = TRAP_HWBKPT;
	info.si_addr = (void *)(uintptr_t)vcpu_regs(t->vcpu)->rip;
	pthread_mutex_lock(&t->k->mu);
	t->pt.debugreg[6] = 1ull << i;
	sig_force(t, &info, false);
	pthread_mutex_unlock(&t->k->mu);
}

bool hwbp_on_int3(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	struct mm *mm = mm_of(t);
	uint64_t addr = r->rip - 1;

	if (!mm || !mm->nint3 || !mm_int3_at(mm, addr))
		return false;
	r->rip = addr;
	/* A host session's breakpoint for another process sharing this address space (a
	 * vfork child): this one steps over it unseen. */
	vcpu_regs_changed(t->vcpu);
	step_lift_int3(t, mm, addr);
	return true;
}

/* An instruction fetch on a page with an execute breakpoint: is rip one (a guest
 * tracer's debug register, or a host session's)? Then it stops before the instruction
 * runs, as the hardware's fault-type trap; resuming at the same address runs it. */
static bool exec_breakpoint(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	if (t->pt.exec_resumed && t->pt.exec_resumed_rip == r->rip) {
		t->pt.exec_resumed = false;
		return false;
	}
	for (int i = 0; i < 4; i++) {
		const struct hw_applied *a = &t->pt.hw_applied[i];
		if (a->on && a->type == RW_EXEC && a->addr == r->rip) {
			/* As Linux's handler: RF, so that resuming runs the instruction. */
			r->rflags |= RFLAGS_RF;
			vcpu_regs_changed(t->vcpu);
			t->pt.exec_resumed = true;
			t->pt.exec_resumed_rip = r->rip;
			report(t, i);
			return true;
		}
	}
	if (host_on_exec_breakpoint(t)) {
		t->pt.exec_resumed = true;
		t->pt.exec_resumed_rip = r->rip;
		return true;
	}
	return false;
}

void hwbp_on_watch_fault(struct task *t, uint64_t cr2, uint32_t pf_error)
{
	struct mm *mm = mm_of(t);
	uint64_t page = cr2 & ~(PAGE - 1);
	bool fetch = pf_error & PF_ERR_FETCH;

	if (fetch && !t->pt.hw_step && exec_breakpoint(t))
		return;
	/* Any other access goes through with the page as the program mapped it, for one
	 * instruction. */
	if (t->pt.hw_step_npages < 2) {
		mm_watch_suspend(mm, page, true);
		t->pt.hw_step_pages[t->pt.hw_step_npages++] = page;
	}
	if (!fetch) {
		t->pt.hw_step_data = true;
		t->pt.hw_step_cr2 = cr2;
		t->pt.hw_step_write = pf_error & PF_ERR_WRITE;
	}
	start_step(t);
}

/* A #DB of the vCPU's own debug registers (platforms that fire them): reported as
 * Linux's ptrace_triggered() does, the first slot DR6 names. */
static bool real_trap(struct task *t)
{
	uint64_t dr6;

	if (!t->pt.hw_real || vcpu_take_dr6(t->vcpu, &dr6))
		return false;
	for (int i = 0; i < 4; i++)
		if ((dr6 & (1ull << i)) && t->pt.hw_applied[i].on) {
			if (t->pt.hw_applied[i].type == RW_EXEC) {
				/* A fault-type trap: RF lets the instruction run on resuming. */
				vcpu_regs(t->vcpu)->rflags |= RFLAGS_RF;
				vcpu_regs_changed(t->vcpu);
			}
			report(t, i);
			return true;
		}
	return false;
}

static bool finish_step(struct task *t, bool check);

bool hwbp_on_debug_trap(struct task *t)
{
	struct mm *mm = mm_of(t);

	if (!t->pt.hw_step && real_trap(t))
		return true;
	if (!t->pt.hw_step) {
		/* PTRACE_SINGLEBLOCK: a step that did not take a branch goes on unseen. */
		if (t->pt.resume == PT_RESUME_SINGLEBLOCK && t->pt.tracer) {
			uint8_t code[16];
			uint64_t from = t->pt.block_rip, to = vcpu_regs(t->vcpu)->rip;
			if (mm && !mm_peek_force(mm, code, from, sizeof code) &&
			    !blockstep_branch_taken(code, sizeof code, from, to)) {
				t->pt.block_rip = to;
				return true;
			}
		}
		pthread_mutex_lock(&t->k->mu);
		t->pt.debugreg[6] = DR6_BS;
		pthread_mutex_unlock(&t->k->mu);
		return false;
	}
	return finish_step(t, true);
}

/* Puts back what a hidden step lifted: the int3, the watched pages' narrowing. */
static void step_restore(struct task *t)
{
	struct mm *mm = mm_of(t);

	if (mm && t->pt.hw_step_int3)
		mm_int3_lift(mm, t->pt.hw_step_int3_va, false);
	for (int i = 0; mm && i < t->pt.hw_step_npages; i++)
		mm_watch_suspend(mm, t->pt.hw_step_pages[i], false);
	t->pt.hw_step = t->pt.hw_step_int3 = t->pt.hw_step_data = false;
	t->pt.hw_step_npages = 0;
}

/* Ends a hidden step: TF as it was; with check, the data watchpoints the access hit are
 * reported. Returns true when the step was hvtrace's alone (nothing for anyone to see). */
static bool finish_step(struct task *t, bool check)
{
	bool data = t->pt.hw_step_data && check;
	int hit = -1;

	step_restore(t);
	for (int i = 0; i < 4 && hit < 0 && data; i++) {
		const struct hw_applied *a = &t->pt.hw_applied[i];
		uint64_t c = t->pt.hw_step_cr2;
		if (a->on && a->type != RW_EXEC && (a->type == 3 || t->pt.hw_step_write) &&
		    c < a->addr + a->len && c + ACCESS_MAX > a->addr)
			hit = i;
	}
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	if (!t->pt.hw_step_tf) {
		r->rflags &= ~RFLAGS_TF;
		vcpu_regs_changed(t->vcpu);
	}
	if (hit >= 0) {
		report(t, hit);
	} else if (t->pt.hw_step_tf) {
		pthread_mutex_lock(&t->k->mu);
		t->pt.debugreg[6] = DR6_BS;
		pthread_mutex_unlock(&t->k->mu);
	}
	if (data)
		host_watch_step_done(t, t->pt.hw_step_cr2, t->pt.hw_step_write);
	/* A step the tracer asked for ends here too: its trap is reported as well. */
	return !t->pt.hw_step_tf;
}

void hwbp_syscall_entered(struct task *t)
{
	if (t->pt.hw_step)
		finish_step(t, false);
}

void hwbp_exec(struct task *t)
{
	memset(t->pt.debugreg, 0, sizeof t->pt.debugreg);
	t->pt.hw_dirty = false;
	/* The old address space (and its int3s and watches) is gone. */
	memset(t->pt.hw_applied, 0, sizeof t->pt.hw_applied);
	if (t->pt.hw_real) {
		static const uint64_t none[4];
		vcpu_set_debugregs(t->vcpu, none, 0);
		t->pt.hw_real = false;
	}
	t->pt.hw_step = t->pt.hw_step_int3 = t->pt.hw_step_data = false;
	t->pt.hw_step_npages = 0;
}

void hwbp_release(struct task *t)
{
	for (int i = 0; i < 4; i++) {
		if (t->pt.hw_applied[i].on && !t->pt.hw_real)
			apply(t, &t->pt.hw_applied[i], false);
		t->pt.hw_applied[i].on = false;
	}
	step_restore(t);
}
