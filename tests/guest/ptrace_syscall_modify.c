// ptrace_syscall_modify: a tracer changing syscalls at syscall-stops.
// The child makes raw syscalls tagged by a marker in rdi; the tracer acts on
// them: orig_rax = -1 at entry skips the call (rax at the exit stop is still
// -ENOSYS; the child sees what the tracer puts in rax at exit, or the rax set
// at entry, or -1/ENOSYS if untouched); orig_rax = SYS_getppid turns getpid
// into getppid; an unknown number gives ENOSYS; rsi/rdx changed at entry
// make a write() send another buffer and length; rax changed at exit
// replaces a result or turns it into an error; rax changed at entry without
// touching orig_rax is overwritten by the real result; exit_group skipped
// lets the child run on. The child reports what it saw through a pipe,
// printed after it exits.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

enum {
    MARK_SKIP_SET_EXIT = 0x5a01, /* skip; rax = 4242 at the exit stop */
    MARK_SKIP_SET_ENTRY,         /* skip with rax = 555 set at entry */
    MARK_SKIP_ONLY,              /* skip, rax untouched */
    MARK_TO_GETPPID,             /* orig_rax = SYS_getppid */
    MARK_TO_BOGUS,               /* orig_rax = 100000 */
    MARK_RESULT,                 /* rax = 777 at exit */
    MARK_ERROR,                  /* rax = -EPERM at exit */
    MARK_RAX_AT_ENTRY,           /* rax = 12345 at entry, not skipped */
};

static char msg_a[] = "AAAA";
static char msg_b[] = "BBBBBB";
static int report_fd = -1;

static void report(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    write(report_fd, buf, (size_t)n);
}

static void report_result(const char *what, long r)
{
    if (r == -1)
        report("%s: -1 errno %s\n", what, errname(errno));
    else
        report("%s: %ld\n", what, r);
}

static void child(void)
{
    syscall(SYS_kill, getpid(), SIGSTOP);
    report_result("skipped, rax set at exit", syscall(SYS_getpid, (long)MARK_SKIP_SET_EXIT));
    report_result("skipped, rax set at entry", syscall(SYS_getpid, (long)MARK_SKIP_SET_ENTRY));
    report_result("skipped, rax untouched", syscall(SYS_getpid, (long)MARK_SKIP_ONLY));
    /* The plain getppid()/getpid() come first: their rdi could still hold a
     * marker, and the tracer only acts on marked calls with the right number. */
    long ppid = getppid();
    long r = syscall(SYS_getpid, (long)MARK_TO_GETPPID);
    report("getpid turned into getppid returns the parent: %s\n", yesno(r == ppid));
    report_result("number changed to 100000", syscall(SYS_getpid, (long)MARK_TO_BOGUS));
    report_result("getuid result replaced", syscall(SYS_getuid, (long)MARK_RESULT));
    report_result("getuid result made an error", syscall(SYS_getuid, (long)MARK_ERROR));
    long self = getpid();
    r = syscall(SYS_getpid, (long)MARK_RAX_AT_ENTRY);
    report("rax set at entry, call not skipped, returns own pid: %s\n", yesno(r == self));

    int p[2];
    if (pipe(p) != 0)
        _exit(2);
    r = write(p[1], msg_a, 4);
    char got[16] = "";
    ssize_t n = read(p[0], got, sizeof got - 1);
    report("write of \"AAAA\" returned %ld; the pipe holds %zd bytes \"%s\"\n", r, n, n > 0 ? got : "");

    syscall(SYS_exit_group, 9L);
    report("still running after exit_group(9) was skipped\n");
    syscall(SYS_exit_group, 0L);
}

static void set_regs(pid_t pid, struct user_regs_struct *r) { xptrace(PTRACE_SETREGS, pid, NULL, r); }

int main(void)
{
    alarm(30);
    int rp[2];
    if (pipe(rp) != 0)
        return 1;
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(rp[0]);
        report_fd = rp[1];
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        child();
        _exit(99);
    }
    close(rp[1]);
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);

    int in_syscall = 0;
    unsigned long mark = 0, nr = 0;
    for (;;) {
        xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st))
            break;
        if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
            printf("unexpected stop: %s\n", status_str(st));
            continue;
        }
        struct user_regs_struct r;
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        in_syscall = !in_syscall;
        if (in_syscall) {
            nr = r.orig_rax;
            mark = r.rdi;
            if (nr != (mark == MARK_RESULT || mark == MARK_ERROR ? SYS_getuid : SYS_getpid))
                mark = 0;
            switch (mark) {
            case MARK_SKIP_SET_EXIT:
            case MARK_SKIP_ONLY:
                r.orig_rax = (unsigned long)-1;
                set_regs(pid, &r);
                break;
            case MARK_SKIP_SET_ENTRY:
                r.orig_rax = (unsigned long)-1;
                r.rax = 555;
                set_regs(pid, &r);
                break;
            case MARK_TO_GETPPID:
                r.orig_rax = SYS_getppid;
                set_regs(pid, &r);
                break;
            case MARK_TO_BOGUS:
                r.orig_rax = 100000;
                set_regs(pid, &r);
                break;
            case MARK_RAX_AT_ENTRY:
                r.rax = 12345;
                set_regs(pid, &r);
                break;
            default:
                if (nr == SYS_write && r.rsi == (unsigned long)msg_a) {
                    r.rsi = (unsigned long)msg_b;
                    r.rdx = 6;
                    set_regs(pid, &r);
                } else if (nr == SYS_exit_group && r.rdi == 9) {
                    r.orig_rax = (unsigned long)-1;
                    r.rax = 0;
                    set_regs(pid, &r);
                    printf("exit_group(9) skipped at entry\n");
                }
            }
        } else {
            switch (mark) {
            case MARK_SKIP_SET_EXIT:
                printf("skipped call, exit stop: orig_rax %lld, rax is -ENOSYS: %s\n", (long long)r.orig_rax,
                       yesno((long)r.rax == -ENOSYS));
                r.rax = 4242;
                set_regs(pid, &r);
                break;
            case MARK_SKIP_SET_ENTRY:
                printf("skipped call with rax set at entry, exit stop: rax %lld\n", (long long)r.rax);
                break;
            case MARK_TO_GETPPID:
                printf("renumbered call, exit stop: orig_rax is SYS_getppid: %s, rax is the tracer's pid: %s\n",
                       yesno(r.orig_rax == SYS_getppid), yesno((long)r.rax == getpid()));
                break;
            case MARK_TO_BOGUS:
                printf("unknown number, exit stop: orig_rax %lld, rax is -ENOSYS: %s\n", (long long)r.orig_rax,
                       yesno((long)r.rax == -ENOSYS));
                break;
            case MARK_RESULT:
                r.rax = 777;
                set_regs(pid, &r);
                break;
            case MARK_ERROR:
                r.rax = (unsigned long)-EPERM;
                set_regs(pid, &r);
                break;
            case MARK_RAX_AT_ENTRY:
                printf("rax set at entry, exit stop: rax is the child's pid: %s\n", yesno((long)r.rax == pid));
                break;
            }
            mark = 0;
        }
    }
    printf("end: %s\n", status_str(st));
    char buf[4096];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    return 0;
}
