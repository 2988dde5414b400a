/* The GDT TLS entries of a task (see kernel/tls.h). */
#include <errno.h>
#include <stddef.h>

#include "arch/x86_64/tls_desc.h"
#include "kernel/kernel.h"
#include "kernel/syscall.h"
#include "kernel/tls.h"
#include "kernel/uaccess.h"
#include "vmm/vcpu.h"

long tls_set(struct task *t, int idx, const struct user_desc *u, bool can_allocate, int *idx_out)
{
	if (!tls_desc_ok(u))
		return -EINVAL;
	if (idx == -1 && can_allocate) {
		for (int i = 0; i < GDT_ENTRY_TLS_ENTRIES && idx == -1; i++)
			if (!t->tls[i])
				idx = GDT_ENTRY_TLS_MIN + i;
		if (idx == -1)
			return -ESRCH;
	}
	if (idx < GDT_ENTRY_TLS_MIN || idx > GDT_ENTRY_TLS_MAX)
		return -EINVAL;
	t->tls[idx - GDT_ENTRY_TLS_MIN] = tls_desc_encode(u);
	vcpu_set_tls(t->vcpu, t->tls);
	if (idx_out)
		*idx_out = idx;
	return 0;
}

long tls_get(struct task *t, int idx, struct user_desc *out)
{
	if (idx < GDT_ENTRY_TLS_MIN || idx > GDT_ENTRY_TLS_MAX)
		return -EINVAL;
	tls_desc_decode(t->tls[idx - GDT_ENTRY_TLS_MIN], (unsigned)idx, out);
	return 0;
}

SYSCALL(set_thread_area)
{
	struct user_desc u;
	int idx;

	if (get_user(t, &u, a[0], sizeof u))
		return -EFAULT;
	long r = tls_set(t, (int)u.entry_number, &u, true, &idx);
	if (r)
		return r;
	/* As Linux: the slot taken is written back only for entry_number -1. */
	if ((int)u.entry_number == -1 &&
	    put_user(t, a[0] + offsetof(struct user_desc, entry_number), &idx, sizeof idx))
		return -EFAULT;
	return 0;
}

SYSCALL(get_thread_area)
{
	struct user_desc u;
	int idx;

	if (get_user(t, &idx, a[0] + offsetof(struct user_desc, entry_number), sizeof idx))
		return -EFAULT;
	long r = tls_get(t, idx, &u);
	return r ? r : put_user(t, a[0], &u, sizeof u);
}
