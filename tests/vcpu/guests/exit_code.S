/* exit_group(N) with N the decimal argv[1] (an optional '-' negates it); with a leading
 * 'x' (e.g. "x77") it calls exit (60) instead of exit_group. No argv[1]: exit status 200. */
#define NR_exit 60
#define NR_exit_group 231

	.text
	.globl _start
_start:
	mov $200, %edi
	mov $NR_exit_group, %r12d
	cmpq $2, (%rsp)
	jb 9f
	mov 16(%rsp), %rsi	/* argv[1] */
	cmpb $'x', (%rsi)
	jne 1f
	mov $NR_exit, %r12d
	inc %rsi
1:	xor %r8d, %r8d		/* negate? */
	cmpb $'-', (%rsi)
	jne 2f
	mov $1, %r8d
	inc %rsi
2:	xor %edi, %edi
3:	movzbl (%rsi), %eax
	sub $'0', %eax
	cmp $9, %eax
	ja 4f
	imul $10, %rdi, %rdi
	add %rax, %rdi
	inc %rsi
	jmp 3b
4:	test %r8d, %r8d
	jz 9f
	neg %rdi
9:	mov %r12, %rax
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
