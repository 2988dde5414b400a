/* hvtrace strace's line assembly (tools/strace/output.c): prefixes, the result column,
 * and "<unfinished ...>" / "<... resumed>" when tasks interleave, as strace writes them. */
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

#include "tools/strace/session.h"

struct harness {
	struct st_opts o;
	struct st_out out;
	char *text;
	size_t len;
	struct st_task a, b;
};

static void start(struct harness *h, int follow, const char *outname)
{
	memset(h, 0, sizeof *h);
	st_filter_init(&h->o.filter);
	h->o.follow = follow;
	h->o.outname = outname;
	h->out.o = &h->o;
	h->out.main.f = open_memstream(&h->text, &h->len);
	h->out.live_tasks = 2;
	h->a = (struct st_task){.tid = 10, .pid = 10, .stream = &h->out.main};
	h->b = (struct st_task){.tid = 11, .pid = 10, .stream = &h->out.main};
}

static const char *finish(struct harness *h)
{
	fclose(h->out.main.f);
	sb_free(&h->a.args);
	sb_free(&h->b.args);
	return h->text;
}

/* A syscall entry whose arguments text is `entry`. */
static void enter(struct harness *h, struct st_task *t, long nr, const char *entry)
{
	t->call = (struct st_call){.tid = t->tid, .nr = nr};
	t->is_printed = false;
	sb_reset(&t->args);
	sb_puts(&t->args, entry);
	t->entry_len = t->args.len;
	t->in_syscall = true;
	st_out_entry(&h->out, t);
}

static void leave(struct harness *h, struct st_task *t, const char *rest, const char *ret)
{
	struct timespec now = {0, 0};
	sb_puts(&t->args, rest);
	st_out_exit(&h->out, t, ret, &now);
	t->in_syscall = false;
}

static void results_align_at_column_40(void **unused)
{
	(void)unused;
	struct harness h;
	start(&h, 0, "x");
	h.out.live_tasks = 1;
	enter(&h, &h.a, __NR_close, "3");
	leave(&h, &h.a, "", "= 0");
	enter(&h, &h.a, __NR_openat, "AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC");
	leave(&h, &h.a, "", "= 3");
	assert_string_equal(finish(&h),
		"close(3)                                = 0\n"
		"openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3\n");
	free(h.text);
}

static void interleaved_tasks_get_unfinished_and_resumed(void **unused)
{
	(void)unused;
	struct harness h;
	start(&h, 1, "trace.out");
	enter(&h, &h.a, __NR_read, "0, ");
	enter(&h, &h.b, __NR_getpid, "");
	leave(&h, &h.b, "", "= 10");
	leave(&h, &h.a, "\"x\", 1", "= 1");
	assert_string_equal(finish(&h),
		"10    read(0,  <unfinished ...>\n"
		"11    getpid()                          = 10\n"
		"10    <... read resumed>\"x\", 1)         = 1\n");
	free(h.text);
}

static void stderr_prefixes_only_with_several_tasks(void **unused)
{
	(void)unused;
	struct harness h;
	start(&h, 1, NULL);
	enter(&h, &h.a, __NR_getpid, "");
	leave(&h, &h.a, "", "= 10");
	h.out.live_tasks = 1;
	enter(&h, &h.a, __NR_getpid, "");
	leave(&h, &h.a, "", "= 10");
	assert_string_equal(finish(&h),
		"[pid    10] getpid()                    = 10\n"
		"getpid()                                = 10\n");
	free(h.text);
}

static void tasks_ending_inside_a_call_show_a_question_mark(void **unused)
{
	(void)unused;
	struct harness h;
	struct timespec now = {0, 0};
	start(&h, 1, "trace.out");
	enter(&h, &h.a, __NR_read, "0, ");
	/* exit_group's line is printed whole at entry (the session skips st_out_entry). */
	h.b.call = (struct st_call){.tid = h.b.tid, .nr = __NR_exit_group};
	sb_puts(&h.b.args, "0");
	st_out_noreturn(&h.out, &h.b);
	st_out_unfinished(&h.out, &h.a, &now, false);
	st_out_task_exit(&h.out, &h.a, 0, &now);
	assert_string_equal(finish(&h),
		"10    read(0,  <unfinished ...>\n"
		"11    exit_group(0)                     = ?\n"
		"10    <... read resumed> <unfinished ...>) = ?\n"
		"10    +++ exited with 0 +++\n");
	free(h.text);
}

static void failed_status_filter_prints_whole_lines_at_exit(void **unused)
{
	(void)unused;
	struct harness h;
	start(&h, 1, "trace.out");
	h.o.is_deferred = true;
	h.o.filter.status = ST_FAILED;
	enter(&h, &h.a, __NR_openat, "AT_FDCWD, \"/x\", O_RDONLY");
	enter(&h, &h.b, __NR_getpid, "");
	leave(&h, &h.a, "", "= -1 ENOENT (No such file or directory)");
	assert_string_equal(finish(&h),
		"10    openat(AT_FDCWD, \"/x\", O_RDONLY)  = -1 ENOENT (No such file or directory)\n");
	free(h.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(results_align_at_column_40),
		cmocka_unit_test(interleaved_tasks_get_unfinished_and_resumed),
		cmocka_unit_test(stderr_prefixes_only_with_several_tasks),
		cmocka_unit_test(tasks_ending_inside_a_call_show_a_question_mark),
		cmocka_unit_test(failed_status_filter_prints_whole_lines_at_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
