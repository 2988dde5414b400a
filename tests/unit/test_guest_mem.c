/* Guest-physical memory: gmem_init size checks, the frame allocator (zeroed, aligned,
 * distinct frames, never frame 0, refcounts, reuse, exhaustion) and parse_mem_size. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/pte.h"
#include "vmm/guest_mem.h"

#define SMALL_FRAMES 16 /* the smallest guest RAM gmem_init accepts */

static int setup_small(void **state)
{
	static struct guest_mem gm;

	if (gmem_init(&gm, SMALL_FRAMES * PAGE_SIZE))
		return -1;
	*state = &gm;
	return 0;
}

static int setup_64m(void **state)
{
	static struct guest_mem gm;

	if (gmem_init(&gm, 64ull << 20))
		return -1;
	*state = &gm;
	return 0;
}

static int teardown(void **state)
{
	gmem_destroy(*state);
	return 0;
}

static int is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* gmem_init ------------------------------------------------------------------------- */

static void test_gmem_init_rejects_zero_size(void **state)
{
	struct guest_mem gm;
	(void)state;

	assert_int_equal(gmem_init(&gm, 0), -EINVAL);
}

static void test_gmem_init_rejects_size_not_multiple_of_page(void **state)
{
	struct guest_mem gm;
	(void)state;

	assert_int_equal(gmem_init(&gm, SMALL_FRAMES * PAGE_SIZE + 1), -EINVAL);
	assert_int_equal(gmem_init(&gm, (64ull << 20) - 512), -EINVAL);
}

/* The canary pages on both sides of guest RAM: intact after every frame was handed out
 * and written in full, and a stray byte just past either end is seen. */
static void test_gmem_canaries_catch_a_stray_write_on_either_side(void **state)
{
	struct guest_mem gm;
	uint64_t gpa;
	(void)state;

	assert_int_equal(gmem_init(&gm, SMALL_FRAMES * PAGE_SIZE), 0);
	while (frame_alloc(&gm, &gpa) == 0)
		memset(gmem_ptr(&gm, gpa, PAGE_SIZE), 0xff, PAGE_SIZE);
	assert_true(gmem_canaries_intact(&gm));
	gm.host[gm.size] ^= 1;
	assert_false(gmem_canaries_intact(&gm));
	gm.host[gm.size] ^= 1;
	assert_true(gmem_canaries_intact(&gm));
	gm.host[-1] = 0;
	assert_false(gmem_canaries_intact(&gm));
	gmem_destroy(&gm);
}

static void test_gmem_init_rejects_size_below_sixteen_pages(void **state)
{
	struct guest_mem gm;
	(void)state;

	assert_int_equal(gmem_init(&gm, PAGE_SIZE), -EINVAL);
	assert_int_equal(gmem_init(&gm, (SMALL_FRAMES - 1) * PAGE_SIZE), -EINVAL);
}

static void test_gmem_init_rejects_size_above_512_gib(void **state)
{
	struct guest_mem gm;
	(void)state;

	assert_int_equal(gmem_init(&gm, (1ull << 39) + PAGE_SIZE), -EINVAL);
	assert_int_equal(gmem_init(&gm, ~0ull & PAGE_MASK), -EINVAL);
}

static void test_gmem_destroy_after_failed_init_is_harmless(void **state)
{
	struct guest_mem gm;
	(void)state;

	memset(&gm, 0x5a, sizeof gm);
	assert_int_equal(gmem_init(&gm, 3), -EINVAL);
	assert_null(gm.host);
	gmem_destroy(&gm);
	gmem_destroy(&gm);
}

static void test_gmem_init_accepts_minimum_size_and_reports_geometry(void **state)
{
	struct guest_mem gm;
	(void)state;

	assert_int_equal(gmem_init(&gm, SMALL_FRAMES * PAGE_SIZE), 0);
	assert_non_null(gm.host);
	assert_int_equal(gm.size, SMALL_FRAMES * PAGE_SIZE);
	assert_int_equal(gm.nframes, SMALL_FRAMES);
	/* Frame 0 is reserved from the start. */
	assert_int_equal(frames_used(&gm), 1);
	assert_int_equal(frame_refcount(&gm, 0), 1);
	gmem_destroy(&gm);
}

static void test_gmem_ptr_rejects_ranges_outside_guest_ram(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t size = gm->size;

	assert_ptr_equal(gmem_ptr(gm, 0, size), gm->host);
	assert_ptr_equal(gmem_ptr(gm, size - 8, 8), gm->host + size - 8);
	assert_null(gmem_ptr(gm, size, 1));
	assert_null(gmem_ptr(gm, size - 8, 9));
	assert_null(gmem_ptr(gm, 8, ~0ull));
	assert_null(gmem_ptr(gm, ~0ull, 1));
}

/* frame_alloc / refcounts ------------------------------------------------------------ */

static void test_frame_alloc_returns_zeroed_aligned_distinct_frames_never_zero(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t f[SMALL_FRAMES - 1];

	for (int i = 0; i < SMALL_FRAMES - 1; i++) {
		assert_int_equal(frame_alloc(gm, &f[i]), 0);
		assert_int_not_equal(f[i], 0);
		assert_int_equal(f[i] % PAGE_SIZE, 0);
		assert_true(f[i] < gm->size);
		assert_int_equal(frame_refcount(gm, f[i]), 1);
		uint8_t *p = gmem_ptr(gm, f[i], PAGE_SIZE);
		assert_non_null(p);
		assert_true(is_zero(p, PAGE_SIZE));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(f[i], f[j]);
		memset(p, 0xa5, PAGE_SIZE);
	}
	for (int i = 0; i < SMALL_FRAMES - 1; i++)
		frame_put(gm, f[i]);
}

static void test_frame_alloc_exhaustion_returns_enomem_and_counts_frames(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t f[SMALL_FRAMES], extra = 0xdead000;
	uint64_t base = frames_used(gm);

	assert_int_equal(base, 1);
	for (int i = 0; i < SMALL_FRAMES - 1; i++) {
		assert_int_equal(frame_alloc(gm, &f[i]), 0);
		assert_int_equal(frames_used(gm), base + i + 1);
	}
	assert_int_equal(frames_used(gm), gm->nframes);
	assert_int_equal(frame_alloc(gm, &extra), -ENOMEM);
	assert_int_equal(extra, 0xdead000); /* untouched on failure */
	assert_int_equal(frames_used(gm), gm->nframes);

	/* One frame back makes exactly one allocation possible again. */
	frame_put(gm, f[3]);
	assert_int_equal(frames_used(gm), gm->nframes - 1);
	assert_int_equal(frame_alloc(gm, &extra), 0);
	assert_int_equal(extra, f[3]);
	assert_int_equal(frame_alloc(gm, &extra), -ENOMEM);

	for (int i = 0; i < SMALL_FRAMES - 1; i++)
		frame_put(gm, f[i]);
	assert_int_equal(frames_used(gm), base);
}

static void test_frame_get_put_keep_frame_until_last_reference(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t f, g;
	uint64_t base = frames_used(gm);

	assert_int_equal(frame_alloc(gm, &f), 0);
	frame_get(gm, f);
	frame_get(gm, f);
	assert_int_equal(frame_refcount(gm, f), 3);
	assert_int_equal(frames_used(gm), base + 1);
	frame_put(gm, f);
	assert_int_equal(frame_refcount(gm, f), 2);
	frame_put(gm, f);
	assert_int_equal(frame_refcount(gm, f), 1);
	assert_int_equal(frames_used(gm), base + 1);

	/* Still referenced: a new allocation must not hand it out. */
	assert_int_equal(frame_alloc(gm, &g), 0);
	assert_int_not_equal(g, f);
	frame_put(gm, g);

	frame_put(gm, f);
	assert_int_equal(frame_refcount(gm, f), 0);
	assert_int_equal(frames_used(gm), base);
}

static void test_frame_put_on_free_frame_does_not_underflow(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t f, a, b;
	uint64_t base = frames_used(gm);

	assert_int_equal(frame_alloc(gm, &f), 0);
	frame_put(gm, f);
	frame_put(gm, f); /* double put: ignored */
	assert_int_equal(frame_refcount(gm, f), 0);
	assert_int_equal(frames_used(gm), base);
	/* The frame went on the free list once only: two allocations give two frames. */
	assert_int_equal(frame_alloc(gm, &a), 0);
	assert_int_equal(frame_alloc(gm, &b), 0);
	assert_int_not_equal(a, b);
	frame_put(gm, a);
	frame_put(gm, b);
}

static void test_frame_put_never_frees_frame_zero(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t base = frames_used(gm);
	uint64_t f[SMALL_FRAMES];
	int n = 0;

	frame_put(gm, 0);
	frame_put(gm, 0);
	assert_int_equal(frame_refcount(gm, 0), 1);
	assert_int_equal(frames_used(gm), base);
	while (frame_alloc(gm, &f[n]) == 0) {
		assert_int_not_equal(f[n], 0);
		n++;
		assert_true(n < SMALL_FRAMES);
	}
	assert_int_equal(n, SMALL_FRAMES - 1);
	for (int i = 0; i < n; i++)
		frame_put(gm, f[i]);
}

static void test_frame_put_ignores_address_outside_guest_ram(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t base = frames_used(gm);

	frame_put(gm, gm->size);
	frame_put(gm, gm->size + 100 * PAGE_SIZE);
	assert_int_equal(frames_used(gm), base);
}

static void test_freed_and_reallocated_frame_is_zeroed_again(void **state)
{
	struct guest_mem *gm = *state;
	uint64_t f, g;

	assert_int_equal(frame_alloc(gm, &f), 0);
	uint8_t *p = gmem_ptr(gm, f, PAGE_SIZE);
	memset(p, 0x5a, PAGE_SIZE);
	frame_put(gm, f);
	assert_int_equal(frame_alloc(gm, &g), 0);
	assert_int_equal(g, f); /* the freed frame is reused first */
	assert_true(is_zero(gmem_ptr(gm, g, PAGE_SIZE), PAGE_SIZE));
	frame_put(gm, g);
}

static void test_many_freed_frames_all_come_back_zeroed(void **state)
{
	struct guest_mem *gm = *state;
	enum { N = 64 };
	uint64_t f[N];

	for (int i = 0; i < N; i++) {
		assert_int_equal(frame_alloc(gm, &f[i]), 0);
		memset(gmem_ptr(gm, f[i], PAGE_SIZE), i + 1, PAGE_SIZE);
	}
	for (int i = 0; i < N; i++)
		frame_put(gm, f[i]);
	for (int i = 0; i < N; i++) {
		assert_int_equal(frame_alloc(gm, &f[i]), 0);
		assert_true(is_zero(gmem_ptr(gm, f[i], PAGE_SIZE), PAGE_SIZE));
	}
	for (int i = 0; i < N; i++)
		frame_put(gm, f[i]);
}

/* parse_mem_size -------------------------------------------------------------------- */

static void expect_size(const char *s, uint64_t want)
{
	uint64_t v = 0xdeadbeef;

	if (parse_mem_size(s, &v) != 0)
		fail_msg("parse_mem_size(\"%s\") failed", s);
	if (v != want)
		fail_msg("parse_mem_size(\"%s\") = %llu, want %llu", s, (unsigned long long)v,
			 (unsigned long long)want);
}

static void expect_invalid(const char *s)
{
	uint64_t v = 0xdeadbeef;
	int r = parse_mem_size(s, &v);

	if (r != -EINVAL)
		fail_msg("parse_mem_size(\"%s\") = %d (value %llu), want -EINVAL", s, r,
			 (unsigned long long)v);
	assert_int_equal(v, 0xdeadbeef);
}

static void test_parse_mem_size_accepts_megabytes(void **state)
{
	(void)state;
	expect_size("512M", 512ull << 20);
	expect_size("512m", 512ull << 20);
}

static void test_parse_mem_size_accepts_gigabytes(void **state)
{
	(void)state;
	expect_size("2G", 2ull << 30);
	expect_size("2g", 2ull << 30);
}

static void test_parse_mem_size_accepts_kilobytes_with_ib_suffix(void **state)
{
	(void)state;
	expect_size("64KiB", 64ull << 10);
	expect_size("65536K", 64ull << 20);
	expect_size("1GiB", 1ull << 30);
	expect_size("3MB", 3ull << 20);
}

static void test_parse_mem_size_accepts_plain_byte_count(void **state)
{
	(void)state;
	expect_size("100", 100);
	expect_size("4096", 4096);
}

static void test_parse_mem_size_rejects_empty_string(void **state)
{
	(void)state;
	expect_invalid("");
}

static void test_parse_mem_size_rejects_negative_numbers(void **state)
{
	(void)state;
	expect_invalid("-1");
	expect_invalid("-1G");
}

static void test_parse_mem_size_rejects_negative_number_after_whitespace(void **state)
{
	(void)state;
	/* strtoull() skips leading blanks and negates "-1" into 2^64-1. */
	expect_invalid(" -1");
	expect_invalid("\t-5M");
}

static void test_parse_mem_size_rejects_unknown_suffix(void **state)
{
	(void)state;
	expect_invalid("12X");
	expect_invalid("12T");
	expect_invalid("12 M");
	expect_invalid("12MX");
	expect_invalid("12iB"); /* "iB" without a unit */
	expect_invalid("12B");
}

static void test_parse_mem_size_rejects_missing_digits(void **state)
{
	(void)state;
	expect_invalid("M");
	expect_invalid("G");
	expect_invalid("KiB");
}

static void test_parse_mem_size_rejects_overflow(void **state)
{
	(void)state;
	expect_invalid("99999999999G");
	expect_invalid("18446744073709551616"); /* 2^64 */
	expect_invalid("17179869184G");         /* 2^34 GiB = 2^64 bytes */
	expect_size("17179869183G", 17179869183ull << 30);
	expect_size("18446744073709551615", ~0ull);
}

static void test_parse_mem_size_rejects_null(void **state)
{
	uint64_t v = 7;
	(void)state;

	assert_int_equal(parse_mem_size(NULL, &v), -EINVAL);
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gmem_init_rejects_zero_size),
		cmocka_unit_test(test_gmem_init_rejects_size_not_multiple_of_page),
		cmocka_unit_test(test_gmem_init_rejects_size_below_sixteen_pages),
		cmocka_unit_test(test_gmem_init_rejects_size_above_512_gib),
		cmocka_unit_test(test_gmem_destroy_after_failed_init_is_harmless),
		cmocka_unit_test(test_gmem_init_accepts_minimum_size_and_reports_geometry),
		cmocka_unit_test_setup_teardown(test_gmem_ptr_rejects_ranges_outside_guest_ram,
						setup_small, teardown),
		cmocka_unit_test_setup_teardown(
			test_frame_alloc_returns_zeroed_aligned_distinct_frames_never_zero,
			setup_small, teardown),
		cmocka_unit_test_setup_teardown(
			test_frame_alloc_exhaustion_returns_enomem_and_counts_frames, setup_small,
			teardown),
		cmocka_unit_test_setup_teardown(test_frame_get_put_keep_frame_until_last_reference,
						setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_frame_put_on_free_frame_does_not_underflow,
						setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_frame_put_never_frees_frame_zero, setup_small,
						teardown),
		cmocka_unit_test_setup_teardown(test_frame_put_ignores_address_outside_guest_ram,
						setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_freed_and_reallocated_frame_is_zeroed_again,
						setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_many_freed_frames_all_come_back_zeroed,
						setup_64m, teardown),
		cmocka_unit_test(test_parse_mem_size_accepts_megabytes),
		cmocka_unit_test(test_parse_mem_size_accepts_gigabytes),
		cmocka_unit_test(test_parse_mem_size_accepts_kilobytes_with_ib_suffix),
		cmocka_unit_test(test_parse_mem_size_accepts_plain_byte_count),
		cmocka_unit_test(test_parse_mem_size_rejects_empty_string),
		cmocka_unit_test(test_parse_mem_size_rejects_negative_numbers),
		cmocka_unit_test(test_parse_mem_size_rejects_negative_number_after_whitespace),
		cmocka_unit_test(test_parse_mem_size_rejects_unknown_suffix),
		cmocka_unit_test(test_parse_mem_size_rejects_missing_digits),
		cmocka_unit_test(test_parse_mem_size_rejects_overflow),
		cmocka_unit_test(test_parse_mem_size_rejects_null),
		cmocka_unit_test(test_gmem_canaries_catch_a_stray_write_on_either_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
