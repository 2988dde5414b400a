/* hvtrace strace's -e sets, the -c table and the JSON argument split. */
#include <asm/unistd_64.h>
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

#include "tools/strace/filter.h"
#include "tools/strace/session.h"
#include "tools/strace/summary.h"

static struct st_filter parsed(const char *expr)
{
	struct st_filter f;
	char err[128];
	st_filter_init(&f);
	assert_int_equal(st_filter_parse(&f, expr, err, sizeof err), 0);
	return f;
}

static void names_classes_and_negation_select_syscalls(void **unused)
{
	(void)unused;
	struct st_filter f = parsed("trace=openat,close");
	assert_true(st_filter_syscall(&f, __NR_openat));
	assert_true(st_filter_syscall(&f, __NR_close));
	assert_false(st_filter_syscall(&f, __NR_read));

	f = parsed("trace=%file");
	assert_true(st_filter_syscall(&f, __NR_openat));
	assert_true(st_filter_syscall(&f, __NR_execve));
	assert_false(st_filter_syscall(&f, __NR_read));

	f = parsed("trace=!%memory,write");
	assert_false(st_filter_syscall(&f, __NR_mmap));
	assert_false(st_filter_syscall(&f, __NR_write));
	assert_true(st_filter_syscall(&f, __NR_read));

	f = parsed("%net");
	assert_true(st_filter_syscall(&f, __NR_socket));
	assert_false(st_filter_syscall(&f, __NR_open));

	f = parsed("trace=/^(open|close)");
	assert_true(st_filter_syscall(&f, __NR_openat));
	assert_true(st_filter_syscall(&f, __NR_close));
	assert_false(st_filter_syscall(&f, __NR_read));

	f = parsed("trace=none");
	assert_false(st_filter_syscall(&f, __NR_exit_group));
	f = parsed("trace=all");
	assert_true(st_filter_syscall(&f, __NR_exit_group));
}

static void a_later_set_replaces_the_earlier_one(void **unused)
{
	(void)unused;
	struct st_filter f;
	char err[128];
	st_filter_init(&f);
	assert_int_equal(st_filter_parse(&f, "trace=write", err, sizeof err), 0);
	assert_int_equal(st_filter_parse(&f, "trace=close", err, sizeof err), 0);
	assert_false(st_filter_syscall(&f, __NR_write));
	assert_true(st_filter_syscall(&f, __NR_close));
}

static void unknown_names_are_refused_unless_optional(void **unused)
{
	(void)unused;
	struct st_filter f;
	char err[128];
	st_filter_init(&f);
	assert_int_equal(st_filter_parse(&f, "trace=nosuch", err, sizeof err), -EINVAL);
	assert_string_equal(err, "invalid system call 'nosuch'");
	assert_int_equal(st_filter_parse(&f, "trace=?nosuch,read", err, sizeof err), 0);
	assert_true(st_filter_syscall(&f, __NR_read));
	assert_int_equal(st_filter_parse(&f, "signal=SIGNOPE", err, sizeof err), -EINVAL);
	assert_int_equal(st_filter_parse(&f, "frobnicate=1", err, sizeof err), -EINVAL);
}

static void signal_and_status_sets(void **unused)
{
	(void)unused;
	struct st_filter f = parsed("signal=USR1,SIGTERM,9");
	assert_true(st_filter_signal(&f, SIGUSR1));
	assert_true(st_filter_signal(&f, SIGTERM));
	assert_true(st_filter_signal(&f, SIGKILL));
	assert_false(st_filter_signal(&f, SIGCHLD));
	f = parsed("signal=!SIGCHLD");
	assert_false(st_filter_signal(&f, SIGCHLD));
	assert_true(st_filter_signal(&f, SIGSEGV));
	f = parsed("status=failed");
	assert_int_equal(f.status, ST_FAILED);
	f = parsed("status=!failed");
	assert_int_equal(f.status, ST_STATUS_ALL & ~ST_FAILED);
}

static void summary_table_has_strace_layout(void **unused)
{
	(void)unused;
	struct st_summary *s = calloc(1, sizeof *s);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(s);
	st_summary_add(s, __NR_close, 3000, false);
	st_summary_add(s, __NR_close, 1000, false);
	st_summary_add(s, __NR_openat, 12000, true);
	st_summary_add(s, __NR_getpid, 0, false);
	st_summary_print(f, s);
	fclose(f);
	assert_string_equal(text,
		"% time     seconds  usecs/call     calls    errors syscall\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		" 75.00    0.000012          12         1         1 openat\n"
		" 25.00    0.000004           2         2           close\n"
		"  0.00    0.000000           0         1           getpid\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		"100.00    0.000016           4         4         1 total\n");
	free(text);
	free(s);
}

static void add_arg(void *ctx, const char *arg, size_t len)
{
	struct sbuf *b = ctx;
	sb_put(b, arg, len);
	sb_putc(b, '|');
}

static void json_arguments_split_at_top_level_commas(void **unused)
{
	(void)unused;
	struct sbuf b;
	sb_init(&b);
	const char *args = "AT_FDCWD, \"a, b\\\", c\", {x=1, y=[2, 3]}, 0x10 /* 2 vars, */, NULL";
	st_split_args(args, strlen(args), add_arg, &b);
	assert_string_equal(b.s, "AT_FDCWD|\"a, b\\\", c\"|{x=1, y=[2, 3]}|0x10 /* 2 vars, */|NULL|");
	sb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_classes_and_negation_select_syscalls),
		cmocka_unit_test(a_later_set_replaces_the_earlier_one),
		cmocka_unit_test(unknown_names_are_refused_unless_optional),
		cmocka_unit_test(signal_and_status_sets),
		cmocka_unit_test(summary_table_has_strace_layout),
		cmocka_unit_test(json_arguments_split_at_top_level_commas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
