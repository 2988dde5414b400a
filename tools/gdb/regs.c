/* gdb's x86-64 register numbers over Linux's register sets (see regs.h). The table is
 * also what target_xml.c describes, so the two cannot disagree. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "tools/gdb/regs.h"

#define GPR(n, field, type) \
	{n, 8, type, NULL, GDB_FEAT_CORE, GDB_SET_GPR}
#define SEG(n) {n, 4, "int32", NULL, GDB_FEAT_CORE, GDB_SET_GPR}
#define ST(n) {n, 10, "i387_ext", NULL, GDB_FEAT_CORE, GDB_SET_FP}
#define FPC(n) {n, 4, "int", "float", GDB_FEAT_CORE, GDB_SET_FP}
#define XMM(n) {n, 16, "vec128", NULL, GDB_FEAT_SSE, GDB_SET_FP}
#define YMMH(n) {n, 16, "uint128", NULL, GDB_FEAT_AVX, GDB_SET_XSTATE}

static const struct gdb_reg_info regs[GDB_NREGS] = {
	GPR("rax", rax, "int64"), GPR("rbx", rbx, "int64"), GPR("rcx", rcx, "int64"),
	GPR("rdx", rdx, "int64"), GPR("rsi", rsi, "int64"), GPR("rdi", rdi, "int64"),
	GPR("rbp", rbp, "data_ptr"), GPR("rsp", rsp, "data_ptr"),
	GPR("r8", r8, "int64"), GPR("r9", r9, "int64"), GPR("r10", r10, "int64"),
	GPR("r11", r11, "int64"), GPR("r12", r12, "int64"), GPR("r13", r13, "int64"),
	GPR("r14", r14, "int64"), GPR("r15", r15, "int64"),
	GPR("rip", rip, "code_ptr"),
	{"eflags", 4, "i386_eflags", NULL, GDB_FEAT_CORE, GDB_SET_GPR},
	SEG("cs"), SEG("ss"), SEG("ds"), SEG("es"), SEG("fs"), SEG("gs"),
	ST("st0"), ST("st1"), ST("st2"), ST("st3"), ST("st4"), ST("st5"), ST("st6"), ST("st7"),
	FPC("fctrl"), FPC("fstat"), FPC("ftag"), FPC("fiseg"), FPC("fioff"), FPC("foseg"),
	FPC("fooff"), FPC("fop"),
	XMM("xmm0"), XMM("xmm1"), XMM("xmm2"), XMM("xmm3"), XMM("xmm4"), XMM("xmm5"),
	XMM("xmm6"), XMM("xmm7"), XMM("xmm8"), XMM("xmm9"), XMM("xmm10"), XMM("xmm11"),
	XMM("xmm12"), XMM("xmm13"), XMM("xmm14"), XMM("xmm15"),
	{"mxcsr", 4, "i386_mxcsr", "vector", GDB_FEAT_SSE, GDB_SET_FP},
	{"orig_rax", 8, "int", NULL, GDB_FEAT_LINUX, GDB_SET_GPR},
	{"fs_base", 8, "int", NULL, GDB_FEAT_SEGMENTS, GDB_SET_GPR},
	{"gs_base", 8, "int", NULL, GDB_FEAT_SEGMENTS, GDB_SET_GPR},
	YMMH("ymm0h"), YMMH("ymm1h"), YMMH("ymm2h"), YMMH("ymm3h"), YMMH("ymm4h"),
	YMMH("ymm5h"), YMMH("ymm6h"), YMMH("ymm7h"), YMMH("ymm8h"), YMMH("ymm9h"),
	YMMH("ymm10h"), YMMH("ymm11h"), YMMH("ymm12h"), YMMH("ymm13h"), YMMH("ymm14h"),
	YMMH("ymm15h"),
};

const struct gdb_reg_info *gdb_reg_info(int regno)
{
	return regno >= 0 && regno < GDB_NREGS ? &regs[regno] : NULL;
}

/* The user_regs_struct slot of a 64-bit or segment register, or NULL. */
static unsigned long long *gpr_slot(struct user_regs_struct *g, int regno)
{
	switch (regno) {
	case GDB_REG_RAX: return &g->rax;
	case GDB_REG_RBX: return &g->rbx;
	case GDB_REG_RCX: return &g->rcx;
	case GDB_REG_RDX: return &g->rdx;
	case GDB_REG_RSI: return &g->rsi;
	case GDB_REG_RDI: return &g->rdi;
	case GDB_REG_RBP: return &g->rbp;
	case GDB_REG_RSP: return &g->rsp;
	case GDB_REG_R8: return &g->r8;
	case GDB_REG_R8 + 1: return &g->r9;
	case GDB_REG_R8 + 2: return &g->r10;
	case GDB_REG_R8 + 3: return &g->r11;
	case GDB_REG_R8 + 4: return &g->r12;
	case GDB_REG_R8 + 5: return &g->r13;
	case GDB_REG_R8 + 6: return &g->r14;
	case GDB_REG_R8 + 7: return &g->r15;
	case GDB_REG_RIP: return &g->rip;
	case GDB_REG_EFLAGS: return &g->eflags;
	case GDB_REG_CS: return &g->cs;
	case GDB_REG_SS: return &g->ss;
	case GDB_REG_DS: return &g->ds;
	case GDB_REG_ES: return &g->es;
	case GDB_REG_FS: return &g->fs;
	case GDB_REG_GS: return &g->gs;
	case GDB_REG_ORIG_RAX: return &g->orig_rax;
	case GDB_REG_FS_BASE: return &g->fs_base;
	case GDB_REG_GS_BASE: return &g->gs_base;
	}
	return NULL;
}

/* The FXSAVE bytes behind an x87 control register that is stored as is: fiseg/fioff
 * are the halves of the 64-bit FPU IP, foseg/fooff of the data pointer (as gdb's
 * amd64 FXSAVE layout). */
static size_t fx_offset(int regno)
{
	switch (regno) {
	case GDB_REG_FIOFF: return 8;
	case GDB_REG_FISEG: return 12;
	case GDB_REG_FOOFF: return 16;
	case GDB_REG_FOSEG: return 20;
	}
	return 0;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* As the Intel SDM's FXSAVE tag reconstruction: 0 valid, 1 zero, 2 special, 3 empty.
 * Bit i of the abridged tag is physical register i, which is st((i - TOP) & 7). */
uint16_t gdb_fp_full_tag(const struct user_fpregs_struct *f)
{
	unsigned top = (f->swd >> 11) & 7;
	const uint8_t *st = (const uint8_t *)f->st_space;
	uint16_t tag = 0;

	for (unsigned phys = 0; phys < 8; phys++) {
		const uint8_t *v = st + 16 * ((phys - top) & 7);
		unsigned exp = (v[9] & 0x7f) << 8 | v[8];
		unsigned t;

		if (!(f->ftw & (1u << phys)))
			t = 3;
		else if (exp == 0x7fff)
			t = 2;
		else if (exp == 0)
			t = is_zero(v, 8) ? 1 : 2;
		else
			t = (v[7] & 0x80) ? 0 : 2;
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

uint8_t gdb_fp_abridged_tag(uint16_t full)
{
	uint8_t ab = 0;

	for (unsigned phys = 0; phys < 8; phys++)
		if (((full >> (2 * phys)) & 3) != 3)
			ab |= (uint8_t)(1u << phys);
	return ab;
}

int gdb_reg_read(const struct gdb_regs *r, int regno, uint8_t *out)
{
	const struct gdb_reg_info *ri = gdb_reg_info(regno);
	uint32_t v32;

	if (!ri)
		return -EINVAL;
	memset(out, 0, GDB_REG_MAX);
	if (ri->set == GDB_SET_GPR) {
		/* gpr_slot does not write: the cast only spares a const twin of it. */
		unsigned long long v = *gpr_slot((struct user_regs_struct *)&r->gpr, regno);
		memcpy(out, &v, ri->size); /* little-endian: the low bytes first */
		return (int)ri->size;
	}
	if (regno >= GDB_REG_ST0 && regno < GDB_REG_ST0 + 8) {
		memcpy(out, (const uint8_t *)r->fp.st_space + 16 * (regno - GDB_REG_ST0), 10);
		return 10;
	}
	if (regno >= GDB_REG_XMM0 && regno < GDB_REG_XMM0 + 16) {
		memcpy(out, (const uint8_t *)r->fp.xmm_space + 16 * (regno - GDB_REG_XMM0), 16);
		return 16;
	}
	if (regno >= GDB_REG_YMM0H) {
		memcpy(out, r->ymmh[regno - GDB_REG_YMM0H], 16);
		return 16;
	}
	switch (regno) {
	case GDB_REG_FCTRL: v32 = r->fp.cwd; break;
	case GDB_REG_FSTAT: v32 = r->fp.swd; break;
	case GDB_REG_FTAG: v32 = gdb_fp_full_tag(&r->fp); break;
	case GDB_REG_FOP: v32 = r->fp.fop & 0x7ff; break;
	case GDB_REG_MXCSR: v32 = r->fp.mxcsr; break;
	default: memcpy(&v32, (const uint8_t *)&r->fp + fx_offset(regno), 4); break;
	}
	memcpy(out, &v32, 4);
	return 4;
}

int gdb_reg_write(struct gdb_regs *r, int regno, const uint8_t *in)
{
	const struct gdb_reg_info *ri = gdb_reg_info(regno);
	uint32_t v32;

	if (!ri)
		return -EINVAL;
	if (ri->set == GDB_SET_XSTATE) {
		memcpy(r->ymmh[regno - GDB_REG_YMM0H], in, 16);
		return 16;
	}
	if (ri->set == GDB_SET_GPR) {
		unsigned long long v = 0;
		memcpy(&v, in, ri->size); /* 32-bit ones zero-extend, as Linux's ptrace */
		*gpr_slot(&r->gpr, regno) = v;
		return (int)ri->size;
	}
	if (regno >= GDB_REG_ST0 && regno < GDB_REG_ST0 + 8) {
		memcpy((uint8_t *)r->fp.st_space + 16 * (regno - GDB_REG_ST0), in, 10);
		return 10;
	}
	if (regno >= GDB_REG_XMM0 && regno < GDB_REG_XMM0 + 16) {
		memcpy((uint8_t *)r->fp.xmm_space + 16 * (regno - GDB_REG_XMM0), in, 16);
		return 16;
	}
	memcpy(&v32, in, 4);
	switch (regno) {
	case GDB_REG_FCTRL: r->fp.cwd = (uint16_t)v32; break;
	case GDB_REG_FSTAT: r->fp.swd = (uint16_t)v32; break;
	case GDB_REG_FTAG: r->fp.ftw = gdb_fp_abridged_tag((uint16_t)v32); break;
	case GDB_REG_FOP: r->fp.fop = (uint16_t)(v32 & 0x7ff); break;
	case GDB_REG_MXCSR: r->fp.mxcsr = v32; break;
	default: memcpy((uint8_t *)&r->fp + fx_offset(regno), &v32, 4); break;
	}
	return 4;
}

/* NT_X86_XSTATE: FXSAVE's 512 bytes, then the XSAVE header (XSTATE_BV first), then the
 * standard-format components; AVX's upper halves are component 2 at byte 576. */
void gdb_regs_set_xstate(struct gdb_regs *r, const void *xstate, size_t len)
{
	const uint8_t *x = xstate;
	uint64_t bv;

	memset(r->ymmh, 0, sizeof r->ymmh);
	if (len < 576 + sizeof r->ymmh)
		return;
	memcpy(&bv, x + 512, 8);
	if (bv & 4)
		memcpy(r->ymmh, x + 576, sizeof r->ymmh);
}
