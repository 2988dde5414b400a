/* futex(2): wait queues keyed as Linux keys them (kernel/mm.h: struct futex_key). */
#ifndef HV_KERNEL_FUTEX_H
#define HV_KERNEL_FUTEX_H

#include <stdint.h>

struct task;

/* Wakes up to n waiters on t's word at va (CLONE_CHILD_CLEARTID). */
void futex_wake_addr(struct task *t, uint64_t va, int n);
/* As Linux's exit_robust_list(): marks the dying thread's robust mutexes
 * FUTEX_OWNER_DIED and wakes one waiter of each. */
void futex_exit_robust_list(struct task *t);

#endif
