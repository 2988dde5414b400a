/* 4-level page tables in guest-physical memory, built and walked by the host.
 * Pure logic over struct guest_mem: no KVM, so it is unit-tested on its own.
 * Making a changed present entry visible to a running vCPU is not this file's job
 * (see vmm/pte_flush.h). */
#ifndef HV_VMM_PAGING_H
#define HV_VMM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/pte.h"
#include "vmm/guest_mem.h"

#define PT_ACCESS_WRITE 1u
#define PT_ACCESS_USER 2u
#define PT_ACCESS_EXEC 4u

/* The level-1 entry for va. With create, missing tables are allocated and linked with
 * table_flags; *err is -ENOMEM when that fails. NULL (with *err 0) when a table is
 * missing and !create, or when a large page maps va. */
uint64_t *pt_entry(struct guest_mem *gm, uint64_t root, uint64_t va, bool create,
		   uint64_t table_flags, int *err);

/* Maps one 4 KiB page; replaces whatever level-1 entry was there. */
int pt_map(struct guest_mem *gm, uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);

/* Translates va as the CPU would for an access of the given kind (CR0.WP=1, EFER.NXE=1),
 * including 2 MiB and 1 GiB pages. 0 and *pa, or -EFAULT. *pte_out (optional) is the
 * leaf entry found. */
int pt_translate(struct guest_mem *gm, uint64_t root, uint64_t va, unsigned access,
		 uint64_t *pa, uint64_t *pte_out);

/* Calls fn for every present level-1 entry mapping a page in [start, end) of the lower
 * (user) half (end <= 2^47), skipping
 * missing tables; fn returns 0 to go on, anything else stops the walk and is returned. */
typedef int (*pt_leaf_fn)(void *arg, uint64_t va, uint64_t *pte);
int pt_walk_range(struct guest_mem *gm, uint64_t root, uint64_t start, uint64_t end,
		  pt_leaf_fn fn, void *arg);

/* Appends f to the array *out of *n frames (*cap allocated), growing it; -ENOMEM. */
int pt_push_frame(uint64_t **out, uint64_t *n, uint64_t *cap, uint64_t f);

/* Appends to *out (growing it) every table frame below root in PML4 slots
 * [first, last], children before parents. */
int pt_collect_tables(struct guest_mem *gm, uint64_t root, unsigned first, unsigned last,
		      uint64_t **out, uint64_t *n, uint64_t *cap);

/* Only for tables no vCPU ever used: on shadow-paging hypervisors tables a guest ran on
 * must go through vm_release_address_space() instead.
 * Frees the page-table frames of PML4 slots [first, last] (not the pages they map)
 * and clears those slots. */
void pt_free_tables(struct guest_mem *gm, uint64_t root, unsigned first, unsigned last);

#endif
