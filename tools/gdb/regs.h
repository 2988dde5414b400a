/* gdb's x86-64 register numbering (the regnum attributes of our target.xml, which the
 * g/G/p/P packets use) mapped onto what hvtrace hands out: Linux's user_regs_struct,
 * the FXSAVE area and the XSAVE area's AVX upper halves. */
#ifndef TOOLS_GDB_REGS_H
#define TOOLS_GDB_REGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/* Our numbering: the order of gdb's amd64-linux description (core, sse, linux,
 * segments, avx). */
enum {
	GDB_REG_RAX = 0, GDB_REG_RBX, GDB_REG_RCX, GDB_REG_RDX, GDB_REG_RSI, GDB_REG_RDI,
	GDB_REG_RBP, GDB_REG_RSP, GDB_REG_R8, /* ... r15 = 15 */
	GDB_REG_RIP = 16, GDB_REG_EFLAGS, GDB_REG_CS, GDB_REG_SS, GDB_REG_DS, GDB_REG_ES,
	GDB_REG_FS, GDB_REG_GS,
	GDB_REG_ST0 = 24,
	GDB_REG_FCTRL = 32, GDB_REG_FSTAT, GDB_REG_FTAG, GDB_REG_FISEG, GDB_REG_FIOFF,
	GDB_REG_FOSEG, GDB_REG_FOOFF, GDB_REG_FOP,
	GDB_REG_XMM0 = 40,
	GDB_REG_MXCSR = 56,
	GDB_REG_ORIG_RAX = 57,
	GDB_REG_FS_BASE = 58, GDB_REG_GS_BASE,
	GDB_REG_YMM0H = 60,
	GDB_NREGS = 76,
};

/* Which feature (target.xml section) a register belongs to. */
enum gdb_feature { GDB_FEAT_CORE, GDB_FEAT_SSE, GDB_FEAT_LINUX, GDB_FEAT_SEGMENTS, GDB_FEAT_AVX, GDB_NFEATURES };

/* Which of hvtrace's register sets holds a register (what a write must put back). */
enum gdb_reg_set { GDB_SET_GPR, GDB_SET_FP, GDB_SET_XSTATE };

struct gdb_reg_info {
	const char *name;
	unsigned size;      /* bytes */
	const char *type;   /* the target.xml type */
	const char *group;  /* target.xml group, or NULL */
	enum gdb_feature feature;
	enum gdb_reg_set set;
};

/* The registers of one stopped thread as the stub caches them. */
struct gdb_regs {
	struct user_regs_struct gpr;
	struct user_fpregs_struct fp;
	uint8_t ymmh[16][16];
};

/* The largest register, in bytes. */
#define GDB_REG_MAX 16

/* The register's description, or NULL when regno is out of range. */
const struct gdb_reg_info *gdb_reg_info(int regno);
/* Copies register regno's value (target byte order) into out[GDB_REG_MAX]: its size, or
 * -EINVAL. */
int gdb_reg_read(const struct gdb_regs *r, int regno, uint8_t *out);
/* Stores a value of the register's size: its size, or -EINVAL. */
int gdb_reg_write(struct gdb_regs *r, int regno, const uint8_t *in);
/* Fills r->ymmh from an NT_X86_XSTATE image of len bytes (zeros when AVX state is in
 * its initial state or absent). */
void gdb_regs_set_xstate(struct gdb_regs *r, const void *xstate, size_t len);
/* x87's full tag word (2 bits a register, as FSTENV) from FXSAVE's abridged one. */
uint16_t gdb_fp_full_tag(const struct user_fpregs_struct *f);
/* The abridged tag byte from a full tag word. */
uint8_t gdb_fp_abridged_tag(uint16_t full);

#endif
