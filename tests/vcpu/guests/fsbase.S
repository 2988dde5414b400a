/* FS and GS base: arch_prctl(ARCH_SET_FS/GET_FS/SET_GS/GET_GS) and ring-3
 * rdfsbase/wrfsbase/rdgsbase/wrgsbase, and that they agree with each other across
 * syscalls and handled page faults. Exit status: 0, or the number of the failed check. */
#define NR_getpid 39
#define NR_mmap 9
#define NR_arch_prctl 158
#define NR_exit_group 231
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define EPERM 1

	.macro sys nr
	mov $\nr, %eax
	syscall
	.endm
	.macro expect_eq a, b, code
	cmp \a, \b
	mov $\code, %edi
	jne exit
	.endm

	.text
	.globl _start
_start:
	/* 1-2: a fresh process has FS and GS base 0. */
	mov $ARCH_GET_FS, %edi
	lea got(%rip), %rsi
	movq $-1, got(%rip)
	sys NR_arch_prctl
	expect_eq $0, %rax, 1
	expect_eq $0, got(%rip), 2

	/* 3-5: ARCH_SET_FS, then %fs:0 and %fs:8 read the block. */
	mov $ARCH_SET_FS, %edi
	lea block_a(%rip), %rsi
	sys NR_arch_prctl
	expect_eq $0, %rax, 3
	movabs $0x1122334455667788, %rdx
	expect_eq %rdx, %fs:0, 4
	movabs $0x99aabbccddeeff00, %rdx
	expect_eq %rdx, %fs:8, 5

	/* 6-7: ARCH_GET_FS returns it. */
	mov $ARCH_GET_FS, %edi
	lea got(%rip), %rsi
	sys NR_arch_prctl
	expect_eq $0, %rax, 6
	lea block_a(%rip), %rdx
	expect_eq %rdx, got(%rip), 7

	/* 8: rdfsbase sees what arch_prctl set. */
	rdfsbase %rax
	lea block_a(%rip), %rdx
	expect_eq %rdx, %rax, 8

	/* 9-10: wrfsbase in ring 3; %fs:0 follows, and survives a syscall. */
	lea block_b(%rip), %rax
	wrfsbase %rax
	movabs $0x0badc0de0badc0de, %rdx
	expect_eq %rdx, %fs:0, 9
	sys NR_getpid
	movabs $0x0badc0de0badc0de, %rdx
	expect_eq %rdx, %fs:0, 10

	/* 11-12: ARCH_GET_FS sees the wrfsbase'd value. */
	mov $ARCH_GET_FS, %edi
	lea got(%rip), %rsi
	sys NR_arch_prctl
	expect_eq $0, %rax, 11
	lea block_b(%rip), %rdx
	expect_eq %rdx, got(%rip), 12

	/* 13-15: wrfsbase, then a page fault the host serves (first touch of a fresh
	 * anonymous page) must not bring back an older FS base. */
	lea block_c(%rip), %rax
	wrfsbase %rax
	xor %edi, %edi
	mov $4096, %esi
	mov $3, %edx		/* PROT_READ | PROT_WRITE */
	mov $0x22, %r10d	/* MAP_PRIVATE | MAP_ANONYMOUS */
	mov $-1, %r8
	xor %r9d, %r9d
	sys NR_mmap
	cmp $-4095, %rax
	mov $13, %edi
	jae exit
	movq $5, (%rax)		/* demand fault, served by the host */
	rdfsbase %rax
	lea block_c(%rip), %rdx
	expect_eq %rdx, %rax, 14
	movabs $0x5555aaaa5555aaaa, %rdx
	expect_eq %rdx, %fs:0, 15

	/* 16-17: wrfsbase, then ARCH_SET_GS (a syscall that rewrites segment state) must
	 * not bring back an older FS base. */
	lea block_b(%rip), %rax
	wrfsbase %rax
	mov $ARCH_SET_GS, %edi
	lea block_a(%rip), %rsi
	sys NR_arch_prctl
	expect_eq $0, %rax, 16
	rdfsbase %rax
	lea block_b(%rip), %rdx
	expect_eq %rdx, %rax, 17

	/* 18-20: GS: %gs:0 reads block_a, rdgsbase and ARCH_GET_GS agree. */
	movabs $0x1122334455667788, %rdx
	expect_eq %rdx, %gs:0, 18
	rdgsbase %rax
	lea block_a(%rip), %rdx
	expect_eq %rdx, %rax, 19
	lea block_c(%rip), %rax
	wrgsbase %rax
	mov $ARCH_GET_GS, %edi
	lea got(%rip), %rsi
	sys NR_arch_prctl
	lea block_c(%rip), %rdx
	expect_eq %rdx, got(%rip), 20

	/* 21-22: a kernel-half FS base is refused (EPERM) and leaves FS as it was. */
	mov $ARCH_SET_FS, %edi
	movabs $0xffff888000000000, %rsi
	sys NR_arch_prctl
	expect_eq $-EPERM, %rax, 21
	rdfsbase %rax
	lea block_b(%rip), %rdx
	expect_eq %rdx, %rax, 22

	xor %edi, %edi
exit:
	mov $NR_exit_group, %eax
	syscall
	ud2

	.data
	.balign 64
block_a:	.quad 0x1122334455667788, 0x99aabbccddeeff00
block_b:	.quad 0x0badc0de0badc0de, 0
block_c:	.quad 0x5555aaaa5555aaaa, 0
got:		.quad 0
	.section .note.GNU-stack, "", @progbits
