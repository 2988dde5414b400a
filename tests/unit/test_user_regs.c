/* The tracer's view of registers (ptrace/user_regs.c): struct user_regs_struct offsets
 * onto the vCPU state, and Linux's putreg() validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/cpu.h"
#include "ptrace/user_regs.h"

#define UR(f) offsetof(struct user_regs_struct, f)
#define RF_IF 0x200ull
#define RF_TF 0x100ull

struct state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t orig_rax;
	bool forced_tf;
	struct ureg_ctx c;
};

static struct state *fresh(void)
{
	static struct state s;

	memset(&s, 0, sizeof s);
	s.regs.rax = 1;
	s.regs.rbx = 2;
	s.regs.rip = 0x401000;
	s.regs.rsp = 0x7ffffffde000;
	s.regs.rflags = RF_IF | 0x2;
	s.regs.r15 = 15;
	s.sregs.cs.selector = SEL_USER_CS;
	s.sregs.ss.selector = SEL_USER_DS;
	s.sregs.fs.base = 0x4c0000;
	s.orig_rax = 39;
	s.c = (struct ureg_ctx){.regs = &s.regs, .sregs = &s.sregs, .orig_rax = &s.orig_rax,
				.forced_tf = &s.forced_tf};
	return &s;
}

static void offsets_name_the_registers(void **unused)
{
	(void)unused;
	struct state *s = fresh();
	uint64_t v;

	assert_int_equal(ureg_get(&s->c, UR(r15), &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(ureg_get(&s->c, UR(rax), &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ureg_get(&s->c, UR(orig_rax), &v), 0);
	assert_int_equal(v, 39);
	assert_int_equal(ureg_get(&s->c, UR(rip), &v), 0);
	assert_int_equal(v, 0x401000);
	assert_int_equal(ureg_get(&s->c, UR(cs), &v), 0);
	assert_int_equal(v, SEL_USER_CS);
	assert_int_equal(ureg_get(&s->c, UR(ss), &v), 0);
	assert_int_equal(v, SEL_USER_DS);
	assert_int_equal(ureg_get(&s->c, UR(fs_base), &v), 0);
	assert_int_equal(v, 0x4c0000);
}

static void bad_offsets_are_eio(void **unused)
{
	(void)unused;
	struct state *s = fresh();
	uint64_t v;

	assert_int_equal(ureg_get(&s->c, 3, &v), -EIO);
	assert_int_equal(ureg_get(&s->c, sizeof(struct user_regs_struct), &v), -EIO);
	assert_int_equal(ureg_set(&s->c, 5, 0), -EIO);
}

static void rflags_keeps_system_bits(void **unused)
{
	(void)unused;
	struct state *s = fresh();
	uint64_t v;

	assert_int_equal(ureg_set(&s->c, UR(eflags), ~0ull), 0);
	assert_true(s->regs.rflags & RF_IF);
	assert_false(s->regs.rflags & (1ull << 17)); /* VM never set by a tracer */
	assert_true(s->c.regs_changed);
	assert_int_equal(ureg_set(&s->c, UR(eflags), 0), 0);
	assert_true(s->regs.rflags & RF_IF);
	assert_int_equal(ureg_get(&s->c, UR(eflags), &v), 0);
	assert_false(v & 0x1);
}

static void a_forced_tf_is_hidden(void **unused)
{
	(void)unused;
	struct state *s = fresh();
	uint64_t v;

	s->regs.rflags |= RF_TF;
	s->forced_tf = true;
	assert_int_equal(ureg_get(&s->c, UR(eflags), &v), 0);
	assert_false(v & RF_TF);
	/* Writing the flags without TF keeps hvtrace's step going. */
	assert_int_equal(ureg_set(&s->c, UR(eflags), v), 0);
	assert_true(s->regs.rflags & RF_TF);
	assert_true(s->forced_tf);
	/* A TF of the tracer's own is the tracer's from now on. */
	assert_int_equal(ureg_set(&s->c, UR(eflags), v | RF_TF), 0);
	assert_false(s->forced_tf);
}

static void refused_values_change_nothing(void **unused)
{
	(void)unused;
	struct state *s = fresh();

	assert_int_equal(ureg_set(&s->c, UR(fs_base), 1ull << 63), -EIO);
	assert_int_equal(s->sregs.fs.base, 0x4c0000);
	assert_int_equal(ureg_set(&s->c, UR(cs), 0), -EIO);
	assert_int_equal(ureg_set(&s->c, UR(cs), 0x1234), -EIO);
	assert_int_equal(s->sregs.cs.selector, SEL_USER_CS);
	assert_int_equal(ureg_set(&s->c, UR(ds), 0x11), -EIO);
	assert_int_equal(ureg_set(&s->c, UR(cs), SEL_USER_CS), 0);
	assert_int_equal(ureg_set(&s->c, UR(ds), 0), 0);
	assert_int_equal(ureg_set(&s->c, UR(fs_base), 0x500000), 0);
	assert_int_equal(s->sregs.fs.base, 0x500000);
	assert_true(s->c.sregs_changed);
}

static void all_registers_round_trip(void **unused)
{
	(void)unused;
	struct state *s = fresh();
	struct user_regs_struct u, back;

	ureg_get_all(&s->c, &u);
	u.rbx = 0x1234;
	u.orig_rax = (uint64_t)-1;
	assert_int_equal(ureg_set_all(&s->c, &u), 0);
	ureg_get_all(&s->c, &back);
	assert_memory_equal(&u, &back, sizeof u);
	assert_int_equal(s->regs.rbx, 0x1234);
	assert_int_equal(s->orig_rax, (uint64_t)-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_name_the_registers),
		cmocka_unit_test(bad_offsets_are_eio),
		cmocka_unit_test(rflags_keeps_system_bits),
		cmocka_unit_test(a_forced_tf_is_hidden),
		cmocka_unit_test(refused_values_change_nothing),
		cmocka_unit_test(all_registers_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
