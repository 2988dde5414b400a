/* Memory-management paths that change or remove *present* page-table entries. On a
 * shadow-paging hypervisor the guest never sees such host writes unless the guest
 * agent re-stores the entry and runs INVLPG (design decision 3), so a missing re-store
 * shows up here as an access that should fault but does not (exit status 99), or as
 * stale data. guests/mm_paths.S has one case per run. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/vcpu/guest_run.h"

#define GUEST "mm_paths"
#define AREA 0x200000000ull
#define MANY 0x300000000ull

static void expect_segv(const char *which, int code, uint64_t addr, const char *label)
{
	struct hv_run_result res;
	uint64_t rip = guest_sym(GUEST, label);

	run_guest_arg(GUEST, which, &res);
	if (res.outcome != HV_SIGNALED || res.fault_addr != addr || res.fault_rip != rip) {
		print_message("case %s: want SIGSEGV code %d addr %#llx rip %#llx (%s)\n", which, code,
			      (unsigned long long)addr, (unsigned long long)rip, label);
		print_result("got", &res);
	}
	assert_guest_signaled(&res, SIGSEGV, code);
	assert_int_equal(res.fault_addr, addr);
	assert_int_equal(res.fault_rip, rip);
}

static void expect_exit0(const char *which)
{
	struct hv_run_result res;

	run_guest_arg(GUEST, which, &res);
	if (res.outcome != HV_EXITED || res.exit_code)
		print_message("case %s\n", which);
	assert_guest_exited(&res, 0);
}

static void test_touch_after_munmap_is_segv_maperr(void **state)
{
	(void)state;
	expect_segv("u", SEGV_MAPERR, AREA + 0x1008, "touch_after_munmap");
}

static void test_write_after_mprotect_read_is_segv_accerr(void **state)
{
	(void)state;
	expect_segv("r", SEGV_ACCERR, AREA + 0x2010, "write_after_ro");
}

static void test_mprotect_back_to_read_write_allows_writes(void **state)
{
	(void)state;
	expect_exit0("w");
}

static void test_read_after_mprotect_none_is_segv_accerr(void **state)
{
	(void)state;
	expect_segv("n", SEGV_ACCERR, AREA + 0x18, "read_prot_none");
}

static void test_mprotect_none_then_read_keeps_the_contents(void **state)
{
	(void)state;
	expect_exit0("N");
}

static void test_munmap_of_1000_touched_pages_unmaps_every_batch(void **state)
{
	(void)state;
	/* 1000 re-stores: four mailbox batches of at most 255. Probe a page of the first,
	 * of the second, of the third and of the last (partial) batch. */
	static const unsigned pages[] = {0, 254, 255, 500, 765, 999};
	for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		char arg[16];
		snprintf(arg, sizeof arg, "m%u", pages[i]);
		expect_segv(arg, SEGV_MAPERR, MANY + pages[i] * 4096ull + 8, "touch_many");
	}
}

static void test_mprotect_of_1000_touched_pages_protects_every_batch(void **state)
{
	(void)state;
	static const unsigned pages[] = {0, 300, 999};
	for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		char arg[16];
		snprintf(arg, sizeof arg, "p%u", pages[i]);
		expect_segv(arg, SEGV_ACCERR, MANY + pages[i] * 4096ull + 8, "write_many");
	}
}

static void test_new_mapping_over_old_pages_reads_zero(void **state)
{
	(void)state;
	expect_exit0("z");
}

static void test_madvise_dontneed_gives_zero_pages(void **state)
{
	(void)state;
	expect_exit0("d");
}

static void test_mremap_moves_the_data_and_unmaps_the_old_place(void **state)
{
	(void)state;
	expect_segv("M", SEGV_MAPERR, AREA + 0x3000, "touch_after_mremap");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_touch_after_munmap_is_segv_maperr),
		cmocka_unit_test(test_write_after_mprotect_read_is_segv_accerr),
		cmocka_unit_test(test_mprotect_back_to_read_write_allows_writes),
		cmocka_unit_test(test_read_after_mprotect_none_is_segv_accerr),
		cmocka_unit_test(test_mprotect_none_then_read_keeps_the_contents),
		cmocka_unit_test(test_munmap_of_1000_touched_pages_unmaps_every_batch),
		cmocka_unit_test(test_mprotect_of_1000_touched_pages_protects_every_batch),
		cmocka_unit_test(test_new_mapping_over_old_pages_reads_zero),
		cmocka_unit_test(test_madvise_dontneed_gives_zero_pages),
		cmocka_unit_test(test_mremap_moves_the_data_and_unmaps_the_old_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
