// pipe_dup: pipe2, dup, dup2, fcntl flags, writev/readv, fd numbering.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    int fds[2];
    int r = pipe(fds);
    printf("pipe: %d fds=%d,%d\n", r, fds[0], fds[1]);
    printf("write: %zd\n", write(fds[1], "through the pipe", 16));
    char buf[64] = { 0 };
    ssize_t n = read(fds[0], buf, sizeof buf);
    printf("read: %zd \"%.*s\"\n", n, (int)n, buf);

    int d = dup(fds[1]);
    printf("dup -> %d\n", d);
    printf("dup2(%d, 10) -> %d\n", fds[1], dup2(fds[1], 10));
    write(10, "via fd 10;", 10);
    write(d, "via dup", 7);
    n = read(fds[0], buf, sizeof buf);
    printf("read: %zd \"%.*s\"\n", n, (int)n, buf);

    printf("FD_CLOEXEC initially: %d\n", fcntl(d, F_GETFD) & FD_CLOEXEC);
    fcntl(d, F_SETFD, FD_CLOEXEC);
    printf("FD_CLOEXEC after set: %d\n", fcntl(d, F_GETFD) & FD_CLOEXEC);
    printf("F_DUPFD >= 20 -> %d\n", fcntl(d, F_DUPFD, 20));

    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    errno = 0;
    n = read(fds[0], buf, sizeof buf);
    printf("nonblocking read on empty pipe: %zd %s\n", n, errno == EAGAIN ? "EAGAIN" : "other");

    struct iovec iov[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    printf("writev: %zd\n", writev(fds[1], iov, 3));
    char a[5] = { 0 }, b[20] = { 0 };
    struct iovec riov[2] = { { a, 4 }, { b, sizeof b - 1 } };
    n = readv(fds[0], riov, 2);
    printf("readv: %zd \"%s\" \"%s\"\n", n, a, b);

    close(fds[1]);
    close(d);
    close(10);
    close(20);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) & ~O_NONBLOCK);
    printf("read after all writers closed: %zd\n", read(fds[0], buf, sizeof buf));
    close(fds[0]);
    errno = 0;
    n = write(fds[1], "x", 1);
    printf("write to closed fd: %zd %s\n", n, errno == EBADF ? "EBADF" : "other");

    int p2[2];
    r = pipe2(p2, O_CLOEXEC);
    printf("pipe2 O_CLOEXEC: %d, cloexec=%d\n", r, fcntl(p2[0], F_GETFD) & FD_CLOEXEC);
    /* lowest free descriptor reused */
    close(p2[0]);
    close(p2[1]);
    int again = dup(1);
    printf("lowest fd reused: %s\n", again == p2[0] ? "yes" : "no");
    return 0;
}
