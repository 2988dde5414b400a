// proc2_sigwait: synchronous signal acceptance. sigtimedwait with a 10 ms
// timeout (EAGAIN), a zero timeout with a pending signal, a bad timeout
// (EINVAL); sigqueue to self then sigwaitinfo (si_value, SI_QUEUE, si_pid,
// si_uid; RT signals queue in order, lowest number first, standard signals
// before RT ones); tgkill gives SI_TKILL, kill SI_USER; rt_tgsigqueueinfo and
// rt_sigqueueinfo to self with chosen si_code values, rt_sigqueueinfo with
// si_code >= 0 to another process (EPERM); sigwaitinfo for a SIGUSR1 sent by
// a child (SI_USER, si_pid); a blocked signal whose action is SIG_IGN stays
// pending and is discarded when SIG_IGN (or SIG_DFL for SIGCHLD) is set
// again; kill(0, sig) and killpg reach a child in a fresh process group.
// (kill(-1, ...) is not tested: as root it would signal the whole machine.)
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

static const char *sname(int s)
{
    static char buf[32];
    if (s == SIGUSR1) return "USR1";
    if (s == SIGUSR2) return "USR2";
    if (s == SIGCHLD) return "CHLD";
    if (s >= SIGRTMIN && s <= SIGRTMAX) {
        snprintf(buf, sizeof buf, "RTMIN+%d", s - SIGRTMIN);
        return buf;
    }
    snprintf(buf, sizeof buf, "%d", s);
    return buf;
}

static const char *code(int c)
{
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_MESGQ: return "SI_MESGQ";
    case CLD_EXITED: return "1 (CLD_EXITED for SIGCHLD)";
    default: return "other";
    }
}

static sigset_t all;

static void take(const char *what)
{
    siginfo_t si;
    struct timespec zero = { 0, 0 };
    memset(&si, 0, sizeof si);
    /* raw: glibc's sigtimedwait folds SI_TKILL into SI_USER */
    int s = (int)syscall(SYS_rt_sigtimedwait, &all, &si, &zero, 8);
    if (s < 0) {
        printf("%s: none (%s)\n", what, errno == EAGAIN ? "EAGAIN" : strerror(errno));
        return;
    }
    printf("%s: %s code %s value %d, si_pid self: %s, si_uid ours: %s\n", what, sname(s), code(si.si_code),
           si.si_value.sival_int, yesno(si.si_pid == getpid()), yesno(si.si_uid == getuid()));
}

static int pending(int sig)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

static void setdisp(int sig, void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigemptyset(&all);
    int sigs[] = { SIGUSR1, SIGUSR2, SIGCHLD, SIGRTMIN, SIGRTMIN + 1, SIGRTMIN + 2, SIGRTMIN + 3 };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&all, sigs[i]);
    sigprocmask(SIG_BLOCK, &all, NULL);

    struct timespec ten = { 0, 10000000L }, bad = { 0, -1 };
    int r = sigtimedwait(&all, NULL, &ten);
    printf("sigtimedwait 10 ms, nothing pending: %d %s\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
    r = sigtimedwait(&all, NULL, &bad);
    printf("sigtimedwait tv_nsec -1: %d %s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));

    union sigval v;
    v.sival_int = 1234;
    sigqueue(getpid(), SIGRTMIN + 1, v);
    v.sival_int = 1235;
    sigqueue(getpid(), SIGRTMIN, v);
    v.sival_int = 1236;
    sigqueue(getpid(), SIGRTMIN, v);
    v.sival_int = 7;
    sigqueue(getpid(), SIGUSR2, v);
    v.sival_int = 8;
    sigqueue(getpid(), SIGUSR1, v);
    v.sival_int = 9;
    sigqueue(getpid(), SIGUSR1, v); /* coalesces with the pending one */
    for (int i = 0; i < 6; i++)
        take("sigqueue'd");

    siginfo_t si;
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGRTMIN + 3);
    take("tgkill");
    kill(getpid(), SIGRTMIN + 3);
    take("kill");

    memset(&si, 0, sizeof si);
    si.si_signo = SIGRTMIN + 2;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 77;
    r = (int)syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), SIGRTMIN + 2, &si);
    printf("rt_tgsigqueueinfo to own thread: %d\n", r);
    take("rt_tgsigqueueinfo");
    si.si_code = SI_MESGQ;
    si.si_value.sival_int = 78;
    r = (int)syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, &si);
    printf("rt_sigqueueinfo to self with SI_MESGQ: %d\n", r);
    take("rt_sigqueueinfo");
    si.si_code = SI_USER;
    si.si_value.sival_int = 79;
    r = (int)syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, &si);
    printf("rt_sigqueueinfo to self with SI_USER: %d\n", r);
    take("rt_sigqueueinfo");

    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(p[0], &c, 1);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    r = (int)syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
    printf("rt_sigqueueinfo SI_USER to a child: %d %s\n", r, errno == EPERM ? "EPERM" : strerror(errno));
    write(p[1], "g", 1);
    memset(&si, 0, sizeof si);
    r = sigwaitinfo(&all, &si);
    printf("sigwaitinfo for the child's kill: %s code %s, si_pid is the child: %s\n", sname(r),
           code(si.si_code), yesno(si.si_pid == pid));
    waitpid(pid, NULL, 0);
    take("after reaping (SIGCHLD)");
    close(p[0]), close(p[1]);

    /* blocked + ignored */
    setdisp(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("blocked SIGUSR2 with SIG_IGN raised: pending %s\n", yesno(pending(SIGUSR2)));
    setdisp(SIGUSR2, SIG_IGN);
    printf("after setting SIG_IGN again: pending %s\n", yesno(pending(SIGUSR2)));
    raise(SIGCHLD);
    printf("blocked SIGCHLD (default ignore) raised: pending %s\n", yesno(pending(SIGCHLD)));
    setdisp(SIGCHLD, SIG_DFL);
    printf("after setting SIG_DFL again: pending %s\n", yesno(pending(SIGCHLD)));
    kill(getpid(), SIGUSR2);
    setdisp(SIGUSR2, SIG_DFL);
    printf("SIG_IGN -> SIG_DFL keeps the pending SIGUSR2: %s\n", yesno(pending(SIGUSR2)));
    take("then");
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    setdisp(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    sigprocmask(SIG_BLOCK, &one, NULL);
    printf("unblocked ignored SIGUSR2 raised, then blocked: pending %s\n", yesno(pending(SIGUSR2)));

    /* kill(0) and killpg inside a fresh process group */
    setdisp(SIGUSR2, SIG_DFL);
    pipe(p);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        pid_t b = fork();
        if (b == 0) {
            int got = 0, fromA = 1;
            write(p[1], "b", 1);
            for (int i = 0; i < 2; i++) {
                int s = sigwaitinfo(&all, &si);
                got |= s == SIGUSR1 ? 1 : s == SIGUSR2 ? 2 : 4;
                fromA &= si.si_pid == getppid() && si.si_code == SI_USER;
            }
            _exit(got + 10 * fromA);
        }
        char c;
        read(p[0], &c, 1);
        int same = getpgid(b) == getpgrp();
        kill(0, SIGUSR1);
        killpg(getpgrp(), SIGUSR2);
        int self = 0;
        for (int i = 0; i < 2; i++) {
            int s = sigtimedwait(&all, &si, &ten);
            self |= s == SIGUSR1 ? 1 : s == SIGUSR2 ? 2 : 4;
        }
        int st;
        waitpid(b, &st, 0);
        printf("group child in the same group: %s, kill(0)+killpg reached it: %s, from the sender: %s, "
               "sender got both itself: %s\n",
               yesno(same), yesno(WEXITSTATUS(st) % 10 == 3), yesno(WEXITSTATUS(st) / 10 == 1), yesno(self == 3));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    take("parent (outside the group) after all that");
    take("and then");
    return 0;
}
