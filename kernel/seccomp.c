/* seccomp (see seccomp.h). */
#include "kernel/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "kernel/kernel.h"
#include "kernel/seccomp_bpf.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"

/* As Linux's MAX_INSNS_PER_PATH: every filter of a chain, 4 more per filter. */
#define MAX_INSNS_PER_PATH ((1 << 18) / sizeof(struct sock_filter))
#define MAX_ERRNO 4095
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of SIGSYS (glibc names it only with __USE_GNU in some headers) */
#endif

struct seccomp_filter {
	_Atomic int refs;
	struct seccomp_filter *prev;
	bool log;      /* SECCOMP_FILTER_FLAG_LOG */
	unsigned len;
	struct sock_filter prog[];
};

static void filter_put(struct seccomp_filter *f)
{
	while (f && atomic_fetch_sub(&f->refs, 1) == 1) {
		struct seccomp_filter *prev = f->prev;
		free(f);
		f = prev;
	}
}

void seccomp_inherit(struct task *child, const struct task *parent)
{
	child->seccomp.filter = parent->seccomp.filter;
	if (child->seccomp.filter)
		atomic_fetch_add(&child->seccomp.filter->refs, 1);
	atomic_store(&child->seccomp.mode, atomic_load(&parent->seccomp.mode));
}

void seccomp_release(struct task *t)
{
	filter_put(t->seccomp.filter);
	t->seccomp.filter = NULL;
}

/* The action of every filter, the most restrictive winning (Linux compares the
 * action bits as signed: KILL_PROCESS first, ALLOW last). */
static uint32_t run_filters(const struct seccomp_filter *f, const struct seccomp_data *d)
{
	uint32_t ret = SECCOMP_RET_ALLOW;

	for (; f; f = f->prev) {
		uint32_t cur = seccomp_bpf_run(f->prog, f->len, d);
		if ((int32_t)(cur & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = cur;
	}
	return ret;
}

static void fill_data(struct task *t, uint64_t nr, struct seccomp_data *d)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);

	memset(d, 0, sizeof *d);
	d->nr = (int)nr;
	d->arch = AUDIT_ARCH_X86_64;
	d->instruction_pointer = r->rip;
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	memcpy(d->args, args, sizeof args);
}

/* SIGSYS as Linux's force_sig_seccomp(): it cannot be blocked or ignored; for a kill
 * the default action is forced too (a core-dumping death by SIGSYS). */
static void send_sigsys(struct task *t, const struct seccomp_data *d, uint32_t data, bool kill)
{
	siginfo_t info;

	memset(&info, 0, sizeof info);
	info.si_signo = SIGSYS;
	info.si_code = SYS_SECCOMP;
	info.si_call_addr = (void *)(uintptr_t)d->instruction_pointer;
	info.si_errno = (int)data;
	info.si_arch = d->arch;
	info.si_syscall = d->nr;
	pthread_mutex_lock(&t->k->mu);
	sig_force(t, &info, kill);
	pthread_mutex_unlock(&t->k->mu);
}

static bool strict_allowed(uint64_t nr)
{
	return nr == SYS_read || nr == SYS_write || nr == SYS_exit || nr == SYS_rt_sigreturn;
}

bool seccomp_syscall_allowed(struct task *t)
{
	struct kvm_regs *r = vcpu_regs(t->vcpu);
	int mode = atomic_load(&t->seccomp.mode);
	struct seccomp_data d;

	if (mode == SECCOMP_MODE_STRICT) {
		if (strict_allowed(t->orig_rax))
			return true;
		/* As Linux: the thread dies by SIGKILL. */
		pthread_mutex_lock(&t->k->mu);
		if (t->proc->nthreads == 1)
			sig_group_exit(t->proc, SIGKILL);
		t->exit = (struct task_exit){.is_signal = true, .code = SIGKILL};
		t->has_exited = true;
		pthread_mutex_unlock(&t->k->mu);
		return false;
	}
	if (mode != SECCOMP_MODE_FILTER)
		return true;
	bool rechecked = false;
again:
	fill_data(t, t->orig_rax, &d);
	pthread_mutex_lock(&t->k->mu);
	uint32_t ret = run_filters(t->seccomp.filter, &d);
	pthread_mutex_unlock(&t->k->mu);
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return true;
	case SECCOMP_RET_ERRNO:
		r->rax = (uint64_t)-(int64_t)(data > MAX_ERRNO ? MAX_ERRNO : data);
		vcpu_regs_changed(t->vcpu);
		return false;
	case SECCOMP_RET_TRAP:
		/* As Linux's syscall_rollback(): rax is the number again. */
		r->rax = t->orig_rax;
		vcpu_regs_changed(t->vcpu);
		send_sigsys(t, &d, data, false);
		return false;
	case SECCOMP_RET_USER_NOTIF:
		/* No listener can exist (NEW_LISTENER is refused): as Linux without one. */
		r->rax = (uint64_t)-ENOSYS;
		vcpu_regs_changed(t->vcpu);
		return false;
	case SECCOMP_RET_TRACE:
		if (rechecked)
			return true; /* as Linux: the tracer already had its say */
		r->rax = (uint64_t)-ENOSYS;
		vcpu_regs_changed(t->vcpu);
		if (!ptrace_event(t, PTRACE_EVENT_SECCOMP, data))
			return false; /* no tracer asking for it: ENOSYS */
		if (t->killed || (int64_t)t->orig_rax == -1)
			return false; /* skipped by the tracer: rax is what it set */
		/* The tracer may have changed the call: the filters judge the new one. */
		rechecked = true;
		goto again;
	case SECCOMP_RET_KILL_THREAD:
	default: /* KILL_PROCESS and unknown actions */
		pthread_mutex_lock(&t->k->mu);
		bool alone = t->proc->nthreads == 1;
		pthread_mutex_unlock(&t->k->mu);
		if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD && !alone) {
			t->exit = (struct task_exit){.is_signal = true, .code = SIGSYS};
			t->has_exited = true;
			return false;
		}
		r->rax = t->orig_rax;
		vcpu_regs_changed(t->vcpu);
		send_sigsys(t, &d, data, true);
		return false;
	}
}

/* Is a an ancestor of (or equal to) b in a chain? */
static bool is_ancestor(const struct seccomp_filter *a, const struct seccomp_filter *b)
{
	if (!a)
		return true;
	for (; b; b = b->prev)
		if (a == b)
			return true;
	return false;
}

static long set_filter(struct task *t, unsigned flags, uint64_t uprog)
{
	struct sock_fprog fprog;
	const unsigned known = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
			       SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_NEW_LISTENER |
			       SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

	if (flags & ~known)
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		hv_info("pid %d: seccomp user notification not implemented -> ENOSYS", t->proc->pid);
		return -ENOSYS;
	}
	if (get_user(t, &fprog, uprog, sizeof fprog))
		return -EFAULT;
	if (fprog.len == 0 || fprog.len > SECCOMP_BPF_MAX_INSNS)
		return -EINVAL;
	struct seccomp_filter *f = malloc(sizeof *f + fprog.len * sizeof(struct sock_filter));
	if (!f)
		return -ENOMEM;
	if (get_user(t, f->prog, (uint64_t)(uintptr_t)fprog.filter, fprog.len * sizeof(struct sock_filter))) {
		free(f);
		return -EFAULT;
	}
	if (seccomp_bpf_check(f->prog, fprog.len)) {
		free(f);
		return -EINVAL;
	}
	f->len = fprog.len;
	f->log = flags & SECCOMP_FILTER_FLAG_LOG;
	atomic_store(&f->refs, 1);

	struct kernel *k = t->k;
	long r = 0;
	pthread_mutex_lock(&k->mu);
	/* As Linux: a task that may gain privileges through exec needs no_new_privs (or
	 * CAP_SYS_ADMIN, which the guest's credentials include). */
	if (atomic_load(&t->seccomp.mode) == SECCOMP_MODE_STRICT) {
		r = -EINVAL;
		goto out;
	}
	unsigned long total = f->len;
	for (const struct seccomp_filter *p = t->seccomp.filter; p; p = p->prev)
		total += p->len + 4;
	if (total > MAX_INSNS_PER_PATH) {
		r = -ENOMEM;
		goto out;
	}
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		/* Every other thread must be on our chain (or an older part of it). */
		for (struct task *x = t->proc->threads; x; x = x->thread_next)
			if (x != t && (atomic_load(&x->seccomp.mode) == SECCOMP_MODE_STRICT ||
				       !is_ancestor(x->seccomp.filter, t->seccomp.filter))) {
				r = (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : x->tid;
				goto out;
			}
	}
	f->prev = t->seccomp.filter;
	t->seccomp.filter = f;
	atomic_store(&t->seccomp.mode, SECCOMP_MODE_FILTER);
	f = NULL;
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		for (struct task *x = t->proc->threads; x; x = x->thread_next) {
			if (x == t)
				continue;
			atomic_fetch_add(&t->seccomp.filter->refs, 1);
			filter_put(x->seccomp.filter);
			x->seccomp.filter = t->seccomp.filter;
			atomic_store(&x->seccomp.mode, SECCOMP_MODE_FILTER);
		}
	}
out:
	pthread_mutex_unlock(&k->mu);
	free(f);
	return r;
}

static bool action_available(uint32_t action)
{
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return true;
	}
	return false; /* USER_NOTIF: no listener can be made */
}

static long do_seccomp(struct task *t, uint64_t op, uint64_t flags, uint64_t uargs)
{
	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags || uargs)
			return -EINVAL;
		pthread_mutex_lock(&t->k->mu);
		long r = atomic_load(&t->seccomp.mode) == SECCOMP_MODE_FILTER ? -EINVAL : 0;
		if (!r)
			atomic_store(&t->seccomp.mode, SECCOMP_MODE_STRICT);
		pthread_mutex_unlock(&t->k->mu);
		return r;
	case SECCOMP_SET_MODE_FILTER:
		return set_filter(t, (unsigned)flags, uargs);
	case SECCOMP_GET_ACTION_AVAIL: {
		uint32_t action;
		if (flags)
			return -EINVAL;
		if (get_user(t, &action, uargs, sizeof action))
			return -EFAULT;
		return action_available(action) ? 0 : -EOPNOTSUPP;
	}
	case SECCOMP_GET_NOTIF_SIZES: {
		if (flags)
			return -EINVAL;
		struct seccomp_notif_sizes sz = {sizeof(struct seccomp_notif), sizeof(struct seccomp_notif_resp),
						 sizeof(struct seccomp_data)};
		return put_user(t, uargs, &sz, sizeof sz);
	}
	}
	return -EINVAL;
}

int seccomp_filter_copy(const struct task *x, uint64_t off, void **prog, unsigned *len, bool *log)
{
	const struct seccomp_filter *f = x->seccomp.filter;
	uint64_t count = 0;

	if (atomic_load(&x->seccomp.mode) != SECCOMP_MODE_FILTER)
		return -EINVAL;
	for (const struct seccomp_filter *p = f; p; p = p->prev)
		count++;
	if (off >= count)
		return -ENOENT;
	/* The chain runs newest first; number off counts from the oldest. */
	for (uint64_t steps = count - 1 - off; steps; steps--)
		f = f->prev;
	*prog = malloc(f->len * sizeof(struct sock_filter));
	if (!*prog)
		return -ENOMEM;
	memcpy(*prog, f->prog, f->len * sizeof(struct sock_filter));
	*len = f->len;
	*log = f->log;
	return 0;
}

SYSCALL(seccomp)
{
	return do_seccomp(t, a[0], a[1], a[2]);
}

long seccomp_prctl_set(struct task *t, uint64_t mode, uint64_t filter)
{
	switch (mode) {
	case SECCOMP_MODE_STRICT:
		return do_seccomp(t, SECCOMP_SET_MODE_STRICT, 0, 0);
	case SECCOMP_MODE_FILTER:
		return do_seccomp(t, SECCOMP_SET_MODE_FILTER, 0, filter);
	}
	return -EINVAL;
}

long seccomp_prctl_get(struct task *t)
{
	return atomic_load(&t->seccomp.mode);
}
