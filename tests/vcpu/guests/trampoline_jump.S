/* The syscall trampoline page is user-executable (MSR_LSTAR must point at it on kvm_pvm),
 * so a program can jump into it without `syscall`, with RCX and R11 of its own choosing
 * instead of the return address and RFLAGS the CPU would have saved. hvtrace returns
 * through RCX with RFLAGS from R11, so it must not take them unchecked. argv[1]:
 *   i  R11 asks for IOPL 3; afterwards `cli` (cli_after) must still fault;
 *      exit 3 if RFLAGS show IOPL 3
 *   v  R11 asks for RFLAGS.VM (illegal in long mode); exit 0 when back
 *   c  RCX is non-canonical (0x8000_0000_0000_0000)
 *   k  RCX is the agent's supervisor page
 *   s  a plain syscall through the trampoline with honest RCX/R11 works; exit 0
 * Exit status 99: survived where it should not; 100/101: bad argv. */
#define NR_getpid 39
#define NR_exit_group 231
#define TRAMPOLINE 0xffffffff81001000

	.text
	.globl _start
_start:
	cmpq $2, (%rsp)
	jb no_arg
	mov 16(%rsp), %rax
	movzbl (%rax), %eax
	cmp $'i', %al
	je do_iopl
	cmp $'v', %al
	je do_vm
	cmp $'c', %al
	je do_noncanon
	cmp $'k', %al
	je do_kernel
	cmp $'s', %al
	je do_honest
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

	.globl iopl_back, cli_after
do_iopl:
	lea iopl_back(%rip), %rcx
	mov $0x3202, %r11d	/* IF, IOPL 3 */
	mov $NR_getpid, %eax
	movabs $TRAMPOLINE, %rdx
	jmp *%rdx
iopl_back:
	pushfq
	pop %rdx
	test $0x3000, %edx
	mov $3, %edi
	jnz exit
cli_after:
	cli
	jmp survived

	.globl vm_back
do_vm:
	lea vm_back(%rip), %rcx
	mov $0x20202, %r11d	/* IF, VM */
	mov $NR_getpid, %eax
	movabs $TRAMPOLINE, %rdx
	jmp *%rdx
vm_back:
	xor %edi, %edi
	jmp exit

do_noncanon:
	movabs $0x8000000000000000, %rcx
	mov $0x202, %r11d
	mov $NR_getpid, %eax
	movabs $TRAMPOLINE, %rdx
	jmp *%rdx

do_kernel:
	movabs $0xffffffff81000000, %rcx
	mov $0x202, %r11d
	mov $NR_getpid, %eax
	movabs $TRAMPOLINE, %rdx
	jmp *%rdx

do_honest:
	lea 1f(%rip), %rcx
	pushfq
	pop %r11
	mov $NR_getpid, %eax
	movabs $TRAMPOLINE, %rdx
	jmp *%rdx
1:	cmp $1, %rax
	mov $2, %edi
	jne exit
	xor %edi, %edi
	jmp exit
	.section .note.GNU-stack, "", @progbits
