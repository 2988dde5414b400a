// proc_signals: signal semantics seen by one process and its children.
// SA_SIGINFO fields of a self-sent signal (handler runs before kill returns);
// pending set and delivery order when blocked standard and RT signals are
// unblocked at once (lowest first, RT signals queue, standard ones
// coalesce), both with the other signals in sa_mask (handlers run one after
// another) and without (Linux sets up all frames at once, so the handlers
// run nested, highest frame first); SA_RESETHAND; SA_NODEFER and sa_mask
// inside the handler; sigsuspend woken by a child's kill; SIGCHLD with three
// children; a pipe read interrupted by a signal with and without SA_RESTART.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

static volatile sig_atomic_t order[16], norder, hits;
static volatile sig_atomic_t in_blocked_self, in_blocked_term;
static siginfo_t last_si;

static const char *name(int s)
{
    if (s == SIGUSR1) return "USR1";
    if (s == SIGUSR2) return "USR2";
    if (s == SIGRTMIN) return "RTMIN";
    if (s == SIGRTMIN + 1) return "RTMIN+1";
    return "other";
}

static void h_info(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    last_si = *si;
    hits++;
}
static void h_record(int sig)
{
    if (norder < 16)
        order[norder++] = sig;
}
static void h_mask(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    in_blocked_self = sigismember(&cur, sig);
    in_blocked_term = sigismember(&cur, SIGTERM);
    hits++;
}
static void h_count(int sig) { (void)sig; hits++; }

static void install(int sig, void (*h)(int), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        exit(1);
    return pid;
}

static void delivery_order(int mask_others)
{
    int sigs[4] = { SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1 };
    sigset_t four, old, pend;
    sigemptyset(&four);
    for (int i = 0; i < 4; i++)
        sigaddset(&four, sigs[i]);
    for (int i = 0; i < 4; i++)
        install(sigs[i], h_record, 0, mask_others ? &four : NULL);
    sigprocmask(SIG_BLOCK, &four, &old);
    int raised[] = { SIGRTMIN + 1, SIGUSR2, SIGRTMIN, SIGUSR1, SIGRTMIN + 1, SIGUSR2, SIGUSR1 };
    for (unsigned i = 0; i < sizeof raised / sizeof raised[0]; i++)
        raise(raised[i]);
    sigpending(&pend);
    printf("pending:");
    for (int i = 0; i < 4; i++)
        printf(" %s=%s", name(sigs[i]), yesno(sigismember(&pend, sigs[i])));
    printf(" TERM=%s\n", yesno(sigismember(&pend, SIGTERM)));
    norder = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("delivery (%s): %d handler runs:", mask_others ? "others in sa_mask" : "empty sa_mask",
           (int)norder);
    for (int i = 0; i < norder; i++)
        printf(" %s", name(order[i]));
    printf("\n");
    for (int i = 0; i < 4; i++)
        install(sigs[i], SIG_DFL, 0, NULL);
}

/* returns 1 if the read was interrupted, 0 if it returned data */
static int restart_trial(int flags, long delay_ms, ssize_t *res, int *err)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    install(SIGUSR1, h_count, flags, NULL);
    hits = 0;
    pid_t pid = xfork();
    if (pid == 0) {
        struct timespec d = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
        close(p[0]);
        nanosleep(&d, NULL);
        kill(getppid(), SIGUSR1);
        nanosleep(&d, NULL);
        _exit(write(p[1], "data", 4) == 4 ? 0 : 1);
    }
    close(p[1]);
    char buf[8];
    errno = 0;
    *res = read(p[0], buf, sizeof buf);
    *err = errno;
    waitpid(pid, NULL, 0);
    close(p[0]);
    install(SIGUSR1, SIG_DFL, 0, NULL);
    return *res < 0;
}

int main(void)
{
    /* 1. SA_SIGINFO, self-sent */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    hits = 0;
    kill(getpid(), SIGUSR1);
    int ran = hits;
    printf("handler ran before kill returned: %s\n", yesno(ran == 1));
    printf("si_signo=%s si_code==SI_USER: %s si_pid==getpid: %s si_uid==getuid: %s\n",
           name(last_si.si_signo), yesno(last_si.si_code == SI_USER),
           yesno(last_si.si_pid == getpid()), yesno(last_si.si_uid == getuid()));

    /* 2. blocked signals, unblocked at once */
    delivery_order(1);
    delivery_order(0);

    /* 3. SA_RESETHAND */
    hits = 0;
    install(SIGUSR2, h_mask, SA_RESETHAND, NULL);
    raise(SIGUSR2);
    struct sigaction q;
    sigaction(SIGUSR2, NULL, &q);
    printf("SA_RESETHAND: handler ran: %s, USR2 blocked in handler: %s, disposition afterwards "
           "SIG_DFL: %s\n", yesno(hits == 1), yesno(in_blocked_self), yesno(q.sa_handler == SIG_DFL));

    /* 4. SA_NODEFER and sa_mask */
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    install(SIGUSR1, h_mask, 0, &term);
    raise(SIGUSR1);
    printf("default flags: USR1 blocked in handler: %s, sa_mask SIGTERM blocked in handler: %s\n",
           yesno(in_blocked_self), yesno(in_blocked_term));
    install(SIGUSR1, h_mask, SA_NODEFER, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER: USR1 blocked in handler: %s, SIGTERM blocked in handler: %s\n",
           yesno(in_blocked_self), yesno(in_blocked_term));
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("after handlers: USR1 blocked: %s, TERM blocked: %s\n", yesno(sigismember(&cur, SIGUSR1)),
           yesno(sigismember(&cur, SIGTERM)));

    /* 5. sigsuspend woken by a child's kill */
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    sigaction(SIGUSR1, &sa, NULL); /* h_info */
    hits = 0;
    memset(&last_si, 0, sizeof last_si);
    pid_t pid = xfork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    errno = 0;
    int r = sigsuspend(&old);
    printf("sigsuspend: %d %s, handler ran: %s, si_pid==child: %s, si_code==SI_USER: %s\n", r,
           errno == EINTR ? "EINTR" : "other", yesno(hits == 1), yesno(last_si.si_pid == pid),
           yesno(last_si.si_code == SI_USER));
    sigprocmask(SIG_SETMASK, &old, NULL);
    waitpid(pid, NULL, 0);

    /* 6. SIGCHLD from three children */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    install(SIGCHLD, h_count, 0, NULL);
    hits = 0;
    for (int i = 1; i <= 3; i++)
        if (xfork() == 0)
            _exit(i);
    int reaped = 0, sum = 0, st;
    while (reaped < 3) {
        sigsuspend(&old);
        while (waitpid(-1, &st, WNOHANG) > 0) {
            reaped++;
            sum += WEXITSTATUS(st);
        }
    }
    printf("SIGCHLD: reaped %d children, exit codes sum %d, handler ran 1..3 times: %s\n", reaped,
           sum, yesno(hits >= 1 && hits <= 3));
    install(SIGCHLD, SIG_DFL, 0, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* 7. read() interrupted, with and without SA_RESTART */
    ssize_t res = 0;
    int err = 0, interrupted = 0;
    for (long d = 20; d <= 640 && !interrupted; d *= 2)
        interrupted = restart_trial(0, d, &res, &err);
    printf("without SA_RESTART: read returned %zd %s, handler ran: %s\n", res,
           err == EINTR ? "EINTR" : "(no error)", yesno(hits == 1));
    restart_trial(SA_RESTART, 20, &res, &err);
    printf("with SA_RESTART: read returned %zd, handler ran: %s\n", res, yesno(hits == 1));
    return 0;
}
