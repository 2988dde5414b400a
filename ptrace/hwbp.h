/* Hardware breakpoints and watchpoints for tracers (u_debugreg, DR0-DR3/DR6/DR7).
 * Where the platform fires guest debug registers in ring 3 (vmm/platform.h's
 * guest_debugregs_fire), they are the task's vCPU's own, as on Linux. Where it does not
 * (the paravirtual KVM, QEMU/TCG), design decision 5's fallback gives the tracer the
 * same view:
 * - An execute breakpoint leaves the text alone (the tracee's own reads see what a debug
 *   register would leave them: the original bytes): its page is made non-executable
 *   for the guest, an instruction fetch there faults, and one at the breakpoint's
 *   address is reported as the debug register's trap, with RF set as Linux's handler
 *   does; every other instruction of the page runs with one hidden step (the page
 *   executable for it). Resuming at the breakpoint runs its instruction once.
 * - A data watchpoint narrows the page's entry (no write, or no access): the faulting
 *   instruction is let through with one hidden step, then reported (a trap after the
 *   access, as the hardware's) when it touched the watched bytes.
 * - A host session's software breakpoints are int3s (kernel/mm.c keeps the original
 *   byte for the tracers' reads); an int3 of another process's session sharing the
 *   address space is stepped over unseen.
 * The tracee applies its own breakpoints on its thread before it runs (POKEUSER only
 * records them, under k->mu where guest memory is not touched).
 *
 * Known limits: accesses by other threads during a hidden step go unwatched; the width
 * of a faulting access is taken as up to 8 bytes from the fault address; code on the
 * page of an execute breakpoint runs at the cost of two exits an instruction; data an
 * instruction touches on its own (executing) page is not checked against watchpoints
 * of that page. */
#ifndef HV_PTRACE_HWBP_H
#define HV_PTRACE_HWBP_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* PEEKUSER/POKEUSER of u_debugreg[n]. Preconditions: k->mu held; x stopped. */
uint64_t hwbp_peek(struct task *x, unsigned n);
long hwbp_poke(struct task *x, unsigned n, uint64_t val);

/* On the task's own thread, no lock held. */
/* Before it enters the guest: applies changed breakpoints; steps over an execute
 * breakpoint it resumes on with RF set. */
void hwbp_before_run(struct task *t);
/* An int3 trap (#BP, rip after it): true when it was a breakpoint's (handled). */
bool hwbp_on_int3(struct task *t);
/* A fault on a watched page (mm_fault's MM_FAULT_WATCH): lets the access through. */
void hwbp_on_watch_fault(struct task *t, uint64_t cr2, uint32_t pf_error);
/* A #DB trap: true when it ended a hidden step (handled); else it is a single-step
 * and DR6 says so (BS). */
bool hwbp_on_debug_trap(struct task *t);
/* A syscall instruction was the one a hidden step let through: its step ends at the
 * syscall's entry (its trap would come only after the return to the guest, after a
 * signal frame may have saved the step's TF). */
void hwbp_syscall_entered(struct task *t);
/* execve: breakpoints do not survive (Linux's flush_ptrace_hw_breakpoint).
 * Preconditions: k->mu held. */
void hwbp_exec(struct task *t);
/* The task ends: its breakpoints leave the address space it shares. */
void hwbp_release(struct task *t);

#endif
