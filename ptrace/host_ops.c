/* Host-side tracing, the session's half: what include/hvtrace.h's calls do to the
 * guest's tasks (see host.h). Each call holds the session's `life` for reading while it
 * uses the kernel, and touches guest memory only without k->mu (an mm reference keeps
 * the address space alive). */
#include "ptrace/host.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/kernel.h"
#include "kernel/path.h"
#include "kernel/procfs.h"
#include "kernel/sig_send.h"
#include "ptrace/host_internal.h"
#include "ptrace/internal.h"
#include "ptrace/user_regs.h"
#include "vmm/vcpu.h"

#define PAGE 4096ull

/* The kernel of a live session, with `life` read-locked and k->mu held; NULL (nothing
 * held) once the guest has ended or the session let it go. */
static struct kernel *lock_kernel(struct host_session *s)
{
	pthread_rwlock_rdlock(&s->life);
	pthread_mutex_lock(&s->mu);
	struct kernel *k = s->k;
	pthread_mutex_unlock(&s->mu);
	if (!k) {
		pthread_rwlock_unlock(&s->life);
		return NULL;
	}
	pthread_mutex_lock(&k->mu);
	return k;
}

static void unlock_kernel(struct host_session *s, struct kernel *k)
{
	pthread_mutex_unlock(&k->mu);
	pthread_rwlock_unlock(&s->life);
}

/* Task tid of the session, with the kernel locked (lock_kernel); NULL with nothing held
 * and *err set: -ESRCH, or -EBUSY when it must be stopped and is not. */
static struct task *lock_task(struct host_session *s, int tid, bool stopped, struct kernel **kp, int *err)
{
	struct kernel *k = lock_kernel(s);

	*err = -ESRCH;
	if (!k)
		return NULL;
	struct task *t = kernel_find_task(k, tid);
	if (t && t->ht.s == s && (!stopped || t->ht.stopped)) {
		*kp = k;
		return t;
	}
	if (t && t->ht.s == s)
		*err = -EBUSY;
	unlock_kernel(s, k);
	return NULL;
}

int host_wait(struct host_session *s, struct hvt_event *ev, int timeout_ms)
{
	struct timespec dl;
	uint64_t one;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms >= 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&s->mu);
	while (!s->head && !s->ended && r == 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&s->cv, &s->mu);
		else if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
			r = -ETIMEDOUT;
	}
	if (s->head) {
		struct host_event_node *n = s->head;
		s->head = n->next;
		if (!s->head)
			s->tail = NULL;
		*ev = n->ev;
		free(n);
		if (read(s->efd, &one, sizeof one) < 0) {
			/* Empty counter: cannot happen while the queue had an event. */
		}
		r = 0;
	} else if (s->ended) {
		r = -ECHILD;
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

int host_attach(struct host_session *s, struct kernel *k, int tid, bool whole_process)
{
	pthread_mutex_lock(&k->mu);
	struct task *t = kernel_find_task(k, tid);
	if (!t || t->killed || t->has_exited) {
		pthread_mutex_unlock(&k->mu);
		return -ESRCH;
	}
	for (struct task *x = t->proc->threads; x; x = x->thread_next)
		if (x->ht.s && (x == t || whole_process)) {
			pthread_mutex_unlock(&k->mu);
			return -EBUSY; /* one host session per task */
		}
	pthread_mutex_lock(&s->mu);
	s->k = k;
	pthread_mutex_unlock(&s->mu);
	s->next = k->host_sessions;
	k->host_sessions = s;
	for (struct task *x = t->proc->threads; x; x = x->thread_next)
		if (x == t || whole_process)
			host_link(s, x, HVT_EV_START);
	pthread_mutex_unlock(&k->mu);
	return 0;
}

/* Every task of s follows its recording mode. Preconditions: k->mu held. */
static void update_record(struct host_session *s, struct kernel *k)
{
	for (struct process *p = k->procs; p; p = p->all_next)
		for (struct task *t = p->threads; t; t = t->thread_next)
			if (t->ht.s == s)
				atomic_store(&t->ht.record, host_records(s));
}

int host_set_flags(struct host_session *s, unsigned flags)
{
	struct kernel *k = lock_kernel(s);

	if (!k)
		return -ESRCH;
	s->flags = flags;
	update_record(s, k);
	unlock_kernel(s, k);
	return 0;
}

int host_set_recorder(struct host_session *s, hvt_recorder fn, void *arg)
{
	struct kernel *k = lock_kernel(s);

	if (!k)
		return -ESRCH;
	s->recorder = fn;
	s->recorder_arg = arg;
	update_record(s, k);
	unlock_kernel(s, k);
	return 0;
}

int host_resume(struct host_session *s, int tid, enum hvt_resume_how how, int signo)
{
	struct kernel *k;
	int err;

	if (signo < 0 || signo > HV_NSIG || (how != HVT_CONT && how != HVT_STEP))
		return -EINVAL;
	struct task *t = lock_task(s, tid, true, &k, &err);
	if (!t)
		return err;
	t->ht.step = how == HVT_STEP;
	t->ht.resume_sig = signo;
	t->ht.stopped = false;
	pthread_cond_signal(&t->wake);
	unlock_kernel(s, k);
	return 0;
}

int host_interrupt(struct host_session *s, int tid)
{
	struct kernel *k;
	int err;
	struct task *t = lock_task(s, tid, false, &k, &err);

	if (!t)
		return err;
	if (!t->ht.stopped && !t->ht.pending) {
		t->ht.pending = HVT_EV_INTERRUPT;
		task_kick(t);
	}
	unlock_kernel(s, k);
	return 0;
}

static struct ureg_ctx regs_of(struct task *t)
{
	return (struct ureg_ctx){.regs = vcpu_regs(t->vcpu), .sregs = vcpu_sregs(t->vcpu),
				 .orig_rax = &t->orig_rax, .forced_tf = &t->pt.forced_tf};
}

int host_get_regs(struct host_session *s, int tid, struct user_regs_struct *u)
{
	struct kernel *k;
	int err;
	struct task *t = lock_task(s, tid, true, &k, &err);

	if (!t)
		return err;
	struct ureg_ctx c = regs_of(t);
	ureg_get_all(&c, u);
	unlock_kernel(s, k);
	return 0;
}

int host_set_regs(struct host_session *s, int tid, const struct user_regs_struct *u)
{
	struct kernel *k;
	int err;
	struct task *t = lock_task(s, tid, true, &k, &err);

	if (!t)
		return err;
	struct ureg_ctx c = regs_of(t);
	int r = ureg_set_all(&c, u);
	if (c.regs_changed)
		vcpu_regs_changed(t->vcpu);
	if (c.sregs_changed)
		vcpu_sregs_changed(t->vcpu);
	unlock_kernel(s, k);
	return r < 0 ? -EINVAL : 0;
}

int host_xstate(struct host_session *s, int tid, void *buf, size_t len, bool set)
{
	struct kernel *k;
	int err;
	struct task *t = lock_task(s, tid, true, &k, &err);

	if (!t)
		return err;
	uint64_t size = ptrace_xstate_size();
	if (len > size)
		len = size;
	long r = ptrace_xstate_rw(t, buf, len, set);
	unlock_kernel(s, k);
	return r ? (int)r : (int)len;
}

/* A reference to the address space of task tid's process (NULL: *err). */
static struct mm *get_mm(struct host_session *s, int tid, int *pid, int *err)
{
	struct kernel *k;
	struct task *t = lock_task(s, tid, false, &k, err);

	if (!t)
		return NULL;
	struct mm *mm = t->proc->mm;
	if (mm)
		mm_get(mm);
	else
		*err = -ESRCH;
	if (pid)
		*pid = t->proc->pid;
	unlock_kernel(s, k);
	return mm;
}

ssize_t host_mem(struct host_session *s, int tid, uint64_t addr, void *buf, size_t len, bool write)
{
	int err;
	struct mm *mm = get_mm(s, tid, NULL, &err);

	if (!mm)
		return err;
	/* Page by page: a range running into unmapped memory gives what came before. */
	size_t done = 0;
	while (done < len) {
		uint64_t va = addr + done;
		if (va < addr)
			break; /* wrapped */
		size_t n = PAGE - (va & (PAGE - 1));
		if (n > len - done)
			n = len - done;
		int r = write ? mm_poke_force(mm, va, (const uint8_t *)buf + done, n)
			      : mm_peek_force(mm, (uint8_t *)buf + done, va, n);
		if (r)
			break;
		done += n;
	}
	mm_put(mm, NULL);
	return done || !len ? (ssize_t)done : -EFAULT;
}

/* Puts breakpoint b into the address space mm or takes it out. */
int host_bp_apply(struct mm *mm, const struct host_bp *b, bool on)
{
	/* A software breakpoint is an int3 (as gdbserver's); a hardware one leaves the
	 * text alone (its page is not executable for the guest, see ptrace/hwbp.h). */
	if (b->type == HVT_BP_SW)
		return mm_int3(mm, b->addr, on);
	enum mm_watch_mode mode = b->type == HVT_BP_HW ? MM_WATCH_EXEC : b->type == HVT_BP_WRITE ? MM_WATCH_WRITE : MM_WATCH_ACCESS;
	for (uint64_t page = b->addr & ~(PAGE - 1); page < b->addr + b->len; page += PAGE) {
		int r = mm_watch(mm, page, mode, on);
		if (r && on) {
			for (uint64_t p = b->addr & ~(PAGE - 1); p < page; p += PAGE)
				mm_watch(mm, p, mode, false);
			return r;
		}
	}
	return 0;
}

static bool bp_valid(enum hvt_bp_type type, uint64_t addr, size_t len)
{
	if (addr >= PT_TASK_SIZE_MAX)
		return false;
	switch (type) {
	case HVT_BP_SW:
	case HVT_BP_HW:
		return true;
	case HVT_BP_WRITE:
	case HVT_BP_READ:
	case HVT_BP_ACCESS:
		return (len == 1 || len == 2 || len == 4 || len == 8) && !(addr & (len - 1));
	}
	return false;
}

int host_breakpoint(struct host_session *s, int tid, enum hvt_bp_type type, uint64_t addr,
		    size_t len, bool set)
{
	int err, pid;

	if (type == HVT_BP_SW || type == HVT_BP_HW)
		len = 1;
	if (!bp_valid(type, addr, len))
		return -EINVAL;
	struct mm *mm = get_mm(s, tid, &pid, &err);
	if (!mm)
		return err;
	struct host_bp *b = NULL;
	int r = 0;
	struct kernel *k = lock_kernel(s);
	if (!k) {
		mm_put(mm, NULL);
		return -ESRCH;
	}
	struct host_bp **bp = &s->bps;
	for (; *bp; bp = &(*bp)->next)
		if ((*bp)->pid == pid && (*bp)->type == type && (*bp)->addr == addr && (*bp)->len == len)
			break;
	if (set && !*bp && (b = calloc(1, sizeof *b))) {
		/* Listed before its int3 exists: a hit is never taken for a stranger's. */
		*b = (struct host_bp){.pid = pid, .type = type, .addr = addr, .len = len, .next = s->bps};
		s->bps = b;
	} else if (set) {
		r = *bp ? 0 : -ENOMEM; /* setting one twice is not an error */
	} else if (*bp) {
		b = *bp;
		*bp = b->next;
	} else {
		r = -ENOENT;
	}
	unlock_kernel(s, k);
	if (b && !set) {
		host_bp_apply(mm, b, false);
		free(b);
	} else if (b && (r = host_bp_apply(mm, b, true)) && (k = lock_kernel(s))) {
		for (bp = &s->bps; *bp; bp = &(*bp)->next)
			if (*bp == b) {
				*bp = b->next;
				free(b);
				break;
			}
		unlock_kernel(s, k);
	}
	mm_put(mm, NULL);
	return r;
}

int host_tasks(struct host_session *s, struct hvt_task_info *out, int max)
{
	struct kernel *k = lock_kernel(s);
	int n = 0;

	if (!k)
		return 0;
	for (struct process *p = k->procs; p; p = p->all_next)
		for (struct task *t = p->threads; t; t = t->thread_next) {
			if (t->ht.s != s)
				continue;
			if (n < max) {
				out[n] = (struct hvt_task_info){.pid = p->pid, .tid = t->tid, .stopped = t->ht.stopped};
				memcpy(out[n].comm, p->comm, sizeof out[n].comm);
				out[n].comm[sizeof out[n].comm - 1] = 0;
			}
			n++;
		}
	unlock_kernel(s, k);
	return n;
}

ssize_t host_auxv(struct host_session *s, int tid, void *buf, size_t len)
{
	int err;
	struct mm *mm = get_mm(s, tid, NULL, &err);

	if (!mm)
		return err;
	uint64_t n = mm->auxv_len < len ? mm->auxv_len : len;
	int r = mm_peek_force(mm, buf, mm->auxv_start, n);
	mm_put(mm, NULL);
	return r ? -EFAULT : (ssize_t)n;
}

int host_exe_path(struct host_session *s, int tid, char *buf, size_t len)
{
	struct kernel *k;
	int err;
	struct task *t = lock_task(s, tid, false, &k, &err);

	if (!t)
		return err;
	const char *exe = t->proc->exe_path ? t->proc->exe_path : "";
	size_t n = strlen(exe);
	int r = n < len ? (int)n : -ENAMETOOLONG;
	if (r >= 0)
		memcpy(buf, exe, n + 1);
	unlock_kernel(s, k);
	return r;
}

int host_open_file(struct host_session *s, int tid, const char *path)
{
	struct kernel *k;
	int err;

	if (strnlen(path, GUEST_PATH_MAX) == GUEST_PATH_MAX)
		return -ENAMETOOLONG;
	struct task *t = lock_task(s, tid, false, &k, &err);
	if (!t)
		return err;
	struct process *p = t->proc;
	/* /proc/self/exe is the image (path_open's rule); the rest of /proc the guest's. */
	char *exe = path_is_proc_self_exe(p, path) && p->exe_path ? strdup(p->exe_path) : NULL;
	bool is_proc = !exe && !strncmp(path, "/proc/", 6);
	struct fs_context *fs = is_proc ? NULL : p->fs;
	if (fs)
		fs_get(fs); /* the task may end meanwhile: its context stays */
	/* Host files are opened without k->mu (they may be slow); life keeps k. */
	pthread_mutex_unlock(&k->mu);
	int fd = -ENOENT;
	if (is_proc)
		fd = procfs_open_as(k, tid, path, O_RDONLY);
	else if (fs)
		/* Non-blocking: a FIFO must not hang the tracer; reads then block again. */
		fd = path_open_in(fs, exe ? exe : path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && !is_proc)
		fcntl(fd, F_SETFL, 0);
	fs_put(fs);
	free(exe);
	pthread_rwlock_unlock(&s->life);
	return fd;
}

int host_detach(struct host_session *s)
{
	struct kernel *k = lock_kernel(s);

	if (!k) {
		pthread_mutex_lock(&s->mu);
		s->ended = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	for (struct process *p = k->procs; p; p = p->all_next)
		for (struct task *t = p->threads; t; t = t->thread_next)
			if (t->ht.s == s)
				host_unlink(t);
	struct host_bp *bps = s->bps;
	s->bps = NULL;
	/* The breakpoints leave the address spaces (guest memory: not under k->mu). The
	 * session stays on k->host_sessions meanwhile, so that a guest ending now waits for
	 * it (host_guest_ended takes s->life) before it frees the address spaces, the page
	 * cache and guest RAM this uses. */
	while (bps) {
		struct host_bp *b = bps;
		bps = b->next;
		struct process *p = kernel_find_process(k, b->pid);
		struct mm *mm = p && p->state == PROC_LIVE ? p->mm : NULL;
		if (mm) {
			mm_get(mm);
			pthread_mutex_unlock(&k->mu);
			host_bp_apply(mm, b, false);
			mm_put(mm, NULL);
			pthread_mutex_lock(&k->mu);
		}
		free(b);
	}
	for (struct host_session **sp = &k->host_sessions; *sp; sp = &(*sp)->next)
		if (*sp == s) {
			*sp = s->next;
			break;
		}
	pthread_mutex_lock(&s->mu);
	s->k = NULL;
	s->ended = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	unlock_kernel(s, k);
	/* No task can start a recorder call now; the ones under way finish. */
	while (atomic_load(&s->recording) > 0)
		sched_yield();
	return 0;
}

int host_kill(struct host_session *s, bool all)
{
	struct kernel *k = lock_kernel(s);

	if (!k)
		return -ESRCH;
	for (struct process *p = k->procs; p; p = p->all_next) {
		if (p->state != PROC_LIVE)
			continue;
		bool mine = all;
		for (struct task *t = p->threads; t && !mine; t = t->thread_next)
			mine = t->ht.s == s;
		if (mine)
			sig_group_exit(p, SIGKILL);
	}
	unlock_kernel(s, k);
	return 0;
}
