/* Memory-management paths that change or remove present page-table entries, which the
 * guest agent must re-store (design decision 3). One case per run, chosen by argv[1]:
 *   u       munmap touched pages, then read one: SIGSEGV at touch_after_munmap
 *   r       mprotect RW -> R: reads still see the data, a write faults (write_after_ro)
 *   w       mprotect RW -> R -> RW: the write works; exit 0
 *   n       mprotect RW -> NONE: a read faults (read_prot_none)
 *   N       mprotect RW -> NONE -> R keeps the contents, -> RW writable again; exit 0
 *   mK      munmap of 1000 touched pages (4 mailbox batches), then read page K
 *           (touch_many): SIGSEGV
 *   pK      mprotect of 1000 touched pages to PROT_READ, page K still reads its data,
 *           then a write to it faults (write_many)
 *   z       munmap + mmap again, and MAP_FIXED over a touched mapping: zero pages; exit 0
 *   d       madvise(MADV_DONTNEED) of touched pages: zero pages afterwards; exit 0
 *   M       mremap moves touched pages: the data follows, the old place faults
 *           (touch_after_mremap)
 * Fixed addresses: AREA (4 pages) and MANY (1000 pages), see below. Exit status 99: the
 * access that had to fault did not; 100/101: bad argv; else the failed check. */
#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_mremap 25
#define NR_madvise 28
#define NR_exit_group 231
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_RW 3
#define MAP_PRIVATE_ANON_FIXED 0x32
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MADV_DONTNEED 4
#define AREA 0x200000000
#define AREA_PAGES 4
#define MANY 0x300000000
#define MANY_PAGES 1000
#define MOVED 0x400000000

	.macro sys nr
	mov $\nr, %eax
	syscall
	.endm
	/* Fails with status `code` unless RAX == 0. */
	.macro ok0 code
	test %rax, %rax
	mov $\code, %edi
	jne exit
	.endm
	/* mmap(addr, pages*4096, prot, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED), checked. */
	.macro map addr, pages, prot, code
	movabs $\addr, %rdi
	mov $(\pages * 4096), %esi
	mov $\prot, %edx
	mov $MAP_PRIVATE_ANON_FIXED, %r10d
	mov $-1, %r8
	xor %r9d, %r9d
	sys NR_mmap
	movabs $\addr, %rdx
	cmp %rdx, %rax
	mov $\code, %edi
	jne exit
	.endm
	.macro protect addr, pages, prot, code
	movabs $\addr, %rdi
	mov $(\pages * 4096), %esi
	mov $\prot, %edx
	sys NR_mprotect
	ok0 \code
	.endm
	.macro unmap addr, pages, code
	movabs $\addr, %rdi
	mov $(\pages * 4096), %esi
	sys NR_munmap
	ok0 \code
	.endm

	.text
	.globl _start
_start:
	cmpq $2, (%rsp)
	jb no_arg
	mov 16(%rsp), %rsi	/* argv[1] */
	movzbl (%rsi), %eax
	inc %rsi
	xor %r15d, %r15d	/* K: the decimal after the letter */
1:	movzbl (%rsi), %ecx
	sub $'0', %ecx
	cmp $9, %ecx
	ja 2f
	imul $10, %r15, %r15
	add %rcx, %r15
	inc %rsi
	jmp 1b
2:	cmp $MANY_PAGES, %r15
	jae bad_arg
	.macro case letter, target
	cmp $\letter, %al
	je \target
	.endm
	case 'u', do_munmap
	case 'r', do_ro
	case 'w', do_ro_rw
	case 'n', do_none
	case 'N', do_none_read
	case 'm', do_munmap_many
	case 'p', do_protect_many
	case 'z', do_remap_zero
	case 'd', do_dontneed
	case 'M', do_mremap
bad_arg:
	mov $101, %edi
	jmp exit
no_arg:
	mov $100, %edi
	jmp exit
survived:
	mov $99, %edi
exit:
	sys NR_exit_group
	ud2

/* Writes i * 0x1000001 + 7 to the first and the 3rd quadword of page i of [rdi, +rsi pages). */
fill:
	xor %ecx, %ecx
1:	mov %rcx, %rax
	imul $0x1000001, %rax
	add $7, %rax
	mov %rcx, %rdx
	shl $12, %rdx
	mov %rax, (%rdi,%rdx)
	mov %rax, 16(%rdi,%rdx)
	inc %rcx
	cmp %rsi, %rcx
	jb 1b
	ret
/* ZF set when every page of [rdi, +rsi pages) holds what fill wrote. */
verify:
	xor %ecx, %ecx
1:	mov %rcx, %rax
	imul $0x1000001, %rax
	add $7, %rax
	mov %rcx, %rdx
	shl $12, %rdx
	cmp %rax, (%rdi,%rdx)
	jne 2f
	cmp %rax, 16(%rdi,%rdx)
	jne 2f
	inc %rcx
	cmp %rsi, %rcx
	jb 1b
	xor %eax, %eax		/* ZF */
2:	ret
/* ZF set when [rdi, +rsi pages) reads all zero. */
verify_zero:
	mov %rsi, %rcx
	shl $9, %rcx		/* quadwords */
	xor %eax, %eax
	cld
	repe scasq
	ret

	.macro fill_area addr, pages
	movabs $\addr, %rdi
	mov $\pages, %esi
	call fill
	.endm
	.macro verify_area addr, pages, code
	movabs $\addr, %rdi
	mov $\pages, %esi
	call verify
	mov $\code, %edi
	jne exit
	.endm
	.macro verify_zero_area addr, pages, code
	movabs $\addr, %rdi
	mov $\pages, %esi
	call verify_zero
	mov $\code, %edi
	jne exit
	.endm

	.globl touch_after_munmap
do_munmap:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	verify_area AREA, AREA_PAGES, 2
	unmap AREA, AREA_PAGES, 3
	movabs $AREA + 0x1008, %rax
touch_after_munmap:
	mov (%rax), %rax
	jmp survived

	.globl write_after_ro
do_ro:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	protect AREA, AREA_PAGES, PROT_READ, 2
	verify_area AREA, AREA_PAGES, 3
	movabs $AREA + 0x2010, %rax
write_after_ro:
	movq $1, (%rax)
	jmp survived

do_ro_rw:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	protect AREA, AREA_PAGES, PROT_READ, 2
	verify_area AREA, AREA_PAGES, 3
	protect AREA, AREA_PAGES, PROT_RW, 4
	movabs $AREA + 0x2010, %rax
	movq $0x1234, (%rax)
	cmpq $0x1234, (%rax)
	mov $5, %edi
	jne exit
	movq $2 * 0x1000001 + 7, (%rax)	/* back to what fill wrote */
	verify_area AREA, AREA_PAGES, 6
	xor %edi, %edi
	jmp exit

	.globl read_prot_none
do_none:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	protect AREA, AREA_PAGES, PROT_NONE, 2
	movabs $AREA + 0x18, %rax
read_prot_none:
	mov (%rax), %rax
	jmp survived

do_none_read:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	protect AREA, AREA_PAGES, PROT_NONE, 2
	protect AREA, AREA_PAGES, PROT_READ, 3
	verify_area AREA, AREA_PAGES, 4
	protect AREA, AREA_PAGES, PROT_RW, 5
	movabs $AREA + 0x3000, %rax
	movq $3 * 0x1000001 + 7, (%rax)
	verify_area AREA, AREA_PAGES, 6
	xor %edi, %edi
	jmp exit

	.globl touch_many
do_munmap_many:
	map MANY, MANY_PAGES, PROT_RW, 1
	fill_area MANY, MANY_PAGES
	verify_area MANY, MANY_PAGES, 2
	unmap MANY, MANY_PAGES, 3
	mov %r15, %rax
	shl $12, %rax
	movabs $MANY + 8, %rdx
	add %rdx, %rax
touch_many:
	mov (%rax), %rax
	jmp survived

	.globl write_many
do_protect_many:
	map MANY, MANY_PAGES, PROT_RW, 1
	fill_area MANY, MANY_PAGES
	protect MANY, MANY_PAGES, PROT_READ, 2
	verify_area MANY, MANY_PAGES, 3
	mov %r15, %rax
	shl $12, %rax
	movabs $MANY + 8, %rdx
	add %rdx, %rax
write_many:
	movq $1, (%rax)
	jmp survived

do_remap_zero:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	unmap AREA, AREA_PAGES, 2
	map AREA, AREA_PAGES, PROT_RW, 3
	verify_zero_area AREA, AREA_PAGES, 4
	fill_area AREA, AREA_PAGES
	map AREA, AREA_PAGES, PROT_RW, 5	/* MAP_FIXED over the touched mapping */
	verify_zero_area AREA, AREA_PAGES, 6
	xor %edi, %edi
	jmp exit

do_dontneed:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	movabs $AREA, %rdi
	mov $AREA_PAGES * 4096, %esi
	mov $MADV_DONTNEED, %edx
	sys NR_madvise
	ok0 2
	verify_zero_area AREA, AREA_PAGES, 3
	xor %edi, %edi
	jmp exit

	.globl touch_after_mremap
do_mremap:
	map AREA, AREA_PAGES, PROT_RW, 1
	fill_area AREA, AREA_PAGES
	movabs $AREA, %rdi
	mov $AREA_PAGES * 4096, %esi
	mov %rsi, %rdx
	mov $MREMAP_MAYMOVE | MREMAP_FIXED, %r10d
	movabs $MOVED, %r8
	sys NR_mremap
	cmp %r8, %rax
	mov $2, %edi
	jne exit
	verify_area MOVED, AREA_PAGES, 3
	movabs $AREA + 0x3000, %rax
touch_after_mremap:
	mov (%rax), %rax
	jmp survived
	.section .note.GNU-stack, "", @progbits
