// proc_exec: fork + execve of argv[0] with an exact argv and envp (an
// argument with a space and an empty one); the exec'd child prints what it
// got and exits 7. Across exec: an fd without O_CLOEXEC survives (the child
// writes through it), an O_CLOEXEC one is closed (EBADF); an ignored signal
// stays SIG_IGN, a caught one is reset to SIG_DFL, the signal mask is kept.
// Failing execve: ENOENT for a missing path, EACCES for a directory and for
// a file without execute permission.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *yesno(int b) { return b ? "yes" : "no"; }
static void on_usr2(int sig) { (void)sig; }

static const char *disp(int sig)
{
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) != 0)
        return "error";
    if (sa.sa_handler == SIG_IGN)
        return "SIG_IGN";
    if (sa.sa_handler == SIG_DFL)
        return "SIG_DFL";
    return "handler";
}

static int child_main(int argc, char **argv)
{
    printf("exec'd child: argc=%d\n", argc);
    for (int i = 1; i < argc; i++) /* argv[4], argv[5]: fd numbers, not printed */
        printf("  argv[%d]=\"%s\"\n", i, i < 4 ? argv[i] : "(fd number)");
    printf("  argv[argc] is NULL: %s\n", yesno(argv[argc] == NULL));
    int n = 0;
    for (char **e = environ; *e; e++, n++)
        printf("  env: \"%s\"\n", *e);
    printf("  environ entries: %d, getenv(Y)=%s\n", n, getenv("Y") ? getenv("Y") : "(null)");
    if (argc < 6)
        return 1;
    int keep = atoi(argv[4]), gone = atoi(argv[5]);
    int r = fcntl(keep, F_GETFD);
    printf("  fd without O_CLOEXEC open: %s, FD_CLOEXEC=%d\n", yesno(r >= 0), r >= 0 ? r & FD_CLOEXEC : -1);
    if (r >= 0 && write(keep, "through inherited fd", 20) != 20)
        printf("  write to inherited fd failed\n");
    errno = 0;
    r = fcntl(gone, F_GETFD);
    printf("  O_CLOEXEC fd after exec: %d %s\n", r, errno == EBADF ? "EBADF" : "other");
    printf("  SIGUSR1 (was SIG_IGN): %s\n", disp(SIGUSR1));
    printf("  SIGUSR2 (was a handler): %s\n", disp(SIGUSR2));
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("  SIGTERM still blocked: %s, SIGUSR1 blocked: %s\n", yesno(sigismember(&cur, SIGTERM)),
           yesno(sigismember(&cur, SIGUSR1)));
    return 7;
}

static void try_exec(const char *path, const char *label)
{
    char *av[] = { (char *)path, NULL };
    char *ev[] = { NULL };
    errno = 0;
    int r = execve(path, av, ev);
    int e = errno;
    printf("execve(%s): %d %s\n", label, r,
           e == ENOENT ? "ENOENT" : e == EACCES ? "EACCES" : e == ENOTDIR ? "ENOTDIR" : "other");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_main(argc, argv);

    int keep[2], gone[2];
    if (pipe(keep) != 0 || pipe2(gone, O_CLOEXEC) != 0)
        return 1;
    char keep_s[16], gone_s[16];
    snprintf(keep_s, sizeof keep_s, "%d", keep[1]);
    snprintf(gone_s, sizeof gone_s, "%d", gone[1]);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    printf("parent before exec: SIGUSR1=%s SIGUSR2=%s\n", disp(SIGUSR1), disp(SIGUSR2));

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        char *av[] = { argv[0], "child", "a b", "", keep_s, gone_s, NULL };
        char *ev[] = { "X=1", "Y=two", NULL };
        execve(argv[0], av, ev);
        _exit(127);
    }
    close(keep[1]);
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("waitpid returned the child: %s\n", yesno(w == pid));
    if (WIFEXITED(st))
        printf("child: WIFEXITED, WEXITSTATUS=%d\n", WEXITSTATUS(st));
    else
        printf("child: did not exit normally\n");
    char buf[64];
    ssize_t n = read(keep[0], buf, sizeof buf);
    printf("parent read from inherited fd: %zd \"%.*s\"\n", n, n > 0 ? (int)n : 0, buf);
    n = read(keep[0], buf, sizeof buf);
    printf("then EOF: %zd\n", n);
    sigprocmask(SIG_SETMASK, &old, NULL);

    try_exec("/nonexistent-hvtrace-dir/prog", "missing path");
    try_exec("/", "directory \"/\"");
    try_exec("/etc/passwd", "non-executable file");
    try_exec("/etc/passwd/x", "path through a file");
    printf("still running after failed execs: yes\n");
    return 0;
}
