/* set_thread_area(2) and get_thread_area(2), shared with ptrace's
 * PTRACE_SET_THREAD_AREA/PTRACE_GET_THREAD_AREA (Linux's do_set/get_thread_area). */
#ifndef HV_KERNEL_TLS_H
#define HV_KERNEL_TLS_H

#include <asm/ldt.h>
#include <stdbool.h>

struct task;

/* Sets t's TLS entry idx from u; idx -1 with can_allocate takes the first free one
 * (its number in *idx_out). 0, -EINVAL or -ESRCH (no free entry). */
long tls_set(struct task *t, int idx, const struct user_desc *u, bool can_allocate, int *idx_out);
/* Reads t's TLS entry idx. 0 or -EINVAL. */
long tls_get(struct task *t, int idx, struct user_desc *out);

#endif
