// proc_orphans: reparenting and process groups/sessions. The process makes
// itself a child subreaper (so native runs and hvtrace agree on who adopts
// orphans), forks a child that forks a grandchild and exits at once; the
// grandchild waits until it is reparented and reports through its exit
// status whether its new parent is the subreaper; the top process reaps the
// child, then the adopted grandchild with waitpid(-1). Also setpgid(0,0) in
// a child (getpgid seen from both sides), setsid() in a child (getsid,
// getpgrp, a second setsid fails with EPERM, the parent cannot move a
// session leader: setpgid EPERM).
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        exit(1);
    return pid;
}

int main(void)
{
    int r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    printf("PR_SET_CHILD_SUBREAPER: %d\n", r);
    pid_t top = getpid();

    int p[2];
    if (pipe(p) != 0)
        return 1;
    pid_t child = xfork();
    if (child == 0) {
        pid_t me = getpid();
        int q[2];
        if (pipe(q) != 0)
            _exit(1);
        pid_t gc = fork();
        if (gc < 0)
            _exit(1);
        if (gc == 0) {
            close(p[0]);
            close(p[1]);
            int ok = getppid() == me;
            if (write(q[1], "k", 1) != 1) /* the child exits only after this check */
                _exit(1);
            /* wait (bounded, ~5 s) for the parent to exit */
            for (int i = 0; i < 5000 && getppid() == me; i++) {
                for (int j = 0; j < 100 && getppid() == me; j++)
                    sched_yield();
                struct timespec d = { 0, 1000000L };
                nanosleep(&d, NULL);
            }
            if (getppid() == me)
                _exit(10); /* never reparented */
            _exit(getppid() == top ? (ok ? 42 : 41) : 43);
        }
        /* after the grandchild's first check, tell the top process the
           grandchild's pid and exit at once */
        char k;
        if (read(q[0], &k, 1) != 1)
            _exit(1);
        int ok = write(p[1], &gc, sizeof gc) == (ssize_t)sizeof gc;
        _exit(ok ? 0 : 1);
    }
    close(p[1]);
    pid_t gc = -1;
    if (read(p[0], &gc, sizeof gc) != (ssize_t)sizeof gc)
        return 1;
    close(p[0]);
    int st;
    pid_t w = waitpid(child, &st, 0);
    printf("reaped the child: %s, exit status %d\n", yesno(w == child), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    w = waitpid(-1, &st, 0);
    printf("waitpid(-1) returned the adopted grandchild: %s\n", yesno(w == gc));
    if (WIFEXITED(st))
        printf("grandchild exit status %d (42 = saw its parent, then the subreaper)\n", WEXITSTATUS(st));
    else
        printf("grandchild did not exit normally\n");
    errno = 0;
    w = waitpid(-1, &st, WNOHANG);
    printf("nothing left: %d %s\n", (int)w, errno == ECHILD ? "ECHILD" : "other");

    /* setpgid(0,0) in a child */
    int go[2], done[2];
    if (pipe(go) != 0 || pipe(done) != 0)
        return 1;
    pid_t mygrp = getpgrp();
    child = xfork();
    char c = 0;
    if (child == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        int a = getpgrp() == mygrp;
        int b = setpgid(0, 0) == 0;
        int d = getpgrp() == getpid() && getpgid(0) == getpid();
        if (write(done[1], &c, 1) != 1)
            _exit(1);
        _exit(a && b && d ? 0 : 2);
    }
    printf("child starts in the parent's group: %s\n", yesno(getpgid(child) == mygrp));
    if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
        return 1;
    printf("after setpgid(0,0) in the child, getpgid(child)==child: %s\n", yesno(getpgid(child) == child));
    printf("parent's group unchanged: %s\n", yesno(getpgrp() == mygrp));
    w = waitpid(child, &st, 0);
    printf("child's own checks passed: %s\n", yesno(w == child && WIFEXITED(st) && WEXITSTATUS(st) == 0));

    /* setsid() in a child */
    pid_t mysid = getsid(0);
    child = xfork();
    if (child == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        int in_parent_session = getsid(0) == mysid;
        pid_t s = setsid();
        int ok = in_parent_session && s == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
        errno = 0;
        int again = setsid() == -1 && errno == EPERM;
        if (write(done[1], &c, 1) != 1)
            _exit(1);
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(ok ? (again ? 0 : 3) : 2);
    }
    if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
        return 1;
    printf("after setsid in the child, getsid(child)==child: %s\n", yesno(getsid(child) == child));
    printf("parent's session unchanged: %s\n", yesno(getsid(0) == mysid));
    errno = 0;
    r = setpgid(child, mygrp);
    printf("setpgid on a child that is a session leader: %d %s\n", r, errno == EPERM ? "EPERM" : "other");
    if (write(go[1], &c, 1) != 1)
        return 1;
    w = waitpid(child, &st, 0);
    printf("setsid child status: %d (0 = setsid worked and a second setsid gave EPERM)\n",
           w == child && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
