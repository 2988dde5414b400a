// vdso_time: the time functions glibc and musl take from the vDSO (AT_SYSINFO_EHDR).
#define _GNU_SOURCE
#include <elf.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t) { return t->tv_sec * 1000000000ll + t->tv_nsec; }
static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(void)
{
    const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
    printf("vdso present: %s\n", yesno(vdso != NULL));
    printf("vdso is ELF: %s\n", yesno(vdso && !memcmp(vdso, ELFMAG, SELFMAG)));

    struct timespec a, b;
    int mono = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 200000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        mono &= ns(&b) >= ns(&a);
        a = b;
    }
    printf("monotonic never goes back: %s\n", yesno(mono));

    struct timespec r1, r2, bt;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &r1);
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    clock_gettime(CLOCK_REALTIME, &r2);
    printf("gettimeofday within realtime calls: %s\n",
           yesno(tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll >= ns(&r1) - 1000 &&
                 tv.tv_sec * 1000000000ll <= ns(&r2)));
    /* time() reads the coarse clock, which may still show the second before r1. */
    printf("time() within realtime calls: %s\n", yesno(t >= r1.tv_sec - 1 && t <= r2.tv_sec));
    printf("boottime >= monotonic: %s\n",
           yesno(clock_gettime(CLOCK_BOOTTIME, &bt) == 0 && ns(&bt) >= ns(&b)));

    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution: %ld.%09ld\n", (long)res.tv_sec, res.tv_nsec);
    clock_getres(CLOCK_REALTIME, &res);
    printf("realtime resolution: %ld.%09ld\n", (long)res.tv_sec, res.tv_nsec);

    int cpu = sched_getcpu();
    printf("getcpu gives a CPU of this machine: %s\n", yesno(cpu >= 0 && cpu < sysconf(_SC_NPROCESSORS_CONF)));

    struct timespec s0, s1, req = {0, 30000000};
    clock_gettime(CLOCK_MONOTONIC, &s0);
    nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &s1);
    printf("30 ms sleep measured >= 30 ms: %s\n", yesno(ns(&s1) - ns(&s0) >= 30000000));
    return 0;
}
