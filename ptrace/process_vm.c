/* process_vm_readv(2) and process_vm_writev(2): copies between the caller's memory and
 * another process's, through the page tables of both (Linux's mm/process_vm_access.c).
 * The remote side is accessed as the remote process could (no forced access). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "kernel/kernel.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "ptrace/ptrace.h"

#define CHUNK 4096

struct iov_cursor {
	const struct iovec *v;
	uint64_t n, i, off;
};

/* The next piece of at most max bytes, or 0 at the end. */
static uint64_t next_piece(struct iov_cursor *c, uint64_t max, uint64_t *va)
{
	while (c->i < c->n && c->off == c->v[c->i].iov_len) {
		c->i++;
		c->off = 0;
	}
	if (c->i == c->n)
		return 0;
	uint64_t left = c->v[c->i].iov_len - c->off;
	*va = (uint64_t)(uintptr_t)c->v[c->i].iov_base + c->off;
	return left < max ? left : max;
}

static long get_iovs(struct task *t, uint64_t va, uint64_t cnt, struct iovec **out)
{
	if (cnt > IOV_MAX)
		return -EINVAL;
	*out = NULL;
	if (!cnt)
		return 0;
	struct iovec *v = malloc(cnt * sizeof *v);
	if (!v)
		return -ENOMEM;
	if (get_user(t, v, va, cnt * sizeof *v)) {
		free(v);
		return -EFAULT;
	}
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)v[i].iov_len < 0 || total + v[i].iov_len > (uint64_t)SSIZE_MAX) {
			free(v);
			return -EINVAL;
		}
		total += v[i].iov_len;
	}
	*out = v;
	return 0;
}

/* Copies until either side ends or faults. Returns the bytes copied, or -EFAULT when
 * nothing could be. A remote page is copied whole or not at all, as Linux's. */
static long copy_vm(struct task *t, struct mm *remote, struct iov_cursor *local, struct iov_cursor *rem,
		    bool to_remote)
{
	static _Thread_local uint8_t buf[CHUNK];
	long done = 0;

	for (;;) {
		uint64_t rva, lva;
		uint64_t rn = next_piece(rem, CHUNK, &rva);
		if (!rn)
			break;
		/* Stop at the remote page's end: a fault past it keeps what came before. */
		uint64_t to_page_end = CHUNK - (rva & (CHUNK - 1));
		if (rn > to_page_end)
			rn = to_page_end;
		uint64_t ln = next_piece(local, rn, &lva);
		if (!ln)
			break;
		if (to_remote) {
			if (get_user(t, buf, lva, ln))
				return done ? done : -EFAULT;
			if (mm_copy_to_user(remote, rva, buf, ln))
				return done ? done : -EFAULT;
		} else {
			if (mm_copy_from_user(remote, buf, rva, ln))
				return done ? done : -EFAULT;
			if (put_user(t, lva, buf, ln))
				return done ? done : -EFAULT;
		}
		local->off += ln;
		rem->off += ln;
		done += (long)ln;
	}
	return done;
}

static long process_vm(struct task *t, const uint64_t *a, bool to_remote)
{
	int pid = (int)a[0];
	struct iovec *lv, *rv;
	long r;

	if (a[5])
		return -EINVAL; /* flags: none defined */
	if ((r = get_iovs(t, a[1], a[2], &lv)))
		return r;
	if ((r = get_iovs(t, a[3], a[4], &rv))) {
		free(lv);
		return r;
	}
	struct kernel *k = t->k;
	struct mm *mm = NULL;
	pthread_mutex_lock(&k->mu);
	struct task *x = pid > 0 ? kernel_find_task(k, pid) : NULL;
	r = ptrace_may_access(t, x);
	if (!r && (mm = x->proc->mm))
		mm_get(mm);
	pthread_mutex_unlock(&k->mu);
	if (!r && !mm)
		r = -ESRCH;
	if (!r) {
		struct iov_cursor lc = {lv, a[2], 0, 0}, rc = {rv, a[4], 0, 0};
		r = copy_vm(t, mm, &lc, &rc, to_remote);
		mm_put(mm, NULL);
	}
	free(lv);
	free(rv);
	return r;
}

SYSCALL(process_vm_readv)
{
	return process_vm(t, a, false);
}

SYSCALL(process_vm_writev)
{
	return process_vm(t, a, true);
}
