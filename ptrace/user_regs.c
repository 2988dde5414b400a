/* struct user_regs_struct over the vCPU state (see user_regs.h). */
#include "ptrace/user_regs.h"

#include <errno.h>
#include <stddef.h>

#include "arch/x86_64/cpu.h"


#define UR(field) offsetof(struct user_regs_struct, field)

/* The general registers that map one to one onto struct kvm_regs. */
static uint64_t *gpr(struct kvm_regs *r, unsigned long off)
{
	switch (off) {
	case UR(r15): return (uint64_t *)&r->r15;
	case UR(r14): return (uint64_t *)&r->r14;
	case UR(r13): return (uint64_t *)&r->r13;
	case UR(r12): return (uint64_t *)&r->r12;
	case UR(rbp): return (uint64_t *)&r->rbp;
	case UR(rbx): return (uint64_t *)&r->rbx;
	case UR(r11): return (uint64_t *)&r->r11;
	case UR(r10): return (uint64_t *)&r->r10;
	case UR(r9): return (uint64_t *)&r->r9;
	case UR(r8): return (uint64_t *)&r->r8;
	case UR(rax): return (uint64_t *)&r->rax;
	case UR(rcx): return (uint64_t *)&r->rcx;
	case UR(rdx): return (uint64_t *)&r->rdx;
	case UR(rsi): return (uint64_t *)&r->rsi;
	case UR(rdi): return (uint64_t *)&r->rdi;
	case UR(rip): return (uint64_t *)&r->rip;
	case UR(rsp): return (uint64_t *)&r->rsp;
	}
	return NULL;
}

static struct kvm_segment *seg(struct kvm_sregs *s, unsigned long off)
{
	switch (off) {
	case UR(cs): return &s->cs;
	case UR(ss): return &s->ss;
	case UR(ds): return &s->ds;
	case UR(es): return &s->es;
	case UR(fs): return &s->fs;
	case UR(gs): return &s->gs;
	}
	return NULL;
}

int ureg_get(const struct ureg_ctx *c, unsigned long off, uint64_t *val)
{
	uint64_t *g;
	struct kvm_segment *sg;

	if (off % 8 || off >= sizeof(struct user_regs_struct))
		return -EIO;
	if ((g = gpr(c->regs, off))) {
		*val = *g;
	} else if (off == UR(orig_rax)) {
		*val = *c->orig_rax;
	} else if (off == UR(eflags)) {
		*val = c->regs->rflags;
		if (*c->forced_tf)
			*val &= ~RFLAGS_TF;
	} else if (off == UR(fs_base)) {
		*val = c->sregs->fs.base;
	} else if (off == UR(gs_base)) {
		*val = c->sregs->gs.base;
	} else if ((sg = seg(c->sregs, off))) {
		*val = sg->selector;
	} else {
		return -EIO;
	}
	return 0;
}

int ureg_set(struct ureg_ctx *c, unsigned long off, uint64_t val)
{
	uint64_t *g;
	struct kvm_segment *sg;

	if (off % 8 || off >= sizeof(struct user_regs_struct))
		return -EIO;
	if ((g = gpr(c->regs, off))) {
		*g = val;
		c->regs_changed = true;
	} else if (off == UR(orig_rax)) {
		*c->orig_rax = val;
	} else if (off == UR(eflags)) {
		/* As Linux's set_flags(): a TF the tracer writes is its own from now on. */
		if (val & RFLAGS_TF)
			*c->forced_tf = false;
		else if (*c->forced_tf)
			val |= RFLAGS_TF;
		c->regs->rflags = (c->regs->rflags & ~RFLAGS_PTRACE_MASK) | (val & RFLAGS_PTRACE_MASK);
		c->regs_changed = true;
	} else if (off == UR(fs_base) || off == UR(gs_base)) {
		if (val >= PT_TASK_SIZE_MAX)
			return -EIO;
		(off == UR(fs_base) ? &c->sregs->fs : &c->sregs->gs)->base = val;
		c->sregs_changed = true;
	} else if ((sg = seg(c->sregs, off))) {
		/* Only 64-bit user code and data selectors exist in the guest: a write of the
		 * value the register holds is accepted (SETREGS round trips), any other
		 * selector is refused as Linux refuses a non-user one. */
		val &= 0xffff;
		if (val != sg->selector && !((off == UR(ds) || off == UR(es) || off == UR(fs) ||
					       off == UR(gs)) && (val == 0 || val == SEL_USER_DS)))
			return -EIO;
		if (val != sg->selector && (off == UR(ds) || off == UR(es))) {
			sg->selector = (uint16_t)val;
			c->sregs_changed = true;
		}
	} else {
		return -EIO;
	}
	return 0;
}

void ureg_get_all(const struct ureg_ctx *c, struct user_regs_struct *u)
{
	uint64_t *w = (uint64_t *)u;

	for (unsigned long off = 0; off < sizeof *u; off += 8)
		ureg_get(c, off, &w[off / 8]);
}

int ureg_set_all(struct ureg_ctx *c, const struct user_regs_struct *u)
{
	const uint64_t *w = (const uint64_t *)u;

	for (unsigned long off = 0; off < sizeof *u; off += 8) {
		int r = ureg_set(c, off, w[off / 8]);
		if (r)
			return r;
	}
	return 0;
}
