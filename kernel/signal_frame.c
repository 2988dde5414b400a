#include "kernel/signal_frame.h"

#include <errno.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/sig_send.h"
#include "kernel/uaccess.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define XSAVE_BUF 4096
#define FX_SW_OFF 464      /* struct _fpx_sw_bytes inside the legacy area */
#define XSAVE_HDR_OFF 512  /* XSTATE_BV */
/* As Linux's FIX_EFLAGS: what a signal frame may change in RFLAGS. */
#define FIX_EFLAGS (RFLAGS_AC | 0x800ull | RFLAGS_DF | RFLAGS_TF | 0x80ull | 0x40ull | 0x10ull | \
		    0x4ull | 0x1ull | (1ull << 16))
#define SS_AUTODISARM_FLAG (1u << 31)

uint32_t sig_xstate_size(struct hv_vm *vm)
{
	uint32_t size = 512 + 64;

	for (unsigned i = 0; i < vm->cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vm->cpuid->entries[i];
		if (e->function != 0xd || e->index < 2 || e->index > 62 || !(vm->xcr0 & (1ull << e->index)))
			continue;
		if (e->ebx + e->eax > size)
			size = e->ebx + e->eax;
	}
	return size > XSAVE_BUF ? XSAVE_BUF : size;
}

static bool on_sig_stack(const struct task *t, uint64_t sp)
{
	return t->sas_size && sp > t->sas_sp && sp - t->sas_sp <= t->sas_size;
}

int sig_setup_frame(struct task *t, int signo, const siginfo_t *info, const struct ksigaction *act)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	uint32_t xsize = sig_xstate_size(t->vm);
	uint8_t xs[XSAVE_BUF];
	int err;

	if (!(act->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 Linux has no default restorer */
	/* As Linux's get_sigframe(): below the red zone, or at the top of the alternate
	 * stack; the XSAVE image 64-byte aligned; the frame so that the handler starts as
	 * after a call (RSP+8 16-byte aligned). */
	uint64_t sp = r->rsp - 128;
	bool was_on_stack = on_sig_stack(t, r->rsp);
	if ((act->flags & SA_ONSTACK) && t->sas_size && !was_on_stack)
		sp = t->sas_sp + t->sas_size;
	uint64_t fp = (sp - xsize - 4) & ~63ull;
	uint64_t frame = ((fp - FRAME_SIZE) & ~15ull) - 8;

	if ((err = vcpu_get_xsave(t->vcpu, xs)))
		return err;
	uint32_t sw[12] = {FP_XSTATE_MAGIC1, xsize + 4, 0, 0, xsize};
	memcpy(sw + 2, &t->vm->xcr0, 8); /* xfeatures */
	memcpy(xs + FX_SW_OFF, sw, sizeof sw);
	uint32_t magic2 = FP_XSTATE_MAGIC2;

	uint8_t buf[FRAME_SIZE];
	memset(buf, 0, sizeof buf);
	uint64_t *sc = (uint64_t *)(buf + FRAME_OFF_UC + UC_OFF_MCONTEXT);
	const uint64_t g[] = {r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
			      r->rdi, r->rsi, r->rbp, r->rbx, r->rdx, r->rax, r->rcx, r->rsp,
			      r->rip, r->rflags & ~(t->pt.forced_tf ? RFLAGS_TF : 0)};
	memcpy(sc, g, sizeof g);
	uint16_t segs[4] = {SEL_USER_CS, 0, 0, SEL_USER_DS};
	memcpy(&sc[SC_SEGS], segs, sizeof segs);
	sc[SC_ERR] = t->fault_err;
	sc[SC_TRAPNO] = t->fault_trapno;
	sc[SC_OLDMASK] = t->restore_saved_mask ? t->saved_mask : t->blocked;
	sc[SC_CR2] = t->fault_cr2;
	sc[SC_FPSTATE] = fp;
	uint64_t uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	memcpy(buf + FRAME_OFF_UC + UC_OFF_FLAGS, &uc_flags, 8);
	uint64_t ss_sp = t->sas_sp, ss_size = t->sas_size;
	uint32_t ss_flags = !t->sas_size ? SS_DISABLE : was_on_stack ? SS_ONSTACK : 0;
	ss_flags |= t->sas_flags & SS_AUTODISARM_FLAG;
	memcpy(buf + FRAME_OFF_UC + UC_OFF_STACK, &ss_sp, 8);
	memcpy(buf + FRAME_OFF_UC + UC_OFF_STACK + 8, &ss_flags, 4);
	memcpy(buf + FRAME_OFF_UC + UC_OFF_STACK + 16, &ss_size, 8);
	ksigset_t old = t->restore_saved_mask ? t->saved_mask : t->blocked;
	memcpy(buf + FRAME_OFF_UC + UC_OFF_SIGMASK, &old, 8);
	memcpy(buf + FRAME_OFF_INFO, info, 128);
	memcpy(buf, &act->restorer, 8);

	if (put_user(t, fp, xs, xsize) || put_user(t, fp + xsize, &magic2, 4) ||
	    put_user(t, frame, buf, sizeof buf))
		return -EFAULT;

	if ((act->flags & SA_ONSTACK) && (t->sas_flags & SS_AUTODISARM_FLAG)) {
		t->sas_sp = t->sas_size = 0;
		t->sas_flags = 0;
	}
	r->rdi = (uint64_t)signo;
	r->rsi = frame + FRAME_OFF_INFO;
	r->rdx = frame + FRAME_OFF_UC;
	r->rax = 0;
	r->rsp = frame;
	r->rip = act->handler;
	r->rflags &= ~(RFLAGS_DF | RFLAGS_TF | (1ull << 16));
	vcpu_regs_changed(t->vcpu);
	return 0;
}

int sig_restore_frame(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	uint8_t uc[UC_SIZE];
	/* The handler returned into sa_restorer, which popped pretcode: RSP is at uc. */
	uint64_t frame = r->rsp - 8;

	if (get_user(t, uc, frame + FRAME_OFF_UC, sizeof uc))
		return -EFAULT;
	const uint64_t *sc = (const uint64_t *)(uc + UC_OFF_MCONTEXT);
	uint64_t fp = sc[SC_FPSTATE];
	uint8_t xs[XSAVE_BUF];
	memset(xs, 0, sizeof xs);
	if (fp) {
		uint32_t sw[12];
		uint32_t xsize = sig_xstate_size(t->vm);
		if (get_user(t, xs, fp, 512) )
			return -EFAULT;
		memcpy(sw, xs + FX_SW_OFF, sizeof sw);
		if (sw[0] == FP_XSTATE_MAGIC1 && sw[4] >= 576 && sw[4] <= xsize) {
			if (get_user(t, xs, fp, sw[4]))
				return -EFAULT;
		} else {
			/* An FXSAVE-only image: the extended state goes back to its init state. */
			memset(xs + 512, 0, sizeof xs - 512);
			uint64_t bv = 3; /* x87 and SSE from the image */
			memcpy(xs + XSAVE_HDR_OFF, &bv, 8);
		}
		uint64_t bv;
		memcpy(&bv, xs + XSAVE_HDR_OFF, 8);
		bv &= t->vm->xcr0;
		memcpy(xs + XSAVE_HDR_OFF, &bv, 8);
		memset(xs + XSAVE_HDR_OFF + 8, 0, 56); /* XCOMP_BV and reserved: standard form */
	} else {
		uint16_t fcw = 0x37f;
		uint32_t mxcsr = 0x1f80;
		memcpy(xs, &fcw, 2);
		memcpy(xs + 24, &mxcsr, 4);
	}
	if (vcpu_set_xsave(t->vcpu, xs))
		return -EFAULT;

	r->r8 = sc[SC_R8]; r->r9 = sc[SC_R9]; r->r10 = sc[SC_R10]; r->r11 = sc[SC_R11];
	r->r12 = sc[SC_R12]; r->r13 = sc[SC_R13]; r->r14 = sc[SC_R14]; r->r15 = sc[SC_R15];
	r->rdi = sc[SC_RDI]; r->rsi = sc[SC_RSI]; r->rbp = sc[SC_RBP]; r->rbx = sc[SC_RBX];
	r->rdx = sc[SC_RDX]; r->rax = sc[SC_RAX]; r->rcx = sc[SC_RCX]; r->rsp = sc[SC_RSP];
	r->rip = sc[SC_RIP];
	r->rflags = (r->rflags & ~FIX_EFLAGS) | (sc[SC_EFLAGS] & FIX_EFLAGS);
	vcpu_regs_changed(t->vcpu);

	ksigset_t mask;
	memcpy(&mask, uc + UC_OFF_SIGMASK, 8);
	t->restore_saved_mask = false;
	sig_set_blocked(t, mask); /* what the handler's mask held back may be deliverable */
	/* As Linux's restore_altstack(): errors here are ignored. */
	uint64_t ss_sp, ss_size;
	uint32_t ss_flags;
	memcpy(&ss_sp, uc + UC_OFF_STACK, 8);
	memcpy(&ss_flags, uc + UC_OFF_STACK + 8, 4);
	memcpy(&ss_size, uc + UC_OFF_STACK + 16, 8);
	if (!on_sig_stack(t, r->rsp)) {
		if (ss_flags & SS_DISABLE) {
			t->sas_sp = t->sas_size = 0;
			t->sas_flags = 0;
		} else if (ss_size >= (uint64_t)MINSIGSTKSZ) {
			t->sas_sp = ss_sp;
			t->sas_size = ss_size;
			t->sas_flags = (int)(ss_flags & SS_AUTODISARM_FLAG);
		}
	}
	return 0;
}
