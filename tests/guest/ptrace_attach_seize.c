// ptrace_attach_seize: attaching to a running, non-tracing child.
// PTRACE_ATTACH stops it with SIGSTOP (seen by waitpid); a restarted
// tracee keeps serving requests on a pipe; DETACH with SIGUSR1 from a
// signal-delivery-stop runs the child's handler. PTRACE_SEIZE with options
// leaves it running; PTRACE_INTERRUPT gives a PTRACE_EVENT_STOP (SIGTRAP);
// a signal passed with CONT from that stop is ignored; the seized tracee's
// exit shows as PTRACE_EVENT_EXIT (the option was given to SEIZE); DETACH
// from an interrupt stop lets it run on untraced.
// Errors, as Linux returns them: ATTACH/SEIZE to self, ATTACH or SEIZE of
// an already traced child (EPERM); requests on a running tracee (ESRCH);
// nonexistent pid (ESRCH); unknown request (EIO); SETOPTIONS with unknown
// bits (EINVAL) but SEIZE with unknown option bits or non-zero addr (EIO);
// INTERRUPT/LISTEN on an ATTACHed (not seized) tracee (EIO).
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* A child that answers 'p' to each byte on its command pipe, and exits 0 on
 * EOF; its SIGUSR1 handler writes 'U' to the same reply pipe, so a reply
 * stream like "Up" shows where the signal arrived. */
struct runner {
    pid_t pid;
    int cmd, rep; /* our ends */
};

static int runner_rep = -1;
static void on_usr1(int sig)
{
    (void)sig;
    write(runner_rep, "U", 1);
}

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
        runner_rep = r[1];
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
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

/* Next byte the runner wrote ('p' answers a ping, 'U' reports SIGUSR1). */
static char next_reply(struct runner *rn)
{
    char ch = '?';
    if (read(rn->rep, &ch, 1) != 1)
        return 'E';
    return ch;
}

static char ping(struct runner *rn)
{
    if (write(rn->cmd, "x", 1) != 1)
        return 'E';
    return next_reply(rn);
}

static void finish_runner(struct runner *rn, const char *what)
{
    close(rn->cmd);
    int st = xwait(rn->pid, 0);
    printf("%s: %s\n", what, status_str(st));
    close(rn->rep);
}

static void attach_detach(void)
{
    struct user_regs_struct regs;
    struct runner rn = start_runner();
    printf("runner answers before attach: %c\n", ping(&rn));

    printf("ATTACH: %s\n", ptrace_err(PTRACE_ATTACH, rn.pid, NULL, NULL));
    int st = xwait(rn.pid, 0);
    printf("after ATTACH: %s\n", status_str(st));
    printf("ATTACH again: %s\n", ptrace_err(PTRACE_ATTACH, rn.pid, NULL, NULL));
    printf("SEIZE while attached: %s\n", ptrace_err(PTRACE_SEIZE, rn.pid, NULL, NULL));
    printf("unknown request 12345: %s\n", ptrace_err(12345, rn.pid, NULL, NULL));
    printf("SETOPTIONS 0x80000000: %s\n", ptrace_err(PTRACE_SETOPTIONS, rn.pid, NULL, (void *)0x80000000UL));
    printf("SETOPTIONS 0x400: %s\n", ptrace_err(PTRACE_SETOPTIONS, rn.pid, NULL, (void *)0x400UL));
    printf("INTERRUPT on an attached tracee: %s\n", ptrace_err(PTRACE_INTERRUPT, rn.pid, NULL, NULL));
    printf("LISTEN on an attached tracee: %s\n", ptrace_err(PTRACE_LISTEN, rn.pid, NULL, NULL));
    printf("GETREGS while stopped: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));

    /* Suppress the SIGSTOP: the interrupted read() restarts transparently. */
    xptrace(PTRACE_CONT, rn.pid, NULL, NULL);
    printf("traced runner answers after CONT: %c\n", ping(&rn));
    printf("GETREGS on a running tracee: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));
    printf("DETACH of a running tracee: %s\n", ptrace_err(PTRACE_DETACH, rn.pid, NULL, NULL));
    printf("CONT of a running tracee: %s\n", ptrace_err(PTRACE_CONT, rn.pid, NULL, NULL));

    /* Stop it again with a SIGSTOP of our own, then detach delivering SIGUSR1
     * in its place. */
    kill(rn.pid, SIGSTOP);
    st = xwait(rn.pid, 0);
    printf("after kill(SIGSTOP): %s\n", status_str(st));
    printf("DETACH with SIGUSR1: %s\n", ptrace_err(PTRACE_DETACH, rn.pid, NULL, (void *)(long)SIGUSR1));
    printf("runner reports: %c\n", next_reply(&rn));
    printf("runner answers after DETACH: %c\n", ping(&rn));
    printf("GETREGS after DETACH: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));
    finish_runner(&rn, "runner after EOF");
}

static void seize_interrupt(void)
{
    struct user_regs_struct regs;
    struct runner rn = start_runner();
    printf("SEIZE with addr 1: %s\n", ptrace_err(PTRACE_SEIZE, rn.pid, (void *)1L, NULL));
    printf("SEIZE with option 0x80000000: %s\n",
           ptrace_err(PTRACE_SEIZE, rn.pid, NULL, (void *)0x80000000UL));
    printf("SEIZE with PTRACE_O_TRACEEXIT: %s\n",
           ptrace_err(PTRACE_SEIZE, rn.pid, NULL, (void *)(long)PTRACE_O_TRACEEXIT));
    int st;
    printf("no stop after SEIZE (WNOHANG returns 0): %s\n", yesno(waitpid(rn.pid, &st, WNOHANG) == 0));
    printf("seized runner answers: %c\n", ping(&rn));
    printf("SEIZE again: %s\n", ptrace_err(PTRACE_SEIZE, rn.pid, NULL, NULL));
    printf("ATTACH while seized: %s\n", ptrace_err(PTRACE_ATTACH, rn.pid, NULL, NULL));
    printf("GETREGS on the running seized tracee: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));

    printf("INTERRUPT: %s\n", ptrace_err(PTRACE_INTERRUPT, rn.pid, NULL, NULL));
    st = xwait(rn.pid, 0);
    printf("after INTERRUPT: %s\n", status_str(st));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    printf("GETSIGINFO at the interrupt stop: %s\n", ptrace_err(PTRACE_GETSIGINFO, rn.pid, NULL, &si));
    printf("  si_signo %s, si_code 0x%x, si_pid is the tracee: %s\n", signame(si.si_signo), si.si_code,
           yesno(si.si_pid == rn.pid));
    printf("GETREGS at the interrupt stop: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));
    /* A signal given when resuming from an event stop is dropped. */
    xptrace(PTRACE_CONT, rn.pid, NULL, (void *)(long)SIGUSR1);
    printf("runner answers after CONT(SIGUSR1) from the interrupt stop (p: signal dropped): %c\n", ping(&rn));

    /* A second INTERRUPT stops it the same way. */
    xptrace(PTRACE_INTERRUPT, rn.pid, NULL, NULL);
    st = xwait(rn.pid, 0);
    printf("second INTERRUPT: %s\n", status_str(st));
    xptrace(PTRACE_CONT, rn.pid, NULL, NULL);
    printf("runner answers: %c\n", ping(&rn));

    /* EOF on the command pipe: the runner exits through PTRACE_EVENT_EXIT. */
    close(rn.cmd);
    st = xwait(rn.pid, 0);
    printf("runner exiting: %s\n", status_str(st));
    unsigned long msg = 99;
    xptrace(PTRACE_GETEVENTMSG, rn.pid, NULL, &msg);
    printf("exit event message (wait status): 0x%lx\n", msg);
    xptrace(PTRACE_CONT, rn.pid, NULL, NULL);
    st = xwait(rn.pid, 0);
    printf("runner: %s\n", status_str(st));
    close(rn.rep);
}

static void seize_detach_signal(void)
{
    struct runner rn = start_runner();
    xptrace(PTRACE_SEIZE, rn.pid, NULL, NULL);
    xptrace(PTRACE_INTERRUPT, rn.pid, NULL, NULL);
    int st = xwait(rn.pid, 0);
    printf("seized and interrupted: %s\n", status_str(st));
    xptrace(PTRACE_DETACH, rn.pid, NULL, NULL);
    printf("runner answers after DETACH from the interrupt stop: %c\n", ping(&rn));
    struct user_regs_struct regs;
    printf("GETREGS after DETACH: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));
    finish_runner(&rn, "runner after EOF");
}

static void bad_targets(void)
{
    struct user_regs_struct regs;
    printf("ATTACH to self: %s\n", ptrace_err(PTRACE_ATTACH, getpid(), NULL, NULL));
    printf("SEIZE to self: %s\n", ptrace_err(PTRACE_SEIZE, getpid(), NULL, NULL));
    printf("ATTACH to pid INT_MAX: %s\n", ptrace_err(PTRACE_ATTACH, INT_MAX, NULL, NULL));
    printf("GETREGS on pid INT_MAX: %s\n", ptrace_err(PTRACE_GETREGS, INT_MAX, NULL, &regs));

    /* A child that is not traced at all. */
    struct runner rn = start_runner();
    printf("GETREGS on an untraced child: %s\n", ptrace_err(PTRACE_GETREGS, rn.pid, NULL, &regs));
    printf("unknown request on an untraced child: %s\n", ptrace_err(12345, rn.pid, NULL, NULL));
    printf("INTERRUPT on an untraced child: %s\n", ptrace_err(PTRACE_INTERRUPT, rn.pid, NULL, NULL));
    printf("KILL on an untraced child: %s\n", ptrace_err(PTRACE_KILL, rn.pid, NULL, NULL));
    pid_t old = rn.pid;
    finish_runner(&rn, "untraced runner after EOF");
    printf("GETREGS on a reaped child: %s\n", ptrace_err(PTRACE_GETREGS, old, NULL, &regs));
}

int main(void)
{
    alarm(30);
    attach_detach();
    seize_interrupt();
    seize_detach_signal();
    bad_targets();
    return 0;
}
