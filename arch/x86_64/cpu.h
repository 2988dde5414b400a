/* x86-64 architectural constants hvtrace needs: control-register and flag bits,
 * MSR numbers, exception vectors and the GDT selectors of our Linux-like layout. */
#ifndef HV_ARCH_CPU_H
#define HV_ARCH_CPU_H

#include <stdint.h>

/* GDT selectors, laid out as Linux does (platform.md: 0x33 user CS64 is required). */
#define SEL_KERNEL_CS 0x10
#define SEL_KERNEL_DS 0x18
#define SEL_USER_CS32 0x23
#define SEL_USER_DS 0x2b
#define SEL_USER_CS 0x33
#define SEL_TSS 0x40
#define GDT_ENTRIES 16

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)

#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_FSGSBASE (1u << 16)
#define CR4_OSXSAVE (1u << 18)

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_FIXED (1ull << 1)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_IOPL (3ull << 12)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_VM (1ull << 17)
#define RFLAGS_AC (1ull << 18)
/* Flags a user may hold: what POPF can set at CPL 3 (Linux FLAG_MASK). */
#define RFLAGS_USER_MASK 0x254dd5ull
/* What a tracer may change in RFLAGS (Linux's FLAG_MASK of arch/x86/kernel/ptrace.c:
 * CF PF AF ZF SF TF DF OF NT RF AC). */
#define RFLAGS_PTRACE_MASK 0x54dd5ull

/* Debug registers. */
#define DR6_RESERVED 0xffff0ff0ull /* bits that read as 1 when nothing happened */
#define DR6_BS (1ull << 14)        /* the trap was a single step */
#define DR7_RESERVED 0xfc00ull
#define DR7_FIXED_ONE (1ull << 10) /* reads as 1 */

#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_CSTAR 0xC0000083u
#define MSR_SYSCALL_MASK 0xC0000084u
#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_KERNEL_GS_BASE 0xC0000102u

enum x86_vector {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
	VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
	VEC_VE = 20, VEC_CP = 21, VEC_COUNT = 32,
};

/* The TSC, not read ahead of earlier loads (LFENCE). */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Vectors for which the CPU pushes an error code. */
static inline int vector_has_error_code(unsigned vec)
{
	return vec < 32 && ((0x20027d00u >> vec) & 1);
}

/* #PF error-code bits. */
#define PF_ERR_PRESENT (1u << 0)
#define PF_ERR_WRITE (1u << 1)
#define PF_ERR_USER (1u << 2)
#define PF_ERR_RSVD (1u << 3)
#define PF_ERR_FETCH (1u << 4)

/* XCR0 components. */
#define XFEATURE_X87 (1ull << 0)
#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)
#define XFEATURE_AVX512 (7ull << 5)

#endif
