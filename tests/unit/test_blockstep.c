/* Branch recognition for software PTRACE_SINGLEBLOCK (ptrace/blockstep.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ptrace/blockstep.h"

#define AT 0x401000ull

static bool taken(const uint8_t *code, unsigned n, uint64_t to)
{
	uint8_t buf[16] = {0};

	for (unsigned i = 0; i < n; i++)
		buf[i] = code[i];
	return blockstep_branch_taken(buf, sizeof buf, AT, to);
}

static void unconditional_transfers_always_count(void **unused)
{
	(void)unused;
	const uint8_t jmp8[] = {0xeb, 0x00}, call[] = {0xe8, 0, 0, 0, 0}, ret[] = {0xc3};
	const uint8_t jmp_rax[] = {0xff, 0xe0}, call_rel_rip[] = {0xff, 0x15, 0, 0, 0, 0};

	/* Even a jump to the next instruction is a taken branch. */
	assert_true(taken(jmp8, 2, AT + 2));
	assert_true(taken(call, 5, AT + 5));
	assert_true(taken(ret, 1, 0x7ffff000));
	assert_true(taken(jmp_rax, 2, 0x500000));
	assert_true(taken(call_rel_rip, 6, 0x500000));
}

static void conditional_ones_count_when_taken(void **unused)
{
	(void)unused;
	const uint8_t jz8[] = {0x74, 0x10}, jz32[] = {0x0f, 0x84, 0x10, 0, 0, 0};
	const uint8_t rex_loop[] = {0x48, 0xe2, 0xfe};

	assert_false(taken(jz8, 2, AT + 2));
	assert_true(taken(jz8, 2, AT + 0x12));
	assert_false(taken(jz32, 6, AT + 6));
	assert_true(taken(jz32, 6, AT + 0x16));
	assert_false(taken(rex_loop, 3, AT + 3));
	assert_true(taken(rex_loop, 3, AT + 1));
}

static void other_instructions_do_not(void **unused)
{
	(void)unused;
	const uint8_t nop[] = {0x90}, mov[] = {0x48, 0x89, 0xc3}, inc_mem[] = {0xff, 0x00};
	const uint8_t prefixed[] = {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0};

	assert_false(taken(nop, 1, AT + 1));
	assert_false(taken(mov, 3, AT + 3));
	assert_false(taken(inc_mem, 2, AT + 2)); /* ff /0 is inc, not a jump */
	assert_false(taken(prefixed, 10, AT + 10));
	/* But landing far away means an exception or interrupt came in between. */
	assert_true(taken(nop, 1, 0x402000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unconditional_transfers_always_count),
		cmocka_unit_test(conditional_ones_count_when_taken),
		cmocka_unit_test(other_instructions_do_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
