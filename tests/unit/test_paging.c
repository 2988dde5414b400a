/* 4-level page tables over struct guest_mem: map/translate round trips, permission
 * checks as the CPU makes them, large pages, range walks and freeing the tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/pte.h"
#include "vmm/guest_mem.h"
#include "vmm/paging.h"

struct fixture {
	struct guest_mem gm;
	uint64_t root;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f || gmem_init(&f->gm, 64ull << 20) || frame_alloc(&f->gm, &f->root)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gmem_destroy(&f->gm);
	free(f);
	return 0;
}

static uint64_t *table(struct fixture *f, uint64_t gpa)
{
	uint64_t *t = gmem_ptr(&f->gm, gpa & PTE_ADDR_MASK, PAGE_SIZE);

	assert_non_null(t);
	return t;
}

/* The level-`level` entry for va, following present tables from the root. */
static uint64_t *entry_at(struct fixture *f, uint64_t va, int want_level)
{
	uint64_t tbl = f->root;

	for (int level = 4; level > want_level; level--) {
		uint64_t e = table(f, tbl)[pt_index(va, level)];
		assert_true(e & PTE_P);
		tbl = e & PTE_ADDR_MASK;
	}
	return &table(f, tbl)[pt_index(va, want_level)];
}

#define MAXV 64
struct visits {
	int n;
	int stop_after; /* 0: never */
	uint64_t va[MAXV];
	uint64_t pte[MAXV];
};

static int record(void *arg, uint64_t va, uint64_t *pte)
{
	struct visits *v = arg;

	assert_true(v->n < MAXV);
	v->va[v->n] = va;
	v->pte[v->n] = *pte;
	v->n++;
	if (v->stop_after && v->n == v->stop_after)
		return 42;
	return 0;
}

#define UVA 0x0000000000400000ull
#define PA1 0x0000000000123000ull
#define PA2 0x0000000000456000ull

/* Round trip ----------------------------------------------------------------------- */

static void test_map_then_translate_returns_physical_address_with_offset(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0, pte = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U | PTE_W), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, 0, &pa, &pte), 0);
	assert_int_equal(pa, PA1);
	assert_int_equal(pte & PTE_ADDR_MASK, PA1);
	assert_true((pte & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U | PTE_W));
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + 0xabc,
				      PT_ACCESS_USER | PT_ACCESS_WRITE | PT_ACCESS_EXEC, &pa, NULL), 0);
	assert_int_equal(pa, PA1 + 0xabc);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + 0xfff, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA1 + 0xfff);
}

static void test_map_ignores_offset_bits_of_physical_address(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1 | 0x7ff, PTE_U), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + 8, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA1 + 8);
}

static void test_map_replaces_existing_leaf_entry(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U | PTE_W), 0);
	uint64_t used = frames_used(&f->gm);
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA2, PTE_U), 0);
	assert_int_equal(frames_used(&f->gm), used); /* no new tables */
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA2);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE,
				      &pa, NULL), -EFAULT);
}

static void test_distinct_pages_translate_independently(void **state)
{
	struct fixture *f = *state;
	static const uint64_t va[] = {0x1000, 0x400000, 0x401000, 0x7fffffffe000ull,
				      0x0000000040000000ull, 0x0000008000000000ull};
	uint64_t pa = 0;

	for (unsigned i = 0; i < sizeof va / sizeof va[0]; i++)
		assert_int_equal(pt_map(&f->gm, f->root, va[i], (i + 1) * PAGE_SIZE, PTE_U), 0);
	for (unsigned i = 0; i < sizeof va / sizeof va[0]; i++) {
		assert_int_equal(pt_translate(&f->gm, f->root, va[i] + 5, PT_ACCESS_USER, &pa, NULL), 0);
		assert_int_equal(pa, (i + 1) * PAGE_SIZE + 5);
	}
	/* Neighbours stay unmapped. */
	assert_int_equal(pt_translate(&f->gm, f->root, 0x402000, 0, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x0, 0, &pa, NULL), -EFAULT);
}

/* Permissions ---------------------------------------------------------------------- */

static void test_translate_denies_user_access_to_supervisor_page(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_W), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa,
				      NULL), -EFAULT);
	/* The supervisor may use it. */
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_WRITE, &pa, NULL), 0);
	assert_int_equal(pa, PA1);
}

static void test_translate_denies_write_to_read_only_page(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa,
				      NULL), -EFAULT);
}

static void test_translate_denies_supervisor_write_to_read_only_page(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	/* CR0.WP=1: read-only holds for the supervisor as well. */
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, 0), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, 0, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_WRITE, &pa, NULL), -EFAULT);
}

static void test_translate_denies_exec_of_nx_page(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U | PTE_W | PTE_NX), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa,
				      NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_EXEC, &pa,
				      NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_EXEC, &pa, NULL), -EFAULT);
}

static void test_translate_applies_restrictions_of_upper_levels(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U | PTE_W), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA,
				      PT_ACCESS_USER | PT_ACCESS_WRITE | PT_ACCESS_EXEC, &pa, NULL), 0);

	uint64_t *pml4e = entry_at(f, UVA, 4), *pdpte = entry_at(f, UVA, 3), *pde = entry_at(f, UVA, 2);

	*pml4e &= ~PTE_U;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), -EFAULT);
	*pml4e |= PTE_U;

	*pdpte &= ~PTE_W;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa,
				      NULL), -EFAULT);
	*pdpte |= PTE_W;

	*pde |= PTE_NX;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_EXEC, &pa,
				      NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa,
				      NULL), 0);
}

static void test_user_mapping_widens_shared_tables_but_not_supervisor_leaf(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	/* A supervisor page first: its tables are created without U. */
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_W), 0);
	assert_false(*entry_at(f, UVA, 4) & PTE_U);
	/* A user page in the same page table adds U on the way down. */
	assert_int_equal(pt_map(&f->gm, f->root, UVA + PAGE_SIZE, PA2, PTE_U), 0);
	assert_true(*entry_at(f, UVA, 4) & PTE_U);
	assert_true(*entry_at(f, UVA, 3) & PTE_U);
	assert_true(*entry_at(f, UVA, 2) & PTE_U);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + PAGE_SIZE, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA2);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, PT_ACCESS_USER, &pa, NULL), -EFAULT);
}

/* Missing and invalid addresses ---------------------------------------------------- */

static void test_translate_of_unmapped_address_faults(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0xdead;

	/* Empty root: the PML4 entry is missing. */
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, 0, &pa, NULL), -EFAULT);
	assert_int_equal(pa, 0xdead);
	/* Tables present, leaf missing. */
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + PAGE_SIZE, 0, &pa, NULL), -EFAULT);
	/* A PD present but the PT missing. */
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + (2ull << 20), 0, &pa, NULL), -EFAULT);
	/* Leaf cleared by hand. */
	*entry_at(f, UVA, 1) &= ~PTE_P;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, 0, &pa, NULL), -EFAULT);
}

static void test_translate_rejects_non_canonical_address(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;
	const uint64_t kva = 0xffff800000000000ull; /* PML4 slot 256 */

	assert_int_equal(pt_map(&f->gm, f->root, kva, PA1, PTE_W), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, kva + 0x10, PT_ACCESS_WRITE, &pa, NULL), 0);
	assert_int_equal(pa, PA1 + 0x10);
	/* Same PML4 slot and indices, but bits 63:48 do not copy bit 47. */
	assert_int_equal(pt_translate(&f->gm, f->root, 0x0000800000000010ull, 0, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x7fff800000000010ull, 0, &pa, NULL), -EFAULT);

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA2, PTE_U), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x0001000000000000ull | UVA, 0, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x8000000000000000ull | UVA, 0, &pa, NULL), -EFAULT);
}

static void test_translate_of_highest_canonical_addresses(void **state)
{
	struct fixture *f = *state;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, 0x00007ffffffff000ull, PA1, PTE_U), 0);
	assert_int_equal(pt_map(&f->gm, f->root, 0xfffffffffffff000ull, PA2, 0), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x00007fffffffffffull, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA1 + 0xfff);
	assert_int_equal(pt_translate(&f->gm, f->root, 0xffffffffffffffffull, 0, &pa, NULL), 0);
	assert_int_equal(pa, PA2 + 0xfff);
}

static void test_table_pointer_outside_guest_ram_faults_without_crash(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};
	uint64_t pa = 0;
	int err = 0;

	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U), 0);
	uint64_t good_pt = *entry_at(f, UVA, 2);
	/* A corrupted PD entry naming a "table" beyond the end of guest RAM. */
	*entry_at(f, UVA, 2) = (f->gm.size + (1ull << 30)) | PTE_P | PTE_W | PTE_U;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA, 0, &pa, NULL), -EFAULT);
	assert_null(pt_entry(&f->gm, f->root, UVA, false, 0, &err));
	assert_int_equal(err, -EFAULT);
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA2, PTE_U), -EFAULT);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), -EFAULT);
	assert_int_equal(v.n, 0);
	*entry_at(f, UVA, 2) = good_pt;
	/* A root outside guest RAM. */
	assert_int_equal(pt_translate(&f->gm, f->gm.size, UVA, 0, &pa, NULL), -EFAULT);
	assert_null(pt_entry(&f->gm, f->gm.size, UVA, true, PTE_W, &err));
	assert_int_equal(err, -EFAULT);
}

/* Large pages ---------------------------------------------------------------------- */

static void test_translate_2mib_large_page(void **state)
{
	struct fixture *f = *state;
	const uint64_t va = 0x40000000ull + (6ull << 20); /* 2 MiB aligned */
	const uint64_t big = 4ull << 20;                  /* 2 MiB aligned physical */
	uint64_t pa = 0, pte = 0;

	/* Create PDPT and PD through a neighbour, then place a PS entry in the PD by hand. */
	assert_int_equal(pt_map(&f->gm, f->root, va - PAGE_SIZE, PA1, PTE_U), 0);
	uint64_t *pde = entry_at(f, va, 2);
	assert_false(*pde & PTE_P);
	*pde = big | PTE_P | PTE_W | PTE_U | PTE_PS;

	assert_int_equal(pt_translate(&f->gm, f->root, va, PT_ACCESS_USER, &pa, &pte), 0);
	assert_int_equal(pa, big);
	assert_int_equal(pte, *pde);
	assert_int_equal(pt_translate(&f->gm, f->root, va + 0x12345, PT_ACCESS_USER | PT_ACCESS_WRITE,
				      &pa, NULL), 0);
	assert_int_equal(pa, big + 0x12345);
	assert_int_equal(pt_translate(&f->gm, f->root, va + (2ull << 20) - 1, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, big + (2ull << 20) - 1);
	/* The next 2 MiB is not mapped. */
	assert_int_equal(pt_translate(&f->gm, f->root, va + (2ull << 20), 0, &pa, NULL), -EFAULT);

	/* Permission bits of the large page apply. */
	*pde = big | PTE_P | PTE_PS | PTE_NX;
	assert_int_equal(pt_translate(&f->gm, f->root, va + 8, 0, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, va + 8, PT_ACCESS_USER, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, va + 8, PT_ACCESS_WRITE, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, va + 8, PT_ACCESS_EXEC, &pa, NULL), -EFAULT);
}

static void test_translate_2mib_page_ignores_pat_bit_in_address(void **state)
{
	struct fixture *f = *state;
	const uint64_t va = 0x40000000ull;
	const uint64_t big = 8ull << 20;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, va + (10ull << 20), PA1, PTE_U), 0);
	/* Bit 12 of a large-page entry is PAT, not an address bit. */
	*entry_at(f, va, 2) = big | (1ull << 12) | PTE_P | PTE_U | PTE_PS;
	assert_int_equal(pt_translate(&f->gm, f->root, va + 0x345, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, big + 0x345);
}

static void test_translate_1gib_large_page(void **state)
{
	struct fixture *f = *state;
	const uint64_t va = 0x0000004000000000ull + (3ull << 30); /* PML4 slot 0, PDPT index 3 */
	const uint64_t big = 1ull << 30;
	uint64_t pa = 0;

	assert_int_equal(pt_map(&f->gm, f->root, 0x0000004000000000ull, PA1, PTE_U), 0);
	uint64_t *pdpte = entry_at(f, va, 3);
	assert_false(*pdpte & PTE_P);
	*pdpte = big | PTE_P | PTE_U | PTE_PS;
	assert_int_equal(pt_translate(&f->gm, f->root, va + 0x3456789, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, big + 0x3456789);
	assert_int_equal(pt_translate(&f->gm, f->root, va, PT_ACCESS_USER | PT_ACCESS_WRITE, &pa, NULL),
			 -EFAULT);
}

static void test_pt_entry_and_map_refuse_address_inside_large_page(void **state)
{
	struct fixture *f = *state;
	const uint64_t va = 0x40000000ull;
	int err = 1234;

	assert_int_equal(pt_map(&f->gm, f->root, va + (4ull << 20), PA1, PTE_U), 0);
	*entry_at(f, va, 2) = (2ull << 20) | PTE_P | PTE_U | PTE_PS;
	uint64_t used = frames_used(&f->gm);

	assert_null(pt_entry(&f->gm, f->root, va + 0x5000, true, PTE_W | PTE_U, &err));
	assert_int_equal(err, 0);
	err = 1234;
	assert_null(pt_entry(&f->gm, f->root, va + 0x5000, false, 0, &err));
	assert_int_equal(err, 0);
	assert_int_equal(pt_map(&f->gm, f->root, va + 0x5000, PA2, PTE_U), -EEXIST);
	assert_int_equal(frames_used(&f->gm), used);
}

/* pt_entry -------------------------------------------------------------------------- */

static void test_pt_entry_without_create_on_missing_tables_returns_null_and_no_error(void **state)
{
	struct fixture *f = *state;
	int err = -999;
	uint64_t used = frames_used(&f->gm);

	assert_null(pt_entry(&f->gm, f->root, UVA, false, PTE_W | PTE_U, &err));
	assert_int_equal(err, 0);
	assert_int_equal(frames_used(&f->gm), used);

	/* Present PML4/PDPT/PD but missing PT for another 2 MiB region. */
	assert_int_equal(pt_map(&f->gm, f->root, UVA, PA1, PTE_U), 0);
	err = -999;
	assert_null(pt_entry(&f->gm, f->root, UVA + (2ull << 20), false, 0, &err));
	assert_int_equal(err, 0);
}

static void test_pt_entry_with_create_allocates_three_tables_once(void **state)
{
	struct fixture *f = *state;
	int err = -999;
	uint64_t used = frames_used(&f->gm);

	uint64_t *e = pt_entry(&f->gm, f->root, UVA, true, PTE_W | PTE_U, &err);
	assert_non_null(e);
	assert_int_equal(err, 0);
	assert_int_equal(*e, 0);
	assert_int_equal(frames_used(&f->gm), used + 3);
	/* Tables are linked present with the given flags. */
	assert_true((*entry_at(f, UVA, 4) & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W | PTE_U));

	/* The same and a neighbouring va reuse them. */
	assert_ptr_equal(pt_entry(&f->gm, f->root, UVA, true, PTE_W | PTE_U, &err), e);
	assert_ptr_equal(pt_entry(&f->gm, f->root, UVA + PAGE_SIZE, false, 0, &err), e + 1);
	assert_int_equal(frames_used(&f->gm), used + 3);

	/* An entry written through the pointer is what translation sees. */
	*e = PA2 | PTE_P | PTE_U;
	uint64_t pa = 0;
	assert_int_equal(pt_translate(&f->gm, f->root, UVA + 1, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA2 + 1);
}

static void test_pt_entry_create_reports_enomem_when_memory_is_exhausted(void **state)
{
	struct guest_mem gm;
	uint64_t root, hog[16];
	int n = 0, err = 0;
	(void)state;

	assert_int_equal(gmem_init(&gm, 16 * PAGE_SIZE), 0);
	assert_int_equal(frame_alloc(&gm, &root), 0);
	while (frame_alloc(&gm, &hog[n]) == 0)
		n++;
	assert_null(pt_entry(&gm, root, UVA, true, PTE_W, &err));
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(pt_map(&gm, root, UVA, PA1, PTE_U), -ENOMEM);
	/* With three frames back, the mapping fits. */
	for (int i = 0; i < 3; i++)
		frame_put(&gm, hog[--n]);
	assert_int_equal(pt_map(&gm, root, UVA, PA1, PTE_U), 0);
	uint64_t pa = 0;
	assert_int_equal(pt_translate(&gm, root, UVA, PT_ACCESS_USER, &pa, NULL), 0);
	assert_int_equal(pa, PA1);
	gmem_destroy(&gm);
}

/* pt_walk_range -------------------------------------------------------------------- */

static const uint64_t walk_vas[] = {
	0x1000,
	0x400000, 0x401000, 0x403000,  /* one PT, with a hole at 0x402000 */
	0x600000,                      /* another PT in the same PD */
	0x40000000,                    /* another PD */
	0x0000008000000000ull,         /* another PML4 slot */
	0x0000008000200000ull,
	0x00007fffffffe000ull,         /* the last page below USER_VA_END */
};
#define NWALK (sizeof walk_vas / sizeof walk_vas[0])

static void map_walk_vas(struct fixture *f)
{
	/* Mapped out of order on purpose. */
	for (int i = (int)NWALK - 1; i >= 0; i--)
		assert_int_equal(pt_map(&f->gm, f->root, walk_vas[i], (i + 1) * PAGE_SIZE, PTE_U), 0);
}

static void test_walk_range_visits_present_pages_in_order(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	map_walk_vas(f);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 0);
	assert_int_equal(v.n, NWALK);
	for (unsigned i = 0; i < NWALK; i++) {
		assert_int_equal(v.va[i], walk_vas[i]);
		assert_int_equal(v.pte[i] & PTE_ADDR_MASK, (i + 1) * PAGE_SIZE);
	}
}

static void test_walk_range_visits_only_pages_inside_range(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	map_walk_vas(f);
	/* [0x401000, 0x40000000): end excluded. */
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x401000, 0x40000000, record, &v), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.va[0], 0x401000);
	assert_int_equal(v.va[1], 0x403000);
	assert_int_equal(v.va[2], 0x600000);

	/* An unaligned start includes the page holding it; an unaligned end the page too. */
	memset(&v, 0, sizeof v);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x400800, 0x401001, record, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.va[0], 0x400000);
	assert_int_equal(v.va[1], 0x401000);

	/* A range with no present page. */
	memset(&v, 0, sizeof v);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x402000, 0x403000, record, &v), 0);
	assert_int_equal(v.n, 0);
	/* Crossing PML4 slots. */
	memset(&v, 0, sizeof v);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x40000000, 0x0000008000200000ull, record, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.va[0], 0x40000000);
	assert_int_equal(v.va[1], 0x0000008000000000ull);
}

static void test_walk_range_end_is_exclusive_at_top_of_lower_half(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	assert_int_equal(pt_map(&f->gm, f->root, 0x00007fffffffe000ull, PA1, PTE_U), 0);
	assert_int_equal(pt_map(&f->gm, f->root, 0x00007ffffffff000ull, PA2, PTE_U), 0);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.va[0], 0x00007fffffffe000ull);
	memset(&v, 0, sizeof v);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x00007fff00000000ull, 1ull << 47, record, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.va[1], 0x00007ffffffff000ull);
	assert_int_equal(v.pte[1] & PTE_ADDR_MASK, PA2);
}

static void test_walk_range_with_empty_range_visits_nothing(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	map_walk_vas(f);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x400000, 0x400000, record, &v), 0);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x500000, 0x400000, record, &v), 0);
	assert_int_equal(v.n, 0);
}

static void test_walk_range_on_empty_tables_visits_nothing(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 0);
	assert_int_equal(v.n, 0);
}

static void test_walk_range_skips_non_present_leaves_in_present_table(void **state)
{
	struct fixture *f = *state;
	struct visits v = {0};

	map_walk_vas(f);
	*entry_at(f, 0x401000, 1) &= ~PTE_P;
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x400000, 0x800000, record, &v), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.va[0], 0x400000);
	assert_int_equal(v.va[1], 0x403000);
	assert_int_equal(v.va[2], 0x600000);
}

static void test_walk_range_stops_early_and_returns_callback_value(void **state)
{
	struct fixture *f = *state;
	struct visits v = {.stop_after = 2};

	map_walk_vas(f);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 42);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.va[0], walk_vas[0]);
	assert_int_equal(v.va[1], walk_vas[1]);

	/* Stopping at a page in another PML4 slot. */
	memset(&v, 0, sizeof v);
	v.stop_after = 7;
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 42);
	assert_int_equal(v.n, 7);
	assert_int_equal(v.va[6], walk_vas[6]);
}

static int set_dirty(void *arg, uint64_t va, uint64_t *pte)
{
	(void)arg;
	(void)va;
	*pte |= PTE_D;
	return 0;
}

static void test_walk_range_callback_may_modify_leaf_entries(void **state)
{
	struct fixture *f = *state;
	uint64_t pte = 0, pa;

	map_walk_vas(f);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0x400000, 0x402000, set_dirty, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x401000, 0, &pa, &pte), 0);
	assert_true(pte & PTE_D);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x403000, 0, &pa, &pte), 0);
	assert_false(pte & PTE_D);
}

/* Freeing and collecting tables ------------------------------------------------------ */

static void test_free_tables_returns_every_table_frame(void **state)
{
	struct fixture *f = *state;
	uint64_t before = frames_used(&f->gm);
	struct visits v = {0};

	map_walk_vas(f);
	assert_true(frames_used(&f->gm) > before);
	pt_free_tables(&f->gm, f->root, 0, 255);
	assert_int_equal(frames_used(&f->gm), before);
	/* The root stays, its slots are cleared. */
	assert_int_equal(frame_refcount(&f->gm, f->root), 1);
	for (int i = 0; i < 256; i++)
		assert_int_equal(table(f, f->root)[i], 0);
	assert_int_equal(pt_walk_range(&f->gm, f->root, 0, USER_VA_END, record, &v), 0);
	assert_int_equal(v.n, 0);
	uint64_t pa;
	assert_int_equal(pt_translate(&f->gm, f->root, 0x400000, 0, &pa, NULL), -EFAULT);
}

static void test_free_tables_does_not_free_mapped_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t page;

	assert_int_equal(frame_alloc(&f->gm, &page), 0);
	uint64_t before = frames_used(&f->gm);
	assert_int_equal(pt_map(&f->gm, f->root, UVA, page, PTE_U | PTE_W), 0);
	assert_int_equal(frames_used(&f->gm), before + 3);
	pt_free_tables(&f->gm, f->root, 0, 0);
	assert_int_equal(frames_used(&f->gm), before);
	assert_int_equal(frame_refcount(&f->gm, page), 1);
	frame_put(&f->gm, page);
}

static void test_free_tables_only_touches_given_slots(void **state)
{
	struct fixture *f = *state;
	const uint64_t kva = 0xffff800000000000ull; /* slot 256 */
	uint64_t pa = 0;

	map_walk_vas(f); /* slots 0, 1 and 255 */
	assert_int_equal(pt_map(&f->gm, f->root, kva, PA1, PTE_W), 0);
	uint64_t with_all = frames_used(&f->gm);

	pt_free_tables(&f->gm, f->root, 1, 1);
	/* Slot 1 held one PDPT, one PD and two PTs (0x8000000000 and 0x8000200000). */
	assert_int_equal(frames_used(&f->gm), with_all - 4);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x0000008000000000ull, 0, &pa, NULL), -EFAULT);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x400000, 0, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, 0x00007fffffffe000ull, 0, &pa, NULL), 0);
	assert_int_equal(pt_translate(&f->gm, f->root, kva, 0, &pa, NULL), 0);

	pt_free_tables(&f->gm, f->root, 0, 255);
	assert_int_equal(pt_translate(&f->gm, f->root, kva, 0, &pa, NULL), 0);
	assert_int_equal(pa, PA1);
	pt_free_tables(&f->gm, f->root, 256, 511);
	assert_int_equal(pt_translate(&f->gm, f->root, kva, 0, &pa, NULL), -EFAULT);
	assert_int_equal(frames_used(&f->gm), 2); /* frame 0 and the root */
}

static void test_free_tables_skips_large_page_entries(void **state)
{
	struct fixture *f = *state;
	uint64_t before = frames_used(&f->gm);

	assert_int_equal(pt_map(&f->gm, f->root, 0x40000000ull, PA1, PTE_U), 0);
	/* Large-page entries whose address field names an allocated frame: followed as if
	 * they were tables, that frame would be put. (The address is not 2 MiB aligned;
	 * only the freeing logic is under test here.) */
	uint64_t data;
	assert_int_equal(frame_alloc(&f->gm, &data), 0);
	*entry_at(f, 0x40200000ull, 2) = data | PTE_P | PTE_PS;
	*entry_at(f, 0x80000000ull, 3) = data | PTE_P | PTE_PS;
	pt_free_tables(&f->gm, f->root, 0, 0);
	assert_int_equal(frames_used(&f->gm), before + 1);
	assert_int_equal(frame_refcount(&f->gm, data), 1);
	frame_put(&f->gm, data);
}

static uint64_t position(const uint64_t *list, uint64_t n, uint64_t gpa)
{
	for (uint64_t i = 0; i < n; i++)
		if (list[i] == gpa)
			return i;
	fail_msg("table %#llx not collected", (unsigned long long)gpa);
	return n;
}

/* Checks that every table below `tbl` (at `level`) precedes it in list. */
static void check_children_first(struct fixture *f, uint64_t tbl, int level,
				 const uint64_t *list, uint64_t n)
{
	uint64_t pos = position(list, n, tbl);

	if (level == 1)
		return;
	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = table(f, tbl)[i];
		if (!(e & PTE_P) || (e & PTE_PS))
			continue;
		assert_true(position(list, n, e & PTE_ADDR_MASK) < pos);
		check_children_first(f, e & PTE_ADDR_MASK, level - 1, list, n);
	}
}

static void test_collect_tables_lists_children_before_parents(void **state)
{
	struct fixture *f = *state;
	uint64_t *out = NULL, n = 0, cap = 0;

	map_walk_vas(f);
	uint64_t ntables = frames_used(&f->gm) - 2; /* minus frame 0 and the root */
	assert_int_equal(pt_collect_tables(&f->gm, f->root, 0, 255, &out, &n, &cap), 0);
	assert_int_equal(n, ntables);
	assert_true(cap >= n);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_not_equal(out[i], f->root);
		assert_int_equal(frame_refcount(&f->gm, out[i]), 1);
		for (uint64_t j = 0; j < i; j++)
			assert_int_not_equal(out[i], out[j]);
	}
	/* Every table comes after all the tables it points to. */
	for (int slot = 0; slot < 256; slot++) {
		uint64_t e = table(f, f->root)[slot];
		if (e & PTE_P)
			check_children_first(f, e & PTE_ADDR_MASK, 3, out, n);
	}
	/* Appends: a second call doubles the list. */
	assert_int_equal(pt_collect_tables(&f->gm, f->root, 0, 255, &out, &n, &cap), 0);
	assert_int_equal(n, 2 * ntables);
	free(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_map_then_translate_returns_physical_address_with_offset),
		T(test_map_ignores_offset_bits_of_physical_address),
		T(test_map_replaces_existing_leaf_entry),
		T(test_distinct_pages_translate_independently),
		T(test_translate_denies_user_access_to_supervisor_page),
		T(test_translate_denies_write_to_read_only_page),
		T(test_translate_denies_supervisor_write_to_read_only_page),
		T(test_translate_denies_exec_of_nx_page),
		T(test_translate_applies_restrictions_of_upper_levels),
		T(test_user_mapping_widens_shared_tables_but_not_supervisor_leaf),
		T(test_translate_of_unmapped_address_faults),
		T(test_translate_rejects_non_canonical_address),
		T(test_translate_of_highest_canonical_addresses),
		T(test_table_pointer_outside_guest_ram_faults_without_crash),
		T(test_translate_2mib_large_page),
		T(test_translate_2mib_page_ignores_pat_bit_in_address),
		T(test_translate_1gib_large_page),
		T(test_pt_entry_and_map_refuse_address_inside_large_page),
		T(test_pt_entry_without_create_on_missing_tables_returns_null_and_no_error),
		T(test_pt_entry_with_create_allocates_three_tables_once),
		cmocka_unit_test(test_pt_entry_create_reports_enomem_when_memory_is_exhausted),
		T(test_walk_range_visits_present_pages_in_order),
		T(test_walk_range_visits_only_pages_inside_range),
		T(test_walk_range_end_is_exclusive_at_top_of_lower_half),
		T(test_walk_range_with_empty_range_visits_nothing),
		T(test_walk_range_on_empty_tables_visits_nothing),
		T(test_walk_range_skips_non_present_leaves_in_present_table),
		T(test_walk_range_stops_early_and_returns_callback_value),
		T(test_walk_range_callback_may_modify_leaf_entries),
		T(test_free_tables_returns_every_table_frame),
		T(test_free_tables_does_not_free_mapped_pages),
		T(test_free_tables_only_touches_given_slots),
		T(test_free_tables_skips_large_page_entries),
		T(test_collect_tables_lists_children_before_parents),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
