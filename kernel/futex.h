/* futex(2): wait queues keyed as Linux keys them (kernel/mm.h: struct futex_key). */
#ifndef HV_KERNEL_FUTEX_H
#define HV_KERNEL_FUTEX_H

#include <stdint.h>

struct task;

/* Wakes up to n waiters on t's word at va (CLONE_CHILD_CLEARTID). */
void futex_wake_addr(struct task *t, uint64_t va, int n);
/* As Linux's futex_exit_release(), at thread exit before CLONE_CHILD_CLEARTID: marks
 * the robust mutexes t holds FUTEX_OWNER_DIED and wakes a waiter of each non-PI one, then
 * hands every PI futex t owns to its first waiter; from then on t is a dead owner to
 * LOCK_PI (ESRCH), though it stays in the pid space a little longer. */
void futex_exit_release(struct task *t);

#endif
