/* What ptrace/ptrace.c (the requests) and ptrace/stops.c (the stops) share. */
#ifndef HV_PTRACE_INTERNAL_H
#define HV_PTRACE_INTERNAL_H

struct task;

/* Makes tracer trace tracee. Preconditions: k->mu held; tracee not traced. */
void ptrace_link(struct task *tracer, struct task *tracee);
/* Ends the tracing of t; a ptrace-stop ends with sig as the tracer's resume signal.
 * Preconditions: k->mu held; t traced. */
void ptrace_detach(struct task *t, int sig);

#endif
