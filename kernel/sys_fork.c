/* fork, vfork, clone and clone3 (Linux's kernel/fork.c). */
#include <errno.h>
#include <linux/ptrace.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/path.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)
#define CLONE_KNOWN (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | \
		     CLONE_PTRACE | CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | \
		     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
		     CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO | CLONE_NAMESPACES)

struct clone_req {
	uint64_t flags;
	int exit_signal;
	uint64_t stack;
	uint64_t parent_tid, child_tid, tls;
};

/* A new process for a fork-like clone: copies or shares what the flags say.
 * Preconditions: none held (copies take the mm and file-table locks). */
static int new_process(struct task *parent, const struct clone_req *cr, struct process **out)
{
	struct process *pp = parent->proc, *p = calloc(1, sizeof *p);
	int r;

	if (!p)
		return -ENOMEM;
	p->k = pp->k;
	p->state = PROC_LIVE;
	p->exit_signal = cr->exit_signal;
	p->dumpable = pp->dumpable;
	p->no_new_privs = pp->no_new_privs;
	memcpy(p->rlim, pp->rlim, sizeof p->rlim);
	if ((r = cred_copy(&p->cred, &pp->cred))) {
		free(p);
		return r;
	}
	memcpy(p->comm, pp->comm, sizeof p->comm);
	p->exe_path = pp->exe_path ? strdup(pp->exe_path) : NULL;
	if (cr->flags & CLONE_VM) {
		mm_get(pp->mm);
		p->mm = pp->mm;
	} else if ((r = mm_fork(pp->mm, &p->mm))) {
		goto fail;
	}
	if (cr->flags & CLONE_FILES) {
		fdt_get(pp->files);
		p->files = pp->files;
	} else if ((r = fdt_clone(pp->files, &p->files))) {
		goto fail;
	}
	if (cr->flags & CLONE_FS) {
		fs_get(pp->fs);
		p->fs = pp->fs;
	} else if ((r = fs_clone(pp->fs, &p->fs))) {
		goto fail;
	}
	*out = p;
	return 0;
fail:
	if (p->mm)
		mm_put(p->mm, NULL);
	fdt_put(p->files);
	cred_release(&p->cred);
	free(p->exe_path);
	free(p);
	return r;
}

static void undo_process(struct process *p)
{
	mm_put(p->mm, NULL);
	fdt_put(p->files);
	fs_put(p->fs);
	cred_release(&p->cred);
	free(p->exe_path);
	free(p);
}

static long do_clone(struct task *t, const struct clone_req *cr)
{
	struct kernel *k = t->k;
	struct process *pp = t->proc, *p = NULL;
	uint64_t f = cr->flags;
	int r;

	/* As Linux's copy_process() checks, in its order. */
	if (f & ~CLONE_KNOWN)
		return -EINVAL;
	if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (f & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & CLONE_PARENT) && pp == k->init)
		return -EINVAL;
	if ((f & CLONE_PIDFD) && (f & CLONE_THREAD))
		return -EINVAL;
	if (f & CLONE_NAMESPACES) {
		hv_info("pid %d: clone with namespace flags %#llx: not supported -> EPERM", pp->pid,
			(unsigned long long)(f & CLONE_NAMESPACES));
		return -EPERM;
	}
	if (f & CLONE_PIDFD) {
		hv_info("pid %d: CLONE_PIDFD: pidfds are not supported -> EINVAL", pp->pid);
		return -EINVAL;
	}

	struct task *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	c->k = k;
	c->vm = t->vm;
	if (!(f & CLONE_THREAD) && (r = new_process(t, cr, &p))) {
		pthread_cond_destroy(&c->wake);
		free(c);
		return r;
	}
	struct process *cp = p ? p : pp;
	if ((r = vcpu_get(t->vm, &c->vcpu)))
		goto fail;
	memcpy(c->tls, t->tls, sizeof c->tls);
	vcpu_set_tls(c->vcpu, c->tls);
	if ((r = vcpu_clone_user(c->vcpu, t->vcpu, cp->mm->root)))
		goto fail;
	struct kvm_regs *regs = vcpu_regs(c->vcpu);
	regs->rax = 0;
	if (cr->stack)
		regs->rsp = cr->stack;
	c->vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	if (f & CLONE_SETTLS) {
		vcpu_sregs(c->vcpu)->fs.base = cr->tls;
		c->vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	}
	if ((r = mm_attach_vcpu(cp->mm, c->vcpu)))
		goto fail;

	pthread_mutex_lock(&k->mu);
	if (pp->group_exiting || t->killed) {
		/* As Linux: no new tasks in a dying group. */
		pthread_mutex_unlock(&k->mu);
		mm_detach_vcpu(cp->mm, c->vcpu);
		r = -ERESTARTNOINTR;
		goto fail;
	}
	/* --max-tasks: as RLIMIT_NPROC's refusal, for the whole guest. */
	int tid = k->max_tasks && k->live_threads >= k->max_tasks ? -EAGAIN : kernel_alloc_pid(k);
	if (tid < 0) {
		pthread_mutex_unlock(&k->mu);
		mm_detach_vcpu(cp->mm, c->vcpu);
		r = tid;
		goto fail;
	}
	c->tid = tid;
	c->proc = cp;
	c->blocked = t->blocked;
	seccomp_inherit(c, t);
	/* As Linux: the alternate stack is inherited, except by a thread sharing the VM
	 * without vfork (its stack would be shared). */
	if ((f & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
		c->sas_sp = t->sas_sp;
		c->sas_size = t->sas_size;
		c->sas_flags = t->sas_flags;
	}
	if (f & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = cr->child_tid;
	if (p) {
		p->pid = tid;
		p->pgid = pp->pgid;
		p->sid = pp->sid;
		struct process *parent = (f & CLONE_PARENT) ? pp->parent : pp;
		if (f & CLONE_PARENT)
			p->exit_signal = pp->exit_signal;
		p->parent = parent;
		p->creator_tid = (f & CLONE_PARENT) ? pp->creator_tid : t->tid;
		p->sibling = parent->children;
		parent->children = p;
		if (f & CLONE_SIGHAND) {
			p->sighand = pp->sighand;
			p->sighand->refs++;
		} else {
			p->sighand = malloc(sizeof *p->sighand);
			if (!p->sighand) {
				parent->children = p->sibling;
				pthread_mutex_unlock(&k->mu);
				mm_detach_vcpu(cp->mm, c->vcpu);
				r = -ENOMEM;
				goto fail;
			}
			*p->sighand = *pp->sighand;
			p->sighand->refs = 1;
		}
		p->all_next = k->procs;
		k->procs = p;
	}
	c->thread_next = cp->threads;
	cp->threads = c;
	cp->nthreads++;
	k->live_threads++;
	if (f & CLONE_VFORK) {
		c->vfork_parent = t;
		t->vfork_done = false;
	}
	pthread_mutex_unlock(&k->mu);

	/* As Linux: the parent's copy of the tid, then the child's (in the child's memory). */
	if (f & CLONE_PARENT_SETTID)
		put_user(t, cr->parent_tid, &tid, sizeof tid);
	if (f & CLONE_CHILD_SETTID)
		mm_copy_to_user(cp->mm, cr->child_tid, &tid, sizeof tid);

	pthread_mutex_lock(&k->mu);
	/* Auto-attach before the child runs a single instruction. */
	int event = ptrace_clone_attach(t, c, f | (uint64_t)(cr->exit_signal > 0 ? cr->exit_signal : 0));
	host_clone(t, c, f & CLONE_THREAD, f & CLONE_VFORK);
	if ((r = task_start(c))) {
		/* Unwinding a half-made task: let it run its own exit path instead. */
		hv_err("cannot start a host thread for tid %d: %s", tid, strerror(-r));
		c->killed = true;
		pthread_mutex_unlock(&k->mu);
		task_exit_final(c);
		return -EAGAIN;
	}
	/* A host tracer's fork stop: k->mu held since host_clone, so the child's first stop
	 * cannot be queued before it. */
	host_forked(t, tid, f & CLONE_THREAD, f & CLONE_VFORK);
	if (event) {
		pthread_mutex_unlock(&k->mu);
		ptrace_event(t, event, (uint64_t)tid);
		pthread_mutex_lock(&k->mu);
	}
	if (f & CLONE_VFORK) {
		/* As Linux's wait_for_vfork_done(): only a fatal signal ends the wait early. A
		 * host tracer's interrupt stops the parent here (and it waits on after). */
		while (!t->vfork_done && !t->killed) {
			if (t->ht.pending)
				host_pending_stop(t);
			else
				task_sleep_nosignal(t);
		}
		for (struct process *q = k->procs; q; q = q->all_next)
			for (struct task *x = q->threads; x; x = x->thread_next)
				if (x->vfork_parent == t)
					x->vfork_parent = NULL;
		if (!t->killed)
			host_vfork_done(t, tid);
	}
	pthread_mutex_unlock(&k->mu);
	if (f & CLONE_VFORK)
		ptrace_event(t, PTRACE_EVENT_VFORK_DONE, (uint64_t)tid);
	return tid;
fail:
	seccomp_release(c);
	if (c->vcpu)
		vcpu_release(c->vcpu);
	pthread_cond_destroy(&c->wake);
	free(c);
	if (p)
		undo_process(p);
	return r;
}

SYSCALL(clone)
{
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. */
	struct clone_req cr = {
		.flags = a[0] & ~(uint64_t)CSIGNAL,
		.exit_signal = (int)(a[0] & CSIGNAL),
		.stack = a[1],
		.parent_tid = a[2],
		.child_tid = a[3],
		.tls = a[4],
	};
	if (a[0] >> 32)
		return -EINVAL; /* clone's flags are an int: only clone3 takes 64 bits */
	if (cr.flags & CLONE_THREAD)
		cr.exit_signal = -1;
	return do_clone(t, &cr);
}

SYSCALL(fork)
{
	(void)a;
	struct clone_req cr = {.exit_signal = SIGCHLD};
	return do_clone(t, &cr);
}

SYSCALL(vfork)
{
	(void)a;
	struct clone_req cr = {.flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD};
	return do_clone(t, &cr);
}

SYSCALL(clone3)
{
	struct clone_args ca;
	uint64_t size = a[1];

	memset(&ca, 0, sizeof ca);
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (size > sizeof ca) {
		/* As Linux's copy_struct_from_user(): unknown trailing bytes must be zero. */
		uint8_t extra[4096];
		if (get_user(t, extra, a[0] + sizeof ca, size - sizeof ca))
			return -EFAULT;
		for (uint64_t i = 0; i < size - sizeof ca; i++)
			if (extra[i])
				return -E2BIG;
		size = sizeof ca;
	}
	if (get_user(t, &ca, a[0], size))
		return -EFAULT;
	if (ca.exit_signal > HV_NSIG || (ca.flags & CSIGNAL))
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size) {
		hv_info("pid %d: clone3 set_tid is not supported -> EINVAL", t->proc->pid);
		return -EINVAL;
	}
	if (ca.flags & CLONE_INTO_CGROUP)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	struct clone_req cr = {
		.flags = ca.flags,
		.exit_signal = (int)ca.exit_signal,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.parent_tid = ca.parent_tid,
		.child_tid = ca.child_tid,
		.tls = ca.tls,
	};
	if (cr.flags & CLONE_THREAD)
		cr.exit_signal = -1;
	return do_clone(t, &cr);
}
