/* Identity, time, limits and per-thread settings. */
#include <asm/prctl.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86_64/pte.h"
#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

SYSCALL(uname)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	return put_user(t, a[0], &u, sizeof u);
}

SYSCALL(getrandom)
{
	uint64_t len = a[1], done = 0;
	unsigned flags = (unsigned)a[2];
	uint8_t buf[4096];

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > 33554431)
		len = 33554431; /* as Linux: at most 32 MiB - 1 per call */
	while (done < len) {
		size_t chunk = len - done < sizeof buf ? len - done : sizeof buf;
		ssize_t n = getrandom(buf, chunk, flags & ~GRND_RANDOM);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (long)done : -errno;
		}
		int r = put_user(t, a[0] + done, buf, (uint64_t)n);
		if (r)
			return done ? (long)done : r;
		done += (uint64_t)n;
	}
	return (long)done;
}

static bool clock_ok(clockid_t c)
{
	return c >= 0 && c <= CLOCK_TAI && c != 8 && c != 9; /* no ALARM clocks for guests */
}

/* The guest's clocks: from the line the vDSO uses when there is one (so that the
 * syscall and the vDSO agree to the nanosecond and never step back against each
 * other), else the host's. */
static int guest_clock(struct task *t, clockid_t c, struct timespec *ts)
{
	int64_t ns;

	if (timekeeper_now(&t->vm->timekeeper, c, &ns)) {
		ts->tv_sec = ns / 1000000000;
		ts->tv_nsec = ns % 1000000000;
		return 0;
	}
	return clock_gettime(c, ts) < 0 ? -errno : 0;
}

SYSCALL(clock_gettime)
{
	struct timespec ts;
	clockid_t c = (clockid_t)a[0];
	int r;

	if (!clock_ok(c))
		return -EINVAL;
	if ((r = guest_clock(t, c, &ts)))
		return r;
	return put_user(t, a[1], &ts, sizeof ts);
}

SYSCALL(getcpu)
{
	int cpu = sched_getcpu();
	unsigned u = cpu < 0 ? 0 : (unsigned)cpu, node = 0;
	long r = 0;

	if (a[0])
		r = put_user(t, a[0], &u, sizeof u);
	if (!r && a[1])
		r = put_user(t, a[1], &node, sizeof node);
	return r;
}

SYSCALL(clock_getres)
{
	struct timespec ts;
	clockid_t c = (clockid_t)a[0];

	if (!clock_ok(c))
		return -EINVAL;
	if (clock_getres(c, &ts) < 0)
		return -errno;
	return a[1] ? put_user(t, a[1], &ts, sizeof ts) : 0;
}

SYSCALL(gettimeofday)
{
	struct timeval tv;
	struct timespec ts;
	long r = guest_clock(t, CLOCK_REALTIME, &ts);

	if (r)
		return r;
	tv.tv_sec = ts.tv_sec;
	tv.tv_usec = ts.tv_nsec / 1000;
	if (a[0])
		r = put_user(t, a[0], &tv, sizeof tv);
	if (!r && a[1]) {
		struct timezone tz = {0, 0};
		r = put_user(t, a[1], &tz, sizeof tz);
	}
	return r;
}

SYSCALL(time)
{
	struct timespec ts;
	long r = guest_clock(t, CLOCK_REALTIME, &ts);

	if (r)
		return r;
	int64_t now = ts.tv_sec;

	if (a[0]) {
		int r = put_user(t, a[0], &now, sizeof now);
		if (r)
			return r;
	}
	return (long)now;
}

static long sleep_until(struct task *t, int64_t end, uint64_t rem_va, bool abstime);

static long sleep_common(struct task *t, clockid_t c, int flags, uint64_t req_va, uint64_t rem_va)
{
	struct timespec req, now;
	long r = get_user(t, &req, req_va, sizeof req);

	if (r)
		return r;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000L)
		return -EINVAL;
	/* The task sleeps on its condition variable (CLOCK_MONOTONIC), so that signals and
	 * SIGKILL wake it; other clocks' deadlines are converted once. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = req.tv_sec * 1000000000LL + req.tv_nsec;
	if (flags & TIMER_ABSTIME) {
		struct timespec cnow;
		clock_gettime(c, &cnow);
		ns -= cnow.tv_sec * 1000000000LL + cnow.tv_nsec;
		if (ns <= 0)
			return 0;
	}
	int64_t end = now.tv_sec * 1000000000LL + now.tv_nsec + ns;
	return sleep_until(t, end, (flags & TIMER_ABSTIME) ? 0 : rem_va, flags & TIMER_ABSTIME);
}

/* Sleeps until end (CLOCK_MONOTONIC ns). Interrupted: an absolute sleep restarts as
 * it was (ERESTARTNOHAND); a relative one writes what is left to rem_va and leaves the
 * deadline for restart_syscall(2) (ERESTART_RESTARTBLOCK), as Linux's do_nanosleep(). */
static long sleep_until(struct task *t, int64_t end, uint64_t rem_va, bool abstime)
{
	struct timespec now, deadline;

	deadline.tv_sec = end / 1000000000LL;
	deadline.tv_nsec = end % 1000000000LL;
	pthread_mutex_lock(&t->k->mu);
	int s;
	do
		s = task_sleep(t, &deadline);
	while (s == 0);
	pthread_mutex_unlock(&t->k->mu);
	if (s == -ETIMEDOUT)
		return 0;
	if (abstime)
		return -ERESTARTNOHAND;
	if (rem_va) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t left = end - (now.tv_sec * 1000000000LL + now.tv_nsec);
		if (left < 0)
			left = 0;
		struct timespec rem = {left / 1000000000LL, left % 1000000000LL};
		if (put_user(t, rem_va, &rem, sizeof rem))
			return -EFAULT;
	}
	t->restart_deadline_ns = end;
	t->restart_rem_va = rem_va;
	return -ERESTART_RESTARTBLOCK;
}

SYSCALL(restart_syscall)
{
	(void)a;
	int64_t end = t->restart_deadline_ns;

	t->restart_deadline_ns = 0;
	if (!end)
		return -EINTR; /* as Linux's do_no_restart_syscall() */
	return sleep_until(t, end, t->restart_rem_va, false);
}

SYSCALL(nanosleep)
{
	return sleep_common(t, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

SYSCALL(clock_nanosleep)
{
	clockid_t c = (clockid_t)a[0];

	if (c != CLOCK_REALTIME && c != CLOCK_MONOTONIC && c != CLOCK_BOOTTIME && c != CLOCK_TAI)
		return c == CLOCK_THREAD_CPUTIME_ID ? -EINVAL : (clock_ok(c) ? -ENOTSUP : -EINVAL);
	if (a[1] & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	return sleep_common(t, c, (int)a[1], a[2], a[3]);
}

SYSCALL(getpid) { (void)a; return t->proc->pid; }
SYSCALL(gettid) { (void)a; return t->tid; }
SYSCALL(getppid)
{
	(void)a;
	pthread_mutex_lock(&t->k->mu);
	int ppid = t->proc->parent ? t->proc->parent->pid : 0;
	pthread_mutex_unlock(&t->k->mu);
	return ppid;
}
/* Guest credentials are those hvtrace runs with, so a program sees what it sees natively. */

SYSCALL(prlimit64)
{
	int pid = (int)a[0];
	unsigned res = (unsigned)a[1];
	struct rlimit nl, old;
	long r;

	if (pid != 0 && pid != t->proc->pid)
		return -ESRCH;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	old = t->proc->rlim[res];
	if (a[2]) {
		if ((r = get_user(t, &nl, a[2], sizeof nl)))
			return r;
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (nl.rlim_max > old.rlim_max && !cred_capable(&t->proc->cred, CAP_SYS_RESOURCE))
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl.rlim_max > 1048576)
			return -EPERM; /* fs.nr_open */
	}
	if (a[3] && (r = put_user(t, a[3], &old, sizeof old)))
		return r;
	if (a[2]) {
		t->proc->rlim[res] = nl;
		if (res == RLIMIT_NOFILE)
			t->proc->files->limit = nl.rlim_cur > 1048576 ? 1048576 : (int)nl.rlim_cur;
	}
	return 0;
}

SYSCALL(getrlimit)
{
	uint64_t b[4] = {0, a[0], 0, a[1]};
	return sys_prlimit64(t, b);
}

SYSCALL(setrlimit)
{
	uint64_t b[4] = {0, a[0], a[1], 0};
	return sys_prlimit64(t, b);
}

/* The CPUs the task may run on: those its host thread may (a task's vCPU runs on its
 * own host thread). Returns the bytes written, as the raw syscall does. */
/* The host thread that runs task pid (0: the caller), for affinity. */
static long affinity_thread(struct task *t, int pid, pid_t *host_tid)
{
	if (pid < 0)
		return -ESRCH;
	pthread_mutex_lock(&t->k->mu);
	struct task *x = pid == 0 ? t : kernel_find_task(t->k, pid);
	long r = x && x->host_tid ? 0 : -ESRCH;
	if (!r)
		*host_tid = x->host_tid;
	pthread_mutex_unlock(&t->k->mu);
	return r;
}

SYSCALL(sched_getaffinity)
{
	uint64_t len = a[1];
	uint8_t mask[1024];
	pid_t tid;
	long r;

	if ((r = affinity_thread(t, (int)a[0], &tid)))
		return r;
	if (len & (sizeof(long) - 1))
		return -EINVAL;
	if (len > sizeof mask)
		len = sizeof mask;
	long n = syscall(SYS_sched_getaffinity, tid, len, mask);
	if (n < 0)
		return -errno;
	r = put_user(t, a[2], mask, (uint64_t)n);
	return r ? r : n;
}

/* The guest's affinity is its host thread's: a guest pinning itself pins the vCPU. */
SYSCALL(sched_setaffinity)
{
	uint64_t len = a[1];
	uint8_t mask[1024];
	pid_t tid;
	long r;

	if ((r = affinity_thread(t, (int)a[0], &tid)))
		return r;
	if (len > sizeof mask)
		len = sizeof mask;
	memset(mask, 0, sizeof mask);
	if (get_user(t, mask, a[2], len))
		return -EFAULT;
	return syscall(SYS_sched_setaffinity, tid, len, mask) < 0 ? -errno : 0;
}

SYSCALL(sched_yield)
{
	(void)t;
	(void)a;
	sched_yield();
	return 0;
}

SYSCALL(arch_prctl)
{
	struct kvm_sregs *s = vcpu_sregs(t->vcpu);
	uint64_t v;

	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= USER_VA_END)
			return -EPERM;
		if (a[0] == ARCH_SET_FS)
			s->fs.base = a[1];
		else
			s->gs.base = a[1];
		vcpu_sregs_changed(t->vcpu);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = a[0] == ARCH_GET_FS ? s->fs.base : s->gs.base;
		return put_user(t, a[1], &v, sizeof v);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV; /* CPUID faulting is not offered */
	default:
		return -EINVAL;
	}
}

SYSCALL(set_tid_address)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

SYSCALL(set_robust_list)
{
	if (a[1] != 24)
		return -EINVAL;
	t->robust_list_head = a[0];
	t->robust_list_len = a[1];
	return 0;
}

SYSCALL(get_robust_list)
{
	int pid = (int)a[0];
	uint64_t head, len = 24;

	pthread_mutex_lock(&t->k->mu);
	struct task *x = pid ? kernel_find_task(t->k, pid) : t;
	/* Another process's list is the ptrace access check's business (ptrace issue);
	 * until then only the caller's own thread group may read it. */
	long r = !x ? -ESRCH : x->proc != t->proc ? -EPERM : 0;
	if (!r)
		head = x->robust_list_head;
	pthread_mutex_unlock(&t->k->mu);
	if (r)
		return r;
	if (put_user(t, a[1], &head, sizeof head) || put_user(t, a[2], &len, sizeof len))
		return -EFAULT;
	return 0;
}
