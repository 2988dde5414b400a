/* TLS descriptors (see tls_desc.h). */
#include "arch/x86_64/tls_desc.h"

#include <string.h>

static bool ldt_empty(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 && u->contents == 0 && u->read_exec_only == 1 &&
	       u->seg_32bit == 0 && u->limit_in_pages == 0 && u->seg_not_present == 1 && u->useable == 0;
}

/* Programs expect an all-zero user_desc to mean "no segment" too. */
static bool ldt_zero(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 && u->contents == 0 && u->read_exec_only == 0 &&
	       u->seg_32bit == 0 && u->limit_in_pages == 0 && u->seg_not_present == 0 && u->useable == 0;
}

bool tls_desc_ok(const struct user_desc *u)
{
	if (ldt_empty(u))
		return true;
	/* As Linux: 32-bit data segments only, present (16-bit ones would need espfix). */
	return u->seg_32bit && u->contents <= 1 && !u->seg_not_present;
}

uint64_t tls_desc_encode(const struct user_desc *u)
{
	if (ldt_empty(u) || ldt_zero(u))
		return 0;
	uint64_t base = u->base_addr, limit = u->limit;
	/* Accessed set so that the entry may live in read-only memory; DPL 3; never L. */
	uint64_t type = ((uint64_t)(u->read_exec_only ^ 1) << 1) | ((uint64_t)u->contents << 2) | 1;

	return (limit & 0xffff) | ((base & 0xffffff) << 16) | (type << 40) | (1ull << 44) |
	       (3ull << 45) | ((uint64_t)(u->seg_not_present ^ 1) << 47) |
	       (((limit >> 16) & 0xf) << 48) | ((uint64_t)u->useable << 52) |
	       ((uint64_t)u->seg_32bit << 54) | ((uint64_t)u->limit_in_pages << 55) |
	       (((base >> 24) & 0xff) << 56);
}

void tls_desc_decode(uint64_t desc, unsigned idx, struct user_desc *u)
{
	unsigned type = (unsigned)(desc >> 40) & 0xf;

	memset(u, 0, sizeof *u);
	u->entry_number = idx;
	u->base_addr = (unsigned)(((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24));
	u->limit = (unsigned)((desc & 0xffff) | (((desc >> 48) & 0xf) << 16));
	u->seg_32bit = (desc >> 54) & 1;
	u->contents = type >> 2;
	u->read_exec_only = !(type & 2);
	u->limit_in_pages = (desc >> 55) & 1;
	u->seg_not_present = !((desc >> 47) & 1);
	u->useable = (desc >> 52) & 1;
	u->lm = (desc >> 53) & 1;
}
