/* Small helpers for syscall handlers reading and writing guest memory. */
#ifndef HV_KERNEL_UACCESS_H
#define HV_KERNEL_UACCESS_H

#include "kernel/mm.h"
#include "kernel/path.h"
#include "kernel/task.h"

static inline int get_user(struct task *t, void *dst, uint64_t va, uint64_t len)
{
	return mm_copy_from_user(t->proc->mm, dst, va, len);
}

static inline int put_user(struct task *t, uint64_t va, const void *src, uint64_t len)
{
	return mm_copy_to_user(t->proc->mm, va, src, len);
}

/* A path argument: 0, -EFAULT, -ENAMETOOLONG or -ENOENT (empty, unless allow_empty). */
static inline long get_user_path(struct task *t, char *buf, uint64_t va)
{
	long n = mm_strncpy_from_user(t->proc->mm, buf, va, GUEST_PATH_MAX);

	return n < 0 ? n : 0;
}

#endif
