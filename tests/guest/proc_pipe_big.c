// proc_pipe_big: 1 MiB through a pipe between processes. The child writes a
// deterministic pattern in chunks of varying sizes (some larger than the
// pipe buffer), the parent reads with other chunk sizes and checks count and
// position-dependent checksum, then sees EOF (read returns 0) after the child
// has exited. Also: EPIPE when SIGPIPE is ignored, death by SIGPIPE with the
// default action, and SIGPIPE for a writer blocked on a full pipe whose
// reader goes away.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOTAL (1u << 20)

static unsigned char pat(size_t i) { return (unsigned char)(i * 131u + (i >> 8) + (i >> 16)); }
static const char *yesno(int b) { return b ? "yes" : "no"; }

static void show(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d%s\n", what, WTERMSIG(st),
               WTERMSIG(st) == SIGPIPE ? " (SIGPIPE)" : "");
    else
        printf("%s: other status\n", what);
}

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

static void writer(int fd)
{
    static const size_t sizes[] = { 1, 100, 4096, 65536, 7, 12345, 70000, 4095, 131072 };
    static unsigned char buf[131072];
    size_t off = 0, k = 0;
    while (off < TOTAL) {
        size_t n = sizes[k++ % (sizeof sizes / sizeof sizes[0])];
        if (n > TOTAL - off)
            n = TOTAL - off;
        for (size_t i = 0; i < n; i++)
            buf[i] = pat(off + i);
        size_t done = 0;
        while (done < n) {
            ssize_t w = write(fd, buf + done, n - done);
            if (w <= 0)
                _exit(2);
            done += (size_t)w;
        }
        off += n;
    }
}

int main(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[0]);
        writer(p[1]);
        _exit(0);
    }
    close(p[1]);
    static const size_t rsizes[] = { 3, 5000, 65536, 999, 131072, 1 };
    static unsigned char buf[131072];
    size_t total = 0, k = 0;
    uint64_t sum = 0, want = 0;
    int mismatch = 0;
    for (;;) {
        size_t n = rsizes[k++ % (sizeof rsizes / sizeof rsizes[0])];
        ssize_t r = read(p[0], buf, n);
        if (r < 0) {
            puts("read error");
            return 1;
        }
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != pat(total + (size_t)i))
                mismatch = 1;
            sum = (sum ^ buf[i]) * 1099511628211ull;
        }
        total += (size_t)r;
    }
    for (size_t i = 0; i < TOTAL; i++)
        want = (want ^ pat(i)) * 1099511628211ull;
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("bytes received: %zu (expected %u)\n", total, TOTAL);
    printf("checksum: %016llx, matches expected: %s, every byte in place: %s\n",
           (unsigned long long)sum, yesno(sum == want), yesno(!mismatch));
    printf("waitpid returned the writer: %s\n", yesno(w == pid));
    show("writer", st);
    printf("read after writer exited: %zd\n", read(p[0], buf, sizeof buf));
    close(p[0]);

    /* EPIPE with SIGPIPE ignored */
    signal(SIGPIPE, SIG_IGN);
    if (pipe(p) != 0)
        return 1;
    close(p[0]);
    errno = 0;
    ssize_t r = write(p[1], "x", 1);
    printf("write with no reader, SIGPIPE ignored: %zd %s\n", r, errno == EPIPE ? "EPIPE" : "other");
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    /* default SIGPIPE kills the writer */
    if (pipe(p) != 0)
        return 1;
    close(p[0]);
    pid = xfork();
    if (pid == 0) {
        r = write(p[1], "x", 1);
        _exit(r < 0 ? 3 : 4); /* not reached */
    }
    close(p[1]);
    w = waitpid(pid, &st, 0);
    printf("waitpid returned the writer: %s\n", yesno(w == pid));
    show("writer with no reader", st);

    /* writer blocked on a full pipe; reader reads a little and closes */
    if (pipe(p) != 0)
        return 1;
    pid = xfork();
    if (pid == 0) {
        close(p[0]);
        writer(p[1]);
        _exit(5); /* not reached: 1 MiB does not fit in the pipe */
    }
    close(p[1]);
    size_t got = 0;
    while (got < 1000) {
        r = read(p[0], buf, 1000 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    printf("read from blocked writer: %zu bytes\n", got);
    close(p[0]);
    w = waitpid(pid, &st, 0);
    printf("waitpid returned the writer: %s\n", yesno(w == pid));
    show("writer whose reader closed", st);
    return 0;
}
