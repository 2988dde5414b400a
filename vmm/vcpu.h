/* A vCPU: its KVM handles, its per-CPU agent pages (GDT+TSS, ring-0 stack, PTE mailbox),
 * and the one-KVM_RUN-per-event loop that turns VM exits into events for kernel/.
 *
 * Between events the user register state lives in run->s.regs (KVM_CAP_SYNC_REGS), already
 * normalized to what Linux's pt_regs would hold: after a syscall rip/rflags are the
 * user's (RCX/R11), after an exception they are those of the faulting instruction. */
#ifndef HV_VMM_VCPU_H
#define HV_VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct hv_vm;

struct pte_flush_entry {
	uint64_t pte_va;  /* physmap VA of the PTE to re-store */
	uint64_t user_va; /* page to INVLPG, or ~0 for a full TLB flush */
};

struct vcpu {
	struct hv_vm *vm;
	int fd;
	int id;
	struct kvm_run *run;
	uint64_t cpu_gpa;     /* GDT at 0, TSS at CPU_PAGE_TSS_OFF */
	uint64_t kstack_gpa;  /* TSS.RSP0 stack */
	uint64_t mailbox_gpa; /* PTE re-store mailbox */
	uint64_t slot_gpa;    /* exit-less request slot (kernel/transport.h) */
	uint64_t xl_code_va;  /* its trampoline in the address space (slot at +4096); 0: none */

	/* PTE re-stores to apply before the next return to ring 3, queued by any thread
	 * (under the address space's lock) and applied by the thread that runs the vCPU. */
	pthread_mutex_t flush_lock; /* protects flush, flush_len, flush_cap, flush_done */
	struct pte_flush_entry *flush;
	uint64_t flush_len, flush_cap, flush_done;

	/* For kicks and TLB shootdowns (vcpu_shootdown): who runs it, and whether it is
	 * inside KVM_RUN. in_guest is set before the flush queue is checked for an entry,
	 * so a queuer that sees it clear knows the entry will be applied first. */
	pthread_t owner;
	bool has_owner;
	_Atomic int in_guest;
	/* Re-stores ever queued, and ever handed to the agent (which applies them before
	 * ring 3 runs again): a shootdown waits until the second reaches the first. */
	_Atomic uint64_t flush_queued, flush_taken;

	struct vcpu *pool_next;
};

enum vcpu_event_kind {
	VEV_SYSCALL,     /* user executed `syscall`; registers as at syscall entry */
	VEV_SYSCALL_SLOT,/* the exit-less trampoline fell back to an exit: nothing is changed
			  * yet; see vcpu_finish_syscall_entry() */
	VEV_EXCEPTION,   /* user-mode exception: vector, error_code, cr2 */
	VEV_INTERRUPTED, /* KVM_RUN returned EINTR (a kick); user state intact */
	VEV_DEBUG,       /* KVM_EXIT_DEBUG (KVM guest debug): vector, error_code = DR6 */
	VEV_FATAL,       /* the guest cannot go on: triple fault, agent fault, KVM error */
};

struct vcpu_event {
	enum vcpu_event_kind kind;
	unsigned vector;
	uint64_t error_code;
	uint64_t cr2;
	bool from_ring0; /* VEV_SYSCALL: the trampoline ran in ring 0 (VMX/SVM) */
	bool at_insn;    /* VEV_SYSCALL: the exit left RIP at the `out`, not after it */
	char what[160]; /* for VEV_FATAL: what happened, for the report */
};

/* Creates (or takes from the VM's pool) a vCPU set up for long mode ring 3. */
int vcpu_get(struct hv_vm *vm, struct vcpu **out);
/* Returns a vCPU to the VM's pool. */
void vcpu_release(struct vcpu *c);
void vcpu_destroy(struct vcpu *c);

/* Sets the complete initial user state for a new program (two ioctls: fine once per exec). */
int vcpu_start_user(struct vcpu *c, uint64_t cr3, uint64_t rip, uint64_t rsp);

/* Runs until the next event. */
int vcpu_run(struct vcpu *c, struct vcpu_event *ev);

static inline struct kvm_regs *vcpu_regs(struct vcpu *c)
{
	return &c->run->s.regs.regs;
}
static inline struct kvm_sregs *vcpu_sregs(struct vcpu *c)
{
	return &c->run->s.regs.sregs;
}
static inline void vcpu_regs_changed(struct vcpu *c)
{
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}
static inline void vcpu_sregs_changed(struct vcpu *c)
{
	c->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
}

/* Turns the state of a VEV_SYSCALL_SLOT exit into the syscall-entry view of
 * VEV_SYSCALL (RIP = RCX, RFLAGS = R11, user segments). */
void vcpu_finish_syscall_entry(struct vcpu *c);
/* Points MSR_LSTAR at va (one ioctl: at exec or transport changes only). */
int vcpu_set_lstar(struct vcpu *c, uint64_t va);

/* Queues a re-store of the PTE at physmap VA pte_va (and INVLPG of user_va). */
int vcpu_queue_pte_flush(struct vcpu *c, uint64_t pte_va, uint64_t user_va);
/* Are re-stores waiting for this vCPU's next entry? */
bool vcpu_flush_pending(struct vcpu *c);
/* Are they waiting while the vCPU sits in ring 0 (agent code), where they cannot be
 * applied? Then it must be made to exit again once it is back in ring 3. */
bool vcpu_flush_blocked(struct vcpu *c);

/* The signal that kicks a vCPU thread out of KVM_RUN (blocked outside it). */
void vcpu_set_kick_signal(int signo);
/* The calling thread runs c from now on: KVM_RUN unblocks the kick signal for it. */
int vcpu_set_owner(struct vcpu *c);
/* The vCPU the calling thread runs or serves (exit-less server), or NULL. */
struct vcpu *vcpu_current(void);
void vcpu_set_current(struct vcpu *c);
/* Makes every vCPU of list[0..n) other than the caller's own that is inside KVM_RUN
 * leave it once, so that PTE re-stores queued before the call are applied before it
 * runs user code again. Returns when they all have. */
void vcpu_shootdown(struct vcpu *const *list, int n);

/* Gives c the user state of from (registers, segments, FPU/SSE/AVX) on address space
 * cr3: fork and clone. Costs four ioctls. */
int vcpu_clone_user(struct vcpu *c, struct vcpu *from, uint64_t cr3);

/* Tags in the low bits of a frame handed to vcpu_scrub_tables. */
#define SCRUB_ROOT 1ull /* a root: only its user half is cleared, its kernel half stays */
#define SCRUB_KEEP 2ull /* cleared, but the frame stays in its place (vm_release_address_space) */
#define SCRUB_TAGS (SCRUB_ROOT | SCRUB_KEEP)

/* A scrub clears the entries [0, scrub_end(tagged frame)). */
unsigned scrub_end(uint64_t tagged);

/* Clears, through the guest agent, every set entry of the listed page-table frames
 * (scrub_end of each), then flushes the TLB. Runs the vCPU; its user state is lost (the
 * caller is done with it or replaces it). */
int vcpu_scrub_tables(struct vcpu *c, const uint64_t *frames, uint64_t n);

/* Loads the three TLS entries of the vCPU's GDT (12-14; set_thread_area(2)): plain
 * memory, seen by the next segment load. */
void vcpu_set_tls(struct vcpu *c, const uint64_t tls[3]);

/* The whole XSAVE image (standard format, 4096 bytes): signal frames and ptrace. */
int vcpu_get_xsave(struct vcpu *c, void *buf);
/* Loads an XSAVE image; -EINVAL when KVM refuses it (reserved MXCSR bits...). */
int vcpu_set_xsave(struct vcpu *c, const void *buf);
/* The guest's debug registers: DR0-DR3 and DR7 (where the platform fires them in
 * ring 3, vmm/platform.h), DR6 reset. */
int vcpu_set_debugregs(struct vcpu *c, const uint64_t addr[4], uint64_t dr7);
/* Reads DR6 after a #DB and resets it. */
int vcpu_take_dr6(struct vcpu *c, uint64_t *dr6);

/* x87 control/status words and MXCSR (one KVM_GET_XSAVE: only on FP exceptions). */
int vcpu_get_fpu_status(struct vcpu *c, uint16_t *fcw, uint16_t *fsw, uint32_t *mxcsr);

/* Dumps the registers of a fatal event into buf, one line. */
void vcpu_describe_state(struct vcpu *c, char *buf, unsigned long len);

#endif
