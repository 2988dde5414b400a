// proc_stop_cont: job-control signals seen through the wait family. A child
// parked in pause() is stopped with SIGSTOP (waitpid WUNTRACED: WIFSTOPPED,
// WSTOPSIG) and continued (WCONTINUED: WIFCONTINUED), the same through
// waitid (CLD_STOPPED / CLD_CONTINUED); SIGTSTP stops a child in its own
// (non-orphaned) process group; SIGTERM sent to a stopped child stays
// pending until SIGCONT; SIGKILL kills a stopped child. Children blocked in
// read() on an empty pipe die from SIGKILL and from default-action SIGTERM.
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
    if (pid < 0)
        exit(1);
    return pid;
}

static pid_t pauser(int own_group)
{
    pid_t pid = xfork();
    if (pid == 0) {
        if (own_group)
            setpgid(0, 0);
        for (;;)
            pause();
    }
    if (own_group)
        setpgid(pid, pid);
    return pid;
}

static void show(const char *what, pid_t pid, pid_t w, int st)
{
    printf("%s: returned child: %s, ", what, yesno(w == pid));
    if (WIFEXITED(st))
        printf("WIFEXITED %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("WIFSIGNALED WTERMSIG=%d\n", WTERMSIG(st));
    else if (WIFSTOPPED(st))
        printf("WIFSTOPPED WSTOPSIG=%d\n", WSTOPSIG(st));
    else if (WIFCONTINUED(st))
        printf("WIFCONTINUED\n");
    else
        printf("unknown status\n");
}

static const char *code_name(int c)
{
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

static void show_si(const char *what, pid_t pid, int r, const siginfo_t *si)
{
    printf("%s: ret=%d si_code=%s si_status=%d si_pid==pid: %s\n", what, r, code_name(si->si_code),
           si->si_status, yesno(si->si_pid == pid));
}

int main(void)
{
    int st;
    pid_t w;
    siginfo_t si;

    /* waitpid: stop, continue, kill while stopped */
    pid_t pid = pauser(0);
    kill(pid, SIGSTOP);
    w = waitpid(pid, &st, WUNTRACED);
    show("SIGSTOP, waitpid WUNTRACED", pid, w, st);
    w = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("stop already reported, WNOHANG returns 0: %s\n", yesno(w == 0));
    kill(pid, SIGCONT);
    w = waitpid(pid, &st, WCONTINUED);
    show("SIGCONT, waitpid WCONTINUED", pid, w, st);
    kill(pid, SIGSTOP);
    w = waitpid(pid, &st, WUNTRACED);
    show("SIGSTOP again", pid, w, st);
    kill(pid, SIGKILL);
    w = waitpid(pid, &st, 0);
    show("SIGKILL while stopped", pid, w, st);

    /* waitid variants */
    pid = pauser(0);
    kill(pid, SIGSTOP);
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, (id_t)pid, &si, WSTOPPED);
    show_si("waitid WSTOPPED", pid, r, &si);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, (id_t)pid, &si, WCONTINUED);
    show_si("waitid WCONTINUED", pid, r, &si);
    kill(pid, SIGKILL);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, (id_t)pid, &si, WEXITED);
    show_si("waitid WEXITED after SIGKILL", pid, r, &si);

    /* SIGTSTP in a non-orphaned process group; SIGTERM pending while stopped */
    pid = pauser(1);
    printf("child is its own group leader: %s\n", yesno(getpgid(pid) == pid));
    kill(pid, SIGTSTP);
    w = waitpid(pid, &st, WUNTRACED);
    show("SIGTSTP, waitpid WUNTRACED", pid, w, st);
    kill(pid, SIGTERM);
    w = waitpid(pid, &st, WNOHANG | WUNTRACED);
    printf("SIGTERM to a stopped child, WNOHANG returns 0: %s\n", yesno(w == 0));
    kill(pid, SIGCONT);
    w = waitpid(pid, &st, 0);
    show("after SIGCONT the pending SIGTERM kills", pid, w, st);

    /* children blocked in read() */
    int p[2];
    if (pipe(p) != 0)
        return 1;
    int sigs[2] = { SIGKILL, SIGTERM };
    for (int i = 0; i < 2; i++) {
        pid = xfork();
        if (pid == 0) {
            char c;
            close(p[1]);
            ssize_t n = read(p[0], &c, 1);
            _exit(n < 0 ? 2 : 3);
        }
        kill(pid, sigs[i]);
        w = waitpid(pid, &st, 0);
        show(i == 0 ? "SIGKILL to a reader of an empty pipe" : "SIGTERM to a reader of an empty pipe",
             pid, w, st);
    }
    close(p[0]);
    close(p[1]);
    errno = 0;
    w = waitpid(-1, &st, WNOHANG);
    printf("no children left: %d %s\n", (int)w, errno == ECHILD ? "ECHILD" : "other");
    return 0;
}
