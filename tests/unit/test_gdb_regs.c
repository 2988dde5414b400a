/* gdb's x86-64 register numbers over Linux's register sets (tools/gdb/regs.c), the x87
 * tag word conversion, gdb signal numbers, and the target description built from the
 * same table. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/gdb/regs.h"
#include "tools/gdb/signals.h"
#include "tools/gdb/target_xml.h"

static uint64_t read64(const struct gdb_regs *r, int regno)
{
	uint8_t v[GDB_REG_MAX];
	uint64_t x = 0;
	int n = gdb_reg_read(r, regno, v);

	assert_true(n > 0 && n <= 8);
	memcpy(&x, v, (size_t)n);
	return x;
}

static void general_registers_map_to_user_regs(void **unused)
{
	(void)unused;
	struct gdb_regs r;

	memset(&r, 0, sizeof r);
	r.gpr.rax = 0x1111;
	r.gpr.rbx = 0x2222;
	r.gpr.rsp = 0x7ffc0000;
	r.gpr.r8 = 8;
	r.gpr.r15 = 15;
	r.gpr.rip = 0x401000;
	r.gpr.eflags = 0x246;
	r.gpr.cs = 0x33;
	r.gpr.ss = 0x2b;
	r.gpr.orig_rax = (unsigned long long)-1;
	r.gpr.fs_base = 0x4c6380;
	r.gpr.gs_base = 0x1234;
	assert_int_equal(read64(&r, GDB_REG_RAX), 0x1111);
	assert_int_equal(read64(&r, GDB_REG_RBX), 0x2222);
	assert_int_equal(read64(&r, GDB_REG_RSP), 0x7ffc0000);
	assert_int_equal(read64(&r, 8), 8);
	assert_int_equal(read64(&r, 15), 15);
	assert_int_equal(read64(&r, GDB_REG_RIP), 0x401000);
	assert_int_equal(read64(&r, GDB_REG_EFLAGS), 0x246);
	assert_int_equal(read64(&r, GDB_REG_CS), 0x33);
	assert_int_equal(read64(&r, GDB_REG_SS), 0x2b);
	assert_true(read64(&r, GDB_REG_ORIG_RAX) == UINT64_MAX);
	assert_int_equal(read64(&r, GDB_REG_FS_BASE), 0x4c6380);
	assert_int_equal(read64(&r, GDB_REG_GS_BASE), 0x1234);
	assert_int_equal(gdb_reg_info(GDB_REG_EFLAGS)->size, 4);
	assert_string_equal(gdb_reg_info(GDB_REG_RIP)->name, "rip");
	assert_string_equal(gdb_reg_info(GDB_REG_ORIG_RAX)->name, "orig_rax");
	assert_string_equal(gdb_reg_info(GDB_NREGS - 1)->name, "ymm15h");
	assert_null(gdb_reg_info(GDB_NREGS));
	assert_null(gdb_reg_info(-1));
}

static void writes_land_in_the_right_slot(void **unused)
{
	(void)unused;
	struct gdb_regs r, before;
	uint8_t v[GDB_REG_MAX] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};

	memset(&r, 0xa5, sizeof r);
	before = r;
	assert_int_equal(gdb_reg_write(&r, GDB_REG_RDI, v), 8);
	assert_true(r.gpr.rdi == 0x1122334455667788ull);
	r.gpr.rdi = before.gpr.rdi;
	assert_memory_equal(&r, &before, sizeof r); /* nothing else moved */
	/* a 32-bit register zero-extends into its 64-bit slot, as ptrace */
	assert_int_equal(gdb_reg_write(&r, GDB_REG_EFLAGS, v), 4);
	assert_true(r.gpr.eflags == 0x55667788ull);
	assert_int_equal(gdb_reg_write(&r, GDB_REG_YMM0H + 1, v), 16);
	assert_memory_equal(r.ymmh[1], v, 16);
	assert_int_equal(gdb_reg_write(&r, GDB_NREGS, v), -EINVAL);
	assert_int_equal(gdb_reg_read(&r, -3, v), -EINVAL);
}

static void sse_and_x87_registers_map_to_fxsave(void **unused)
{
	(void)unused;
	struct gdb_regs r;
	uint8_t v[GDB_REG_MAX], w[16];

	memset(&r, 0, sizeof r);
	for (int i = 0; i < 16; i++)
		w[i] = (uint8_t)(0x10 + i);
	memcpy((uint8_t *)r.fp.xmm_space + 16 * 3, w, 16);
	memcpy((uint8_t *)r.fp.st_space + 16 * 2, w, 10);
	r.fp.mxcsr = 0x1f80;
	r.fp.cwd = 0x37f;
	r.fp.fop = 0x1234; /* only 11 bits are the opcode */
	r.fp.rip = 0xaabbccdd11223344ull;
	r.fp.rdp = 0x5566778899aabbccull;
	assert_int_equal(gdb_reg_read(&r, GDB_REG_XMM0 + 3, v), 16);
	assert_memory_equal(v, w, 16);
	assert_int_equal(gdb_reg_read(&r, GDB_REG_ST0 + 2, v), 10);
	assert_memory_equal(v, w, 10);
	assert_int_equal(read64(&r, GDB_REG_MXCSR), 0x1f80);
	assert_int_equal(read64(&r, GDB_REG_FCTRL), 0x37f);
	assert_int_equal(read64(&r, GDB_REG_FOP), 0x234);
	assert_int_equal(read64(&r, GDB_REG_FIOFF), 0x11223344);
	assert_int_equal(read64(&r, GDB_REG_FISEG), 0xaabbccdd);
	assert_int_equal(read64(&r, GDB_REG_FOOFF), 0x99aabbcc);
	assert_int_equal(read64(&r, GDB_REG_FOSEG), 0x55667788);
	/* and back */
	w[0] = 0xee;
	assert_int_equal(gdb_reg_write(&r, GDB_REG_XMM0 + 15, w), 16);
	assert_int_equal(((uint8_t *)r.fp.xmm_space)[16 * 15], 0xee);
	uint32_t x = 0x7f;
	assert_int_equal(gdb_reg_write(&r, GDB_REG_FIOFF, (uint8_t *)&x), 4);
	assert_true(r.fp.rip == 0xaabbccdd0000007full);
}

/* The tag word: FXSAVE keeps one "not empty" bit per physical register; gdb wants the
 * full 2-bit tags, computed from each register's value. */
static void x87_tags_are_rebuilt_from_the_values(void **unused)
{
	(void)unused;
	struct user_fpregs_struct f;

	memset(&f, 0, sizeof f);
	assert_int_equal(gdb_fp_full_tag(&f), 0xffff); /* all empty */
	/* TOP = 7: st0 is physical register 7. st0 = 1.0 (valid), st1 (physical 0) = 0.0 */
	f.swd = 7 << 11;
	uint8_t *st = (uint8_t *)f.st_space;
	st[7] = 0x80;
	st[8] = 0xff;
	st[9] = 0x3f;
	f.ftw = 0x80 | 0x01;
	uint16_t tag = gdb_fp_full_tag(&f);
	assert_int_equal((tag >> 14) & 3, 0); /* physical 7: valid */
	assert_int_equal(tag & 3, 1);         /* physical 0: zero */
	assert_int_equal((tag >> 2) & 3, 3);  /* physical 1: empty */
	/* an infinity (exponent all ones) is special */
	st[16 + 8] = 0xff;
	st[16 + 9] = 0x7f;
	assert_int_equal(gdb_fp_full_tag(&f) & 3, 2);
	assert_int_equal(gdb_fp_abridged_tag(tag), 0x81);
	assert_int_equal(gdb_fp_abridged_tag(0xffff), 0);
	assert_int_equal(gdb_fp_abridged_tag(0), 0xff);
}

static void avx_upper_halves_come_from_xstate(void **unused)
{
	(void)unused;
	struct gdb_regs r;
	uint8_t xs[1024], v[GDB_REG_MAX];

	memset(&r, 0, sizeof r);
	memset(xs, 0, sizeof xs);
	xs[576 + 16 * 5] = 0x42;
	gdb_regs_set_xstate(&r, xs, sizeof xs);
	/* XSTATE_BV without AVX: the registers are in their initial state, zero */
	assert_int_equal(gdb_reg_read(&r, GDB_REG_YMM0H + 5, v), 16);
	assert_int_equal(v[0], 0);
	xs[512] = 0x7;
	gdb_regs_set_xstate(&r, xs, sizeof xs);
	gdb_reg_read(&r, GDB_REG_YMM0H + 5, v);
	assert_int_equal(v[0], 0x42);
	/* a short image (no AVX area) reads as zeros, not past its end */
	gdb_regs_set_xstate(&r, xs, 600);
	gdb_reg_read(&r, GDB_REG_YMM0H + 5, v);
	assert_int_equal(v[0], 0);
}

static void signals_use_gdbs_numbers(void **unused)
{
	(void)unused;
	assert_int_equal(gdb_signal_from_host(SIGTRAP), 5);
	assert_int_equal(gdb_signal_from_host(SIGINT), 2);
	assert_int_equal(gdb_signal_from_host(SIGUSR1), 30);
	assert_int_equal(gdb_signal_from_host(SIGUSR2), 31);
	assert_int_equal(gdb_signal_from_host(SIGCHLD), 20);
	assert_int_equal(gdb_signal_from_host(SIGBUS), 10);
	assert_int_equal(gdb_signal_from_host(SIGSEGV), 11);
	assert_int_equal(gdb_signal_from_host(SIGSTOP), 17);
	assert_int_equal(gdb_signal_from_host(34), 46);
	assert_int_equal(gdb_signal_from_host(0), 0);
	for (int s = 1; s <= 64; s++) {
		int g = gdb_signal_from_host(s);
		if (g != GDB_SIGNAL_UNKNOWN)
			assert_int_equal(gdb_signal_to_host(g), s);
	}
	assert_int_equal(gdb_signal_to_host(7), -EINVAL); /* SIGEMT: not on Linux */
	assert_int_equal(gdb_signal_to_host(999), -EINVAL);
}

static void the_target_description_names_every_register(void **unused)
{
	(void)unused;
	char *xml = malloc(GDB_TARGET_XML_MAX);
	int n = gdb_target_xml(xml, GDB_TARGET_XML_MAX);

	assert_true(n > 0 && n < GDB_TARGET_XML_MAX);
	assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.sse\">"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.linux\">"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.segments\">"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.avx\">"));
	assert_non_null(strstr(xml, "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\""));
	assert_non_null(strstr(xml, "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"58\""));
	assert_non_null(strstr(xml, "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\" regnum=\"31\""));
	for (int r = 0; r < GDB_NREGS; r++) {
		char name[64];
		snprintf(name, sizeof name, "<reg name=\"%s\" ", gdb_reg_info(r)->name);
		assert_non_null(strstr(xml, name));
	}
	assert_int_equal(gdb_target_xml(xml, 100), -ENOSPC);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(general_registers_map_to_user_regs),
		cmocka_unit_test(writes_land_in_the_right_slot),
		cmocka_unit_test(sse_and_x87_registers_map_to_fxsave),
		cmocka_unit_test(x87_tags_are_rebuilt_from_the_values),
		cmocka_unit_test(avx_upper_halves_come_from_xstate),
		cmocka_unit_test(signals_use_gdbs_numbers),
		cmocka_unit_test(the_target_description_names_every_register),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
