/* What the ptrace_*.c differential programs share: errno, signal, event and wait
 * status names that never print a pid or an address (strsignal() and strerror() differ
 * between glibc and musl), and fork/waitpid/ptrace wrappers that give up loudly.
 * Included once by each program (a header, not a test: run_diff.sh builds *.c). */
#ifndef HV_TESTS_PTRACE_COMMON_H
#define HV_TESTS_PTRACE_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((unused)) static const char *yesno(int b) { return b ? "yes" : "no"; }

__attribute__((unused)) static const char *errname(int e)
{
    static char buf[32];
    switch (e) {
    case 0: return "none";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    default: snprintf(buf, sizeof buf, "errno %d", e); return buf;
    }
}

/* Own table: strsignal() differs between glibc and musl. */
__attribute__((unused)) static const char *signame(int sig)
{
    static const char *const names[32] = {
        [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGCHLD] = "SIGCHLD",
        [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGSYS] = "SIGSYS",
    };
    static char buf[4][16];
    static int n;
    if (sig > 0 && sig < 32 && names[sig])
        return names[sig];
    if (sig == (SIGTRAP | 0x80))
        return "SIGTRAP|0x80";
    n = (n + 1) % 4;
    snprintf(buf[n], sizeof buf[n], "SIG%d", sig);
    return buf[n];
}

__attribute__((unused)) static const char *event_name(int ev)
{
    switch (ev) {
    case PTRACE_EVENT_FORK: return "FORK";
    case PTRACE_EVENT_VFORK: return "VFORK";
    case PTRACE_EVENT_CLONE: return "CLONE";
    case PTRACE_EVENT_EXEC: return "EXEC";
    case PTRACE_EVENT_VFORK_DONE: return "VFORK_DONE";
    case PTRACE_EVENT_EXIT: return "EXIT";
    case PTRACE_EVENT_SECCOMP: return "SECCOMP";
    case PTRACE_EVENT_STOP: return "STOP";
    default: return "?";
    }
}

/* A wait status in words: never a pid or an address. */
__attribute__((unused)) static const char *status_str(int st)
{
    static char buf[4][64];
    static int n;
    n = (n + 1) % 4;
    char *b = buf[n];
    if (WIFEXITED(st))
        snprintf(b, 64, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(b, 64, "killed by %s", signame(WTERMSIG(st)));
    else if (WIFSTOPPED(st) && (st >> 16) != 0)
        snprintf(b, 64, "event %s stop (%s)", event_name(st >> 16), signame(WSTOPSIG(st)));
    else if (WIFSTOPPED(st))
        snprintf(b, 64, "stopped by %s", signame(WSTOPSIG(st)));
    else if (WIFCONTINUED(st))
        snprintf(b, 64, "continued");
    else
        snprintf(b, 64, "status 0x%x", st);
    return b;
}

__attribute__((unused)) static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    return pid;
}

/* waitpid that retries EINTR and gives up loudly on anything else. */
__attribute__((unused)) static int xwait(pid_t pid, int flags)
{
    int st;
    pid_t w;
    do
        w = waitpid(pid, &st, flags);
    while (w < 0 && errno == EINTR);
    if (w != pid) {
        printf("waitpid returned %d (%s)\n", (int)w, errname(errno));
        exit(1);
    }
    return st;
}

/* ptrace that must succeed. */
__attribute__((unused)) static long xptrace(int req, pid_t pid, void *addr, void *data)
{
    errno = 0;
    long r = ptrace(req, pid, addr, data);
    if (r == -1 && errno) {
        printf("ptrace request 0x%x failed: %s\n", req, errname(errno));
        exit(1);
    }
    return r;
}

/* ptrace expected to fail: the errno, or "none" if it succeeded. */
__attribute__((unused)) static const char *ptrace_err(int req, pid_t pid, void *addr, void *data)
{
    errno = 0;
    long r = ptrace(req, pid, addr, data);
    if (r == -1 && errno)
        return errname(errno);
    return "none (succeeded)";
}

#endif
