// ptrace_group_stop: job-control stops of a tracee.
// Under PTRACE_SEIZE: kill(SIGSTOP) first shows as a signal-delivery-stop
// (no event bits); resuming with SIGSTOP starts the group-stop, reported as
// PTRACE_EVENT_STOP with WSTOPSIG SIGSTOP (waitid: CLD_TRAPPED, si_status
// with the event bits); GETSIGINFO works there (SEIZE only). PTRACE_LISTEN
// leaves it stopped yet not ptrace-stopped (GETREGS ESRCH, WNOHANG 0); a
// SIGCONT then wakes it into a PTRACE_EVENT_STOP with SIGTRAP, WCONTINUED
// reports it continued once, and the SIGCONT itself follows as a
// signal-delivery-stop. A SIGSTOP suppressed by the tracer stops nothing.
// Under PTRACE_ATTACH the group-stop is a plain SIGSTOP stop without
// siginfo (GETSIGINFO EINVAL) and PTRACE_CONT resumes the tracee without any
// SIGCONT. A runner child answering on a pipe shows when it really runs.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* A child answering 'p' to each byte on its command pipe; EOF ends it. */
struct runner {
    pid_t pid;
    int cmd, rep;
};

static struct runner start_runner(void)
{
    int c[2], r[2];
    if (pipe(c) || pipe(r))
        exit(1);
    struct runner rn;
    rn.pid = xfork();
    if (rn.pid == 0) {
        alarm(60);
        close(c[1]);
        close(r[0]);
        for (;;) {
            char ch;
            ssize_t n = read(c[0], &ch, 1);
            if (n == 1)
                write(r[1], "p", 1);
            else if (n == 0)
                _exit(0);
        }
    }
    close(c[0]);
    close(r[1]);
    rn.cmd = c[1];
    rn.rep = r[0];
    return rn;
}

static char ping(struct runner *rn)
{
    char ch = '?';
    if (write(rn->cmd, "x", 1) != 1 || read(rn->rep, &ch, 1) != 1)
        return 'E';
    return ch;
}

/* Peek at the next wait status with waitid(WNOWAIT): it stays reportable. */
static void show_waitid(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, (id_t)pid, &si, WSTOPPED | WEXITED | WNOWAIT);
    printf("  waitid WNOWAIT: %d, si_code %s, si_status 0x%x\n", r,
           si.si_code == CLD_TRAPPED ? "CLD_TRAPPED" : si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other",
           si.si_status);
}

static void finish(struct runner *rn)
{
    close(rn->cmd);
    int st = xwait(rn->pid, 0);
    printf("runner after EOF: %s\n", status_str(st));
    close(rn->rep);
}

static void seized(void)
{
    printf("under PTRACE_SEIZE:\n");
    struct runner rn = start_runner();
    pid_t pid = rn.pid;
    xptrace(PTRACE_SEIZE, pid, NULL, NULL);

    /* A SIGSTOP the tracer suppresses stops nothing. */
    kill(pid, SIGSTOP);
    int st = xwait(pid, 0);
    printf("kill(SIGSTOP): %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    printf("suppressed; runner answers: %c\n", ping(&rn));

    kill(pid, SIGSTOP);
    printf("kill(SIGSTOP) again:\n");
    show_waitid(pid);
    st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGSTOP);
    printf("resumed with SIGSTOP:\n");
    show_waitid(pid);
    st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    printf("  GETSIGINFO in the group-stop: %s", ptrace_err(PTRACE_GETSIGINFO, pid, NULL, &si));
    printf(", %s si_code 0x%x\n", signame(si.si_signo), si.si_code);

    printf("  LISTEN: %s\n", ptrace_err(PTRACE_LISTEN, pid, NULL, NULL));
    struct user_regs_struct r;
    printf("  GETREGS while listening: %s\n", ptrace_err(PTRACE_GETREGS, pid, NULL, &r));
    printf("  WNOHANG|WCONTINUED while listening returns 0: %s\n",
           yesno(waitpid(pid, &st, WNOHANG | WCONTINUED | WUNTRACED) == 0));
    kill(pid, SIGCONT);
    st = xwait(pid, 0);
    printf("kill(SIGCONT) while listening: %s\n", status_str(st));
    st = xwait(pid, WNOHANG | WCONTINUED);
    printf("  WCONTINUED: %s\n", status_str(st));
    printf("  again WNOHANG|WCONTINUED returns 0: %s\n", yesno(waitpid(pid, &st, WNOHANG | WCONTINUED) == 0));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("next: %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGCONT);
    printf("runner answers: %c\n", ping(&rn));
    finish(&rn);
}

static void attached(void)
{
    printf("under PTRACE_ATTACH:\n");
    struct runner rn = start_runner();
    pid_t pid = rn.pid;
    xptrace(PTRACE_ATTACH, pid, NULL, NULL);
    int st = xwait(pid, 0);
    printf("attach: %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    printf("runner answers: %c\n", ping(&rn));

    kill(pid, SIGSTOP);
    st = xwait(pid, 0);
    printf("kill(SIGSTOP): %s\n", status_str(st));
    siginfo_t si;
    printf("  GETSIGINFO at the signal-delivery-stop: %s\n", ptrace_err(PTRACE_GETSIGINFO, pid, NULL, &si));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGSTOP);
    printf("resumed with SIGSTOP:\n");
    show_waitid(pid);
    st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    printf("  GETSIGINFO in the group-stop: %s\n", ptrace_err(PTRACE_GETSIGINFO, pid, NULL, &si));
    printf("  LISTEN: %s\n", ptrace_err(PTRACE_LISTEN, pid, NULL, NULL));
    /* PTRACE_CONT from a group-stop runs the tracee without SIGCONT. */
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    printf("CONT from the group-stop; runner answers: %c\n", ping(&rn));
    printf("  WNOHANG|WCONTINUED returns 0: %s\n", yesno(waitpid(pid, &st, WNOHANG | WCONTINUED) == 0));
    kill(pid, SIGCONT);
    st = xwait(pid, 0);
    printf("kill(SIGCONT): %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGCONT);
    printf("runner answers: %c\n", ping(&rn));
    finish(&rn);
}

int main(void)
{
    alarm(30);
    seized();
    attached();
    return 0;
}
