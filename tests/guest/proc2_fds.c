// proc2_fds: file descriptor flags, readiness and directory listing.
// O_NONBLOCK pipes (EAGAIN on empty read and on full write; capacity),
// F_GETFL/F_SETFL (shared by dup'd fds) vs F_GETFD/F_SETFD (per fd),
// F_DUPFD/F_DUPFD_CLOEXEC with a minimum, dup2 onto itself, dup3 (O_CLOEXEC,
// same fd EINVAL, bad flags EINVAL); poll: timeout, POLLIN, POLLHUP,
// POLLERR, POLLNVAL, negative fd ignored; select with timeouts (the timeout
// is updated) and readiness; ppoll and pselect with a mask that lets a
// pending signal in (EINTR, handler ran, mask restored); readdir
// (getdents64) of a directory made under the @TMP@ directory, sorted.
// diff-args: @TMP@
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }
static const char *err(void)
{
    switch (errno) {
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EINTR: return "EINTR";
    case EPIPE: return "EPIPE";
    default: return strerror(errno);
    }
}
/* result of a call that may fail, with the errno name evaluated after it */
#define SHOW(label, expr)                                                   \
    do {                                                                    \
        long r_ = (long)(expr);                                             \
        printf("%s: %ld%s%s\n", label, r_, r_ < 0 ? " " : "", r_ < 0 ? err() : ""); \
    } while (0)

static const char *ev(short e)
{
    static char bufs[4][64];
    static int k;
    char *buf = bufs[k++ % 4];
    buf[0] = 0;
    if (e & POLLIN) strcat(buf, "IN|");
    if (e & POLLOUT) strcat(buf, "OUT|");
    if (e & POLLHUP) strcat(buf, "HUP|");
    if (e & POLLERR) strcat(buf, "ERR|");
    if (e & POLLNVAL) strcat(buf, "NVAL|");
    if (buf[0]) buf[strlen(buf) - 1] = 0; else strcpy(buf, "0");
    return buf;
}

static volatile sig_atomic_t hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    char buf[4096];
    memset(buf, 'x', sizeof buf);

    pipe2(p, O_NONBLOCK);
    ssize_t n;
    SHOW("nonblocking read on empty pipe", read(p[0], buf, 1));
    long total = 0;
    while ((n = write(p[1], buf, sizeof buf)) > 0)
        total += n;
    printf("filled with 4096-byte writes: %ld bytes, then %s\n", total, err());
    SHOW("1-byte write on full pipe", write(p[1], buf, 1));
    printf("F_GETPIPE_SZ: %d\n", fcntl(p[1], F_GETPIPE_SZ));
    close(p[0]);
    SHOW("write with no reader (SIGPIPE ignored)", write(p[1], buf, 1));
    close(p[1]);

    pipe(p);
    int fl = fcntl(p[0], F_GETFL);
    printf("pipe read end: O_RDONLY %s, write end O_WRONLY %s, O_NONBLOCK %s\n", yesno((fl & O_ACCMODE) == O_RDONLY),
           yesno((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY), yesno(fl & O_NONBLOCK));
    int d = dup(p[0]);
    fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
    printf("F_SETFL O_NONBLOCK: set %s, seen through dup %s\n", yesno(fcntl(p[0], F_GETFL) & O_NONBLOCK),
           yesno(fcntl(d, F_GETFL) & O_NONBLOCK));
    SHOW("read via dup", read(d, buf, 1));
    fcntl(d, F_SETFL, fl);
    printf("cleared via dup: %s\n", yesno(!(fcntl(p[0], F_GETFL) & O_NONBLOCK)));
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    printf("F_SETFD FD_CLOEXEC: fd %d, dup %d\n", fcntl(p[0], F_GETFD), fcntl(d, F_GETFD));
    int lowest = 10;
    while (fcntl(lowest, F_GETFD) >= 0)
        lowest++;
    int e = fcntl(p[0], F_DUPFD, 10);
    int f = fcntl(p[0], F_DUPFD_CLOEXEC, 10);
    printf("F_DUPFD min 10: lowest free >= 10: %s (FD_CLOEXEC %d), F_DUPFD_CLOEXEC min 10: next one: %s "
           "(FD_CLOEXEC %d)\n", yesno(e == lowest), fcntl(e, F_GETFD), yesno(f > e && fcntl(f - 1, F_GETFD) >= 0),
           fcntl(f, F_GETFD));
    printf("dup2(fd, fd): same fd %s, FD_CLOEXEC kept %d\n", yesno(dup2(p[0], p[0]) == p[0]), fcntl(p[0], F_GETFD));
    SHOW("dup2(unopened, same)", dup2(700, 700));
    SHOW("raw dup3(fd, fd, 0)", syscall(SYS_dup3, p[0], p[0], 0));
    SHOW("raw dup3(fd, fd, O_CLOEXEC)", syscall(SYS_dup3, p[0], p[0], O_CLOEXEC));
    SHOW("raw dup3(fd, 701, O_NONBLOCK)", syscall(SYS_dup3, p[0], 701, O_NONBLOCK));
    SHOW("dup3(fd, fd, 0)", dup3(p[0], p[0], 0));
    int g = dup3(p[0], 701, O_CLOEXEC);
    printf("dup3(fd, 701, O_CLOEXEC): %d, FD_CLOEXEC %d\n", g, fcntl(g, F_GETFD));
    g = dup3(d, 701, 0);
    printf("dup3 over it without flag: %d, FD_CLOEXEC %d\n", g, fcntl(g, F_GETFD));
    close(d), close(e), close(f), close(g);
    SHOW("fcntl F_GETFD on the closed fd", fcntl(g, F_GETFD));
    SHOW("F_DUPFD with min -1", fcntl(0, F_DUPFD, -1));

    /* poll */
    struct pollfd pf[3] = { { p[0], POLLIN, 0 }, { 702, POLLIN, 0 }, { -1, POLLIN, 0 } };
    int r = poll(pf, 1, 10);
    printf("poll empty pipe 10 ms: %d revents %s\n", r, ev(pf[0].revents));
    write(p[1], "ab", 2);
    r = poll(pf, 3, 1000);
    printf("poll after write: %d revents %s; unopened fd: %s; fd -1: %s\n", r, ev(pf[0].revents),
           ev(pf[1].revents), ev(pf[2].revents));
    pf[1].fd = p[1], pf[1].events = POLLOUT;
    r = poll(pf, 2, 0);
    printf("poll both ends: %d, read end %s, write end %s\n", r, ev(pf[0].revents), ev(pf[1].revents));
    close(p[1]);
    r = poll(pf, 1, 0);
    printf("writer closed, data left: %d %s\n", r, ev(pf[0].revents));
    read(p[0], buf, 2);
    r = poll(pf, 1, 0);
    printf("writer closed, drained: %d %s\n", r, ev(pf[0].revents));
    pf[0].events = 0;
    r = poll(pf, 1, 0);
    printf("same with events 0: %d %s\n", r, ev(pf[0].revents));
    close(p[0]);
    pipe(p);
    close(p[0]);
    pf[0].fd = p[1], pf[0].events = POLLOUT;
    r = poll(pf, 1, 0);
    printf("reader closed, poll write end: %d %s\n", r, ev(pf[0].revents));
    close(p[1]);

    /* select */
    pipe(p);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval tv = { 0, 10000 };
    r = (int)syscall(SYS_select, p[0] + 1, &rs, NULL, NULL, &tv); /* musl's select() keeps tv */
    printf("select empty pipe 10 ms: %d, fd still set: %s, timeout left 0: %s\n", r, yesno(FD_ISSET(p[0], &rs)),
           yesno(tv.tv_sec == 0 && tv.tv_usec == 0));
    write(p[1], "c", 1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    fd_set ws;
    FD_ZERO(&ws);
    FD_SET(p[1], &ws);
    tv.tv_sec = 5, tv.tv_usec = 0;
    r = (int)syscall(SYS_select, p[1] + 1, &rs, &ws, NULL, &tv);
    printf("select readable+writable: %d, read set %s, write set %s, time left > 4 s: %s\n", r,
           yesno(FD_ISSET(p[0], &rs)), yesno(FD_ISSET(p[1], &ws)), yesno(tv.tv_sec >= 4));
    FD_ZERO(&rs);
    FD_SET(45, &rs);
    SHOW("select on a closed fd", select(46, &rs, NULL, NULL, &tv));
    read(p[0], buf, 1);

    /* ppoll / pselect letting a pending signal in */
    signal(SIGUSR1, on_usr1);
    sigset_t blk, old, cur;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigprocmask(SIG_BLOCK, &blk, &old);
    raise(SIGUSR1);
    struct timespec ts = { 2, 0 };
    pf[0].fd = p[0], pf[0].events = POLLIN;
    r = ppoll(pf, 1, &ts, &old);
    int e1 = errno;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("ppoll with SIGUSR1 pending and unblocked by its mask: %d %s, handler ran %d, blocked again: %s\n", r,
           e1 == EINTR ? "EINTR" : "-", hits, yesno(sigismember(&cur, SIGUSR1)));
    raise(SIGUSR1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, &old);
    e1 = errno;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("pselect likewise: %d %s, handler ran %d, blocked again: %s\n", r, e1 == EINTR ? "EINTR" : "-", hits,
           yesno(sigismember(&cur, SIGUSR1)));
    r = ppoll(pf, 1, &(struct timespec){ 0, 5000000 }, &blk);
    printf("ppoll 5 ms nothing pending: %d\n", r);
    close(p[0]), close(p[1]);

    /* directory listing */
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/d", argv[1]);
    mkdir(dir, 0755);
    const char *names[] = { "zeta", "alpha", "m.txt", ".hidden", "beta" };
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0755);
    DIR *dp = opendir(dir);
    char *got[16];
    int cnt = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && cnt < 16) {
        snprintf(path, sizeof path, "%s%s", de->d_name,
                 de->d_type == DT_DIR ? "/" : de->d_type == DT_REG ? "" : "?");
        got[cnt++] = strdup(path);
    }
    closedir(dp);
    qsort(got, cnt, sizeof got[0], cmp);
    printf("readdir: %d entries:", cnt);
    for (int i = 0; i < cnt; i++)
        printf(" %s", got[i]);
    printf("\n");
    return 0;
}
