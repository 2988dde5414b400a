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

#define RW_EXEC 0
#define RW_IO 2
#define HW_STEP_NONE 0
#define HW_STEP_EXEC 1
#define HW_STEP_WATCH 2
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
	if (a->type == RW_EXEC) {
		mm_int3(mm, a->addr, on);
		return;
	}
	enum mm_watch_mode mode = a->type == 1 ? MM_WATCH_WRITE : MM_WATCH_ACCESS;
	for (uint64_t page = a->addr & ~(PAGE - 1); page < a->addr + a->len; page += PAGE)
		mm_watch(mm, page, mode, on);
}

/* Makes what is applied what debugreg says. */
static void sync_applied(struct task *t)
{
	struct hw_applied want[4];

	pthread_mutex_lock(&t->k->mu);
	t->pt.hw_dirty = false;
	for (int i = 0; i < 4; i++) {
		int type = 0;
		unsigned len = 0;
		want[i].on = decode(t->pt.debugreg[7], i, &type, &len) == 1;
		want[i].type = type;
		want[i].addr = t->pt.debugreg[i];
		want[i].len = len;
	}
	pthread_mutex_unlock(&t->k->mu);
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

/* Starts a hidden step: one instruction, then hwbp_on_debug_trap. */
static void start_step(struct task *t, int kind, uint64_t addr)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	t->pt.hw_step = kind;
	t->pt.hw_step_addr = addr;
	t->pt.hw_step_tf = r->rflags & RFLAGS_TF;
	r->rflags = (r->rflags | RFLAGS_TF) & ~RFLAGS_RF;
	vcpu_regs_changed(t->vcpu);
}

void hwbp_before_run(struct task *t)
{
	if (t->pt.hw_dirty)
		sync_applied(t);
	if (t->pt.hw_step != HW_STEP_NONE)
		return;
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	t->pt.block_rip = r->rip;
	struct mm *mm = mm_of(t);
	/* RF: the instruction at a breakpoint runs once (its int3 lifted for it). */
	if ((r->rflags & RFLAGS_RF) && mm && mm->nint3 && mm_int3_at(mm, r->rip)) {
		mm_int3_lift(mm, r->rip, true);
		start_step(t, HW_STEP_EXEC, r->rip);
	}
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
	for (int i = 0; i < 4; i++) {
		const struct hw_applied *a = &t->pt.hw_applied[i];
		if (a->on && a->type == RW_EXEC && a->addr == addr) {
			/* As Linux's handler: RF, so that resuming runs the instruction. */
			r->rflags |= RFLAGS_RF;
			vcpu_regs_changed(t->vcpu);
			report(t, i);
			return true;
		}
	}
	/* Another thread's breakpoint: this one steps over it unseen. */
	vcpu_regs_changed(t->vcpu);
	mm_int3_lift(mm, addr, true);
	start_step(t, HW_STEP_EXEC, addr);
	return true;
}

void hwbp_on_watch_fault(struct task *t, uint64_t cr2, uint32_t pf_error)
{
	struct mm *mm = mm_of(t);
	uint64_t page = cr2 & ~(PAGE - 1);

	mm_watch_suspend(mm, page, true);
	t->pt.hw_step_cr2 = cr2;
	t->pt.hw_step_write = pf_error & 2;
	start_step(t, HW_STEP_WATCH, page);
}

bool hwbp_on_debug_trap(struct task *t)
{
	struct mm *mm = mm_of(t);
	int kind = t->pt.hw_step;

	if (kind == HW_STEP_NONE) {
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
	t->pt.hw_step = HW_STEP_NONE;
	if (mm && kind == HW_STEP_EXEC)
		mm_int3_lift(mm, t->pt.hw_step_addr, false);
	int hit = -1;
	if (mm && kind == HW_STEP_WATCH) {
		mm_watch_suspend(mm, t->pt.hw_step_addr, false);
		uint64_t c = t->pt.hw_step_cr2;
		for (int i = 0; i < 4 && hit < 0; i++) {
			const struct hw_applied *a = &t->pt.hw_applied[i];
			if (a->on && a->type != RW_EXEC && (a->type == 3 || t->pt.hw_step_write) &&
			    c < a->addr + a->len && c + ACCESS_MAX > a->addr)
				hit = i;
		}
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
	if (kind == HW_STEP_WATCH)
		host_watch_step_done(t, t->pt.hw_step_cr2, t->pt.hw_step_write);
	/* A step the tracer asked for ends here too: its trap is reported as well. */
	return !t->pt.hw_step_tf;
}

void hwbp_exec(struct task *t)
{
	memset(t->pt.debugreg, 0, sizeof t->pt.debugreg);
	t->pt.hw_dirty = false;
	/* The old address space (and its int3s and watches) is gone. */
	memset(t->pt.hw_applied, 0, sizeof t->pt.hw_applied);
	t->pt.hw_step = HW_STEP_NONE;
}

void hwbp_release(struct task *t)
{
	for (int i = 0; i < 4; i++) {
		if (t->pt.hw_applied[i].on)
			apply(t, &t->pt.hw_applied[i], false);
		t->pt.hw_applied[i].on = false;
	}
	if (t->pt.hw_step == HW_STEP_WATCH && mm_of(t))
		mm_watch_suspend(mm_of(t), t->pt.hw_step_addr, false);
	if (t->pt.hw_step == HW_STEP_EXEC && mm_of(t))
		mm_int3_lift(mm_of(t), t->pt.hw_step_addr, false);
	t->pt.hw_step = HW_STEP_NONE;
}
