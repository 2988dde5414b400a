/* 4-level x86-64 page-table entry bits and index arithmetic. */
#ifndef HV_ARCH_PTE_H
#define HV_ARCH_PTE_H

#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ull
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x) ((x) & PAGE_MASK)

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PT_ENTRIES 512
/* level 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */
static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)((va >> (PAGE_SHIFT + 9 * (level - 1))) & 511);
}

/* The lower canonical half, as Linux's TASK_SIZE_MAX for 4-level paging. */
#define USER_VA_END 0x00007ffffffff000ull

#endif
