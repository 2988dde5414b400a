/* The guest agent: the only code of ours inside the guest (design decisions 3 and 4).
 *
 * Page 0 (supervisor, executable): 32 IDT entry stubs and the PTE-store routine.
 * Page 1 (user, executable): the syscall trampoline MSR_LSTAR points at.
 * Page 2 (user, executable, mapped only while probing): start-up probe code.
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
	.org hv_agent_start + 12288
hv_agent_end:
	.section .note.GNU-stack, "", @progbits
