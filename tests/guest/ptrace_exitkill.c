// ptrace_exitkill: what happens to a tracee when its tracer exits.
// The top process is a child subreaper; it forks a middle process (the
// tracer) which forks the tracee, seizes it, puts it into a stop and exits.
// The tracee then becomes the top process's child. With PTRACE_O_EXITKILL
// the tracee is killed (WIFSIGNALED SIGKILL, no report). Without it, a
// tracee in a PTRACE_INTERRUPT stop is detached and resumed: it sees its
// tracer gone (EOF on a pipe), reports that its parent is now the top
// process, and exits 7. A tracee in group-stop (SIGSTOP) stays stopped
// after the tracer exits (the new parent sees WIFSTOPPED), and only runs on
// after a SIGCONT. The tracee's report reaches the top process by a pipe.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

enum mode { INTERRUPT_EXITKILL, INTERRUPT_PLAIN, GROUP_STOP_PLAIN };

static pid_t top; /* our pid, inherited by the children */

/* The tracee: wait for EOF on the tracer's pipe, then report. */
static void tracee(int from_tracer, int report)
{
    char ch;
    while (read(from_tracer, &ch, 1) > 0)
        ;
    char msg[64];
    int n = snprintf(msg, sizeof msg, "tracee ran on; parent is the top process: %s\n",
                     yesno(getppid() == top));
    write(report, msg, (size_t)n);
    _exit(7);
}

/* The middle process: fork, seize, stop the tracee, exit. */
static void tracer(enum mode m, int report)
{
    int p[2];
    if (pipe(p) != 0)
        _exit(90);
    pid_t t = fork();
    if (t == 0) {
        alarm(60);
        close(p[1]);
        tracee(p[0], report);
    }
    close(p[0]);
    close(report);
    long opts = m == INTERRUPT_EXITKILL ? PTRACE_O_EXITKILL : 0;
    if (ptrace(PTRACE_SEIZE, t, NULL, (void *)opts) != 0)
        _exit(91);
    int st;
    if (m == GROUP_STOP_PLAIN) {
        kill(t, SIGSTOP);
        if (waitpid(t, &st, 0) != t || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
            _exit(92);
        ptrace(PTRACE_CONT, t, NULL, (void *)(long)SIGSTOP);
        /* the group-stop: PTRACE_EVENT_STOP with SIGSTOP */
        if (waitpid(t, &st, 0) != t || (st >> 16) != PTRACE_EVENT_STOP || WSTOPSIG(st) != SIGSTOP)
            _exit(93);
    } else {
        ptrace(PTRACE_INTERRUPT, t, NULL, NULL);
        if (waitpid(t, &st, 0) != t || (st >> 16) != PTRACE_EVENT_STOP)
            _exit(94);
    }
    _exit(0); /* the tracee is stopped now; p[1] closes with us */
}

static void run(enum mode m, const char *title)
{
    printf("%s:\n", title);
    int rp[2];
    if (pipe(rp) != 0)
        exit(1);
    pid_t mid = xfork();
    if (mid == 0) {
        alarm(60);
        close(rp[0]);
        tracer(m, rp[1]);
    }
    close(rp[1]);
    int st = xwait(mid, 0);
    printf("  tracer: %s\n", status_str(st));

    /* The orphaned tracee is ours now (we are the subreaper). */
    pid_t t;
    do
        t = waitpid(-1, &st, m == GROUP_STOP_PLAIN ? WUNTRACED : 0);
    while (t < 0 && errno == EINTR);
    printf("  tracee: %s\n", t > 0 ? status_str(st) : errname(errno));
    if (t > 0 && WIFSTOPPED(st)) {
        kill(t, SIGCONT);
        st = xwait(t, 0);
        printf("  after SIGCONT: %s\n", status_str(st));
    }
    char buf[256];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("  report: %s", len ? buf : "none\n");
    close(rp[0]);
}

int main(void)
{
    alarm(30);
    top = getpid();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return 1;
    run(INTERRUPT_EXITKILL, "tracer exits, tracee in an interrupt stop, PTRACE_O_EXITKILL");
    run(INTERRUPT_PLAIN, "tracer exits, tracee in an interrupt stop, no options");
    run(GROUP_STOP_PLAIN, "tracer exits, tracee in group-stop, no options");
    return 0;
}
