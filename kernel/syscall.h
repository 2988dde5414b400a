/* The syscall table: number -> handler. Names come from the system's <asm/unistd_64.h>
 * (generated at build time into build/gen/syscall_names.h); the same table feeds
 * dispatch and --verbose (and later the strace decoders). */
#ifndef HV_KERNEL_SYSCALL_H
#define HV_KERNEL_SYSCALL_H

#include <stdbool.h>
#include <stdint.h>

struct task;

typedef long (*syscall_fn)(struct task *t, const uint64_t *a);

#define SYSCALL_MAX 512

/* Handler of nr, NULL when hvtrace does not implement it. */
syscall_fn syscall_handler(uint64_t nr);
/* "read", ..., or NULL for numbers the system headers do not name. */
const char *syscall_name(uint64_t nr);
/* May nr run on the exit-less server thread? Only calls that never block, never touch
 * the vCPU's registers and never end or stop the task (kernel/syscall_list.h). */
bool syscall_is_fast(uint64_t nr);
/* Runs one syscall for t: the result (or -errno) as the guest will see it in RAX. */
long syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6]);

#define SYSCALL(name) long sys_##name(struct task *t, const uint64_t *a)

/* Declarations of every handler (kernel/sys_*.c). */
#define X(name) SYSCALL(name);
#include "kernel/syscall_list.h"
#undef X

#endif
