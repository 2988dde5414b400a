/* TLS descriptors for set_thread_area (arch/x86_64/tls_desc.c), against Linux's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/tls_desc.h"

static struct user_desc flat(void)
{
	struct user_desc u;

	memset(&u, 0, sizeof u);
	u.entry_number = 13;
	u.base_addr = 0x12345678;
	u.limit = 0xfffff;
	u.seg_32bit = 1;
	u.limit_in_pages = 1;
	u.useable = 1;
	return u;
}

static void round_trips(void **unused)
{
	(void)unused;
	struct user_desc u = flat(), back;
	uint64_t d = tls_desc_encode(&u);

	/* DPL 3, present, data, accessed, 32-bit, 4 KiB granularity, never L. */
	assert_int_equal((d >> 45) & 3, 3);
	assert_int_equal((d >> 47) & 1, 1);
	assert_int_equal((d >> 53) & 1, 0);
	tls_desc_decode(d, 13, &back);
	assert_int_equal(back.entry_number, 13);
	assert_int_equal(back.base_addr, 0x12345678);
	assert_int_equal(back.limit, 0xfffff);
	assert_int_equal(back.seg_32bit, 1);
	assert_int_equal(back.limit_in_pages, 1);
	assert_int_equal(back.useable, 1);
	assert_int_equal(back.read_exec_only, 0);
	assert_int_equal(back.seg_not_present, 0);
}

static void empty_forms_clear_the_entry(void **unused)
{
	(void)unused;
	struct user_desc zero, empty, back;

	memset(&zero, 0, sizeof zero);
	empty = zero;
	empty.read_exec_only = 1;
	empty.seg_not_present = 1;
	assert_true(tls_desc_ok(&empty));
	assert_int_equal(tls_desc_encode(&zero), 0);
	assert_int_equal(tls_desc_encode(&empty), 0);
	/* An unused entry reads back as Linux's "empty" form. */
	tls_desc_decode(0, 12, &back);
	assert_int_equal(back.read_exec_only, 1);
	assert_int_equal(back.seg_not_present, 1);
	assert_int_equal(back.base_addr, 0);
}

static void refuses_what_linux_refuses(void **unused)
{
	(void)unused;
	struct user_desc u = flat();

	assert_true(tls_desc_ok(&u));
	u.seg_32bit = 0; /* 16-bit data */
	assert_false(tls_desc_ok(&u));
	u = flat();
	u.contents = 2; /* code */
	assert_false(tls_desc_ok(&u));
	u = flat();
	u.seg_not_present = 1;
	assert_false(tls_desc_ok(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips),
		cmocka_unit_test(empty_forms_clear_the_entry),
		cmocka_unit_test(refuses_what_linux_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
