/* Exactly-once syscalls: open argv[1], then N = argv[2] times lseek(fd, 1, SEEK_CUR),
 * each of which must return exactly its iteration number (a lost call returns one
 * less, a duplicated one more), with callee-saved patterns checked after each call.
 * Exit 0 when all is well; 1: open failed; 2: wrong offset; 3: a register changed. */
#define NR_lseek 8
#define NR_openat 257
#define NR_exit_group 231
#define AT_FDCWD -100
#define O_RDWR_CREAT_TRUNC 01102

	.text
	.globl _start
_start:
	mov 16(%rsp), %rsi		/* argv[1]: the file */
	mov 24(%rsp), %rcx		/* argv[2]: N in decimal */
	xor %r15d, %r15d
1:	movzbl (%rcx), %eax
	sub $'0', %eax
	cmp $9, %eax
	ja 2f
	imul $10, %r15, %r15
	add %rax, %r15
	inc %rcx
	jmp 1b
2:	mov $AT_FDCWD, %rdi
	mov $O_RDWR_CREAT_TRUNC, %edx
	mov $0600, %r10d
	mov $NR_openat, %eax
	syscall
	test %rax, %rax
	js fail_open
	mov %rax, %r14			/* fd */
	xor %r13d, %r13d		/* i */
	movabs $0x1122334455667788, %rbx
	movabs $0x99aabbccddeeff00, %rbp
	movabs $0x0f1e2d3c4b5a6978, %r12
loop:
	inc %r13
	mov %r14, %rdi
	mov $1, %esi
	mov $1, %edx			/* SEEK_CUR */
	mov $NR_lseek, %eax
	syscall
	cmp %r13, %rax
	jne fail_count
	movabs $0x1122334455667788, %rax
	cmp %rax, %rbx
	jne fail_regs
	movabs $0x99aabbccddeeff00, %rax
	cmp %rax, %rbp
	jne fail_regs
	movabs $0x0f1e2d3c4b5a6978, %rax
	cmp %rax, %r12
	jne fail_regs
	cmp %r15, %r13
	jb loop
	xor %edi, %edi
	jmp out
fail_open:
	mov $1, %edi
	jmp out
fail_count:
	mov $2, %edi
	jmp out
fail_regs:
	mov $3, %edi
out:	mov $NR_exit_group, %eax
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
