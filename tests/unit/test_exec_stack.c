/* exec_build_stack: the initial process stack as Linux's create_elf_tables() lays it
 * out, checked by reading the image back through guest addresses. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/exec_stack.h"

#define TOP 0x00007ffffffff000ull
#define MAX_ARG_STRLEN (32 * 4096)

/* Reads the word at guest address addr of the image. */
static uint64_t word(const struct stack_image *im, uint64_t addr)
{
	uint64_t v;

	assert_true(addr >= im->sp && addr + 8 <= im->sp + im->size);
	memcpy(&v, im->bytes + (addr - im->sp), 8);
	return v;
}

/* The NUL-terminated string at guest address addr, which must lie inside the image. */
static const char *str(const struct stack_image *im, uint64_t addr)
{
	assert_true(addr >= im->sp && addr < im->sp + im->size);
	const char *s = (const char *)im->bytes + (addr - im->sp);
	assert_non_null(memchr(s, 0, im->sp + im->size - addr));
	return s;
}

static const uint8_t *bytes_at(const struct stack_image *im, uint64_t addr, uint64_t len)
{
	assert_true(addr >= im->sp && addr + len <= im->sp + im->size);
	return im->bytes + (addr - im->sp);
}

static char *const test_argv[] = {"/bin/prog", "-x", "hello world", ""};
static char *const test_envp[] = {"A=1", "PATH=/usr/bin:/bin", "EMPTY="};

static const struct auxv_entry test_auxv[] = {
	{AT_SYSINFO_EHDR, 0},    {AT_HWCAP, 0x178bfbff}, {AT_PAGESZ, 4096},
	{AT_CLKTCK, 100},        {AT_PHDR, 0x400040},    {AT_PHENT, 56},
	{AT_PHNUM, 9},           {AT_BASE, 0},           {AT_FLAGS, 0},
	{AT_ENTRY, 0x401bc0},    {AT_UID, 1000},         {AT_EUID, 1000},
	{AT_GID, 1000},          {AT_EGID, 1000},        {AT_SECURE, 0},
	{AT_RANDOM, 0},          {AT_HWCAP2, 2},         {AT_EXECFN, 0},
	{AT_PLATFORM, 0},
};
#define NAUXV ((int)(sizeof test_auxv / sizeof test_auxv[0]))

static void fill_spec(struct stack_spec *s)
{
	memset(s, 0, sizeof *s);
	s->stack_top = TOP;
	s->argc = 4;
	s->argv = test_argv;
	s->envc = 3;
	s->envp = test_envp;
	s->execfn = "/usr/local/bin/prog";
	s->platform = "x86_64";
	for (int i = 0; i < 16; i++)
		s->random[i] = (uint8_t)(0xa0 + i);
	s->nauxv = NAUXV;
	memcpy(s->auxv, test_auxv, sizeof test_auxv);
	s->max_bytes = (8ull << 20) / 4;
}

/* Where each part of the image lies, parsed from it. */
struct parsed {
	uint64_t argc;
	uint64_t argv[64], envp[64];
	uint64_t auxv_at; /* address of the first auxv pair */
	uint64_t nauxv;   /* pairs before AT_NULL */
	uint64_t auxv_end; /* just past AT_NULL's value */
	uint64_t execfn, random, platform;
};

static void parse_image(const struct stack_image *im, struct parsed *p)
{
	uint64_t a = im->sp;

	memset(p, 0, sizeof *p);
	p->argc = word(im, a);
	a += 8;
	assert_true(p->argc < 64);
	for (uint64_t i = 0; i < p->argc; i++, a += 8)
		p->argv[i] = word(im, a);
	assert_int_equal(word(im, a), 0);
	a += 8;
	for (int i = 0;; i++, a += 8) {
		assert_true(i < 64);
		uint64_t v = word(im, a);
		if (!v)
			break;
		p->envp[i] = v;
	}
	a += 8;
	p->auxv_at = a;
	for (;; a += 16) {
		uint64_t type = word(im, a), val = word(im, a + 8);
		if (type == AT_NULL) {
			assert_int_equal(val, 0);
			break;
		}
		switch (type) {
		case AT_EXECFN: p->execfn = val; break;
		case AT_RANDOM: p->random = val; break;
		case AT_PLATFORM: p->platform = val; break;
		}
		p->nauxv++;
		assert_true(p->nauxv <= STACK_MAX_AUXV);
	}
	p->auxv_end = a + 16;
}

static void test_stack_pointer_is_16_byte_aligned_and_image_ends_at_stack_top(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_non_null(im.bytes);
	assert_int_equal(im.sp % 16, 0);
	assert_int_equal(im.sp + im.size, TOP);
	assert_true(im.size <= s.max_bytes);
	free(im.bytes);
}

static void test_stack_starts_with_argc_argv_null_envp_null(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(word(&im, im.sp), 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(str(&im, word(&im, im.sp + 8 + 8 * i)), test_argv[i]);
	assert_int_equal(word(&im, im.sp + 8 + 8 * 4), 0);
	uint64_t env = im.sp + 8 + 8 * 5;
	for (int i = 0; i < 3; i++)
		assert_string_equal(str(&im, word(&im, env + 8 * i)), test_envp[i]);
	assert_int_equal(word(&im, env + 8 * 3), 0);
	free(im.bytes);
}

static void test_auxv_follows_envp_and_ends_with_at_null(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	assert_int_equal(p.auxv_at, im.sp + 8 * (1 + 4 + 1 + 3 + 1));
	assert_int_equal(p.nauxv, NAUXV);
	free(im.bytes);
}

static void test_other_auxv_values_pass_through_in_order(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	for (int i = 0; i < NAUXV; i++) {
		uint64_t type = word(&im, p.auxv_at + 16 * i), val = word(&im, p.auxv_at + 16 * i + 8);
		assert_int_equal(type, test_auxv[i].type);
		if (type != AT_EXECFN && type != AT_RANDOM && type != AT_PLATFORM)
			assert_int_equal(val, test_auxv[i].val);
	}
	free(im.bytes);
}

static void test_at_execfn_random_platform_point_at_their_data(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	assert_string_equal(str(&im, p.execfn), "/usr/local/bin/prog");
	assert_string_equal(str(&im, p.platform), "x86_64");
	assert_memory_equal(bytes_at(&im, p.random, 16), s.random, 16);
	free(im.bytes);
}

static void test_special_auxv_values_are_replaced_even_when_given_nonzero(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	for (int i = 0; i < s.nauxv; i++)
		if (s.auxv[i].type == AT_EXECFN || s.auxv[i].type == AT_RANDOM ||
		    s.auxv[i].type == AT_PLATFORM)
			s.auxv[i].val = 0xdeadbeef;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	assert_string_equal(str(&im, p.execfn), s.execfn);
	assert_string_equal(str(&im, p.platform), "x86_64");
	assert_memory_equal(bytes_at(&im, p.random, 16), s.random, 16);
	free(im.bytes);
}

static void test_strings_lie_in_ascending_order_up_to_stack_top(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	/* argv[0] < ... < argv[last] < envp[0] < ... < envp[last] < execfn < top - 8, packed
	 * one after the other as copy_strings() leaves them. */
	uint64_t expect = p.argv[0];
	for (int i = 0; i < 4; i++) {
		assert_int_equal(p.argv[i], expect);
		expect += strlen(test_argv[i]) + 1;
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p.envp[i], expect);
		expect += strlen(test_envp[i]) + 1;
	}
	assert_int_equal(p.execfn, expect);
	expect += strlen(s.execfn) + 1;
	assert_int_equal(expect, TOP - 8);
	free(im.bytes);
}

static void test_last_word_below_stack_top_is_zero(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(word(&im, TOP - 8), 0);
	free(im.bytes);
}

static void test_random_and_platform_lie_between_auxv_and_strings(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	/* auxv < random bytes < platform string < argv[0], none overlapping */
	assert_true(p.auxv_end <= p.random);
	assert_int_equal(p.random + 16, p.platform);
	assert_true(p.platform + sizeof "x86_64" <= p.argv[0]);
	/* The platform string sits right below the 16-byte aligned start of the strings. */
	assert_int_equal(p.platform + sizeof "x86_64", p.argv[0] & ~15ull);
	free(im.bytes);
}

static void test_stack_pointer_aligned_for_every_argument_count(void **state)
{
	static char *const words[] = {"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"};
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	for (int argc = 0; argc <= 7; argc++)
		for (int envc = 0; envc <= 7; envc++)
			for (int nauxv = 0; nauxv <= 3; nauxv++) {
				fill_spec(&s);
				s.argc = argc;
				s.argv = words;
				s.envc = envc;
				s.envp = words;
				s.nauxv = nauxv;
				s.auxv[0] = (struct auxv_entry){AT_PAGESZ, 4096};
				s.auxv[1] = (struct auxv_entry){AT_RANDOM, 0};
				s.auxv[2] = (struct auxv_entry){AT_ENTRY, 0x401000};
				s.execfn = words[(argc + envc) % 7];
				assert_int_equal(exec_build_stack(&s, &im), 0);
				assert_int_equal(im.sp % 16, 0);
				assert_int_equal(im.sp + im.size, TOP);
				parse_image(&im, &p);
				assert_int_equal(p.argc, argc);
				assert_int_equal(p.nauxv, nauxv);
				for (int i = 0; i < argc; i++)
					assert_string_equal(str(&im, p.argv[i]), words[i]);
				for (int i = 0; i < envc; i++)
					assert_string_equal(str(&im, p.envp[i]), words[i]);
				assert_int_equal(word(&im, TOP - 8), 0);
				free(im.bytes);
			}
}

static void test_empty_argv_and_envp_give_argc_zero_and_two_nulls(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	s.argc = 0;
	s.argv = NULL;
	s.envc = 0;
	s.envp = NULL;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(word(&im, im.sp), 0);
	assert_int_equal(word(&im, im.sp + 8), 0);
	assert_int_equal(word(&im, im.sp + 16), 0);
	parse_image(&im, &p);
	assert_int_equal(p.auxv_at, im.sp + 24);
	assert_int_equal(p.nauxv, NAUXV);
	assert_string_equal(str(&im, p.execfn), s.execfn);
	assert_int_equal(p.execfn + strlen(s.execfn) + 1, TOP - 8);
	free(im.bytes);
}

static void test_empty_auxv_gives_only_at_null(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	s.nauxv = 0;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	parse_image(&im, &p);
	assert_int_equal(p.nauxv, 0);
	assert_int_equal(word(&im, p.auxv_at), AT_NULL);
	free(im.bytes);
}

static void test_stack_fitting_exactly_in_max_bytes_is_built(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	uint64_t need = im.size;
	free(im.bytes);
	s.max_bytes = need;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(im.size, need);
	free(im.bytes);
}

static void test_e2big_when_max_bytes_too_small(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	fill_spec(&s);
	assert_int_equal(exec_build_stack(&s, &im), 0);
	uint64_t need = im.size;
	free(im.bytes);
	s.max_bytes = need - 1;
	assert_int_equal(exec_build_stack(&s, &im), -E2BIG);
	assert_null(im.bytes);
	s.max_bytes = 0;
	assert_int_equal(exec_build_stack(&s, &im), -E2BIG);
	assert_null(im.bytes);
}

static void test_e2big_when_many_arguments_exceed_max_bytes(void **state)
{
	enum { N = 4096 };
	static char *many[N];
	static char arg[200];
	struct stack_spec s;
	struct stack_image im;
	(void)state;

	memset(arg, 'x', sizeof arg - 1);
	for (int i = 0; i < N; i++)
		many[i] = arg;
	fill_spec(&s);
	s.argc = N;
	s.argv = many;
	s.max_bytes = 512 * 1024; /* 4096 * 200 bytes of strings alone exceed it */
	assert_int_equal(exec_build_stack(&s, &im), -E2BIG);
	s.max_bytes = 2 << 20;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(word(&im, im.sp), N);
	free(im.bytes);
}

static char *string_of(size_t len)
{
	char *p = malloc(len + 1);

	assert_non_null(p);
	memset(p, 'q', len);
	p[len] = 0;
	return p;
}

static void test_argument_of_exactly_128_kib_with_terminator_is_accepted(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	char *big = string_of(MAX_ARG_STRLEN - 1);
	char *argv[] = {"prog", big};
	(void)state;

	fill_spec(&s);
	s.argc = 2;
	s.argv = argv;
	s.max_bytes = 1 << 20;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	struct parsed p;
	parse_image(&im, &p);
	assert_int_equal(strlen(str(&im, p.argv[1])), MAX_ARG_STRLEN - 1);
	free(im.bytes);
	free(big);
}

static void test_e2big_when_one_argument_exceeds_128_kib(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	char *big = string_of(MAX_ARG_STRLEN);
	char *argv[] = {"prog", big};
	(void)state;

	fill_spec(&s);
	s.argc = 2;
	s.argv = argv;
	s.max_bytes = 64ull << 20;
	assert_int_equal(exec_build_stack(&s, &im), -E2BIG);
	assert_null(im.bytes);
	free(big);
}

static void test_e2big_when_one_environment_string_exceeds_128_kib(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	char *big = string_of(MAX_ARG_STRLEN + 100);
	char *envp[] = {"A=1", big};
	(void)state;

	fill_spec(&s);
	s.envc = 2;
	s.envp = envp;
	s.max_bytes = 64ull << 20;
	assert_int_equal(exec_build_stack(&s, &im), -E2BIG);
	assert_null(im.bytes);
	free(big);
}

static void test_stack_top_other_than_default_is_honoured(void **state)
{
	struct stack_spec s;
	struct stack_image im;
	struct parsed p;
	(void)state;

	fill_spec(&s);
	s.stack_top = 0x10000000ull;
	assert_int_equal(exec_build_stack(&s, &im), 0);
	assert_int_equal(im.sp + im.size, 0x10000000ull);
	assert_int_equal(im.sp % 16, 0);
	parse_image(&im, &p);
	assert_string_equal(str(&im, p.argv[2]), "hello world");
	assert_int_equal(p.execfn + strlen(s.execfn) + 1, 0x10000000ull - 8);
	free(im.bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_pointer_is_16_byte_aligned_and_image_ends_at_stack_top),
		cmocka_unit_test(test_stack_starts_with_argc_argv_null_envp_null),
		cmocka_unit_test(test_auxv_follows_envp_and_ends_with_at_null),
		cmocka_unit_test(test_other_auxv_values_pass_through_in_order),
		cmocka_unit_test(test_at_execfn_random_platform_point_at_their_data),
		cmocka_unit_test(test_special_auxv_values_are_replaced_even_when_given_nonzero),
		cmocka_unit_test(test_strings_lie_in_ascending_order_up_to_stack_top),
		cmocka_unit_test(test_last_word_below_stack_top_is_zero),
		cmocka_unit_test(test_random_and_platform_lie_between_auxv_and_strings),
		cmocka_unit_test(test_stack_pointer_aligned_for_every_argument_count),
		cmocka_unit_test(test_empty_argv_and_envp_give_argc_zero_and_two_nulls),
		cmocka_unit_test(test_empty_auxv_gives_only_at_null),
		cmocka_unit_test(test_stack_fitting_exactly_in_max_bytes_is_built),
		cmocka_unit_test(test_e2big_when_max_bytes_too_small),
		cmocka_unit_test(test_e2big_when_many_arguments_exceed_max_bytes),
		cmocka_unit_test(test_argument_of_exactly_128_kib_with_terminator_is_accepted),
		cmocka_unit_test(test_e2big_when_one_argument_exceeds_128_kib),
		cmocka_unit_test(test_e2big_when_one_environment_string_exceeds_128_kib),
		cmocka_unit_test(test_stack_top_other_than_default_is_honoured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
