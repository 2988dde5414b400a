/* hvtrace strace's decoders (tools/strace/), on a fake guest memory: the text each
 * syscall's arguments and result become must be strace's. */
#include <asm/unistd_64.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tools/strace/strace.h"
#include "tools/strace/sysent.h"

/* A guest address space of one region at BASE. */
#define BASE 0x10000ull
static unsigned char mem[4096];

static ssize_t fake_read(void *ctx, int tid, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)tid;
	if (addr < BASE || addr >= BASE + sizeof mem)
		return -EFAULT;
	size_t off = (size_t)(addr - BASE);
	size_t n = len < sizeof mem - off ? len : sizeof mem - off;
	memcpy(buf, mem + off, n);
	return (ssize_t)n;
}

static int fake_fdpath(void *ctx, int tid, int fd, char *buf, size_t len)
{
	(void)ctx;
	(void)tid;
	if (fd == 3)
		return snprintf(buf, len, "/etc/passwd") < 0;
	if (fd == AT_FDCWD)
		return snprintf(buf, len, "/tmp") < 0;
	return -ENOENT;
}

struct fixture {
	struct sbuf out;
	struct st_fmt fmt;
	struct st_dec d;
};

static struct fixture fx;

static void setup_dec(bool with_fdpaths)
{
	sb_free(&fx.out);
	sb_free(&fx.d.aux);
	memset(mem, 0, sizeof mem);
	fx.fmt = (struct st_fmt){.strsize = 32, .show_fdpaths = with_fdpaths};
	fx.d = (struct st_dec){.out = &fx.out, .fmt = &fx.fmt, .read = fake_read};
	if (with_fdpaths)
		fx.d.fdpath = fake_fdpath;
}

/* The whole line body: "args) = ret", entry then exit, as the session assembles it. */
static const char *decode(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5, long ret)
{
	struct st_call c = {.tid = 1, .nr = nr, .args = {a0, a1, a2, a3, a4, a5}};
	sb_reset(&fx.out);
	st_decode_args(&fx.d, &c);
	c.is_exit = true;
	c.ret = ret;
	st_decode_args(&fx.d, &c);
	sb_puts(&fx.out, ") ");
	st_decode_ret(&fx.d, &c);
	sb_reset(&fx.d.aux);
	fx.d.ret_is_custom = false;
	return fx.out.s;
}

static uint64_t put_str(size_t off, const char *s)
{
	memcpy(mem + off, s, strlen(s) + 1);
	return BASE + off;
}

static void quoting_matches_strace(void **unused)
{
	(void)unused;
	struct sbuf b;
	sb_init(&b);
	st_quote(&b, (const unsigned char *)"a\"b\\c\n\t\x01\x07" "7\xff", 11, 0, 0);
	assert_string_equal(b.s, "\"a\\\"b\\\\c\\n\\t\\1\\0077\\377\"");
	sb_reset(&b);
	/* -x: a string that is only text and whitespace stays text. */
	st_quote(&b, (const unsigned char *)"ok\n", 3, 1, 0);
	assert_string_equal(b.s, "\"ok\\n\"");
	sb_reset(&b);
	st_quote(&b, (const unsigned char *)"a\x01", 2, 1, 0);
	assert_string_equal(b.s, "\"\\x61\\x01\"");
	sb_reset(&b);
	st_quote(&b, (const unsigned char *)"ab", 2, 2, 0);
	assert_string_equal(b.s, "\"\\x61\\x62\"");
	sb_free(&b);
}

static void open_shows_flags_and_mode_only_when_creating(void **unused)
{
	(void)unused;
	setup_dec(false);
	uint64_t path = put_str(0, "/etc/passwd");
	assert_string_equal(decode(__NR_openat, (uint64_t)AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0, 0, 0, 3),
			    "AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	assert_string_equal(decode(__NR_openat, (uint64_t)AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0640, 0, 0, -ENOENT),
			    "AT_FDCWD, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0640) = -1 ENOENT (No such file or directory)");
}

static void fd_paths_follow_descriptors_and_results(void **unused)
{
	(void)unused;
	setup_dec(true);
	uint64_t path = put_str(0, "/etc/passwd");
	assert_string_equal(decode(__NR_openat, (uint64_t)AT_FDCWD, path, O_RDONLY, 0, 0, 0, 3),
			    "AT_FDCWD</tmp>, \"/etc/passwd\", O_RDONLY) = 3</etc/passwd>");
	assert_string_equal(decode(__NR_close, 3, 0, 0, 0, 0, 0, 0), "3</etc/passwd>) = 0");
	assert_string_equal(decode(__NR_close, 7, 0, 0, 0, 0, 0, -EBADF), "7) = -1 EBADF (Bad file descriptor)");
}

static void read_buffers_are_cut_at_the_string_limit(void **unused)
{
	(void)unused;
	setup_dec(false);
	uint64_t buf = put_str(0, "root:x:0:0:root:/root:/bin/bash\nnext line");
	assert_string_equal(decode(__NR_read, 3, buf, 100, 0, 0, 0, 41),
			    "3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 100) = 41");
	/* A failed read's buffer was not written: its address. */
	assert_string_equal(decode(__NR_read, 3, buf, 100, 0, 0, 0, -EINTR),
			    "3, 0x10000, 100) = -1 EINTR (Interrupted system call)");
	fx.fmt.strsize = 4;
	assert_string_equal(decode(__NR_write, 1, buf, 10, 0, 0, 0, 10), "1, \"root\"..., 10) = 10");
}

static void unreadable_strings_show_their_address(void **unused)
{
	(void)unused;
	setup_dec(false);
	assert_string_equal(decode(__NR_unlink, 0xdead0000, 0, 0, 0, 0, 0, -EFAULT),
			    "0xdead0000) = -1 EFAULT (Bad address)");
	assert_string_equal(decode(__NR_unlink, 0, 0, 0, 0, 0, 0, -EFAULT), "NULL) = -1 EFAULT (Bad address)");
}

static void mmap_result_is_hex_and_flags_split_type(void **unused)
{
	(void)unused;
	setup_dec(false);
	assert_string_equal(decode(__NR_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   (uint64_t)-1, 0, 0x7f0000001000),
			    "NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000");
	assert_string_equal(decode(__NR_brk, 0, 0, 0, 0, 0, 0, 0x4ae000), "NULL) = 0x4ae000");
}

static void stat_is_abbreviated_unless_verbose(void **unused)
{
	(void)unused;
	setup_dec(false);
	struct stat st = {.st_mode = S_IFREG | 0644, .st_size = 1221};
	memcpy(mem + 256, &st, sizeof st);
	uint64_t path = put_str(0, "");
	assert_string_equal(decode(__NR_newfstatat, 3, path, BASE + 256, AT_EMPTY_PATH, 0, 0, 0),
			    "3, \"\", {st_mode=S_IFREG|0644, st_size=1221, ...}, AT_EMPTY_PATH) = 0");
}

static void signal_calls_show_masks_and_actions(void **unused)
{
	(void)unused;
	setup_dec(false);
	uint64_t set = (1ull << (SIGUSR2 - 1)) | (1ull << (SIGTERM - 1));
	memcpy(mem, &set, 8);
	assert_string_equal(decode(__NR_rt_sigprocmask, SIG_BLOCK, BASE, 0, 8, 0, 0, 0),
			    "SIG_BLOCK, [USR2 TERM], NULL, 8) = 0");
	uint64_t all = ~0ull;
	memcpy(mem + 8, &all, 8);
	assert_string_equal(decode(__NR_rt_sigprocmask, SIG_SETMASK, BASE + 8, 0, 8, 0, 0, 0),
			    "SIG_SETMASK, ~[], NULL, 8) = 0");
	uint64_t act[4] = {1, 0x04000000 | SA_RESTART, 0x401000, 1ull << (SIGPIPE - 1)};
	memcpy(mem + 64, act, sizeof act);
	assert_string_equal(decode(__NR_rt_sigaction, SIGPIPE, BASE + 64, 0, 8, 0, 0, 0),
			    "SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[PIPE], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x401000}, NULL, 8) = 0");
	assert_string_equal(decode(__NR_kill, 12, 0, 0, 0, 0, 0, -ESRCH), "12, 0) = -1 ESRCH (No such process)");
}

static void wait_status_and_clone_flags_read_as_strace(void **unused)
{
	(void)unused;
	setup_dec(false);
	int st = 7 << 8;
	memcpy(mem, &st, sizeof st);
	assert_string_equal(decode(__NR_wait4, 2, BASE, 0, 0, 0, 0, 2),
			    "2, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = 2");
	st = SIGSEGV | 0x80;
	memcpy(mem, &st, sizeof st);
	assert_string_equal(decode(__NR_wait4, -1, BASE, __WALL, 0, 0, 0, 3),
			    "-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], __WALL, NULL) = 3");
	assert_string_equal(decode(__NR_clone, 0x01200000 | SIGCHLD, 0, 0, 0x4af650, 0, 0, 2),
			    "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x4af650) = 2");
}

static void execve_counts_the_environment(void **unused)
{
	(void)unused;
	setup_dec(false);
	uint64_t path = put_str(0, "/bin/true");
	uint64_t a0 = put_str(32, "true");
	uint64_t e0 = put_str(48, "A=1"), e1 = put_str(64, "B=2");
	uint64_t argv[2] = {a0, 0}, envp[3] = {e0, e1, 0};
	memcpy(mem + 128, argv, sizeof argv);
	memcpy(mem + 160, envp, sizeof envp);
	assert_string_equal(decode(__NR_execve, path, BASE + 128, BASE + 160, 0, 0, 0, 0),
			    "\"/bin/true\", [\"true\"], 0x100a0 /* 2 vars */) = 0");
	fx.fmt.is_verbose = true;
	assert_string_equal(decode(__NR_execve, path, BASE + 128, BASE + 160, 0, 0, 0, 0),
			    "\"/bin/true\", [\"true\"], [\"A=1\", \"B=2\"]) = 0");
}

static void results_with_a_meaning_say_it(void **unused)
{
	(void)unused;
	setup_dec(false);
	assert_string_equal(decode(__NR_fcntl, 3, F_GETFL, 0, 0, 0, 0, 0x8401),
			    "3, F_GETFL) = 0x8401 (flags O_WRONLY|O_APPEND|O_LARGEFILE)");
	assert_string_equal(decode(__NR_umask, 022, 0, 0, 0, 0, 0, 077), "022) = 077");
	struct {
		int fd;
		short events, revents;
	} pfd = {0, 1, 1};
	memcpy(mem, &pfd, sizeof pfd);
	assert_string_equal(decode(__NR_poll, BASE, 1, 0, 0, 0, 0, 1),
			    "[{fd=0, events=POLLIN}], 1, 0) = 1 ([{fd=0, revents=POLLIN}])");
	assert_string_equal(decode(__NR_poll, BASE, 1, 0, 0, 0, 0, 0), "[{fd=0, events=POLLIN}], 1, 0) = 0 (Timeout)");
	assert_string_equal(decode(__NR_pause, 0, 0, 0, 0, 0, 0, -514),
			    ") = ? ERESTARTNOHAND (To be restarted if no handler)");
}

static void exits_and_siginfo_read_as_strace(void **unused)
{
	(void)unused;
	struct sbuf b;
	sb_init(&b);
	st_print_exit(&b, 3 << 8);
	assert_string_equal(b.s, "+++ exited with 3 +++");
	sb_reset(&b);
	st_print_exit(&b, SIGSEGV | 0x80);
	assert_string_equal(b.s, "+++ killed by SIGSEGV (core dumped) +++");
	sb_reset(&b);
	siginfo_t si = {.si_signo = SIGCHLD, .si_code = CLD_EXITED};
	si.si_pid = 2;
	si.si_status = 3;
	st_print_siginfo(&b, &si);
	assert_string_equal(b.s, "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=3, si_utime=0, si_stime=0}");
	sb_reset(&b);
	siginfo_t segv = {.si_signo = SIGSEGV, .si_code = SEGV_MAPERR};
	segv.si_addr = (void *)8;
	st_print_siginfo(&b, &segv);
	assert_string_equal(b.s, "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x8}");
	sb_free(&b);
}

/* Every syscall hvtrace serves (kernel/syscall_list.h) has its arguments described. */
static void every_served_syscall_is_decoded(void **unused)
{
	(void)unused;
	static const char *const served[] = {
#define X(name) #name,
#include "kernel/syscall_list.h"
#undef X
	};
	for (size_t i = 0; i < sizeof served / sizeof served[0]; i++) {
		long nr = st_syscall_by_name(served[i]);
		if (nr < 0 || !st_sysent(nr))
			fail_msg("%s has no entry in tools/strace/syscalls.c", served[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_matches_strace),
		cmocka_unit_test(open_shows_flags_and_mode_only_when_creating),
		cmocka_unit_test(fd_paths_follow_descriptors_and_results),
		cmocka_unit_test(read_buffers_are_cut_at_the_string_limit),
		cmocka_unit_test(unreadable_strings_show_their_address),
		cmocka_unit_test(mmap_result_is_hex_and_flags_split_type),
		cmocka_unit_test(stat_is_abbreviated_unless_verbose),
		cmocka_unit_test(signal_calls_show_masks_and_actions),
		cmocka_unit_test(wait_status_and_clone_flags_read_as_strace),
		cmocka_unit_test(execve_counts_the_environment),
		cmocka_unit_test(results_with_a_meaning_say_it),
		cmocka_unit_test(exits_and_siginfo_read_as_strace),
		cmocka_unit_test(every_served_syscall_is_decoded),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sb_free(&fx.out);
	sb_free(&fx.d.aux);
	return rc;
}
