/* The words ptrace hands out, as Linux encodes them: the exit code of a stop (what
 * WSTOPSIG and status>>16 read), its wait status, and the option check of SETOPTIONS
 * and SEIZE. Pure; unit-tested. */
#ifndef HV_PTRACE_STATUS_H
#define HV_PTRACE_STATUS_H

#include <errno.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Every PTRACE_O_* Linux accepts (PTRACE_O_MASK). */
#define PT_OPTIONS_VALID (0xffu | PTRACE_O_EXITKILL | PTRACE_O_SUSPEND_SECCOMP)

/* The exit code of a PTRACE_EVENT_* stop: SIGTRAP with the event above it. */
static inline int pt_event_code(int event)
{
	return SIGTRAP | event << 8;
}

/* The exit code of a syscall stop: SIGTRAP, | 0x80 with PTRACE_O_TRACESYSGOOD. */
static inline int pt_syscall_code(unsigned options)
{
	return SIGTRAP | ((options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
}

/* The wait status of a stop with that exit code (WIFSTOPPED, WSTOPSIG, >>16). */
static inline int pt_stop_wstatus(int exit_code)
{
	return (exit_code << 8) | 0x7f;
}

/* Options for PTRACE_SETOPTIONS (EINVAL) or PTRACE_SEIZE (EIO: Linux's historic
 * difference) with unknown bits. */
static inline int pt_options_check(uint64_t options, bool seize)
{
	if (options & ~(uint64_t)PT_OPTIONS_VALID)
		return seize ? -EIO : -EINVAL;
	return 0;
}

#endif
