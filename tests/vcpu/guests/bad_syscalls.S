/* Bad syscall inputs get Linux's error codes and never hurt the VMM. Each check is
 * numbered; the exit status is the first that failed, 0 if all held. Nothing is
 * written to stdout (every write to fd 1 has a bad buffer). */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_pipe 22
#define NR_getpid 39
#define NR_uname 63
#define NR_arch_prctl 158
#define NR_clock_gettime 228
#define NR_exit_group 231
#define EPERM 1
#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38
#define PHYSMAP 0xffff888000000000
#define AGENT_TEXT 0xffffffff81000000
#define TRAMPOLINE 0xffffffff81001000

	/* Calls syscall nr with up to six arguments and checks RAX == expect. */
	.macro call6 code, expect, nr, a1=0, a2=0, a3=0, a4=0, a5=0, a6=0
	movabs $\a1, %rdi
	movabs $\a2, %rsi
	movabs $\a3, %rdx
	movabs $\a4, %r10
	movabs $\a5, %r8
	movabs $\a6, %r9
	movabs $\nr, %rax
	syscall
	movabs $\expect, %rcx
	cmp %rcx, %rax
	mov $\code, %edi
	jne exit
	.endm

	.text
	.globl _start
_start:
	/* 1-4: write from unmapped, kernel-half, agent and wrapping buffers. */
	call6 1, -EFAULT, NR_write, 1, 0x1, 10
	call6 2, -EFAULT, NR_write, 1, AGENT_TEXT, 10
	call6 3, -EFAULT, NR_write, 1, PHYSMAP, 16
	call6 4, -EFAULT, NR_write, 1, 0xfffffffffffffff0, 32
	/* 5: the user-executable trampoline page is still not user memory for syscalls. */
	call6 5, -EFAULT, NR_write, 1, TRAMPOLINE, 2

	/* 6-10: a pipe with data; read into read-only text, kernel half, unmapped. */
	lea fds(%rip), %rdi
	mov $NR_pipe, %eax
	syscall
	test %rax, %rax
	mov $6, %edi
	jne exit
	movslq fds+4(%rip), %rdi
	lea msg(%rip), %rsi
	mov $8, %edx
	mov $NR_write, %eax
	syscall
	cmp $8, %rax
	mov $7, %edi
	jne exit
	movslq fds(%rip), %rdi
	lea _start(%rip), %rsi
	mov $8, %edx
	mov $NR_read, %eax
	syscall
	cmp $-EFAULT, %rax
	mov $8, %edi
	jne exit
	movslq fds(%rip), %rdi
	movabs $PHYSMAP, %rsi
	mov $8, %edx
	mov $NR_read, %eax
	syscall
	cmp $-EFAULT, %rax
	mov $9, %edi
	jne exit
	/* ... and the data is still there for a good buffer. */
	movslq fds(%rip), %rdi
	lea buf(%rip), %rsi
	mov $8, %edx
	mov $NR_read, %eax
	syscall
	cmp $8, %rax
	mov $10, %edi
	jne exit
	mov buf(%rip), %rax
	cmp msg(%rip), %rax
	mov $11, %edi
	jne exit

	/* 12-15: unknown syscall numbers (-1 is the "no syscall" number of ptrace/seccomp). */
	call6 12, -ENOSYS, 1000
	call6 13, -ENOSYS, 0xffffffffffffffff
	call6 14, -ENOSYS, 512
	call6 15, -ENOSYS, 0x40000027		/* x32 getpid: not on this kernel */
	call6 16, -ENOSYS, 0xffffffff		/* int nr == -1 */

	/* 17-21: mmap lengths that cannot fit; the user half asked for whole. */
	call6 17, -ENOMEM, NR_mmap, 0, 0x4000000000000000, 3, 0x22, -1, 0
	call6 18, -ENOMEM, NR_mmap, 0, 0xfffffffffffff000, 3, 0x22, -1, 0
	call6 19, -ENOMEM, NR_mmap, 0, 0xffffffffffffffff, 3, 0x22, -1, 0
	call6 20, -ENOMEM, NR_mmap, 0, 0x7ffffffff000, 3, 0x22, -1, 0
	call6 21, -EINVAL, NR_mmap, 0, 0, 3, 0x22, -1, 0

	/* 22-26: the kernel half cannot be mapped, unmapped or reprotected. */
	call6 22, -ENOMEM, NR_mmap, PHYSMAP, 4096, 3, 0x32, -1, 0	/* MAP_FIXED */
	call6 23, -EINVAL, NR_munmap, PHYSMAP, 4096
	call6 24, -ENOMEM, NR_mprotect, PHYSMAP, 4096, 7
	call6 25, -ENOMEM, NR_mprotect, AGENT_TEXT, 4096, 7
	call6 26, -EINVAL, NR_munmap, TRAMPOLINE, 4096

	/* 27-31: other syscalls given bad pointers. */
	call6 27, -EFAULT, NR_uname, 0x1
	call6 28, -EFAULT, NR_uname, PHYSMAP
	call6 29, -EFAULT, NR_clock_gettime, 1, AGENT_TEXT
	call6 30, -EFAULT, NR_open, PHYSMAP, 0, 0
	call6 31, -EFAULT, NR_arch_prctl, 0x1003, 0x1	/* ARCH_GET_FS to a bad pointer */
	call6 32, -EPERM, NR_arch_prctl, 0x1002, PHYSMAP
	call6 33, -EBADF, NR_write, 0x7fffffff, 0x1, 1

	/* 34: after all that the process still works. */
	call6 34, 1, NR_getpid
	xor %edi, %edi
exit:
	mov $NR_exit_group, %eax
	syscall
	ud2

	.data
	.balign 8
fds:	.long -1, -1
msg:	.ascii "hvtrace!"
buf:	.quad 0
	.section .note.GNU-stack, "", @progbits
