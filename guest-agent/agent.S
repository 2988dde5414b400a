/* The guest agent: the only code of ours inside the guest (design decisions 3 and 4).
 *
 * Page 0 (supervisor, executable): 32 IDT entry stubs and the PTE-store routine.
 * Page 1 (user, executable): the syscall trampoline MSR_LSTAR points at.
 * Page 2 (user, executable): start-up probe code.
 * Pages 3, 4 (user, executable, mapped per address space): the exit-less trampolines.
 *
 * Every stub leaves the guest with one `out` whose port names the event. The host never
 * lets a stub continue past its `out`: it returns to ring 3 itself through the vCPU's
 * synchronized registers, so the instruction after each `out` is a trap that reports an
 * agent fault should that ever go wrong.
 *
 * The code is position independent and uses no memory but its stack and the mailbox
 * whose address the host passes on that stack. */

#define PORT_SYSCALL 0x10
#define PORT_FLUSH_MORE 0x11
#define PORT_EXCEPTION 0x80

	.section .rodata.hv_agent, "a"
	.balign 4096
	.globl hv_agent_start, hv_agent_flush, hv_agent_trampoline, hv_agent_probe_nops
	.globl hv_agent_probe_load, hv_agent_probe_syscall_loop, hv_agent_probe_return_ring3
	.globl hv_agent_probe_return_ring0, hv_agent_end
	.globl hv_agent_xl3, hv_agent_xl3_out, hv_agent_xl0, hv_agent_xl0_out
	.globl hv_agent_probe_rdtsc, hv_agent_probe_rdtscp
hv_agent_start:
	/* Stub v: 16 bytes at hv_agent_start + 16*v. On entry the CPU has pushed the
	 * interrupt frame (and an error code for some vectors) on the TSS.RSP0 stack. */
	.irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.org hv_agent_start + 16 * \v
	out %al, $(PORT_EXCEPTION + \v)
	ud2
	.endr
	.org hv_agent_start + 16 * 32

/* Re-store PTEs so that a shadow-paging hypervisor notices the change, and INVLPG them.
 * Entered from the host in ring 0 with, on the stack:
 *   [mailbox VA] [user rip] [user cs] [user rflags] [user rsp] [user ss]
 * Mailbox: u64 count, u64 more, then count pairs (PTE VA, user VA); a user VA of -1
 * asks for a full TLB flush (CR3 reload) instead of one INVLPG, 0 for none; a PTE VA of
 * 0 for no store.
 * All general registers are given back unchanged; the routine ends in iretq to ring 3. */
hv_agent_flush:
	xchg %rax, (%rsp)
	push %rcx
	push %rdx
	push %rsi
	push %rax
1:	mov (%rsp), %rax
	mov (%rax), %rcx
	lea 16(%rax), %rax
	test %rcx, %rcx
	jz 4f
2:	mov (%rax), %rdx
	test %rdx, %rdx		/* no PTE: INVLPG only (used by the platform probe) */
	jz 7f
	mov (%rdx), %rsi
	mov %rsi, (%rdx)
7:	mov 8(%rax), %rsi
	test %rsi, %rsi		/* 0: re-store only */
	jz 5f
	cmp $-1, %rsi
	je 3f
	invlpg (%rsi)
	jmp 5f
3:	mov %cr3, %rsi
	mov %rsi, %cr3
5:	add $16, %rax
	dec %rcx
	jnz 2b
4:	mov (%rsp), %rax
	cmpq $0, 8(%rax)
	je 6f
	out %al, $PORT_FLUSH_MORE	/* the host refills the mailbox and resumes here */
	jmp 1b
6:	pop %rax
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq

	.org hv_agent_start + 4096
/* MSR_LSTAR. On kvm_pvm `syscall` stays in ring 3 and the `out` is allowed by the TSS
 * I/O bitmap; on VMX/SVM `syscall` enters ring 0 here (user RSP still live) and the
 * `out` is a plain ring-0 port write. Either way: one exit, then the host returns to
 * the user at RCX with RFLAGS from R11. */
hv_agent_trampoline:
	out %al, $PORT_SYSCALL
	ud2

	.org hv_agent_start + 8192
/* Probe code, run in ring 3 by the start-up platform probe. */
hv_agent_probe_nops:
	nop
	nop
	nop
	syscall
	ud2
hv_agent_probe_load:
	mov (%rdi), %rax
	syscall
	jmp hv_agent_probe_load
/* The guest's view of the TSC (RDTSC may be disabled in ring 3 by CR4.TSD). */
hv_agent_probe_rdtsc:
	rdtsc
	syscall
	ud2
/* RDTSCP: TSC_AUX in ECX (the vDSO's getcpu). */
hv_agent_probe_rdtscp:
	rdtscp
	mov %rcx, %rdi
	syscall
	ud2
/* Floor measurements: RBX iterations of `syscall` with MSR_LSTAR pointing at one of
 * the two trampolines below, which return at once; then #UD ends the run. */
hv_agent_probe_syscall_loop:
	syscall
	dec %rbx
	jnz hv_agent_probe_syscall_loop
	ud2
/* Returns from a `syscall` that stayed in ring 3 (kvm_pvm). */
hv_agent_probe_return_ring3:
	mov $4242, %eax
	jmp *%rcx
/* Returns from a `syscall` that entered ring 0 (VMX/SVM). */
hv_agent_probe_return_ring0:
	mov $4242, %eax
	sysretq

/* Exit-less syscall trampolines (design decision 7). One code page, shared by every
 * vCPU, is mapped per vCPU with that vCPU's request slot on the page right after it
 * (so the code reaches its slot RIP-relative); MSR_LSTAR points at the code. The guest
 * publishes a request in the slot and spins for the host's answer; after SLOT_SPIN
 * pauses, or when the host answers "exit", it leaves through the `out` with exact
 * syscall-entry registers. Slot layout: kernel/transport.h. */
#define SLOT (4096)
#define SLOT_REQ (SLOT + 0x00)
#define SLOT_NR (SLOT + 0x08)
#define SLOT_A0 (SLOT + 0x10)
#define SLOT_A1 (SLOT + 0x18)
#define SLOT_A2 (SLOT + 0x20)
#define SLOT_A3 (SLOT + 0x28)
#define SLOT_A4 (SLOT + 0x30)
#define SLOT_A5 (SLOT + 0x38)
#define SLOT_RESP (SLOT + 0x40)
#define SLOT_RET (SLOT + 0x48)
#define SLOT_RCX (SLOT + 0x80)
#define SLOT_RSP (SLOT + 0x88)
#define SLOT_STACK (SLOT + 0x100)
#define SLOT_SPIN (SLOT + 0x200)

/* The request half of both trampolines: publish the request, spin for the answer,
 * or leave through the exit path. \p names the variant (xl3, xl0); the code page
 * starts at label \p and its slot page follows it. */
	.macro XL_REQUEST p
	mov %rax, \p+SLOT_NR(%rip)
	mov %rdi, \p+SLOT_A0(%rip)
	mov %rsi, \p+SLOT_A1(%rip)
	mov %rdx, \p+SLOT_A2(%rip)
	mov %r10, \p+SLOT_A3(%rip)
	mov %r8, \p+SLOT_A4(%rip)
	mov %r9, \p+SLOT_A5(%rip)
	mov %rcx, \p+SLOT_RCX(%rip)
	incq \p+SLOT_REQ(%rip)		/* publish: x86 keeps the stores above ahead of it */
\p\()_retry:
	mov \p+SLOT_SPIN(%rip), %rcx
\p\()_spin:
	mov \p+SLOT_RESP(%rip), %rax
	xor \p+SLOT_REQ(%rip), %rax
	jz \p\()_done			/* resp == req: answered */
	add %rax, %rax
	jz \p\()_fallback		/* resp == req ^ 1<<63: the host asks for the exit path */
	pause
	dec %rcx
	jnz \p\()_spin
\p\()_fallback:
	/* The exact syscall-entry view for the host: RAX = nr, RCX = user RIP, args and
	 * R11 untouched. The host either finishes the call and returns to the user itself,
	 * or resumes here when its server had already answered. */
	mov \p+SLOT_RCX(%rip), %rcx
	mov \p+SLOT_NR(%rip), %rax
hv_agent_\p\()_out:
	out %al, $PORT_SYSCALL
	jmp \p\()_retry
\p\()_done:
	.endm

	.org hv_agent_start + 12288
/* kvm_pvm: `syscall` stayed in ring 3; return with popfq + jmp, never touching the user
 * stack (red zone, or a bogus RSP): a private 8-byte stack in the slot page. */
hv_agent_xl3:
xl3:
	XL_REQUEST xl3
	/* A user single-stepping across `syscall` (TF in R11) must trap after the next user
	 * instruction, not inside this code: let the host return it. */
	bt $8, %r11
	jc xl3_fallback
	mov xl3+SLOT_RET(%rip), %rax
	mov xl3+SLOT_RCX(%rip), %rcx
	mov %rsp, xl3+SLOT_RSP(%rip)
	lea xl3+SLOT_STACK(%rip), %rsp
	push %r11
	popfq
	mov xl3+SLOT_RSP(%rip), %rsp
	jmp *%rcx

	.org hv_agent_start + 16384
/* VMX/SVM: `syscall` entered ring 0 (user RSP live, interrupts masked); sysretq is the
 * only correct way back (never run user code at CPL 0). */
hv_agent_xl0:
xl0:
	XL_REQUEST xl0
	/* As Linux: never sysretq with TF in R11 (the restored TF traps at once, one
	 * instruction early): a user single-stepping across `syscall` returns through
	 * the host. */
	bt $8, %r11
	jc xl0_fallback
	mov xl0+SLOT_RET(%rip), %rax
	mov xl0+SLOT_RCX(%rip), %rcx
	sysretq

	.org hv_agent_start + 20480
hv_agent_end:
	.section .note.GNU-stack, "", @progbits
