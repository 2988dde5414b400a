// ptrace_signals: signal-delivery-stops and the signal queue of a tracee.
// SIGUSR1 suppressed (CONT 0: the handler never runs) and replaced by
// SIGUSR2 (the handler sees SI_USER from the tracer); a sigqueue'd signal
// inspected (GETSIGINFO: SI_QUEUE, value) and rewritten (SETSIGINFO: the
// handler sees the new si_code and value). With five signals blocked and
// queued (two per-thread by tgkill, three process-wide by sigqueue with
// RT signals 40/41), PEEKSIGINFO lists each queue in order, GETSIGMASK
// shows the mask, SETSIGMASK cannot block SIGKILL/SIGSTOP and checks its
// size; on unblocking, the stops come in dequeue order (per-thread queue
// first, lowest number first, a signal whose handler frame is set up stays
// blocked until that handler returns), the handlers run innermost first. A
// signal
// the tracer sends to a stopped tracee waits in the queue. A synchronous
// SIGSEGV suppressed by the tracer recurs at the same rip until the tracer
// moves rip past it. SIGKILL ends a stopped tracee without a stop.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* Plain numbers: glibc and musl disagree on SIGRTMIN. */
#define SIG40 40
#define SIG41 41

/* ---- the tracee ---- */

/* mov (%rax) with rax = 0 faults; the tracer resumes at seg_after. */
int seg_probe(void);
extern char seg_insn[], seg_after[];
__asm__(".text\n"
        ".globl seg_probe\n"
        ".type seg_probe, @function\n"
        "seg_probe:\n"
        "    xor %eax, %eax\n"
        ".globl seg_insn\n"
        "seg_insn:\n"
        "    mov (%rax), %rax\n"
        ".globl seg_after\n"
        "seg_after:\n"
        "    mov $7, %eax\n"
        "    ret\n"
        ".size seg_probe, .-seg_probe\n");

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

struct hrec {
    int sig, code, value, from_parent;
};
static struct hrec hlog[16];
static volatile int nlog;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (nlog < 16)
        hlog[nlog++] = (struct hrec){ sig, si->si_code, si->si_value.sival_int, si->si_pid == getppid() };
}

static const char *code_name(int c)
{
    static char buf[16];
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_MESGQ: return "SI_MESGQ";
    case SI_KERNEL: return "SI_KERNEL";
    default: snprintf(buf, sizeof buf, "%d", c); return buf;
    }
}

static void flush_log(const char *when)
{
    report("handlers %s:", when);
    for (int i = 0; i < nlog; i++) {
        report(" %s/%s", signame(hlog[i].sig), code_name(hlog[i].code));
        if (hlog[i].code == SI_QUEUE || hlog[i].code == SI_MESGQ)
            report("/v%d", hlog[i].value);
        report("/%s", hlog[i].from_parent ? "tracer" : "self");
    }
    report("%s\n", nlog ? "" : " none");
    nlog = 0;
}

static void stop_self(void) { syscall(SYS_kill, getpid(), SIGSTOP); }

static void tracee(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    int sigs[] = { SIGUSR1, SIGUSR2, SIG40, SIG41 };
    for (int i = 0; i < 4; i++)
        sigaction(sigs[i], &sa, NULL);
    stop_self();

    kill(getpid(), SIGUSR1);
    flush_log("after SIGUSR1 suppressed");
    kill(getpid(), SIGUSR1);
    flush_log("after SIGUSR1 replaced");
    union sigval v = { .sival_int = 77 };
    sigqueue(getpid(), SIGUSR1, v);
    flush_log("after sigqueue rewritten");

    sigset_t set, old;
    sigemptyset(&set);
    for (int i = 0; i < 4; i++)
        sigaddset(&set, sigs[i]);
    sigprocmask(SIG_BLOCK, &set, &old);
    pid_t tid = (pid_t)syscall(SYS_gettid);
    v.sival_int = 1;
    sigqueue(getpid(), SIG40, v);
    v.sival_int = 2;
    sigqueue(getpid(), SIG41, v);
    v.sival_int = 3;
    sigqueue(getpid(), SIG40, v);
    syscall(SYS_tgkill, getpid(), tid, SIGUSR2);
    syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
    stop_self(); /* the tracer looks at the queues */
    sigprocmask(SIG_SETMASK, &old, NULL);
    flush_log("after unblocking");

    stop_self(); /* the tracer blocks SIGUSR2 with SETSIGMASK and sends one */
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    report("SIGUSR2 blocked by the tracer's SETSIGMASK: %s\n", yesno(sigismember(&now, SIGUSR2)));
    sigprocmask(SIG_SETMASK, &old, NULL);
    flush_log("after unblocking SIGUSR2");

    report("seg_probe() returned %d\n", seg_probe());
    stop_self(); /* the tracer sends SIGKILL here */
    report("survived SIGKILL\n");
    _exit(0);
}

/* ---- the tracer ---- */

static pid_t pid;

static int resume_and_wait(int sig)
{
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
    return xwait(pid, 0);
}

static void show_siginfo(const char *what)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("  %s: %s %s", what, signame(si.si_signo), code_name(si.si_code));
    if (si.si_code == SI_QUEUE)
        printf(" value %d", si.si_value.sival_int);
    if (si.si_code <= 0)
        printf(" from %s", si.si_pid == pid ? "itself" : si.si_pid == getpid() ? "tracer" : "other");
    printf("\n");
}

static void peek_queue(const char *name, unsigned flags)
{
    siginfo_t q[8];
    struct __ptrace_peeksiginfo_args a = { .off = 0, .flags = flags, .nr = 8 };
    long n = xptrace(PTRACE_PEEKSIGINFO, pid, &a, q);
    printf("  %s queue (%ld):", name, n);
    for (long i = 0; i < n; i++) {
        printf(" %s", signame(q[i].si_signo));
        if (q[i].si_code == SI_QUEUE)
            printf("/v%d", q[i].si_value.sival_int);
    }
    printf("\n");
}

int main(void)
{
    alarm(30);
    int rp[2];
    if (pipe(rp) != 0)
        return 1;
    pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(rp[0]);
        report_fd = rp[1];
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        tracee();
    }
    close(rp[1]);
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));

    st = resume_and_wait(0);
    printf("kill(SIGUSR1): %s\n", status_str(st));
    show_siginfo("siginfo");
    printf("  resumed with signal 0\n");
    st = resume_and_wait(0);
    printf("kill(SIGUSR1): %s\n", status_str(st));
    printf("  resumed with SIGUSR2\n");
    st = resume_and_wait(SIGUSR2);
    printf("sigqueue(SIGUSR1, 77): %s\n", status_str(st));
    show_siginfo("siginfo");
    siginfo_t si;
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    si.si_code = SI_MESGQ;
    si.si_value.sival_int = 99;
    xptrace(PTRACE_SETSIGINFO, pid, NULL, &si);
    show_siginfo("after SETSIGINFO");

    st = resume_and_wait(SIGUSR1);
    printf("five signals queued, blocked: %s\n", status_str(st));
    peek_queue("per-thread", 0);
    peek_queue("shared", PTRACE_PEEKSIGINFO_SHARED);
    siginfo_t q[2];
    struct __ptrace_peeksiginfo_args a = { .off = 1, .flags = PTRACE_PEEKSIGINFO_SHARED, .nr = 1 };
    long n = xptrace(PTRACE_PEEKSIGINFO, pid, &a, q);
    printf("  shared queue from offset 1, nr 1: %ld entry, %s/v%d\n", n, signame(q[0].si_signo),
           q[0].si_value.sival_int);
    a.off = 5;
    printf("  shared queue from offset 5: %ld entries\n", xptrace(PTRACE_PEEKSIGINFO, pid, &a, q));
    a.flags = 2;
    printf("  PEEKSIGINFO flags 2: %s\n", ptrace_err(PTRACE_PEEKSIGINFO, pid, &a, q));
    a.flags = 0;
    a.nr = -1;
    printf("  PEEKSIGINFO nr -1: %s\n", ptrace_err(PTRACE_PEEKSIGINFO, pid, &a, q));

    uint64_t mask = 0;
    xptrace(PTRACE_GETSIGMASK, pid, (void *)8, &mask);
    uint64_t want = (1ULL << (SIGUSR1 - 1)) | (1ULL << (SIGUSR2 - 1)) | (1ULL << (SIG40 - 1)) | (1ULL << (SIG41 - 1));
    printf("  GETSIGMASK is exactly SIGUSR1 SIGUSR2 SIG40 SIG41: %s\n", yesno(mask == want));
    printf("  GETSIGMASK size 4: %s\n", ptrace_err(PTRACE_GETSIGMASK, pid, (void *)4, &mask));
    uint64_t m2 = mask | (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
    printf("  SETSIGMASK size 16: %s\n", ptrace_err(PTRACE_SETSIGMASK, pid, (void *)16, &m2));
    xptrace(PTRACE_SETSIGMASK, pid, (void *)8, &m2);
    xptrace(PTRACE_GETSIGMASK, pid, (void *)8, &mask);
    printf("  SETSIGMASK with SIGKILL|SIGSTOP added: they are dropped: %s\n", yesno(mask == want));

    /* The child unblocks: one stop per signal, in dequeue order. */
    printf("delivery order:");
    for (;;) {
        st = resume_and_wait(WIFSTOPPED(st) && WSTOPSIG(st) != SIGSTOP ? WSTOPSIG(st) : 0);
        if (!WIFSTOPPED(st) || WSTOPSIG(st) == SIGSTOP)
            break;
        xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
        printf(" %s", signame(si.si_signo));
        if (si.si_code == SI_QUEUE)
            printf("/v%d", si.si_value.sival_int);
    }
    printf("\n");
    /* This time the child blocks SIGUSR2 through SETSIGMASK, and we queue
     * one while it is stopped. */
    printf("next stop: %s\n", status_str(st));
    uint64_t m3 = 1ULL << (SIGUSR2 - 1);
    xptrace(PTRACE_SETSIGMASK, pid, (void *)8, &m3);
    kill(pid, SIGUSR2);
    peek_queue("shared (after the tracer's kill)", PTRACE_PEEKSIGINFO_SHARED);
    st = resume_and_wait(0);
    printf("child unblocks SIGUSR2: %s\n", status_str(st));
    show_siginfo("siginfo");

    st = resume_and_wait(SIGUSR2);
    printf("seg_probe: %s\n", status_str(st));
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("  SEGV_MAPERR: %s, si_addr 0: %s, rip at the faulting mov: %s\n", yesno(si.si_code == SEGV_MAPERR),
           yesno(si.si_addr == NULL), yesno(r.rip == (unsigned long)seg_insn));
    st = resume_and_wait(0);
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("  suppressed, then: %s, same rip: %s\n", status_str(st), yesno(r.rip == (unsigned long)seg_insn));
    r.rip = (unsigned long)seg_after;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);
    st = resume_and_wait(0);
    printf("  rip moved past it, then: %s\n", status_str(st));
    kill(pid, SIGKILL);
    st = xwait(pid, 0);
    printf("SIGKILL while stopped: %s\n", status_str(st));

    char buf[4096];
    ssize_t k, len = 0;
    while ((k = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += k;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    return 0;
}
