// proc_fork_wait: fork and the wait family. Exit codes 0..4 through
// waitpid on specific pids, getppid() in the child, WNOHANG on a child that
// is still running (blocked on a pipe), ECHILD once nothing is left, deaths
// by SIGKILL and abort() (WCOREDUMP is 0: the runner sets ulimit -c 0),
// waitid() siginfo fields, and WNOWAIT leaving the child waitable.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    return pid;
}

static void show(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: WIFEXITED, WEXITSTATUS=%d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: WIFSIGNALED, WTERMSIG=%d, WCOREDUMP=%d\n", what, WTERMSIG(st),
               WCOREDUMP(st) ? 1 : 0);
    else
        printf("%s: other status\n", what);
}

static const char *code_name(int c)
{
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

int main(void)
{
    int st;
    char what[64];

    /* 1. five children, reaped one by one so their output is ordered */
    for (int i = 0; i < 5; i++) {
        pid_t parent = getpid();
        pid_t pid = xfork();
        if (pid == 0) {
            char msg[] = "child N running\n";
            msg[6] = (char)('0' + i);
            if (write(1, msg, sizeof msg - 1) < 0)
                _exit(100);
            _exit(getppid() == parent ? i : 100 + i);
        }
        pid_t w = waitpid(pid, &st, 0);
        snprintf(what, sizeof what, "child %d (waitpid returned it: %s)", i, yesno(w == pid));
        show(what, st);
    }

    /* 2. WNOHANG while the child is blocked reading a pipe */
    int p[2];
    if (pipe(p) != 0)
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        unsigned char c = 0;
        close(p[1]);
        ssize_t n = read(p[0], &c, 1);
        _exit(n == 1 ? c : 99);
    }
    close(p[0]);
    pid_t w = waitpid(pid, &st, WNOHANG);
    printf("WNOHANG on a running child returned 0: %s\n", yesno(w == 0));
    unsigned char v = 42;
    if (write(p[1], &v, 1) != 1)
        return 1;
    close(p[1]);
    w = waitpid(pid, &st, 0);
    printf("blocking waitpid returned the child: %s\n", yesno(w == pid));
    show("pipe child", st);

    /* 3. nothing left to wait for */
    errno = 0;
    w = wait(&st);
    printf("wait() with no children: %d %s\n", (int)w, errno == ECHILD ? "ECHILD" : "other");
    errno = 0;
    w = waitpid(-1, &st, WNOHANG);
    printf("waitpid(-1, WNOHANG) with no children: %d %s\n", (int)w,
           errno == ECHILD ? "ECHILD" : "other");

    /* 4. SIGKILL from the parent; the child is parked in pause() */
    pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGKILL);
    w = waitpid(pid, &st, 0);
    printf("waitpid returned the killed child: %s\n", yesno(w == pid));
    show("SIGKILLed child", st);

    /* 5. abort() */
    pid = xfork();
    if (pid == 0)
        abort();
    w = waitpid(pid, &st, 0);
    printf("waitpid returned the aborting child: %s\n", yesno(w == pid));
    show("aborted child", st);
    printf("WTERMSIG is SIGABRT: %s\n", yesno(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT));

    /* 6. waitid(P_PID, WEXITED) fields */
    pid = xfork();
    if (pid == 0)
        _exit(3);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, (id_t)pid, &si, WEXITED);
    printf("waitid: ret=%d si_signo=%s si_code=%s si_status=%d si_pid==pid: %s\n", r,
           si.si_signo == SIGCHLD ? "SIGCHLD" : "other", code_name(si.si_code), si.si_status,
           yesno(si.si_pid == pid));

    pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGKILL);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, (id_t)pid, &si, WEXITED);
    printf("waitid killed: ret=%d si_code=%s si_status=%d si_pid==pid: %s\n", r,
           code_name(si.si_code), si.si_status, yesno(si.si_pid == pid));

    /* 7. WNOWAIT leaves the zombie in place */
    pid = xfork();
    if (pid == 0)
        _exit(11);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
    printf("waitid WNOWAIT: ret=%d si_code=%s si_status=%d si_pid==pid: %s\n", r,
           code_name(si.si_code), si.si_status, yesno(si.si_pid == pid));
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    printf("waitid P_ALL WNOWAIT: ret=%d si_status=%d si_pid==pid: %s\n", r, si.si_status,
           yesno(si.si_pid == pid));
    w = waitpid(pid, &st, 0);
    printf("waitpid after WNOWAIT returned the child: %s\n", yesno(w == pid));
    show("WNOWAIT child", st);
    errno = 0;
    w = waitpid(pid, &st, 0);
    printf("second waitpid: %d %s\n", (int)w, errno == ECHILD ? "ECHILD" : "other");
    memset(&si, 0, sizeof si);
    errno = 0;
    r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    printf("waitid WNOHANG with no children: %d %s\n", r, errno == ECHILD ? "ECHILD" : "other");
    return 0;
}
