/* The guest's vDSO: clock_gettime, gettimeofday, time, clock_getres and getcpu without
 * a syscall, as on Linux. Time comes from the TSC and the host-maintained time page
 * (guest-agent/vvar.h) one page below this image; when the host says the TSC is not
 * usable here, every function falls back to the real syscall. Built as a flat,
 * position-independent ELF image (vdso.lds) with no libc. */
#include <stdint.h>

#include "guest-agent/vvar.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_getcpu 309

struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct k_timezone {
	int tz_minuteswest;
	int tz_dsttime;
};

extern const struct hv_vvar hv_vvar __attribute__((visibility("hidden")));

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds of clk now, or -1 when the host did not make the TSC usable. */
static int64_t vvar_ns(int clk)
{
	const struct hv_vvar *v = &hv_vvar;
	uint32_t seq, mult, shift;
	uint64_t base_tsc, tsc;
	int64_t base;

	do {
		seq = v->seq;
		__asm__ volatile("" ::: "memory");
		if (!(v->flags & VVAR_TSC_OK))
			return -1;
		switch (clk) {
		case CLOCK_REALTIME:
		case CLOCK_REALTIME_COARSE: base = v->real_base; break;
		case CLOCK_BOOTTIME: base = v->boot_base; break;
		case CLOCK_TAI: base = v->tai_base; break;
		default: base = v->mono_base; break;
		}
		base_tsc = v->tsc_base;
		mult = v->mult;
		shift = v->shift;
		tsc = rdtsc_ordered();
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) || seq != v->seq);
	uint64_t delta = tsc > base_tsc ? tsc - base_tsc : 0;
	return base + (int64_t)(((unsigned __int128)delta * mult) >> shift);
}

static int is_hres(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME ||
	       clk == CLOCK_TAI || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE;
}

int __vdso_clock_gettime(int clk, struct k_timespec *ts)
{
	int64_t ns = is_hres(clk) ? vvar_ns(clk) : -1;

	if (ns < 0)
		return (int)sys3(NR_clock_gettime, clk, (long)ts, 0);
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return 0;
}

int __vdso_gettimeofday(struct k_timeval *tv, struct k_timezone *tz)
{
	int64_t ns = vvar_ns(CLOCK_REALTIME);

	if (ns < 0)
		return (int)sys3(NR_gettimeofday, (long)tv, (long)tz, 0);
	if (tv) {
		tv->tv_sec = ns / 1000000000;
		tv->tv_usec = (ns % 1000000000) / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

int64_t __vdso_time(int64_t *t)
{
	int64_t ns = vvar_ns(CLOCK_REALTIME);

	if (ns < 0)
		return sys3(NR_time, (long)t, 0, 0);
	int64_t s = ns / 1000000000;
	if (t)
		*t = s;
	return s;
}

int __vdso_clock_getres(int clk, struct k_timespec *res)
{
	/* The computed clocks tick in nanoseconds; everything else asks the host. */
	if ((clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME || clk == CLOCK_TAI) &&
	    (hv_vvar.flags & VVAR_TSC_OK)) {
		if (res) {
			res->tv_sec = 0;
			res->tv_nsec = 1;
		}
		return 0;
	}
	return (int)sys3(NR_clock_getres, clk, (long)res, 0);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	uint32_t aux, lo, hi;

	if (!(hv_vvar.flags & VVAR_RDTSCP_OK))
		return sys3(NR_getcpu, (long)cpu, (long)node, (long)unused);
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	if (cpu)
		*cpu = aux & 0xfff;
	if (node)
		*node = aux >> 12;
	return 0;
}

int clock_gettime(int, struct k_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct k_timeval *, struct k_timezone *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct k_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
