#include "vmm/paging.h"

#include <errno.h>
#include <stdlib.h>
#include <stddef.h>

static uint64_t *table_at(struct guest_mem *gm, uint64_t gpa)
{
	return gmem_ptr(gm, gpa & PTE_ADDR_MASK, PAGE_SIZE);
}

uint64_t *pt_entry(struct guest_mem *gm, uint64_t root, uint64_t va, bool create,
		   uint64_t table_flags, int *err)
{
	uint64_t table = root;

	*err = 0;
	for (int level = 4; level > 1; level--) {
		uint64_t *t = table_at(gm, table);
		if (!t) {
			*err = -EFAULT;
			return NULL;
		}
		uint64_t *e = &t[pt_index(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t fresh;
			int r = frame_alloc(gm, &fresh);
			if (r) {
				*err = r;
				return NULL;
			}
			*e = fresh | table_flags | PTE_P;
		} else if (*e & PTE_PS) {
			return NULL;
		} else if (create) {
			/* A table shared by user and kernel mappings needs the union of rights. */
			*e |= table_flags & (PTE_W | PTE_U);
		}
		table = *e & PTE_ADDR_MASK;
	}
	uint64_t *t = table_at(gm, table);
	if (!t) {
		*err = -EFAULT;
		return NULL;
	}
	return &t[pt_index(va, 1)];
}

int pt_map(struct guest_mem *gm, uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	int err;
	uint64_t table_flags = PTE_W | ((flags & PTE_U) ? PTE_U : 0);
	uint64_t *pte = pt_entry(gm, root, va, true, table_flags, &err);

	if (!pte)
		return err ? err : -EEXIST;
	*pte = (pa & PTE_ADDR_MASK) | flags | PTE_P;
	return 0;
}

int pt_translate(struct guest_mem *gm, uint64_t root, uint64_t va, unsigned access,
		 uint64_t *pa, uint64_t *pte_out)
{
	uint64_t table = root;
	bool writable = true, user = true, exec = true;

	/* Non-canonical addresses never translate. */
	if ((uint64_t)((int64_t)(va << 16) >> 16) != va)
		return -EFAULT;
	for (int level = 4; level >= 1; level--) {
		uint64_t *t = table_at(gm, table);
		if (!t)
			return -EFAULT;
		uint64_t e = t[pt_index(va, level)];
		if (!(e & PTE_P))
			return -EFAULT;
		writable &= !!(e & PTE_W);
		user &= !!(e & PTE_U);
		exec &= !(e & PTE_NX);
		bool leaf = level == 1 || ((level == 2 || level == 3) && (e & PTE_PS));
		if (leaf) {
			if ((access & PT_ACCESS_WRITE) && !writable)
				return -EFAULT;
			if ((access & PT_ACCESS_USER) && !user)
				return -EFAULT;
			if ((access & PT_ACCESS_EXEC) && !exec)
				return -EFAULT;
			uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));
			uint64_t base = e & PTE_ADDR_MASK & ~(span - 1);
			*pa = base | (va & (span - 1));
			if (pte_out)
				*pte_out = e;
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return -EFAULT;
}

static int walk_level(struct guest_mem *gm, uint64_t table, int level, uint64_t base,
		      uint64_t start, uint64_t end, pt_leaf_fn fn, void *arg)
{
	uint64_t *t = table_at(gm, table);
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));

	if (!t)
		return -EFAULT;
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t lo = base + i * span, hi = lo + span;
		if (hi <= start || lo >= end)
			continue;
		if (!(t[i] & PTE_P))
			continue;
		int r;
		if (level == 1)
			r = fn(arg, lo, &t[i]);
		else if (t[i] & PTE_PS)
			r = 0; /* large pages belong to the kernel half; not ours to visit */
		else
			r = walk_level(gm, t[i] & PTE_ADDR_MASK, level - 1, lo, start, end, fn, arg);
		if (r)
			return r;
	}
	return 0;
}

int pt_walk_range(struct guest_mem *gm, uint64_t root, uint64_t start, uint64_t end,
		  pt_leaf_fn fn, void *arg)
{
	if (start >= end)
		return 0;
	/* Only the lower canonical half is walked with this helper. */
	return walk_level(gm, root, 4, 0, start, end, fn, arg);
}

static void free_level(struct guest_mem *gm, uint64_t table, int level)
{
	uint64_t *t = table_at(gm, table);

	if (t && level > 1) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_level(gm, t[i] & PTE_ADDR_MASK, level - 1);
	}
	frame_put(gm, table & PTE_ADDR_MASK);
}

void pt_free_tables(struct guest_mem *gm, uint64_t root, unsigned first, unsigned last)
{
	uint64_t *t = table_at(gm, root);

	if (!t)
		return;
	for (unsigned i = first; i <= last && i < PT_ENTRIES; i++) {
		if (t[i] & PTE_P)
			free_level(gm, t[i] & PTE_ADDR_MASK, 3);
		t[i] = 0;
	}
}

int pt_push_frame(uint64_t **out, uint64_t *n, uint64_t *cap, uint64_t f)
{
	if (*n == *cap) {
		uint64_t c = *cap ? *cap * 2 : 64;
		uint64_t *g = realloc(*out, c * sizeof *g);
		if (!g)
			return -ENOMEM;
		*out = g;
		*cap = c;
	}
	(*out)[(*n)++] = f;
	return 0;
}

static int collect_level(struct guest_mem *gm, uint64_t table, int level, uint64_t **out,
			 uint64_t *n, uint64_t *cap)
{
	uint64_t *t = table_at(gm, table);
	int r;

	if (t && level > 1)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS) &&
			    (r = collect_level(gm, t[i] & PTE_ADDR_MASK, level - 1, out, n, cap)))
				return r;
	return pt_push_frame(out, n, cap, table & PTE_ADDR_MASK);
}

int pt_collect_tables(struct guest_mem *gm, uint64_t root, unsigned first, unsigned last,
		      uint64_t **out, uint64_t *n, uint64_t *cap)
{
	uint64_t *t = table_at(gm, root);
	int r;

	if (!t)
		return -EFAULT;
	for (unsigned i = first; i <= last && i < PT_ENTRIES; i++)
		if ((t[i] & PTE_P) && (r = collect_level(gm, t[i] & PTE_ADDR_MASK, 3, out, n, cap)))
			return r;
	return 0;
}
