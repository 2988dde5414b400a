/* Asserts a register's value each time a function is entered: a test that fails when
 * the program passes the wrong argument.
 *
 *   assert_register FUNCTION REGISTER VALUE PROGRAM [ARGS...] < input
 *
 * REGISTER is one of rdi rsi rdx rcx r8 r9 (the first six integer arguments in the
 * x86-64 calling convention) or rax rbx rsp rbp; VALUE a number (0x... for hex).
 * Exit status 0 when every call had the value (and there was at least one), 1 otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hvtrace.h>

#include "symbol.h"

static int register_value(const struct user_regs_struct *r, const char *name, uint64_t *out)
{
	static const struct {
		const char *name;
		size_t off;
	} regs[] = {
		{"rdi", offsetof(struct user_regs_struct, rdi)}, {"rsi", offsetof(struct user_regs_struct, rsi)},
		{"rdx", offsetof(struct user_regs_struct, rdx)}, {"rcx", offsetof(struct user_regs_struct, rcx)},
		{"r8", offsetof(struct user_regs_struct, r8)},   {"r9", offsetof(struct user_regs_struct, r9)},
		{"rax", offsetof(struct user_regs_struct, rax)}, {"rbx", offsetof(struct user_regs_struct, rbx)},
		{"rsp", offsetof(struct user_regs_struct, rsp)}, {"rbp", offsetof(struct user_regs_struct, rbp)},
	};
	for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
		if (!strcmp(regs[i].name, name)) {
			memcpy(out, (const char *)r + regs[i].off, sizeof *out);
			return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: assert_register FUNCTION REGISTER VALUE PROGRAM [ARGS...]\n");
		return 2;
	}
	const char *func = argv[1], *reg = argv[2];
	uint64_t want = strtoull(argv[3], NULL, 0), got;
	struct user_regs_struct regs = {0};
	if (register_value(&regs, reg, &got)) {
		fprintf(stderr, "assert_register: unknown register %s\n", reg);
		return 2;
	}
	struct hvt_spawn_options o = {.argv = argv + 4, .stdio = {-1, -1, -1}, .flags = HVT_STOP_AT_ENTRY};
	hvt_session *s;
	struct hvt_event ev;

	if (hvt_spawn(&o, &s) < 0) {
		fprintf(stderr, "assert_register: %s\n", hvt_spawn_error());
		return 2;
	}
	if (hvt_wait(s, &ev, -1) < 0 || ev.kind != HVT_EV_START)
		return 2;
	char *path = hvt_find_program(argv[4]);
	uint64_t addr = symbol_address(s, ev.tid, path, func);
	free(path);
	if (!addr || hvt_set_breakpoint(s, ev.tid, HVT_BP_SW, addr, 1) < 0) {
		hvt_kill(s);
		hvt_close(s);
		return 2;
	}
	hvt_resume(s, ev.tid, HVT_CONT, 0);
	int calls = 0, bad = 0;
	while (hvt_wait(s, &ev, -1) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		if (ev.kind == HVT_EV_BREAKPOINT && ev.addr == addr && hvt_get_regs(s, ev.tid, &regs) == 0) {
			register_value(&regs, reg, &got);
			calls++;
			if (got != want) {
				bad++;
				printf("FAIL: %s = %#" PRIx64 " (want %#" PRIx64 ") at call %d of %s\n", reg, got,
				       want, calls, func);
			}
		}
		if (ev.stopped)
			hvt_resume(s, ev.tid, HVT_CONT, 0);
	}
	hvt_close(s);
	if (!calls)
		printf("FAIL: %s was never called\n", func);
	else if (!bad)
		printf("ok: %s = %#" PRIx64 " at all %d calls of %s\n", reg, want, calls, func);
	return calls && !bad ? 0 : 1;
}
