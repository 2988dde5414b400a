// proc2_threads_life: thread and process lifetime. The main thread calls
// pthread_exit (in a re-exec'd image) while another thread keeps running:
// the process is not reapable until that thread ends, which prints the last
// line, and the process exits 0. execve from a non-main thread while other
// threads are blocked: the new image runs alone, with the old pid, and
// /proc/self/status says "Threads:\t1". SIGKILL to a process whose 4 threads
// are blocked in futex waits and pipe reads (WTERMSIG 9). _exit (exit_group)
// from a non-main thread while main is in pthread_join ends the process with
// that code. pthread_kill runs the handler in the target thread (gettid
// inside the handler). A process-directed signal blocked in all threads but
// one is handled by that one.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }
static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }
static void msleep(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}
static void report(const char *what, int st)
{
    printf("%s: %s %d\n", what, WIFEXITED(st) ? "exited" : "killed by signal",
           WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    fflush(stdout);
}

static char *self_path;
static int ready_fd = -1, pipefd[2];
static int nready;
static uint32_t fword;

static void *sleeper(void *arg) /* blocks forever: futex wait, or pipe read if arg */
{
    char c;
    __atomic_add_fetch(&nready, 1, __ATOMIC_SEQ_CST);
    for (;;)
        if (arg)
            read(pipefd[0], &c, 1);
        else
            syscall(SYS_futex, &fword, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
    return NULL;
}
static void wait_ready(int n)
{
    while (__atomic_load_n(&nready, __ATOMIC_SEQ_CST) < n)
        msleep(1);
    msleep(30);
}

static void *last_thread(void *arg)
{
    (void)arg;
    write(ready_fd, "r", 1);
    msleep(100);
    printf("last thread: process still alive after main's pthread_exit: %s\n",
           yesno(kill(getpid(), 0) == 0));
    fflush(stdout);
    return NULL;
}

static void *execer(void *arg)
{
    (void)arg;
    wait_ready(3);
    char pidbuf[32];
    snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
    char *av[] = { self_path, "exec-thread", pidbuf, NULL };
    char *ev[] = { "HV_X=1", NULL };
    execve(self_path, av, ev);
    _exit(99);
}

static void *exit_group_thread(void *arg)
{
    (void)arg;
    msleep(20);
    _exit(42);
}

static volatile pid_t handler_tid;
static volatile int handled;
static void on_sig(int sig)
{
    (void)sig;
    handler_tid = tid();
    handled++;
}

static volatile pid_t target_tid[3];
static volatile int done;
static void *target(void *arg)
{
    int i = (int)(intptr_t)arg;
    if (i == 1) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    }
    target_tid[i] = tid();
    __atomic_add_fetch(&nready, 1, __ATOMIC_SEQ_CST);
    while (!done)
        msleep(1);
    return NULL;
}

static int exec_mode(char **argv)
{
    printf("exec'd, threads gone\n");
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int one = 0;
    while (f && fgets(line, sizeof line, f))
        one |= strcmp(line, "Threads:\t1\n") == 0;
    printf("  /proc/self/status Threads:\\t1: %s\n", yesno(one));
    printf("  pid is the old pid: %s, gettid == getpid: %s\n", yesno(getpid() == atoi(argv[2])),
           yesno(tid() == getpid()));
    return 5;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-thread") == 0)
        return exec_mode(argv);
    if (argc == 3 && strcmp(argv[1], "main-exit") == 0) {
        /* fresh image: in a musl fork() child the main thread has no
           clear_child_tid, so pthread_exit there never frees the thread list lock */
        pthread_t t;
        ready_fd = atoi(argv[2]);
        pthread_create(&t, NULL, last_thread, NULL);
        pthread_exit(NULL);
    }
    self_path = argv[0];
    int st, p[2];
    pthread_t t;

    /* A: main thread pthread_exit (in a re-exec'd image) */
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char fdbuf[16];
        snprintf(fdbuf, sizeof fdbuf, "%d", p[1]);
        char *av[] = { self_path, "main-exit", fdbuf, NULL };
        execv(self_path, av);
        _exit(97);
    }
    char c;
    read(p[0], &c, 1);
    msleep(20);
    printf("waitpid WNOHANG while a thread still runs: %d\n", (int)waitpid(pid, &st, WNOHANG));
    fflush(stdout);
    waitpid(pid, &st, 0);
    report("main-pthread_exit process", st);
    close(p[0]), close(p[1]);

    /* B: execve from a non-main thread */
    pid = fork();
    if (pid == 0) {
        pthread_t e;
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&e, NULL, execer, NULL);
        __atomic_add_fetch(&nready, 1, __ATOMIC_SEQ_CST);
        pthread_join(e, NULL);
        _exit(98);
    }
    waitpid(pid, &st, 0);
    report("execve-from-thread process", st);

    /* C: SIGKILL with 4 blocked threads */
    pipe(p);
    pid = fork();
    if (pid == 0) {
        pipe(pipefd);
        for (int i = 0; i < 4; i++)
            pthread_create(&t, NULL, sleeper, i < 2 ? NULL : &fword);
        wait_ready(4);
        write(p[1], "r", 1);
        for (;;)
            pause();
    }
    read(p[0], &c, 1);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    report("SIGKILL with blocked threads", st);
    close(p[0]), close(p[1]);

    /* D: exit_group from a non-main thread */
    pid = fork();
    if (pid == 0) {
        pthread_create(&t, NULL, exit_group_thread, NULL);
        pthread_join(t, NULL);
        _exit(1);
    }
    waitpid(pid, &st, 0);
    report("_exit(42) from a non-main thread", st);

    /* E: pthread_kill to a specific thread */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    nready = 0, done = 0;
    pthread_t th[3];
    pthread_create(&th[0], NULL, target, (void *)0);
    wait_ready(1);
    pthread_kill(th[0], SIGUSR1);
    while (!handled)
        msleep(1);
    done = 1;
    pthread_join(th[0], NULL);
    printf("pthread_kill: handler ran in the target thread: %s, not in main: %s, runs: %d\n",
           yesno(handler_tid == target_tid[0]), yesno(handler_tid != tid()), handled);

    /* F: process-directed signal, unblocked in one thread only */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    nready = 0, done = 0, handled = 0, handler_tid = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, target, (void *)(intptr_t)i);
    wait_ready(3);
    kill(getpid(), SIGUSR2);
    while (!handled)
        msleep(1);
    done = 1;
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    printf("kill(getpid()) blocked everywhere but one thread: handled by that thread: %s, runs: %d\n",
           yesno(handler_tid == target_tid[1]), handled);
    return 0;
}
