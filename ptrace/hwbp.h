/* Hardware breakpoints and watchpoints for tracers (u_debugreg, DR0-DR3/DR6/DR7), by
 * software: design decision 5's fallback, used on every platform (the paravirtual KVM
 * never fires guest debug registers in ring 3; the fallback is correct everywhere).
 *
 * - An execute breakpoint is an int3 in the text (kernel/mm.c keeps the original byte,
 *   which the tracer's PEEKTEXT sees); its trap is reported as the debug register's,
 *   with RF set as Linux's handler does; resuming with RF set at the address steps the
 *   original instruction once (int3 lifted, RFLAGS.TF) without a stop.
 * - A data watchpoint narrows the page's entry (no write, or no access): the faulting
 *   instruction is let through with one hidden step, then reported (a trap after the
 *   access, as the hardware's) when it touched the watched bytes.
 * The tracee applies its own breakpoints on its thread before it runs (POKEUSER only
 * records them, under k->mu where guest memory is not touched).
 *
 * Known limits: the tracee's own reads of its text see the int3; accesses by other
 * threads during a hidden step go unwatched; the width of a faulting access is taken
 * as up to 8 bytes from the fault address. */
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
/* execve: breakpoints do not survive (Linux's flush_ptrace_hw_breakpoint).
 * Preconditions: k->mu held. */
void hwbp_exec(struct task *t);
/* The task ends: its breakpoints leave the address space it shares. */
void hwbp_release(struct task *t);

#endif
