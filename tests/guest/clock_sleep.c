// clock_sleep: clock_gettime monotonicity, nanosleep/clock_nanosleep, gettimeofday, time.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now(clockid_t c)
{
    struct timespec t;
    if (clock_gettime(c, &t) != 0)
        return -1;
    return ns(t);
}
static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(void)
{
    const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
    const char *names[] = { "MONOTONIC", "REALTIME" };
    for (int c = 0; c < 2; c++) {
        int ok = 1;
        long long prev = now(clocks[c]);
        for (int i = 0; i < 20000; i++) {
            long long t = now(clocks[c]);
            if (t < prev)
                ok = 0;
            prev = t;
        }
        printf("CLOCK_%s non-decreasing over 20000 reads: %s\n", names[c], yesno(ok && prev > 0));
    }
    struct timespec res;
    printf("clock_getres MONOTONIC ok: %s\n",
           yesno(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns(res) > 0 && ns(res) <= 1000000));

    long long t0 = now(CLOCK_MONOTONIC);
    struct timespec req = { 0, 20 * 1000000L }, rem;
    int r = nanosleep(&req, &rem);
    long long t1 = now(CLOCK_MONOTONIC);
    printf("nanosleep returned %d, elapsed >= 20ms: %s\n", r, yesno(t1 - t0 >= 20000000LL));

    t0 = now(CLOCK_MONOTONIC);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    t1 = now(CLOCK_MONOTONIC);
    printf("clock_nanosleep returned %d, elapsed >= 20ms: %s\n", r, yesno(t1 - t0 >= 20000000LL));

    /* absolute sleep until now+20ms */
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    t0 = ns(until);
    until.tv_nsec += 20000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    t1 = now(CLOCK_MONOTONIC);
    printf("clock_nanosleep ABSTIME returned %d, elapsed >= 20ms: %s\n", r,
           yesno(t1 - t0 >= 20000000LL));

    long long rt = now(CLOCK_REALTIME);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long gtod = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
    time_t tt = time(NULL);
    long long d1 = gtod - rt, d2 = (long long)tt * 1000000000LL - rt;
    if (d1 < 0) d1 = -d1;
    if (d2 < 0) d2 = -d2;
    printf("gettimeofday agrees with CLOCK_REALTIME within 2s: %s\n", yesno(d1 < 2000000000LL));
    printf("time() agrees with CLOCK_REALTIME within 2s: %s\n", yesno(d2 < 2000000000LL));
    printf("REALTIME after 2020: %s\n", yesno(rt / 1000000000LL > 1577836800LL));
    return 0;
}
