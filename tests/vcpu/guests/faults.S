/* One faulting instruction per case, chosen by the first letter of argv[1]. Each
 * faulting instruction has a global label so the test can check the reported rip and
 * address exactly. Exit status 99: the instruction did not fault; 100: no argv[1];
 * 101: unknown case. */
#define NR_exit_group 231

	.text
	.globl _start
_start:
	cmpq $2, (%rsp)
	jb no_arg
	mov 16(%rsp), %rax	/* argv[1] */
	movzbl (%rax), %eax

	.macro case letter, target
	cmp $\letter, %al
	je \target
	.endm
	case 'b', do_int3
	case 'u', do_ud2
	case 'd', do_div
	case 'D', do_divov
	case 'r', do_read_low
	case 'w', do_write_text
	case 'h', do_hlt
	case 'c', do_cli
	case 'n', do_noncanon
	case 'o', do_out
	case 'p', do_out80
	case 'x', do_outdx
	case 'i', do_in
	case 'k', do_kread
	case 'a', do_agent_read
	case 't', do_tramp_write
	case 'j', do_agent_jmp
	case 'g', do_ac
	case 's', do_tf
	case 'e', do_nx
	case 'y', do_tf_syscall
	case 'q', do_ss
	case 'Z', do_sse_div0
	case 'F', do_x87_div0
	case 'S', do_outsb
	case 'X', do_outsb_kernel
	case 'I', do_insb
	mov $101, %edi
	jmp exit
no_arg:
	mov $100, %edi
	jmp exit
survived:
	mov $99, %edi
exit:
	mov $NR_exit_group, %eax
	syscall
	ud2

	.globl int3_insn, after_int3
do_int3:
int3_insn:
	int3
after_int3:
	jmp survived

	.globl ud2_insn
do_ud2:
ud2_insn:
	ud2
	jmp survived

	.globl div_insn
do_div:
	mov $7, %eax
	xor %edx, %edx
	xor %ecx, %ecx
div_insn:
	div %ecx
	jmp survived

	.globl divov_insn
do_divov:		/* INT64_MIN / -1 overflows: #DE as well */
	movabs $0x8000000000000000, %rax
	cqo
	mov $-1, %rcx
divov_insn:
	idiv %rcx
	jmp survived

	.globl read_low_insn
do_read_low:
	mov $0x10000, %eax
read_low_insn:
	mov (%rax), %rax
	jmp survived

	.globl write_text_insn
do_write_text:
write_text_insn:
	movb $0xcc, _start(%rip)
	jmp survived

	.globl hlt_insn
do_hlt:
hlt_insn:
	hlt
	jmp survived

	.globl cli_insn
do_cli:
cli_insn:
	cli
	jmp survived

	.globl noncanon_insn
do_noncanon:
	movabs $0x8000000000000000, %rax
noncanon_insn:
	mov (%rax), %rax
	jmp survived

	/* The syscall trampoline's port, but not from the trampoline: not a syscall. */
	.globl out_insn
do_out:
	mov $39, %eax		/* getpid, should it be taken for a syscall */
out_insn:
	out %al, $0x10
	jmp survived

	.globl out80_insn
do_out80:
out80_insn:
	out %al, $0x80
	jmp survived

	/* The same port through DX: a one-byte instruction. */
	.globl outdx_insn
do_outdx:
	mov $0x10, %edx
	mov $39, %eax
outdx_insn:
	out %al, (%dx)
	jmp survived

	.globl in_insn
do_in:
in_insn:
	in $0x10, %al
	jmp survived

	.globl kread_insn
do_kread:		/* hvtrace's physmap: supervisor-only */
	movabs $0xffff888000000000, %rax
kread_insn:
	mov (%rax), %rax
	jmp survived

	.globl agent_read_insn
do_agent_read:		/* the agent's supervisor page */
	movabs $0xffffffff81000000, %rax
agent_read_insn:
	mov (%rax), %rax
	jmp survived

	.globl tramp_write_insn
do_tramp_write:		/* the user-executable, read-only trampoline page */
	movabs $0xffffffff81001000, %rax
tramp_write_insn:
	movb $0xcc, (%rax)
	jmp survived

	.globl agent_jmp_insn
do_agent_jmp:		/* executing the supervisor agent page from ring 3 */
	movabs $0xffffffff81000000, %rax
agent_jmp_insn:
	jmp *%rax

	.globl ac_insn
do_ac:			/* RFLAGS.AC with CR0.AM: a misaligned load raises #AC */
	pushfq
	orq $0x40000, (%rsp)
	popfq
ac_insn:
	mov misaligned+1(%rip), %eax
	jmp survived

	.globl tf_nop, after_tf_nop
do_tf:			/* TF set by popfq traps after the next instruction */
	pushfq
	orq $0x100, (%rsp)
	popfq
tf_nop:
	nop
after_tf_nop:
	nop
	jmp survived

	/* String I/O to the syscall port, from user memory, from the physmap, and into
	 * user memory. */
	.globl outsb_insn, outsb_kernel_insn, insb_insn
do_outsb:
	mov $0x10, %edx
	lea misaligned(%rip), %rsi
	mov $4, %ecx
	cld
outsb_insn:
	rep outsb
	jmp survived

do_outsb_kernel:
	mov $0x10, %edx
	movabs $0xffff888000000000, %rsi
	mov $1, %ecx
	cld
outsb_kernel_insn:
	rep outsb
	jmp survived

do_insb:
	mov $0x10, %edx
	lea misaligned(%rip), %rdi
	mov $4, %ecx
	cld
insb_insn:
	rep insb
	jmp survived

	/* A non-canonical stack access is #SS, not #GP. */
	.globl ss_insn
do_ss:
	movabs $0x8000000000000000, %rsp
ss_insn:
	push %rax
	jmp survived

	/* SSE divide by zero with the exception unmasked: #XM. */
	.globl sse_div_insn
do_sse_div0:
	movl $0x1d80, scratch(%rip)	/* MXCSR default 0x1f80 with ZM (bit 9) clear */
	ldmxcsr scratch(%rip)
	mov $1, %eax
	cvtsi2ss %eax, %xmm0
	xorps %xmm1, %xmm1
sse_div_insn:
	divss %xmm1, %xmm0
	jmp survived

	/* x87 divide by zero with the exception unmasked: pending until the next waiting
	 * x87 instruction, which raises #MF. */
	.globl x87_div_insn, x87_wait_insn
do_x87_div0:
	fninit
	movw $0x37b, scratch(%rip)	/* default 0x37f with ZM (bit 2) clear */
	fldcw scratch(%rip)
	fld1
	fldz
x87_div_insn:
	fdivrp %st, %st(1)		/* st1 = st1 / st0 = 1 / 0 */
x87_wait_insn:
	fwait
	jmp survived

	/* TF set right before `syscall`: Linux returns with TF still set and traps after
	 * the first instruction after the syscall. */
	.globl syscall_tf, after_syscall_tf, after_tf_nop2
do_tf_syscall:
	mov $39, %eax
	pushfq
	orq $0x100, (%rsp)
	popfq
syscall_tf:
	syscall
after_syscall_tf:
	nop
after_tf_nop2:
	nop
	jmp survived

	.globl nx_call_insn
do_nx:
	lea nx_data(%rip), %rax
nx_call_insn:
	call *%rax
	jmp survived

	.data
	.balign 16
	.globl misaligned, nx_data
misaligned:	.quad 0, 0
scratch:	.quad 0
nx_data:	.byte 0xc3, 0xc3, 0xc3, 0xc3	/* ret */
	.section .note.GNU-stack, "", @progbits
