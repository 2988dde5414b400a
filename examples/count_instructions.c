/* Counts the instructions each call of one function executes, by single-stepping it.
 *
 *   count_instructions FUNCTION PROGRAM [ARGS...] < input
 *
 * The program runs in a new guest; a breakpoint at FUNCTION stops each call, and the
 * call is stepped until it returns to its caller (the return address it was entered
 * with, at the stack depth it was entered at). Prints one line per call. */
#include <stdio.h>
#include <stdlib.h>

#include <hvtrace.h>

#include "symbol.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "count_instructions: %s: error %d\n", what, err);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: count_instructions FUNCTION PROGRAM [ARGS...]\n");
		return 2;
	}
	const char *func = argv[1];
	struct hvt_spawn_options o = {
		.argv = argv + 2,
		.stdio = {-1, -1, -1},
		.flags = HVT_STOP_AT_ENTRY,
	};
	hvt_session *s;
	struct hvt_event ev;
	int r;

	if ((r = hvt_spawn(&o, &s)) < 0) {
		fprintf(stderr, "count_instructions: %s\n", hvt_spawn_error());
		return 2;
	}
	if ((r = hvt_wait(s, &ev, -1)) < 0 || ev.kind != HVT_EV_START)
		return fail("waiting for the start", r);
	char *path = hvt_find_program(argv[2]);
	uint64_t addr = symbol_address(s, ev.tid, path, func);
	free(path);
	if (!addr) {
		hvt_kill(s);
		hvt_close(s);
		return 2;
	}
	if ((r = hvt_set_breakpoint(s, ev.tid, HVT_BP_SW, addr, 1)) < 0)
		return fail("setting the breakpoint", r);
	hvt_resume(s, ev.tid, HVT_CONT, 0);

	int calls = 0;
	while ((r = hvt_wait(s, &ev, -1)) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
		if (ev.kind != HVT_EV_BREAKPOINT || ev.addr != addr) {
			if (ev.stopped)
				hvt_resume(s, ev.tid, HVT_CONT, 0);
			continue;
		}
		/* At the first instruction: [rsp] is the return address. */
		struct user_regs_struct regs;
		uint64_t ret_addr;
		if ((r = hvt_get_regs(s, ev.tid, &regs)) < 0 ||
		    hvt_read_mem(s, ev.tid, regs.rsp, &ret_addr, 8) != 8)
			return fail("reading the entry state", r);
		uint64_t ret_sp = regs.rsp + 8;
		unsigned long n = 0;
		do {
			if ((r = hvt_resume(s, ev.tid, HVT_STEP, 0)) < 0 || (r = hvt_wait(s, &ev, -1)) < 0)
				return fail("stepping", r);
			if (ev.kind != HVT_EV_STEP && ev.kind != HVT_EV_BREAKPOINT)
				break; /* e.g. the program died in the function */
			n++;
			if ((r = hvt_get_regs(s, ev.tid, &regs)) < 0)
				return fail("reading registers", r);
		} while (regs.rip != ret_addr || regs.rsp != ret_sp);
		printf("%s call %d: %lu instructions\n", func, ++calls, n);
		if (ev.stopped)
			hvt_resume(s, ev.tid, HVT_CONT, 0);
	}
	if (r < 0)
		return fail("waiting", r);
	int status = hvt_close(s);
	printf("%s exited with status %d\n", argv[2], status);
	return 0;
}
