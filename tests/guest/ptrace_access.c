// ptrace_access: who may trace whom, and how tracing shows in /proc.
// Run as root (the test says so first). /proc/PID/status: TracerPid is 0,
// then the tracer's pid while attached (also in the tracee's own
// /proc/self/status), 0 again after DETACH; State is "t (tracing stop)" in
// a ptrace-stop. Root may attach to a process that made itself
// non-dumpable (PR_SET_DUMPABLE 0). ATTACH to a thread of one's own
// process and to a zombie are EPERM. A helper that dropped to uid/gid
// 65534 (so no CAP_SYS_PTRACE) gets EPERM attaching to root's process and
// from process_vm_readv on it, may attach to its own dumpable child, and
// gets EPERM for its own child that set PR_SET_DUMPABLE 0. (Yama's
// PR_SET_PTRACER is left out: it depends on the host's LSM setup.)
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* A child that sleeps in pause() until killed; dumpable as asked. */
static pid_t sleeper(int dumpable)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        prctl(PR_SET_DUMPABLE, (long)dumpable, 0L, 0L, 0L);
        write(p[1], "r", 1); /* dumpability is set */
        for (;;)
            pause();
    }
    char ch;
    read(p[0], &ch, 1);
    close(p[0]);
    close(p[1]);
    return pid;
}

static void reap_killed(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* One field of /proc/PID/status, e.g. "TracerPid", as text. */
static void status_field(pid_t pid, const char *name, char *out, size_t n)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    snprintf(out, n, "missing");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t len = strlen(name);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            char *v = line + len + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = 0;
            snprintf(out, n, "%s", v);
            break;
        }
    }
    fclose(f);
}

static const char *tracer_pid_is(pid_t pid)
{
    char v[64];
    status_field(pid, "TracerPid", v, sizeof v);
    if (strcmp(v, "0") == 0)
        return "0";
    if (atoi(v) == getpid())
        return "the tracer";
    return "other";
}

/* The child answers each command byte with whether its own
 * /proc/self/status names its parent as TracerPid. */
static void proc_status(void)
{
    int c[2], r[2];
    if (pipe(c) || pipe(r))
        exit(1);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(c[1]);
        close(r[0]);
        char ch, v[64];
        while (read(c[0], &ch, 1) == 1) {
            status_field(getpid(), "TracerPid", v, sizeof v);
            ch = atoi(v) == getppid() ? 'y' : strcmp(v, "0") == 0 ? '0' : '?';
            write(r[1], &ch, 1);
        }
        _exit(0);
    }
    close(c[0]);
    close(r[1]);
    char ch = 'x';
    printf("TracerPid before attaching: %s\n", tracer_pid_is(pid));
    write(c[1], "q", 1);
    read(r[0], &ch, 1);
    printf("  child's own view: %c\n", ch);
    xptrace(PTRACE_SEIZE, pid, NULL, NULL);
    printf("TracerPid after SEIZE: %s\n", tracer_pid_is(pid));
    write(c[1], "q", 1);
    read(r[0], &ch, 1);
    printf("  child's own view (y: its parent): %c\n", ch);
    xptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
    int st = xwait(pid, 0);
    printf("INTERRUPT: %s\n", status_str(st));
    char state[64];
    status_field(pid, "State", state, sizeof state);
    printf("State in the ptrace-stop: %s\n", state);
    xptrace(PTRACE_DETACH, pid, NULL, NULL);
    printf("TracerPid after DETACH: %s\n", tracer_pid_is(pid));
    write(c[1], "q", 1);
    read(r[0], &ch, 1);
    printf("  child's own view: %c\n", ch);
    close(c[1]);
    st = xwait(pid, 0);
    printf("child: %s\n", status_str(st));
    close(r[0]);
}

static volatile pid_t thread_tid;

static void *idle_thread(void *arg)
{
    (void)arg;
    thread_tid = (pid_t)syscall(SYS_gettid);
    for (;;)
        pause();
    return NULL;
}

static void root_checks(void)
{
    pid_t pid = sleeper(0);
    printf("ATTACH to a non-dumpable process as root: %s\n", ptrace_err(PTRACE_ATTACH, pid, NULL, NULL));
    int st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    reap_killed(pid);

    pthread_t t;
    if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
        exit(1);
    while (thread_tid == 0)
        sched_yield();
    printf("ATTACH to a thread of our own process: %s\n", ptrace_err(PTRACE_ATTACH, thread_tid, NULL, NULL));

    pid = xfork();
    if (pid == 0)
        _exit(4);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT); /* a zombie now */
    printf("ATTACH to a zombie: %s\n", ptrace_err(PTRACE_ATTACH, pid, NULL, NULL));
    st = xwait(pid, 0);
    printf("  the zombie: %s\n", status_str(st));
}

/* A helper that gave up root. */
static int report_fd = -1;
static void report(const char *what, const char *result)
{
    char buf[200];
    int n = snprintf(buf, sizeof buf, "%s: %s\n", what, result);
    write(report_fd, buf, (size_t)n);
}

static void unprivileged(void)
{
    pid_t root_proc = sleeper(1);
    int rp[2];
    if (pipe(rp) != 0)
        exit(1);
    pid_t u = xfork();
    if (u == 0) {
        alarm(60);
        close(rp[0]);
        report_fd = rp[1];
        if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
            setresuid(65534, 65534, 65534) != 0) {
            report("dropping to uid 65534", errname(errno));
            _exit(1);
        }
        report("ATTACH to root's process", ptrace_err(PTRACE_ATTACH, root_proc, NULL, NULL));
        char buf[8];
        struct iovec l = { buf, sizeof buf }, r = { &report_fd, sizeof buf };
        errno = 0;
        process_vm_readv(root_proc, &l, 1, &r, 1, 0);
        report("process_vm_readv of root's process", errname(errno));

        pid_t c = sleeper(1);
        report("ATTACH to its own dumpable child", ptrace_err(PTRACE_ATTACH, c, NULL, NULL));
        int st;
        waitpid(c, &st, 0);
        report("  the child", status_str(st));
        reap_killed(c);
        c = sleeper(0);
        report("ATTACH to its own child after PR_SET_DUMPABLE 0", ptrace_err(PTRACE_ATTACH, c, NULL, NULL));
        reap_killed(c);
        _exit(0);
    }
    close(rp[1]);
    int st = xwait(u, 0);
    char buf[1024];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("helper at uid 65534 reports:\n%s", buf);
    printf("helper: %s\n", status_str(st));
    close(rp[0]);
    reap_killed(root_proc);
}

int main(void)
{
    alarm(30);
    printf("running as root: %s\n", yesno(geteuid() == 0));
    proc_status();
    unprivileged();
    root_checks();
    return 0;
}
