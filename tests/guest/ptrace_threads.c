// ptrace_threads: tracing single threads of a multi-threaded process.
// The tracee process has a main thread serving commands on a pipe and a
// worker thread counting in a loop. The tracer SEIZEs only the worker (by
// tid): PTRACE_INTERRUPT stops it (waitpid(tid) works without __WALL for
// a traced thread); the worker's counter is frozen while the main thread
// keeps answering; the untraced main thread is ESRCH to ptrace requests;
// after PTRACE_CONT the counter moves again; DETACH. Then the tracer SEIZEs
// the main thread with PTRACE_O_TRACECLONE and has it create a thread:
// a CLONE event whose message is the tid the new thread reports itself,
// the new thread auto-attached with PTRACE_EVENT_STOP, and its exit reaped
// by the tracer. Finally the tracer itself is multi-threaded: a second
// thread forks a TRACEME child, so that thread is the tracer; the main
// thread's waitpid with __WNOTHREAD gets ECHILD, without it sees the
// child's stop, and its ptrace requests are ESRCH (only the tracing
// thread may issue them) while the second thread's succeed.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void msleep(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* ---- the tracee process ---- */

static volatile unsigned long counter;
static int cmd_rd, rep_wr, thread_go[2];

static void *worker(void *arg)
{
    (void)arg;
    long tid = gettid_();
    write(rep_wr, &tid, sizeof tid);
    for (;;) {
        counter++;
        sched_yield();
    }
    return NULL;
}

/* A thread created on command: reports its tid, waits for a byte, ends. */
static void *short_thread(void *arg)
{
    (void)arg;
    long tid = gettid_();
    write(rep_wr, &tid, sizeof tid);
    char ch;
    read(thread_go[0], &ch, 1);
    return NULL;
}

static void tracee_main(void)
{
    pthread_t w, t;
    if (pipe(thread_go) != 0 || pthread_create(&w, NULL, worker, NULL) != 0)
        _exit(90);
    for (;;) {
        char c;
        if (read(cmd_rd, &c, 1) != 1)
            _exit(91);
        long v;
        switch (c) {
        case 'c': /* the worker's counter */
            v = (long)counter;
            write(rep_wr, &v, sizeof v);
            break;
        case 't': /* a new thread, which reports its own tid */
            pthread_create(&t, NULL, short_thread, NULL);
            break;
        case 'e': /* let that thread end */
            write(thread_go[1], "x", 1);
            pthread_join(t, NULL);
            v = 0;
            write(rep_wr, &v, sizeof v);
            break;
        case 'q':
            exit(0);
        }
    }
}

/* ---- the tracer ---- */

static int cmd_wr, rep_rd;

static long ask(char c)
{
    long v = -1;
    if (write(cmd_wr, &c, 1) != 1 || read(rep_rd, &v, sizeof v) != sizeof v)
        return -1;
    return v;
}

static long reply(void)
{
    long v = -1;
    if (read(rep_rd, &v, sizeof v) != sizeof v)
        return -1;
    return v;
}

static void trace_worker(pid_t pid, pid_t wtid)
{
    struct user_regs_struct r;
    printf("SEIZE the worker thread: %s\n", ptrace_err(PTRACE_SEIZE, wtid, NULL, NULL));
    xptrace(PTRACE_INTERRUPT, wtid, NULL, NULL);
    int st = xwait(wtid, 0);
    printf("INTERRUPT, waitpid(tid) without __WALL: %s\n", status_str(st));
    long c1 = xptrace(PTRACE_PEEKDATA, wtid, (void *)&counter, NULL);
    long a = ask('c');
    msleep(20);
    long b = ask('c');
    printf("main thread answers, worker's counter frozen: %s\n", yesno(a == c1 && b == c1));
    printf("GETREGS on the stopped worker: %s\n", ptrace_err(PTRACE_GETREGS, wtid, NULL, &r));
    printf("GETREGS on the untraced main thread: %s\n", ptrace_err(PTRACE_GETREGS, pid, NULL, &r));
    printf("INTERRUPT of the untraced main thread: %s\n", ptrace_err(PTRACE_INTERRUPT, pid, NULL, NULL));
    xptrace(PTRACE_CONT, wtid, NULL, NULL);
    int moved = 0;
    for (int i = 0; i < 5000 && !moved; i++) {
        moved = ask('c') != c1;
        if (!moved)
            msleep(1);
    }
    printf("after CONT the counter moves again: %s\n", yesno(moved));
    xptrace(PTRACE_INTERRUPT, wtid, NULL, NULL);
    st = xwait(wtid, __WALL);
    printf("INTERRUPT again: %s\n", status_str(st));
    printf("DETACH: %s\n", ptrace_err(PTRACE_DETACH, wtid, NULL, NULL));
}

static void trace_clone(pid_t pid, pid_t wtid)
{
    xptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_TRACECLONE);
    printf("SEIZE the main thread with TRACECLONE\n");
    char c = 't';
    write(cmd_wr, &c, 1);
    int st = xwait(pid, __WALL);
    printf("main thread creates a thread: %s\n", status_str(st));
    unsigned long msg = 0;
    xptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
    pid_t ntid = (pid_t)msg;
    st = xwait(ntid, __WALL);
    printf("  new thread: %s\n", status_str(st));
    xptrace(PTRACE_CONT, ntid, NULL, NULL);
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    printf("  the event message is the tid the thread reports: %s\n", yesno(reply() == ntid));
    struct user_regs_struct r;
    printf("  the detached worker is not traced: %s\n", ptrace_err(PTRACE_INTERRUPT, wtid, NULL, &r));
    write(cmd_wr, "e", 1);
    st = xwait(ntid, __WALL);
    printf("  new thread ends: %s\n", status_str(st));
    printf("  join done: %s\n", yesno(reply() == 0));
    write(cmd_wr, "q", 1);
    st = xwait(pid, __WALL);
    printf("process exits: %s\n", status_str(st));
}

/* ---- a multi-threaded tracer ---- */

static int to_main[2], to_b[2];
static pid_t x_pid;
static const char *b_getregs, *b_cont;

static void *tracer_b(void *arg)
{
    (void)arg;
    x_pid = xfork();
    if (x_pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        _exit(3);
    }
    char ch;
    write(to_main[1], "r", 1);
    read(to_b[0], &ch, 1);
    struct user_regs_struct r;
    b_getregs = ptrace_err(PTRACE_GETREGS, x_pid, NULL, &r);
    b_cont = ptrace_err(PTRACE_CONT, x_pid, NULL, NULL);
    write(to_main[1], "d", 1);
    return NULL;
}

static void thread_tracer(void)
{
    printf("a second tracer thread forks a TRACEME child:\n");
    pthread_t b;
    char ch;
    if (pipe(to_main) || pipe(to_b) || pthread_create(&b, NULL, tracer_b, NULL))
        exit(1);
    read(to_main[0], &ch, 1);
    int st;
    errno = 0;
    pid_t w = waitpid(x_pid, &st, WNOHANG | __WNOTHREAD);
    printf("  main thread, waitpid __WNOTHREAD: %d %s\n", (int)w, errname(errno));
    st = xwait(x_pid, __WALL);
    printf("  main thread, waitpid: %s\n", status_str(st));
    struct user_regs_struct r;
    printf("  main thread, GETREGS: %s\n", ptrace_err(PTRACE_GETREGS, x_pid, NULL, &r));
    printf("  main thread, CONT: %s\n", ptrace_err(PTRACE_CONT, x_pid, NULL, NULL));
    write(to_b[1], "g", 1);
    read(to_main[0], &ch, 1);
    printf("  tracer thread, GETREGS: %s\n", b_getregs);
    printf("  tracer thread, CONT: %s\n", b_cont);
    st = xwait(x_pid, 0);
    printf("  main thread, waitpid: %s\n", status_str(st));
    pthread_join(b, NULL);
}

int main(void)
{
    alarm(30);
    int c[2], r[2];
    if (pipe(c) || pipe(r))
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(c[1]);
        close(r[0]);
        cmd_rd = c[0];
        rep_wr = r[1];
        tracee_main();
    }
    close(c[0]);
    close(r[1]);
    cmd_wr = c[1];
    rep_rd = r[0];

    pid_t wtid = (pid_t)reply(); /* the worker's first words */
    trace_worker(pid, wtid);
    trace_clone(pid, wtid);
    thread_tracer();
    return 0;
}
