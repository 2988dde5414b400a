/* What ptrace/host.c (the stops) and ptrace/host_ops.c (the session's calls) share. */
#ifndef HV_PTRACE_HOST_INTERNAL_H
#define HV_PTRACE_HOST_INTERNAL_H

#include <stdbool.h>

struct host_session;
struct task;

/* Makes s trace t; pending: a stop (HVT_EV_START...) to take at once, or 0.
 * Preconditions: k->mu held; t not host-traced. */
void host_link(struct host_session *s, struct task *t, int pending);
/* Does s hand syscalls to its recorder instead of stopping? Preconditions: k->mu held. */
bool host_records(const struct host_session *s);
/* Ends the tracing of t; a stopped t runs on. Preconditions: k->mu held. */
void host_unlink(struct task *t);
/* Puts breakpoint b into mm or takes it out. Preconditions: k->mu not held (guest
 * memory). */
struct mm;
struct host_bp;
int host_bp_apply(struct mm *mm, const struct host_bp *b, bool on);

#endif
