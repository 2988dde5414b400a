// ptrace_seccomp: seccomp filters seen by a tracer.
// The child installs (no_new_privs + seccomp(SECCOMP_SET_MODE_FILTER)) a
// BPF filter: getppid -> SECCOMP_RET_TRACE|0x123, getpgid -> ERRNO(EACCES),
// getsid -> TRAP|0x42, sync -> KILL_PROCESS, anything else ALLOW.
// With PTRACE_O_TRACESECCOMP each getppid stops with PTRACE_EVENT_SECCOMP,
// GETEVENTMSG 0x123 and GET_SYSCALL_INFO op SECCOMP (size 84, nr, args,
// ret_data); the tracer skips one (orig_rax -1, rax 555), lets one run, and
// turns one into getpid (the filter is re-run on the new number). getpgid
// fails with EACCES without any stop; getsid raises SIGSYS, first seen as a
// signal-delivery-stop (si_code SYS_SECCOMP, si_syscall, si_arch, si_errno =
// the filter's data), then handled (si_call_addr set) and the call returns
// its own number (rolled back). Under PTRACE_SYSCALL the order is
// syscall-enter-stop, seccomp stop, syscall-exit-stop. Without
// TRACESECCOMP, or without a tracer, RET_TRACE fails the call with ENOSYS;
// KILL_PROCESS kills by SIGSYS.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* <linux/filter.h>, <linux/seccomp.h>, <linux/audit.h> values: musl-gcc has
 * no kernel headers. */
struct bpf_insn {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};
struct bpf_prog {
    unsigned short len;
    struct bpf_insn *filter;
};
#define LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define RET_K 0x06    /* BPF_RET | BPF_K */
#define RET_KILL_PROCESS 0x80000000u
#define RET_TRAP 0x00030000u
#define RET_ERRNO 0x00050000u
#define RET_TRACE 0x7ff00000u
#define RET_ALLOW 0x7fff0000u
#define SET_MODE_FILTER 1
#define AUDIT_ARCH_X86_64 0xc000003eu
#define SECCOMP_DATA_NR 0
#define SECCOMP_DATA_ARCH 4
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static struct bpf_insn filter[] = {
    { LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH },
    { JEQ_K, 1, 0, AUDIT_ARCH_X86_64 },
    { RET_K, 0, 0, RET_KILL_PROCESS },
    { LD_W_ABS, 0, 0, SECCOMP_DATA_NR },
    { JEQ_K, 0, 1, SYS_getppid },
    { RET_K, 0, 0, RET_TRACE | 0x123 },
    { JEQ_K, 0, 1, SYS_getpgid },
    { RET_K, 0, 0, RET_ERRNO | EACCES },
    { JEQ_K, 0, 1, SYS_getsid },
    { RET_K, 0, 0, RET_TRAP | 0x42 },
    { JEQ_K, 0, 1, SYS_sync },
    { RET_K, 0, 0, RET_KILL_PROCESS },
    { RET_K, 0, 0, RET_ALLOW },
};

static int install_filter(void)
{
    struct bpf_prog prog = { (unsigned short)(sizeof filter / sizeof filter[0]), filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
        return -1;
    return (int)syscall(SYS_seccomp, SET_MODE_FILTER, 0L, &prog);
}

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
        report("%s: -1 %s\n", what, errname(errno));
    else
        report("%s: %ld\n", what, r);
}

static volatile int sys_signo, sys_code, sys_nr, sys_errno, sys_addr_set;
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sys_signo = sig;
    sys_code = si->si_code;
    sys_nr = si->si_syscall;
    sys_errno = si->si_errno;
    sys_addr_set = si->si_call_addr != NULL;
}

static void traced_child(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, NULL);
    pid_t self = getpid(), parent = getppid(); /* before the filter traps getppid */
    if (install_filter() != 0)
        _exit(90);
    syscall(SYS_kill, (long)self, (long)SIGSTOP);
    report_result("getppid skipped by the tracer", syscall(SYS_getppid));
    report("getppid let through returns the tracer: %s\n", yesno(syscall(SYS_getppid) == parent));
    report("getppid turned into getpid returns own pid: %s\n", yesno(syscall(SYS_getppid) == self));
    report_result("getpgid", syscall(SYS_getpgid, 0L));
    long r = syscall(SYS_getsid, 0L);
    report("getsid: returned SYS_getsid: %s; handler saw %s code SYS_SECCOMP: %s, si_syscall getsid: %s, "
           "si_errno 0x%x, si_call_addr set: %s\n",
           yesno(r == SYS_getsid), signame(sys_signo), yesno(sys_code == SYS_SECCOMP),
           yesno(sys_nr == SYS_getsid), sys_errno, yesno(sys_addr_set));
    syscall(SYS_kill, (long)self, (long)SIGSTOP); /* the tracer switches to PTRACE_SYSCALL */
    report("getppid under PTRACE_SYSCALL returns the tracer: %s\n", yesno(syscall(SYS_getppid) == parent));
    report_result("getpgid under PTRACE_SYSCALL", syscall(SYS_getpgid, 0L));
    _exit(0);
}

/* RET_TRACE without a tracer that asked for seccomp stops: ENOSYS. */
static void plain_child(int kill_at_end)
{
    if (install_filter() != 0)
        _exit(90);
    syscall(SYS_kill, (long)getpid(), (long)SIGSTOP);
    report_result("getppid", syscall(SYS_getppid));
    if (kill_at_end) {
        syscall(SYS_sync);
        report("survived sync\n");
    }
    _exit(0);
}

static void drain(int fd, const char *who)
{
    char buf[2048];
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("%s reports:\n%s", who, buf);
    close(fd);
}

static pid_t spawn(int *rd, int mode)
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(p[0]);
        report_fd = p[1];
        if (mode != 2)
            ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        if (mode == 0)
            traced_child();
        plain_child(mode == 2);
    }
    close(p[1]);
    *rd = p[0];
    return pid;
}

static const char *nr_name(unsigned long nr)
{
    switch (nr) {
    case SYS_getppid: return "getppid";
    case SYS_getpgid: return "getpgid";
    case SYS_getpid: return "getpid";
    default: return "other";
    }
}

static void show_seccomp_stop(pid_t pid, int st)
{
    unsigned long msg = 0;
    xptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
    struct __ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    long size = xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("%s, message 0x%lx\n", status_str(st), msg);
    printf("  GET_SYSCALL_INFO: size %ld, op %s, nr %s, ret_data 0x%x; orig_rax %s, rax is -ENOSYS: %s\n", size,
           info.op == PTRACE_SYSCALL_INFO_SECCOMP ? "SECCOMP" : "other", nr_name(info.seccomp.nr),
           info.seccomp.ret_data, nr_name(r.orig_rax), yesno((long)r.rax == -ENOSYS));
}

static void traced_with_option(void)
{
    int rd;
    pid_t pid = spawn(&rd, 0);
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD));
    struct user_regs_struct r;

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("getppid #1: ");
    show_seccomp_stop(pid, st);
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    r.orig_rax = (unsigned long)-1;
    r.rax = 555;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);
    printf("  skipped with rax 555\n");

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("getppid #2: ");
    show_seccomp_stop(pid, st);
    printf("  let through\n");

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("getppid #3: ");
    show_seccomp_stop(pid, st);
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    r.orig_rax = SYS_getpid;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);
    printf("  turned into getpid\n");

    /* getpgid fails quietly; getsid raises SIGSYS. */
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    siginfo_t si;
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("getsid: %s, si_code SYS_SECCOMP: %s, si_syscall getsid: %s, si_arch x86_64: %s, si_errno 0x%x\n",
           status_str(st), yesno(si.si_code == SYS_SECCOMP), yesno(si.si_syscall == SYS_getsid),
           yesno(si.si_arch == AUDIT_ARCH_X86_64), si.si_errno);
    printf("  rax rolled back to the syscall number: %s\n", yesno(r.rax == SYS_getsid));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGSYS);
    st = xwait(pid, 0);
    printf("next: %s\n", status_str(st));

    /* PTRACE_SYSCALL: the stops around getppid and getpgid, in order. */
    printf("under PTRACE_SYSCALL:");
    int in = 0;
    for (;;) {
        xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st))
            break;
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        const char *name = nr_name(r.orig_rax);
        if ((st >> 16) == PTRACE_EVENT_SECCOMP) {
            printf(" seccomp(%s)", name);
            continue;
        }
        if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
            printf(" %s", status_str(st));
            continue;
        }
        in = !in;
        if (strcmp(name, "other") != 0) {
            printf(" %s(%s)", in ? "enter" : "exit", name);
            if (!in)
                printf("=%s", (long)r.rax == -EACCES ? "-EACCES" : (long)r.rax < 0 ? "error" : "ok");
        }
    }
    printf("\nend: %s\n", status_str(st));
    drain(rd, "child");
}

static void traced_without_option(void)
{
    int rd;
    pid_t pid = spawn(&rd, 1);
    int st = xwait(pid, 0);
    printf("traced, no TRACESECCOMP: first stop: %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    drain(rd, "child");
}

static void untraced(void)
{
    int rd;
    pid_t pid = spawn(&rd, 2);
    int st = xwait(pid, WUNTRACED);
    printf("untraced: %s\n", status_str(st));
    kill(pid, SIGCONT);
    st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    drain(rd, "child");
}

int main(void)
{
    alarm(30);
    traced_with_option();
    traced_without_option();
    untraced();
    return 0;
}
