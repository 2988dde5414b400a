/* PTRACE_SINGLEBLOCK by software: x86's block stepping (DEBUGCTL.BTF) is not offered
 * to the guest, so the tracee is stepped instruction by instruction (RFLAGS.TF) and
 * stops only after a taken branch (jumps, calls, returns, loops, taken conditional
 * jumps), an exception or a syscall, as BTF would. Pure decoding of the branch
 * instructions; unit-tested. */
#ifndef HV_PTRACE_BLOCKSTEP_H
#define HV_PTRACE_BLOCKSTEP_H

#include <stdbool.h>
#include <stdint.h>

/* Did the instruction at from (its first bytes in code[0..n)) that left rip at to
 * transfer control the way BTF reports? Not a branch: only when to is not where the
 * next instruction could be (an exception or interrupt). */
bool blockstep_branch_taken(const uint8_t *code, unsigned n, uint64_t from, uint64_t to);

#endif
