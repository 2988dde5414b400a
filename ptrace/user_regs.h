/* The tracer's view of a tracee's registers: Linux's `struct user_regs_struct` and the
 * register part of `struct user` (PEEKUSER/POKEUSER offsets), over the vCPU's sync-regs
 * state, with Linux's validation of writes (arch/x86/kernel/ptrace.c putreg). Pure: no
 * ioctls, so unit tests drive it on plain structs. */
#ifndef HV_PTRACE_USER_REGS_H
#define HV_PTRACE_USER_REGS_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

/* Linux's TASK_SIZE_MAX: the end of the user half (arch/x86_64/pte.h's USER_VA_END,
 * which cannot be included beside <sys/user.h>: both define PAGE_SIZE). */
#define PT_TASK_SIZE_MAX ((1ull << 47) - 4096)

struct ureg_ctx {
	struct kvm_regs *regs;
	struct kvm_sregs *sregs;
	uint64_t *orig_rax;
	bool *forced_tf;     /* RFLAGS.TF is hvtrace's (a step), hidden from the tracer */
	bool regs_changed, sregs_changed; /* set by ureg_set */
};

/* Reads the 8-byte register at offset off of struct user_regs_struct. -EIO when off
 * is not a register's offset. */
int ureg_get(const struct ureg_ctx *c, unsigned long off, uint64_t *val);
/* Writes it as Linux's putreg(): -EIO for values Linux refuses (selectors, bases past
 * the user half); RFLAGS keeps only the bits a user may change. */
int ureg_set(struct ureg_ctx *c, unsigned long off, uint64_t val);
void ureg_get_all(const struct ureg_ctx *c, struct user_regs_struct *u);
/* Writes every register; stops at the first refused one (as Linux's genregs_set). */
int ureg_set_all(struct ureg_ctx *c, const struct user_regs_struct *u);

#endif
