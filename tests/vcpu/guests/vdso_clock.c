/* The vDSO's clocks, called through glibc: 100000 rounds of clock_gettime (MONOTONIC,
 * REALTIME), gettimeofday, time and sched_getcpu, interleaved every 1000 rounds with
 * the real syscall. Monotonic time never goes back, across both paths; realtime agrees
 * with gettimeofday and time(). Exit 0, or the number of the failed check. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

int main(void)
{
	struct timespec prev = {0, 0}, now, real;
	struct timeval tv;

	for (int i = 0; i < 100000; i++) {
		if (i % 1000 == 999) {
			if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now))
				return 1;
		} else if (clock_gettime(CLOCK_MONOTONIC, &now)) {
			return 2;
		}
		if (ns(&now) < ns(&prev))
			return 3;
		prev = now;
		if (i % 100 == 0) {
			if (clock_gettime(CLOCK_REALTIME, &real) || gettimeofday(&tv, NULL))
				return 4;
			long long d = tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll - ns(&real);
			if (d < -1000 || d > 1000000000ll) /* gettimeofday truncates to µs */
				return 5;
			time_t t = time(NULL);
			if (t < real.tv_sec || t > real.tv_sec + 1)
				return 6;
			if (sched_getcpu() < 0)
				return 7;
		}
	}
	return 0;
}
