/* futex(2) for a process with one thread: WAIT checks the value and sleeps (nobody can
 * wake it but a timeout), WAKE finds no waiters. The process-model work adds real
 * queues, requeue and PI. */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "vmm/log.h"

SYSCALL(futex)
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)a[2], cur;
	long r;

	if (a[0] & 3)
		return -EINVAL;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		if (op == FUTEX_WAIT_BITSET && (uint32_t)a[5] == 0)
			return -EINVAL;
		if ((r = get_user(t, &cur, a[0], sizeof cur)))
			return r;
		if (cur != val)
			return -EAGAIN;
		struct timespec ts;
		if (!a[3]) {
			hv_info("pid %d: futex wait with no waker and no timeout: the task sleeps forever",
				t->proc->pid);
			for (;;)
				pause();
		}
		if ((r = get_user(t, &ts, a[3], sizeof ts)))
			return r;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		clockid_t c = ((int)a[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
		int flags = op == FUTEX_WAIT_BITSET ? TIMER_ABSTIME : 0;
		while (clock_nanosleep(c, flags, &ts, &ts) == EINTR)
			;
		return -ETIMEDOUT;
	}
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (op == FUTEX_WAKE_BITSET && (uint32_t)a[5] == 0)
			return -EINVAL;
		return 0;
	default:
		hv_info("pid %d: futex op %d not implemented -> ENOSYS", t->proc->pid, op);
		return -ENOSYS;
	}
}
