/* alarm, setitimer/getitimer (ITIMER_REAL), and the process-time calls times, getrusage
 * and sysinfo. ITIMER_REAL timers of every process are kept by one kernel thread that
 * sleeps until the earliest deadline and sends SIGALRM (Linux's it_real_fn). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "kernel/sig_send.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/vm.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *itimer_main(void *arg)
{
	struct kernel *k = arg;

	pthread_mutex_lock(&k->mu);
	while (!k->itimer_stop) {
		uint64_t now = mono_ns(), next = UINT64_MAX;
		for (struct process *p = k->procs; p; p = p->all_next) {
			if (p->state != PROC_LIVE || !p->itimer_deadline)
				continue;
			if (p->itimer_deadline <= now) {
				siginfo_t info;
				memset(&info, 0, sizeof info);
				info.si_signo = SIGALRM;
				info.si_code = SI_KERNEL;
				sig_send(p, NULL, SIGALRM, &info);
				p->itimer_deadline = p->itimer_interval ? now + p->itimer_interval : 0;
			}
			if (p->itimer_deadline && p->itimer_deadline < next)
				next = p->itimer_deadline;
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&k->itimer_cv, &k->mu);
		} else {
			struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
			pthread_cond_timedwait(&k->itimer_cv, &k->mu, &ts);
		}
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/* Preconditions: k->mu held. */
static int itimer_arm(struct kernel *k)
{
	if (!k->itimer_started) {
		int r = pthread_create(&k->itimer_thread, NULL, itimer_main, k);
		if (r)
			return -r;
		k->itimer_started = true;
	}
	pthread_cond_signal(&k->itimer_cv);
	return 0;
}

void kernel_itimer_stop(struct kernel *k)
{
	pthread_mutex_lock(&k->mu);
	bool started = k->itimer_started;
	k->itimer_stop = true;
	pthread_cond_signal(&k->itimer_cv);
	pthread_mutex_unlock(&k->mu);
	if (started)
		pthread_join(k->itimer_thread, NULL);
}

static struct timeval ns_to_tv(uint64_t ns)
{
	return (struct timeval){(time_t)(ns / 1000000000ull), (suseconds_t)(ns % 1000000000ull / 1000)};
}

/* Preconditions: k->mu held. The current value as Linux reports it. */
static void itimer_get(struct process *p, struct itimerval *v)
{
	uint64_t now = mono_ns();

	v->it_interval = ns_to_tv(p->itimer_interval);
	uint64_t left = p->itimer_deadline > now ? p->itimer_deadline - now : 0;
	/* As Linux: an armed timer never reads as 0 (that means disarmed). */
	if (p->itimer_deadline && left < 1000)
		left = 1000;
	v->it_value = ns_to_tv(p->itimer_deadline ? left : 0);
}

static long itimer_set(struct task *t, const struct itimerval *nv, struct itimerval *old)
{
	struct kernel *k = t->k;
	struct process *p = t->proc;
	long r = 0;

	pthread_mutex_lock(&k->mu);
	if (old)
		itimer_get(p, old);
	uint64_t val = (uint64_t)nv->it_value.tv_sec * 1000000000ull + (uint64_t)nv->it_value.tv_usec * 1000ull;
	uint64_t iv = (uint64_t)nv->it_interval.tv_sec * 1000000000ull + (uint64_t)nv->it_interval.tv_usec * 1000ull;
	p->itimer_deadline = val ? mono_ns() + val : 0;
	p->itimer_interval = iv;
	if (val)
		r = itimer_arm(k);
	pthread_mutex_unlock(&k->mu);
	return r;
}

static bool tv_ok(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

SYSCALL(setitimer)
{
	struct itimerval nv, old;
	long r;

	if ((int)a[0] != ITIMER_REAL) {
		if ((int)a[0] == ITIMER_VIRTUAL || (int)a[0] == ITIMER_PROF)
			return -ENOSYS; /* CPU-time timers: not implemented */
		return -EINVAL;
	}
	memset(&nv, 0, sizeof nv);
	if (a[1] && get_user(t, &nv, a[1], sizeof nv))
		return -EFAULT;
	if (!tv_ok(&nv.it_value) || !tv_ok(&nv.it_interval))
		return -EINVAL;
	if ((r = itimer_set(t, &nv, &old)))
		return r;
	if (a[2] && put_user(t, a[2], &old, sizeof old))
		return -EFAULT;
	return 0;
}

SYSCALL(getitimer)
{
	struct itimerval v;

	if ((int)a[0] != ITIMER_REAL)
		return (int)a[0] == ITIMER_VIRTUAL || (int)a[0] == ITIMER_PROF ? -ENOSYS : -EINVAL;
	pthread_mutex_lock(&t->k->mu);
	itimer_get(t->proc, &v);
	pthread_mutex_unlock(&t->k->mu);
	return put_user(t, a[1], &v, sizeof v);
}

SYSCALL(alarm)
{
	struct itimerval nv = {.it_value = {(time_t)(unsigned)a[0], 0}}, old;
	long r = itimer_set(t, &nv, &old);

	if (r)
		return r;
	/* As Linux: the seconds left, rounded to the nearest, never 0 while armed. */
	long left = old.it_value.tv_sec + (old.it_value.tv_usec >= 500000);
	if (!left && (old.it_value.tv_sec || old.it_value.tv_usec))
		left = 1;
	return left;
}

/* Process times: the task's host thread CPU time stands for the guest's (the guest's
 * user time is spent inside KVM_RUN of that thread). */
static void thread_times(struct timeval *utime, struct timeval *stime)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		*utime = ru.ru_utime;
		*stime = ru.ru_stime;
	} else {
		memset(utime, 0, sizeof *utime);
		memset(stime, 0, sizeof *stime);
	}
}

SYSCALL(times)
{
	struct tms tm;
	struct timeval u, s;
	long hz = sysconf(_SC_CLK_TCK);

	thread_times(&u, &s);
	memset(&tm, 0, sizeof tm);
	tm.tms_utime = (clock_t)(u.tv_sec * hz + u.tv_usec * hz / 1000000);
	tm.tms_stime = (clock_t)(s.tv_sec * hz + s.tv_usec * hz / 1000000);
	if (a[0] && put_user(t, a[0], &tm, sizeof tm))
		return -EFAULT;
	clock_t now = times(NULL);
	return (long)now;
}

SYSCALL(getrusage)
{
	struct rusage ru;
	int who = (int)a[0];

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof ru);
	if (who != RUSAGE_CHILDREN) {
		thread_times(&ru.ru_utime, &ru.ru_stime);
		ru.ru_maxrss = (long)(frames_used(&t->vm->mem) * 4); /* KiB of guest RAM in use */
	}
	return put_user(t, a[1], &ru, sizeof ru);
}

SYSCALL(sysinfo)
{
	struct sysinfo si, host;
	struct guest_mem *gm = &t->vm->mem;

	if (sysinfo(&host) < 0)
		return -errno;
	memset(&si, 0, sizeof si);
	si.uptime = host.uptime;
	memcpy(si.loads, host.loads, sizeof si.loads);
	si.mem_unit = 1;
	si.totalram = gm->size;
	uint64_t used = frames_used(gm) * 4096ull;
	si.freeram = used < gm->size ? gm->size - used : 0;
	pthread_mutex_lock(&t->k->mu);
	unsigned short n = 0;
	for (struct process *p = t->k->procs; p; p = p->all_next)
		if (p->state == PROC_LIVE)
			n += (unsigned short)p->nthreads;
	pthread_mutex_unlock(&t->k->mu);
	si.procs = n;
	return put_user(t, a[0], &si, sizeof si);
}
