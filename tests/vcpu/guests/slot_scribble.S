/* A guest that scribbles over its own exit-less request slot (vCPU 0's, at
 * XL_BASE + 4096) between real syscalls: fake requests, garbage counters, pre-answered
 * requests, forged "take the exit path" answers. It may hurt only itself; it ends with
 * exit_group(7). */
#define SLOT 0xffffff0000001000
#define NR_getpid 39
#define NR_exit_group 231

	.text
	.globl _start
_start:
	movabs $SLOT, %rbx
	xor %r12d, %r12d		/* round */
round:
	mov %r12, %rax
	and $7, %eax
	cmp $0, %eax
	jne 1f
	incq (%rbx)			/* a fake request: nr 99999 */
	movq $99999, 8(%rbx)
	jmp call
1:	cmp $1, %eax
	jne 2f
	movabs $0xdeadbeefdeadbeef, %rcx	/* a garbage counter */
	mov %rcx, (%rbx)
	jmp call
2:	cmp $2, %eax
	jne 3f
	mov (%rbx), %rcx		/* pre-answer the next request with 7777 */
	inc %rcx
	mov %rcx, 0x40(%rbx)
	movq $7777, 0x48(%rbx)
	jmp call
3:	cmp $3, %eax
	jne 4f
	mov (%rbx), %rcx		/* forge "take the exit path" for the next request */
	inc %rcx
	btc $63, %rcx
	mov %rcx, 0x40(%rbx)
	jmp call
4:	cmp $4, %eax
	jne 5f
	movq $1, 0x200(%rbx)		/* spin limit 1: fall back at once */
	jmp call
5:	cmp $5, %eax
	jne 6f
	movq $0, 0x40(%rbx)		/* wipe the answer line */
	movq $0, 0x48(%rbx)
	jmp call
6:	movq $-1, 0x08(%rbx)		/* garbage syscall number in the slot */
call:
	mov $NR_getpid, %eax
	syscall
	inc %r12
	cmp $20000, %r12
	jb round
	mov $7, %edi
	mov $NR_exit_group, %eax
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
