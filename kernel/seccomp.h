/* seccomp(2) and prctl(PR_SET_SECCOMP): strict mode and classic BPF filters, run on
 * every syscall of a task that has them, before the call (Linux's kernel/seccomp.c).
 * A task's filters are a chain shared with the tasks it forked (reference-counted):
 * filters are only ever added, on top. */
#ifndef HV_KERNEL_SECCOMP_H
#define HV_KERNEL_SECCOMP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct task;
struct seccomp_filter;

/* Per task. Preconditions: k->mu held to change it (the task itself, or a sibling's
 * SECCOMP_FILTER_FLAG_TSYNC); mode is read lock-free by the exit-less server. */
struct task_seccomp {
	_Atomic int mode; /* SECCOMP_MODE_DISABLED, _STRICT or _FILTER */
	struct seccomp_filter *filter; /* the newest; older ones through its prev */
};

/* Is the syscall allowed to run? Called at syscall entry, after the syscall-enter-
 * stop. Returns false when it must not run: rax then holds its result (ERRNO, TRACE
 * without a tracer), or a signal or the task's end is on its way. */
bool seccomp_syscall_allowed(struct task *t);
/* fork/clone: the child runs under the parent's filters. Preconditions: k->mu held. */
void seccomp_inherit(struct task *child, const struct task *parent);
/* The task is gone: its reference to the chain. */
void seccomp_release(struct task *t);
/* PTRACE_SECCOMP_GET_FILTER/GET_METADATA: a copy of x's filter number off (0 is the
 * oldest) into *prog (malloc'd, *len instructions) and its LOG flag. 0, -EINVAL (no
 * filters), -ENOENT (no such one), -ENOMEM. Preconditions: k->mu held. */
int seccomp_filter_copy(const struct task *x, uint64_t off, void **prog, unsigned *len, bool *log);
/* prctl(PR_SET_SECCOMP) and PR_GET_SECCOMP. */
long seccomp_prctl_set(struct task *t, uint64_t mode, uint64_t filter);
long seccomp_prctl_get(struct task *t);

#endif
