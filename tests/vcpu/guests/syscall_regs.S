/* Registers across the three ways back to ring 3, 1000 times with varying patterns and
 * flags. argv[1] picks the path:
 *   (none)  getpid: the plain syscall return (host writes RIP=RCX, RFLAGS=R11);
 *   m       mprotect of a touched page, alternating PROT_READ and PROT_READ|WRITE: every
 *           return goes through the agent's PTE re-store routine and its iretq;
 *   f       no syscall: a first touch of a fresh anonymous page, served by the host
 *           (the #PF path); here RAX, RCX and R11 must survive as well.
 * For syscalls, as Linux's x86-64 ABI promises:
 *  - every general register but RAX, RCX and R11 keeps its value, RSP included;
 *  - RAX is the return value (getpid: 1, the guest is pid 1; mprotect: 0);
 *  - RCX is the address after `syscall`, R11 the RFLAGS at `syscall`;
 *  - RFLAGS after the syscall are those before it (DF included).
 * Exit status: 0 when every check held, else the number of the first failed check
 * (1-5 RAX RCX R11 RFLAGS RSP, 10-21 the other registers, 30+ set-up). */
#define NR_mmap 9
#define NR_mprotect 10
#define NR_getpid 39
#define NR_exit_group 231
#define ITERATIONS 1000
#define FAULT_STRIDE (64 * 4096)	/* beyond the host's fault-around */
/* Flags ring 3 may change with popfq, minus TF and AC (they would trap): CF PF AF ZF SF
 * DF OF ID. */
#define FLAG_MIX 0x200cd5
#define FLAG_DF 0x400

	.text
	.globl _start, after_syscall, touch_insn
_start:
	mov %rsp, saved_rsp(%rip)
	cmpq $2, (%rsp)
	jb setup_done
	mov 16(%rsp), %rax
	movzbl (%rax), %eax
	mov %al, mode(%rip)
	cmp $'m', %al
	je setup_m
	cmp $'f', %al
	je setup_f
	mov $30, %edi
	jmp exit
setup_m:			/* one page, touched */
	mov $4096, %esi
	call map
	movq $1, (%rax)
	jmp setup_done
setup_f:			/* ITERATIONS untouched strides */
	mov $ITERATIONS * FAULT_STRIDE, %esi
	call map
setup_done:

loop:
	/* seed = (iter + 1) * golden ratio; every register gets seed ^ its own constant. */
	mov iter(%rip), %rax
	inc %rax
	movabs $0x9e3779b97f4a7c15, %rcx
	imul %rcx, %rax
	mov %rax, %rcx
	shr $23, %rcx
	and $FLAG_MIX & ~FLAG_DF, %rcx
	mov iter(%rip), %rdx
	and $1, %rdx
	shl $10, %rdx		/* DF alternates */
	or %rdx, %rcx
	or $0x202, %rcx		/* reserved bit 1 and IF */
	mov %rcx, exp_flags(%rip)

	.macro pattern reg, konst, slot
	movabs $\konst, \reg
	xor %rax, \reg
	mov \reg, exp+8*\slot(%rip)
	.endm
	pattern %rbx, 0x1111111111111111, 0
	pattern %rdx, 0x2222222222222222, 1
	pattern %rsi, 0x3333333333333333, 2
	pattern %rdi, 0x4444444444444444, 3
	pattern %rbp, 0x5555555555555555, 4
	pattern %r8,  0x6666666666666666, 5
	pattern %r9,  0x7777777777777777, 6
	pattern %r10, 0x8888888888888888, 7
	pattern %r12, 0x9999999999999999, 8
	pattern %r13, 0xaaaaaaaaaaaaaaaa, 9
	pattern %r14, 0xbbbbbbbbbbbbbbbb, 10
	pattern %r15, 0xcccccccccccccccc, 11
	pattern %rcx, 0xdeadbeefdeadbeef, 12	/* the syscall must replace RCX and R11 */
	pattern %r11, 0xfeedfacefeedface, 13

	cmpb $'m', mode(%rip)
	je run_m
	cmpb $'f', mode(%rip)
	je run_f

	/* getpid */
	movq $1, exp_rax(%rip)
	pushq exp_flags(%rip)
	popfq			/* from here on nothing may touch the flags */
	mov $NR_getpid, %eax
	jmp do_syscall

run_m:	/* mprotect(page, 4096, iter odd ? PROT_READ : PROT_READ|PROT_WRITE) */
	movq $0, exp_rax(%rip)
	mov area(%rip), %rdi
	mov %rdi, exp+8*3(%rip)
	mov $4096, %esi
	mov %rsi, exp+8*2(%rip)
	mov iter(%rip), %rdx
	and $1, %edx
	xor $1, %edx
	shl $1, %edx
	or $1, %edx
	mov %rdx, exp+8*1(%rip)
	pushq exp_flags(%rip)
	popfq
	mov $NR_mprotect, %eax
do_syscall:
	syscall
after_syscall:
	pushfq
	popq got_flags(%rip)
	cld
	cmp exp_rax(%rip), %rax
	jne fail1
	lea after_syscall(%rip), %rax
	cmp %rax, %rcx
	jne fail2
	cmp exp_flags(%rip), %r11
	jne fail3
	jmp check_rest

run_f:	/* RBP points into the next untouched stride; RAX keeps its pattern. */
	mov iter(%rip), %rbp
	imul $FAULT_STRIDE, %rbp
	add area(%rip), %rbp
	add $8, %rbp
	mov %rbp, exp+8*4(%rip)
	mov %rax, exp_rax(%rip)
	pushq exp_flags(%rip)
	popfq
touch_insn:
	movb $1, (%rbp)		/* #PF: the host maps the page and resumes here */
	pushfq
	popq got_flags(%rip)
	cld
	cmp exp_rax(%rip), %rax
	jne fail1
	cmp exp+8*12(%rip), %rcx
	jne fail2
	cmp exp+8*13(%rip), %r11
	jne fail3

check_rest:
	mov got_flags(%rip), %rax
	cmp exp_flags(%rip), %rax
	jne fail4
	cmp saved_rsp(%rip), %rsp
	jne fail5
	/* RDI first: the check macro below uses it for the status. */
	mov exp+8*3(%rip), %rax
	cmp %rax, %rdi
	jne fail13

	.macro check reg, slot, code
	cmp exp+8*\slot(%rip), \reg
	mov $\code, %edi
	jne exit
	.endm
	check %rbx, 0, 10
	check %rdx, 1, 11
	check %rsi, 2, 12
	check %rbp, 4, 14
	check %r8,  5, 15
	check %r9,  6, 16
	check %r10, 7, 17
	check %r12, 8, 18
	check %r13, 9, 19
	check %r14, 10, 20
	check %r15, 11, 21

	incq iter(%rip)
	cmpq $ITERATIONS, iter(%rip)
	jb loop
	xor %edi, %edi
	jmp exit

fail1:	mov $1, %edi
	jmp exit
fail2:	mov $2, %edi
	jmp exit
fail3:	mov $3, %edi
	jmp exit
fail4:	mov $4, %edi
	jmp exit
fail5:	mov $5, %edi
	jmp exit
fail13:	mov $13, %edi
exit:
	mov $NR_exit_group, %eax
	syscall
	ud2

/* area = mmap(NULL, %rsi, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS); exits 31 on error. */
map:
	xor %edi, %edi
	mov $3, %edx
	mov $0x22, %r10d
	mov $-1, %r8
	xor %r9d, %r9d
	mov $NR_mmap, %eax
	syscall
	cmp $-4095, %rax
	mov $31, %edi
	jae exit
	mov %rax, area(%rip)
	ret

	.data
	.balign 8
iter:		.quad 0
saved_rsp:	.quad 0
exp_flags:	.quad 0
got_flags:	.quad 0
exp_rax:	.quad 0
area:		.quad 0
exp:		.fill 14, 8, 0
mode:		.byte 0
	.section .note.GNU-stack, "", @progbits
