// ptrace_syscall_restart: interrupted syscalls as a PTRACE_SYSCALL tracer
// sees them. The child blocks in read() on an empty pipe, nanosleep() and
// pause(); each time the tracer sends a signal once the call is under way.
// Order of stops: syscall-exit-stop with the kernel's internal restart
// code in rax (-ERESTARTSYS 512, -ERESTARTNOHAND 514,
// -ERESTART_RESTARTBLOCK 516), then the signal-delivery-stop. Delivered to
// a SA_RESTART handler: rt_sigreturn's stops (at its exit orig_rax is -1
// and rax the restored read number 0), then the same read entered again.
// Delivered to a handler without SA_RESTART: rt_sigreturn's exit stop
// shows -EINTR, which the child gets. Suppressed by the tracer:
// the call is entered again at once (read, pause: the same number;
// nanosleep: as restart_syscall). The child reports what each call returned.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ptrace_common.h"

static int report_fd = -1;
static void report(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    write(report_fd, buf, (size_t)n);
}

static void report_result(const char *what, long r)
{
    if (r == -1)
        report("%s: -1 %s\n", what, errname(errno));
    else
        report("%s: %ld\n", what, r);
}

static volatile int usr1_count, usr2_count;
static void on_usr1(int sig) { (void)sig; usr1_count++; }
static void on_usr2(int sig) { (void)sig; usr2_count++; }

static int data_rd; /* the pipe the child reads; the tracer holds the write end */

static void child(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    syscall(SYS_kill, getpid(), SIGSTOP);

    char c;
    report_result("read, SIGUSR1 (SA_RESTART handler)", syscall(SYS_read, data_rd, &c, 1L));
    report_result("read, SIGUSR2 (handler without SA_RESTART)", syscall(SYS_read, data_rd, &c, 1L));
    report_result("read, SIGUSR1 suppressed", syscall(SYS_read, data_rd, &c, 1L));
    struct timespec ts = { 100, 0 };
    report_result("nanosleep, SIGUSR1 suppressed, then SIGUSR2", syscall(SYS_nanosleep, &ts, NULL));
    report_result("pause, SIGUSR1 suppressed, then SIGUSR2", syscall(SYS_pause));
    report("handlers run: SIGUSR1 %d, SIGUSR2 %d\n", usr1_count, usr2_count);
    _exit(0);
}

static const char *nr_name(long nr)
{
    switch (nr) {
    case SYS_read: return "read";
    case SYS_nanosleep: return "nanosleep";
    case SYS_pause: return "pause";
    case SYS_restart_syscall: return "restart_syscall";
    case SYS_rt_sigreturn: return "rt_sigreturn";
    default: return NULL;
    }
}

static const char *rax_name(long v)
{
    static char buf[32];
    switch (v) {
    case -512: return "-ERESTARTSYS";
    case -513: return "-ERESTARTNOINTR";
    case -514: return "-ERESTARTNOHAND";
    case -516: return "-ERESTART_RESTARTBLOCK";
    case -EINTR: return "-EINTR";
    default: snprintf(buf, sizeof buf, "%ld", v); return buf;
    }
}

/* What the tracer does at the n-th entry of a blocking call. */
struct plan {
    int send;    /* signal to send once the call is under way, or 0 */
    int deliver; /* deliver it at its signal-delivery-stop, or suppress */
    int feed;    /* write a byte into the pipe instead */
};
static const struct plan plans[] = {
    { SIGUSR1, 1, 0 }, /* read: restarted by the SA_RESTART handler */
    { 0, 0, 1 },       /* ... the restarted read gets a byte */
    { SIGUSR2, 1, 0 }, /* read: EINTR */
    { SIGUSR1, 0, 0 }, /* read: suppressed, restarted */
    { 0, 0, 1 },       /* ... gets a byte */
    { SIGUSR1, 0, 0 }, /* nanosleep: suppressed, restart_syscall */
    { SIGUSR2, 1, 0 }, /* restart_syscall: EINTR */
    { SIGUSR1, 0, 0 }, /* pause: suppressed, restarted */
    { SIGUSR2, 1, 0 }, /* pause: EINTR */
};

int main(void)
{
    alarm(30);
    int rp[2], dp[2];
    if (pipe(rp) || pipe(dp))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(rp[0]);
        close(dp[1]);
        report_fd = rp[1];
        data_rd = dp[0];
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        child();
    }
    close(rp[1]);
    close(dp[0]);
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);

    int in = 0, entries = 0, deliver = 0, sig = 0;
    const char *cur = NULL;
    for (;;) {
        xptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
        sig = 0;
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st))
            break;
        if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
            printf("  signal-delivery-stop %s, %s\n", signame(WSTOPSIG(st)), deliver ? "delivered" : "suppressed");
            if (deliver)
                sig = WSTOPSIG(st);
            continue;
        }
        struct user_regs_struct r;
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        in = !in;
        long nr = (long)r.orig_rax;
        /* at an exit stop, name the call entered (rt_sigreturn sets
         * orig_rax to -1) */
        const char *name = in ? nr_name(nr) : cur;
        if (in)
            cur = name;
        if (!name)
            continue; /* the child's report writes, exit_group */
        if (in) {
            printf("enter %s\n", name);
            if (nr == SYS_rt_sigreturn)
                continue;
            if (entries >= (int)(sizeof plans / sizeof plans[0])) {
                printf("  no plan\n");
                continue;
            }
            const struct plan *p = &plans[entries++];
            deliver = p->deliver;
            if (p->feed) {
                write(dp[1], "x", 1);
            } else if (p->send) {
                /* resume into the call, then signal: it sees the signal
                 * pending whether or not it has gone to sleep yet */
                xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
                kill(pid, p->send);
                st = xwait(pid, 0);
                xptrace(PTRACE_GETREGS, pid, NULL, &r);
                in = 0;
                printf("  %s sent; %s %s = %s\n", signame(p->send),
                       WSTOPSIG(st) == (SIGTRAP | 0x80) ? "exit" : status_str(st), name, rax_name((long)r.rax));
            }
        } else if (nr != -1) {
            printf("  exit %s = %s\n", name, rax_name((long)r.rax));
        } else {
            printf("  exit %s = %s, orig_rax -1\n", name, rax_name((long)r.rax));
        }
    }
    printf("end: %s\n", status_str(st));
    char buf[2048];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    return 0;
}
