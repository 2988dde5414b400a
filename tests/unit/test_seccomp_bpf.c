/* The seccomp BPF checker and interpreter (kernel/seccomp_bpf.c). */
#include <errno.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/seccomp_bpf.h"

#define LEN(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static struct seccomp_data data_for(int nr, uint64_t arg0)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof d);
	d.nr = nr;
	d.arch = AUDIT_ARCH_X86_64;
	d.args[0] = arg0;
	return d;
}

/* nr == 39 -> ERRNO(13), arch check, else ALLOW. */
static const struct sock_filter by_nr[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 13),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static void matches_the_syscall_number(void **unused)
{
	(void)unused;
	struct seccomp_data d = data_for(39, 0);

	assert_int_equal(seccomp_bpf_check(by_nr, LEN(by_nr)), 0);
	assert_int_equal(seccomp_bpf_run(by_nr, LEN(by_nr), &d), SECCOMP_RET_ERRNO | 13);
	d = data_for(40, 0);
	assert_int_equal(seccomp_bpf_run(by_nr, LEN(by_nr), &d), SECCOMP_RET_ALLOW);
	d.arch = 0x40000003; /* i386 */
	assert_int_equal(seccomp_bpf_run(by_nr, LEN(by_nr), &d), SECCOMP_RET_KILL_PROCESS);
}

/* Arithmetic, scratch memory and X: (arg0 low word & 0xff) * 2 + 1, returned via A. */
static const struct sock_filter arith[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	BPF_STMT(BPF_ST, 3),
	BPF_STMT(BPF_LDX | BPF_IMM, 2),
	BPF_STMT(BPF_LD | BPF_MEM, 3),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	BPF_STMT(BPF_RET | BPF_A, 0),
};

static void computes_with_memory_and_x(void **unused)
{
	(void)unused;
	struct seccomp_data d = data_for(0, 0x1234);

	assert_int_equal(seccomp_bpf_check(arith, LEN(arith)), 0);
	assert_int_equal(seccomp_bpf_run(arith, LEN(arith), &d), 0x34 * 2 + 1);
}

static void division_by_a_zero_x_ends_with_zero(void **unused)
{
	(void)unused;
	const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 10),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d = data_for(0, 0);

	assert_int_equal(seccomp_bpf_check(prog, LEN(prog)), 0);
	assert_int_equal(seccomp_bpf_run(prog, LEN(prog), &d), 0); /* SECCOMP_RET_KILL_THREAD */
}

static void refuses_what_linux_refuses(void **unused)
{
	(void)unused;
	const struct sock_filter no_ret[] = {BPF_STMT(BPF_LD | BPF_IMM, 1)};
	const struct sock_filter unaligned[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter past_data[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter byte_load[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter jump_out[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter div_zero[] = {
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter big_shift[] = {
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter unset_mem[] = {
		BPF_STMT(BPF_LD | BPF_MEM, 1), BPF_STMT(BPF_RET | BPF_K, 0)};
	const struct sock_filter bad_mem[] = {
		BPF_STMT(BPF_ST, 16), BPF_STMT(BPF_RET | BPF_K, 0)};

	assert_int_equal(seccomp_bpf_check(no_ret, LEN(no_ret)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(unaligned, LEN(unaligned)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(past_data, LEN(past_data)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(byte_load, LEN(byte_load)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(jump_out, LEN(jump_out)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(div_zero, LEN(div_zero)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(big_shift, LEN(big_shift)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(unset_mem, LEN(unset_mem)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(bad_mem, LEN(bad_mem)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(by_nr, 0), -EINVAL);
}

/* A scratch word stored on one path only is not readable where the paths join. */
static void memory_must_be_set_on_every_path(void **unused)
{
	(void)unused;
	const struct sock_filter one_path[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	const struct sock_filter both_paths[] = {
		BPF_STMT(BPF_ST, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	assert_int_equal(seccomp_bpf_check(one_path, LEN(one_path)), -EINVAL);
	assert_int_equal(seccomp_bpf_check(both_paths, LEN(both_paths)), 0);
}

static void jumps_and_jset(void **unused)
{
	(void)unused;
	const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x4, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 100, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 1),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
	};
	struct seccomp_data d;

	assert_int_equal(seccomp_bpf_check(prog, LEN(prog)), 0);
	d = data_for(0, 0x104);
	assert_int_equal(seccomp_bpf_run(prog, LEN(prog), &d), SECCOMP_RET_TRAP | 1);
	d = data_for(0, 0x4);
	assert_int_equal(seccomp_bpf_run(prog, LEN(prog), &d), SECCOMP_RET_LOG);
	d = data_for(0, 0x3);
	assert_int_equal(seccomp_bpf_run(prog, LEN(prog), &d), SECCOMP_RET_LOG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_the_syscall_number),
		cmocka_unit_test(computes_with_memory_and_x),
		cmocka_unit_test(division_by_a_zero_x_ends_with_zero),
		cmocka_unit_test(refuses_what_linux_refuses),
		cmocka_unit_test(memory_must_be_set_on_every_path),
		cmocka_unit_test(jumps_and_jset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
