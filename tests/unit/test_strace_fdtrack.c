/* hvtrace strace -y (tools/strace/fdtrack.c): the tracer's own view of each guest
 * process's descriptors, built from the calls it sees succeed. */
#include <asm/unistd_64.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/strace/session.h"

#define BASE 0x20000ull
static char mem[256];

static ssize_t fake_read(void *ctx, int tid, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)tid;
	if (addr < BASE || addr >= BASE + sizeof mem)
		return -EFAULT;
	size_t off = (size_t)(addr - BASE), n = len < sizeof mem - off ? len : sizeof mem - off;
	memcpy(buf, mem + off, n);
	return (ssize_t)n;
}

static void call(struct st_fdtrack *ft, int tid, long nr, uint64_t a0, uint64_t a1, uint64_t a2, long ret)
{
	struct st_fmt fmt = {.strsize = 32};
	struct st_dec d = {.fmt = &fmt, .read = fake_read};
	struct st_call c = {.tid = tid, .nr = nr, .args = {a0, a1, a2}, .ret = ret, .is_exit = true};
	st_fdtrack_syscall(ft, &d, &c);
}

static const char *path_of(struct st_fdtrack *ft, int tid, int fd)
{
	static char buf[PATH_MAX];
	return st_fdtrack_path(ft, tid, fd, buf, sizeof buf) ? NULL : buf;
}

static void opens_resolve_against_the_tracked_directory(void **unused)
{
	(void)unused;
	struct st_fdtrack *ft = st_fdtrack_new();
	st_fdtrack_task(ft, 1, 1, 0, false);
	strcpy(mem, "/etc");
	call(ft, 1, __NR_chdir, BASE, 0, 0, 0);
	assert_string_equal(path_of(ft, 1, AT_FDCWD), "/etc");
	strcpy(mem, "../etc/./passwd");
	call(ft, 1, __NR_openat, (uint64_t)AT_FDCWD, BASE, O_RDONLY, 3);
	assert_string_equal(path_of(ft, 1, 3), "/etc/passwd");
	call(ft, 1, __NR_dup2, 3, 10, 0, 10);
	assert_string_equal(path_of(ft, 1, 10), "/etc/passwd");
	call(ft, 1, __NR_close, 3, 0, 0, 0);
	assert_null(path_of(ft, 1, 3));
	assert_string_equal(path_of(ft, 1, 10), "/etc/passwd");
	st_fdtrack_free(ft);
}

static void threads_share_and_children_copy(void **unused)
{
	(void)unused;
	struct st_fdtrack *ft = st_fdtrack_new();
	st_fdtrack_task(ft, 1, 1, 0, false);
	strcpy(mem, "/tmp/a");
	call(ft, 1, __NR_openat, (uint64_t)AT_FDCWD, BASE, O_RDONLY | O_CLOEXEC, 4);
	st_fdtrack_task(ft, 2, 1, 1, true);   /* a thread */
	st_fdtrack_task(ft, 3, 3, 1, false);  /* a child process */
	call(ft, 2, __NR_close, 4, 0, 0, 0);
	assert_null(path_of(ft, 1, 4));
	assert_string_equal(path_of(ft, 3, 4), "/tmp/a");
	/* The child's execve drops its close-on-exec descriptors. */
	call(ft, 3, __NR_execve, 0, 0, 0, 0);
	assert_null(path_of(ft, 3, 4));
	st_fdtrack_exit(ft, 1);
	st_fdtrack_exit(ft, 2);
	st_fdtrack_exit(ft, 3);
	st_fdtrack_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opens_resolve_against_the_tracked_directory),
		cmocka_unit_test(threads_share_and_children_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
