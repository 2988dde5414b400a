/* SSE/AVX and x87 state across syscalls, a host-served page fault and a PTE re-store
 * (munmap of a touched page). Four rounds with different patterns in xmm0-15 (ymm0-15
 * when AVX is there), an x87 control word, MXCSR and two 80-bit x87 registers.
 * Exit status: 0 all checked with AVX; 77 all checked, but the guest has no AVX (CPUID
 * or XCR0); else the number of the failed check. */
#define NR_getpid 39
#define NR_mmap 9
#define NR_munmap 11
#define NR_exit_group 231
#define ROUNDS 4
#define CW 0x0e7f		/* all exceptions masked, 53-bit precision, truncate */
#define MXCSR 0xdf80		/* FTZ, round up, all exceptions masked */

	.macro sys nr
	mov $\nr, %eax
	syscall
	.endm

	.text
	.globl _start
_start:
	/* Is AVX usable? CPUID.1:ECX OSXSAVE(27) and AVX(28), then XCR0 bits 1-2. */
	mov $1, %eax
	cpuid
	mov %ecx, %eax
	and $(3 << 27), %eax
	cmp $(3 << 27), %eax
	jne 1f
	xor %ecx, %ecx
	xgetbv
	and $6, %eax
	cmp $6, %eax
	jne 1f
	movb $1, have_avx(%rip)
1:
	fninit
	fldcw cw(%rip)
	ldmxcsr mxcsr(%rip)
	fldt x87_a(%rip)
	fldt x87_b(%rip)

round:
	/* pat[k] = (k + 1) * golden + round * 0x0101010101010101, k = 0..63 */
	xor %ecx, %ecx
	movabs $0x9e3779b97f4a7c15, %r8
	movabs $0x0101010101010101, %r9
	imul nround(%rip), %r9
2:	lea 1(%rcx), %rax
	imul %r8, %rax
	add %r9, %rax
	lea pat(%rip), %rdx
	mov %rax, (%rdx,%rcx,8)
	lea out(%rip), %rdx
	mov %rax, (%rdx,%rcx,8)	/* out's upper halves already match in SSE mode */
	inc %ecx
	cmp $64, %ecx
	jb 2b

	cmpb $0, have_avx(%rip)
	je load_sse
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu pat+32*\i(%rip), %ymm\i
	.endr
	jmp loaded
load_sse:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu pat+32*\i(%rip), %xmm\i
	.endr
loaded:
	/* Syscalls, a page fault served by the host, and a PTE re-store by the agent. */
	sys NR_getpid
	sys NR_getpid
	xor %edi, %edi
	mov $8192, %esi
	mov $3, %edx
	mov $0x22, %r10d
	mov $-1, %r8
	xor %r9d, %r9d
	sys NR_mmap
	cmp $-4095, %rax
	mov $1, %edi
	jae exit
	mov %rax, %rbx
	movq $1, (%rbx)			/* demand fault */
	movq $1, 4096(%rbx)
	mov %rbx, %rdi
	mov $8192, %esi
	sys NR_munmap			/* present entries removed: agent re-store */
	test %rax, %rax
	mov $2, %edi
	jne exit
	sys NR_getpid

	cmpb $0, have_avx(%rip)
	je store_sse
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu %ymm\i, out+32*\i(%rip)
	.endr
	jmp stored
store_sse:
	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\i, out+32*\i(%rip)
	.endr
stored:
	lea pat(%rip), %rsi
	lea out(%rip), %rdi
	mov $512, %ecx
	cld
	repe cmpsb
	mov $3, %edi
	jne exit
	/* The vector compare the other way too: (ymm|xmm)0 against its pattern. */
	cmpb $0, have_avx(%rip)
	je 3f
	vpcmpeqq pat(%rip), %ymm0, %ymm1
	vpcmpeqq %ymm2, %ymm2, %ymm2
	vptest %ymm2, %ymm1		/* CF = all ones where ymm2 is set */
	mov $4, %edi
	jnc exit
3:	incq nround(%rip)
	cmpq $ROUNDS, nround(%rip)
	jb round

	/* x87 control word, MXCSR and the two registers. */
	fnstcw got_cw(%rip)
	cmpw $CW, got_cw(%rip)
	mov $5, %edi
	jne exit
	stmxcsr got_mxcsr(%rip)
	cmpl $MXCSR, got_mxcsr(%rip)
	mov $6, %edi
	jne exit
	fstpt got_b(%rip)
	fstpt got_a(%rip)
	lea x87_a(%rip), %rsi
	lea got_a(%rip), %rdi
	mov $10, %ecx
	repe cmpsb
	mov $7, %edi
	jne exit
	lea x87_b(%rip), %rsi
	lea got_b(%rip), %rdi
	mov $10, %ecx
	repe cmpsb
	mov $8, %edi
	jne exit

	mov $77, %edi
	cmpb $0, have_avx(%rip)
	je exit
	xor %edi, %edi
exit:
	sys NR_exit_group
	ud2

	.data
	.balign 64
pat:	.fill 64, 8, 0
out:	.fill 64, 8, 0
nround:	.quad 0
cw:	.word CW
	.balign 4
mxcsr:	.long MXCSR
got_mxcsr: .long 0
got_cw:	.word 0
	.balign 16
x87_a:	.quad 0xc90fdaa22168c234	/* pi: mantissa */
	.word 0x4000			/* sign/exponent */
	.balign 16
x87_b:	.quad 0x8000000000000001	/* -1.000...(64-bit mantissa, last bit set) * 2^-3 */
	.word 0xbffc
	.balign 16
got_a:	.fill 16, 1, 0
got_b:	.fill 16, 1, 0
have_avx: .byte 0
	.section .note.GNU-stack, "", @progbits
