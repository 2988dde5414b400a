/* Signal frames as Linux's x86-64 rt_sigframe: the return address (sa_restorer), a
 * ucontext (flags, link, the alternate stack, sigcontext, the blocked mask), the
 * siginfo, and the XSAVE image the sigcontext's fpstate points at. */
#ifndef HV_KERNEL_SIGNAL_FRAME_H
#define HV_KERNEL_SIGNAL_FRAME_H

#include <signal.h>
#include <stdint.h>

#include "kernel/task.h"

/* Byte offsets of the kernel's layout (arch/x86/include/uapi/asm/sigcontext.h). */
#define UC_OFF_FLAGS 0
#define UC_OFF_LINK 8
#define UC_OFF_STACK 16     /* ss_sp, ss_flags, ss_size */
#define UC_OFF_MCONTEXT 40  /* struct sigcontext, 256 bytes */
#define UC_OFF_SIGMASK 296
#define UC_SIZE 304
#define FRAME_OFF_UC 8      /* after pretcode */
#define FRAME_OFF_INFO (FRAME_OFF_UC + UC_SIZE)
#define FRAME_SIZE (FRAME_OFF_INFO + 128)

/* struct sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags, then
 * cs/gs/fs/ss (u16 each), err, trapno, oldmask, cr2, fpstate, reserved[8]. */
enum sc_reg {
	SC_R8, SC_R9, SC_R10, SC_R11, SC_R12, SC_R13, SC_R14, SC_R15, SC_RDI, SC_RSI, SC_RBP,
	SC_RBX, SC_RDX, SC_RAX, SC_RCX, SC_RSP, SC_RIP, SC_EFLAGS, SC_SEGS, SC_ERR, SC_TRAPNO,
	SC_OLDMASK, SC_CR2, SC_FPSTATE, SC_WORDS = 32
};

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#endif
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

/* Builds the frame for signo on t's user stack and points t's registers at the
 * handler. Returns 0, or -EFAULT when the frame cannot be written (the caller then
 * forces SIGSEGV, as Linux). Preconditions: k->mu held. */
int sig_setup_frame(struct task *t, int signo, const siginfo_t *info, const struct ksigaction *act);

/* rt_sigreturn: restores the registers (RAX included), FPU state, mask and alternate
 * stack saved by sig_setup_frame. Returns 0, or -EFAULT (the caller forces SIGSEGV).
 * Preconditions: k->mu held. */
int sig_restore_frame(struct task *t);

/* The size of the XSAVE image in a frame for the VM's XCR0. */
uint32_t sig_xstate_size(struct hv_vm *vm);

#endif
