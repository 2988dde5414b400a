/* What ptrace/ptrace.c (the requests) and ptrace/stops.c (the stops) share. */
#ifndef HV_PTRACE_INTERNAL_H
#define HV_PTRACE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* Makes tracer trace tracee. Preconditions: k->mu held; tracee not traced. */
void ptrace_link(struct task *tracer, struct task *tracee);
/* Ends the tracing of t; a ptrace-stop ends with sig as the tracer's resume signal.
 * Preconditions: k->mu held; t traced. */
void ptrace_detach(struct task *t, int sig);

/* The size of the guest's XSAVE image (NT_X86_XSTATE), and the image itself as
 * PTRACE_GETREGSET gives it (set: written from buf). Preconditions: x not running. */
uint64_t ptrace_xstate_size(void);
long ptrace_xstate_rw(struct task *x, uint8_t *buf, uint64_t len, bool set);

#endif
