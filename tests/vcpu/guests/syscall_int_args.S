/* Linux reads the syscall number as an int (do_syscall_64(regs, int nr): the upper 32
 * bits of RAX are ignored) and truncates `unsigned int`/`int` arguments such as fds to
 * 32 bits. Exit status: 0, or the number of the failed check. */
#define NR_write 1
#define NR_getpid 39
#define NR_exit_group 231

	.text
	.globl _start
_start:
	/* 1: 0x8000000000000027 is getpid (39): the guest is pid 1. */
	movabs $0x8000000000000027, %rax
	syscall
	cmp $1, %rax
	mov $1, %edi
	jne exit
	/* 2: so is 0x0000000100000027. */
	movabs $0x0000000100000027, %rax
	syscall
	cmp $1, %rax
	mov $2, %edi
	jne exit
	/* 3: write(unsigned int fd = 0x1_00000002 -> 2, buf, 0) is an empty write to stderr. */
	movabs $0x100000002, %rdi
	lea _start(%rip), %rsi
	xor %edx, %edx
	mov $NR_write, %eax
	syscall
	test %rax, %rax
	mov $3, %edi
	jne exit
	xor %edi, %edi
exit:
	mov $231, %eax
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
