// proc_vfork_dup2: vfork semantics and stdout redirection across exec.
// vfork + execve of argv[0] ("child" mode prints a line and _exit(3)s): the
// parent only resumes after the exec, and sees the variable the child set in
// the shared address space before exec; vfork child that _exit(5)s directly;
// vfork child whose execve fails (ENOENT seen through shared memory, 127);
// a forked child dup2()s a pipe onto fd 1 and execs argv[0] in "echo" mode,
// whose printf output the parent reads from the pipe and prints as "got:".
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *yesno(int b) { return b ? "yes" : "no"; }

static volatile int marker;
static volatile int child_errno;

static void show(const char *what, pid_t pid, pid_t w, int st)
{
    printf("%s: waitpid returned it: %s, ", what, yesno(w == pid));
    if (WIFEXITED(st))
        printf("exit status %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("killed by signal %d\n", WTERMSIG(st));
    else
        printf("other status\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd vfork child: argc=%d argv[1]=%s\n", argc, argv[1]);
        fflush(stdout);
        _exit(3);
    }
    if (argc > 1 && strcmp(argv[1], "echo") == 0) {
        printf("line one\n");
        printf("line %d of %s\n", 2, "echo");
        printf("stdout is a pipe: %s\n", yesno(!isatty(1) && lseek(1, 0, SEEK_CUR) < 0 && errno == ESPIPE));
        for (int i = 0; i < 3; i++)
            printf("loop %d\n", i);
        return 0;
    }

    int st;
    pid_t w;

    /* 1. vfork + execve */
    char *av[] = { argv[0], "child", NULL };
    marker = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        /* a parent running concurrently (no suspension) would likely miss this */
        struct timespec d = { 0, 20000000L };
        nanosleep(&d, NULL);
        marker = 1;
        execve(argv[0], av, environ);
        _exit(127);
    }
    int seen = marker;
    w = waitpid(pid, &st, 0);
    printf("parent resumed after child's exec, saw child's write: %s\n", yesno(seen == 1));
    show("vfork+exec child", pid, w, st);

    /* 2. vfork + _exit */
    marker = 0;
    fflush(stdout);
    pid = vfork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        marker = 55;
        _exit(5);
    }
    seen = marker;
    w = waitpid(pid, &st, 0);
    printf("vfork child's write visible in parent: %s\n", yesno(seen == 55));
    show("vfork+_exit child", pid, w, st);

    /* 3. vfork + failing execve */
    child_errno = 0;
    fflush(stdout);
    pid = vfork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        char *bad[] = { "/nonexistent-hvtrace/prog", NULL };
        execve(bad[0], bad, environ);
        child_errno = errno;
        _exit(127);
    }
    w = waitpid(pid, &st, 0);
    printf("vfork child's execve failed with ENOENT: %s\n", yesno(child_errno == ENOENT));
    show("vfork+failed exec child", pid, w, st);

    /* 4. dup2 onto stdout, exec, read through the pipe */
    int p[2];
    if (pipe(p) != 0)
        return 1;
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        if (dup2(p[1], 1) != 1)
            _exit(126);
        close(p[0]);
        close(p[1]);
        char *eav[] = { argv[0], "echo", NULL };
        execve(argv[0], eav, environ);
        _exit(127);
    }
    close(p[1]);
    char buf[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf - 1 && (n = read(p[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    close(p[0]);
    w = waitpid(pid, &st, 0);
    for (char *line = buf, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) {
            printf("got (no newline): %s\n", line);
            break;
        }
        *nl = 0;
        printf("got: %s\n", line);
    }
    show("echo child", pid, w, st);
    return 0;
}
