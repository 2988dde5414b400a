// proc_timers: ITIMER_REAL and the process-time calls. alarm() + pause() wakes with
// SIGALRM; alarm's return is the seconds left of the previous alarm; a periodic
// setitimer delivers exactly the number of SIGALRMs counted by sigsuspend; getitimer
// reads a disarmed timer as zero; a default SIGALRM kills a child (WTERMSIG 14);
// times() and getrusage() answer with plausible values; sysinfo's RAM is non-zero.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);

    printf("alarm(0) with none pending: %u\n", alarm(0));
    alarm(5);
    unsigned left = alarm(1);
    printf("alarm(1) after alarm(5) returned 4 or 5: %s\n", yesno(left == 4 || left == 5));
    int r = pause();
    printf("pause: %d %s, alarms=%d\n", r, errno == EINTR ? "EINTR" : "other", (int)alarms);

    struct itimerval it = {.it_interval = {0, 20000}, .it_value = {0, 20000}}, cur;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 3)
        sigsuspend(&old);
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("periodic timer: %d alarms counted\n", (int)alarms);
    getitimer(ITIMER_REAL, &cur);
    printf("disarmed getitimer: %ld.%06ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
    errno = 0;
    r = setitimer(99, &it, NULL);
    printf("setitimer(99): %d %s\n", r, errno == EINVAL ? "EINVAL" : "other");

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerval once = {.it_value = {0, 30000}};
        signal(SIGALRM, SIG_DFL);
        setitimer(ITIMER_REAL, &once, NULL);
        for (;;)
            pause();
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child with default SIGALRM: WIFSIGNALED=%d WTERMSIG=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    struct tms tm;
    clock_t c = times(&tm);
    printf("times: %s\n", yesno(c != (clock_t)-1 && tm.tms_utime >= 0));
    struct rusage ru;
    printf("getrusage: %s\n", yesno(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_utime.tv_sec >= 0));
    errno = 0;
    printf("getrusage(42): %d %s\n", getrusage(42, &ru), errno == EINVAL ? "EINVAL" : "other");
    struct sysinfo si;
    printf("sysinfo: %s\n", yesno(sysinfo(&si) == 0 && si.totalram > 0 && si.procs > 0));
    return 0;
}
