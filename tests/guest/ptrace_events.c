// ptrace_events: PTRACE_O_TRACEFORK/VFORK/CLONE/EXEC/VFORKDONE/EXIT.
// A TRACEME tracee with all six options forks, vforks, clones a process
// with a non-SIGCHLD exit signal, then execs itself; the new image starts a
// thread and exits 8. The tracer waits for each pid in turn, so the order
// printed is fixed: each event stop of the tracee, with GETEVENTMSG (the
// new pid, equal to what fork/vfork/clone returned in the tracee, sent back
// through a pipe; the old pid for EXEC; the wait status for EXIT), each
// auto-attached child starting with a SIGSTOP and inheriting the options
// (its own EXIT event), VFORK_DONE after the vfork child is gone, a clone
// with exit signal SIGUSR1 reported as a CLONE event, rax still -ENOSYS at
// the EXEC event stop (inside execve), no legacy SIGTRAP after execve, a new thread reported as CLONE and reaped by the tracer.
// The tracee also stops for the SIGCHLD it gets when the tracer has reaped
// its child (ignored by default, yet reported to the tracer).
// Under PTRACE_SEIZE, an auto-attached child starts with PTRACE_EVENT_STOP.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

#define ALL_OPTIONS                                                                                         \
    (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |                  \
     PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACEEXIT)

static int to_tracer = -1;

/* The tracee tells the tracer what its fork-like call returned and how the
 * child ended. */
static void send_result(pid_t child, int st)
{
    int msg[2] = { child, st };
    write(to_tracer, msg, sizeof msg);
}

static void *thread_fn(void *arg) { return arg; }

/* The exec'd image: one thread, then a SIGSTOP to itself (so that it cannot
 * exit before the tracer has reaped the thread: once the process calls
 * exit_group, a thread's wait status is the group's exit code, not its own),
 * then exit 8. */
static int exec_image(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, thread_fn, NULL) != 0)
        return 1;
    pthread_join(t, NULL);
    syscall(SYS_kill, getpid(), SIGSTOP);
    return 8;
}

static void tracee(void)
{
    /* SIGUSR1 is the raw clone child's exit signal; keep it pending. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    syscall(SYS_kill, getpid(), SIGSTOP);

    int st;
    pid_t c = fork();
    if (c == 0)
        _exit(5);
    waitpid(c, &st, 0);
    send_result(c, st);

    c = vfork();
    if (c == 0)
        _exit(6);
    waitpid(c, &st, 0);
    send_result(c, st);

    c = (pid_t)syscall(SYS_clone, (long)SIGUSR1, 0L, 0L, 0L, 0L);
    if (c == 0)
        syscall(SYS_exit_group, 7L);
    waitpid(c, &st, __WCLONE);
    send_result(c, st);

    execl("/proc/self/exe", "/proc/self/exe", "exec-image", (char *)NULL);
    _exit(99);
}

static int fromtracee = -1;

static void check_result(const char *what, pid_t expect)
{
    int msg[2];
    if (read(fromtracee, msg, sizeof msg) != sizeof msg) {
        printf("%s: no report from the tracee\n", what);
        exit(1);
    }
    printf("  tracee: %s returned the event's pid: %s, its child %s\n", what, yesno(msg[0] == expect),
           status_str(msg[1]));
}

static unsigned long eventmsg(pid_t pid)
{
    unsigned long m = 0;
    xptrace(PTRACE_GETEVENTMSG, pid, NULL, &m);
    return m;
}

static void cont(pid_t pid) { xptrace(PTRACE_CONT, pid, NULL, NULL); }

/* Run an auto-attached child to its end: first stop, exit event, exit. */
static void follow_child(const char *name, pid_t c)
{
    int st = xwait(c, __WALL);
    printf("  %s: %s\n", name, status_str(st));
    cont(c);
    st = xwait(c, __WALL);
    printf("  %s: %s, message 0x%lx\n", name, status_str(st), eventmsg(c));
    cont(c);
    st = xwait(c, __WALL);
    printf("  %s: %s\n", name, status_str(st));
}

/* Wait for the tracee's next stop and print it; returns the event message. */
static unsigned long tracee_stop(pid_t t)
{
    int st = xwait(t, 0);
    printf("tracee: %s\n", status_str(st));
    return WIFSTOPPED(st) ? eventmsg(t) : 0;
}

static void traceme_events(void)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    pid_t t = xfork();
    if (t == 0) {
        alarm(60);
        close(p[0]);
        to_tracer = p[1];
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        tracee();
    }
    close(p[1]);
    fromtracee = p[0];
    tracee_stop(t);
    xptrace(PTRACE_SETOPTIONS, t, NULL, (void *)(long)ALL_OPTIONS);
    cont(t);

    pid_t c = (pid_t)tracee_stop(t);
    follow_child("fork child", c);
    /* Reaping the child handed it to its real parent, the tracee, with a
     * SIGCHLD: ignored by default, but a tracee still stops for it. */
    cont(t);
    tracee_stop(t);
    cont(t);
    check_result("fork", c);

    c = (pid_t)tracee_stop(t);
    follow_child("vfork child", c);
    cont(t);
    unsigned long m = tracee_stop(t);
    printf("  VFORK_DONE message is the vfork child: %s\n", yesno((pid_t)m == c));
    cont(t);
    tracee_stop(t);
    cont(t);
    check_result("vfork", c);

    c = (pid_t)tracee_stop(t);
    follow_child("clone(SIGUSR1) child", c);
    cont(t);
    check_result("clone", c);

    m = tracee_stop(t);
    printf("  EXEC message is the tracee's pid: %s\n", yesno((pid_t)m == t));
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, t, NULL, &r);
    printf("  orig_rax is SYS_execve: %s, rax %lld\n", yesno(r.orig_rax == SYS_execve), (long long)r.rax);
    cont(t);

    /* No SIGTRAP follows: the next stop is the new thread's CLONE event. */
    pid_t tid = (pid_t)tracee_stop(t);
    int st = xwait(tid, __WALL);
    printf("  thread: %s\n", status_str(st));
    cont(tid);
    cont(t);
    st = xwait(tid, __WALL);
    printf("  thread: %s, message 0x%lx\n", status_str(st), eventmsg(tid));
    cont(tid);
    st = xwait(tid, __WALL);
    printf("  thread: %s\n", status_str(st));
    tracee_stop(t);
    cont(t);
    m = tracee_stop(t);
    printf("  EXIT message 0x%lx\n", m);
    cont(t);
    tracee_stop(t);
    close(fromtracee);
}

/* SEIZE: the auto-attached child's first stop is PTRACE_EVENT_STOP. */
static void seize_events(void)
{
    int go[2];
    if (pipe(go) != 0)
        exit(1);
    pid_t s = xfork();
    if (s == 0) {
        alarm(60);
        close(go[1]);
        sigset_t set; /* a blocked SIGCHLD causes no signal-delivery-stop */
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, NULL);
        char ch;
        if (read(go[0], &ch, 1) != 1)
            _exit(98);
        pid_t c = fork();
        if (c == 0)
            _exit(3);
        int st;
        waitpid(c, &st, 0);
        _exit(WIFEXITED(st) ? 4 : 97);
    }
    close(go[0]);
    printf("seized tracee:\n");
    xptrace(PTRACE_SEIZE, s, NULL, (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXIT));
    write(go[1], "g", 1);
    int st = xwait(s, 0);
    printf("  %s\n", status_str(st));
    follow_child("fork child", (pid_t)eventmsg(s));
    cont(s);
    st = xwait(s, 0);
    printf("  %s, message 0x%lx\n", status_str(st), eventmsg(s));
    cont(s);
    st = xwait(s, 0);
    printf("  %s\n", status_str(st));
    close(go[1]);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-image") == 0)
        return exec_image();
    alarm(30);
    traceme_events();
    seize_events();
    return 0;
}
