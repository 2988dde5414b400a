// ptrace_traceme_exec: the PTRACE_TRACEME life cycle of one fork-based tracee.
// The child asks to be traced and stops itself with SIGSTOP (a
// signal-delivery-stop reported by a plain waitpid, no WUNTRACED needed;
// GETSIGINFO names the child as sender with SI_TKILL). A second TRACEME
// fails with EPERM (the tracer reads the child's result with PEEKDATA). The
// child then execs /proc/self/exe with an argument: without
// PTRACE_O_TRACEEXEC the tracee gets a plain SIGTRAP after execve (no event
// bits, si_code SI_USER, sent by itself), with rax 0, orig_rax SYS_execve and
// rip at AT_ENTRY of the new image, which the tracer finds by walking the new
// initial stack (argc, argv, envp, auxv) with PEEKDATA. CONT to the end:
// WIFEXITED with the new image's code; ptrace on the reaped pid is ESRCH.
// CONT with an invalid signal is EIO. A traced child that execs
// directly stops at the exec SIGTRAP first; one that never stops just exits.
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* The child's TRACEME-twice result, read by the tracer with PEEKDATA. */
static long second_traceme_errno = -1;

/* Read a NUL-terminated string from the tracee, a word at a time. */
static void peek_string(pid_t pid, unsigned long addr, char *out, size_t n)
{
    size_t i = 0;
    while (i + 1 < n) {
        long w = xptrace(PTRACE_PEEKDATA, pid, (void *)(addr + i), NULL);
        for (size_t k = 0; k < sizeof w && i + 1 < n; k++, i++) {
            out[i] = (char)(w >> (8 * k));
            if (out[i] == 0)
                return;
        }
    }
    out[i] = 0;
}

static unsigned long peek(pid_t pid, unsigned long addr)
{
    return (unsigned long)xptrace(PTRACE_PEEKDATA, pid, (void *)addr, NULL);
}

/* At the post-exec stop, rsp points at argc; walk argv, envp, then auxv. */
static void check_exec_stack(pid_t pid, const struct user_regs_struct *r)
{
    unsigned long sp = r->rsp;
    unsigned long argc = peek(pid, sp);
    printf("new image: argc=%lu\n", argc);
    char s[64];
    peek_string(pid, peek(pid, sp + 8 * 2), s, sizeof s);
    printf("new image: argv[1]=\"%s\", argv[argc] is NULL: %s\n", s,
           yesno(peek(pid, sp + 8 * (1 + argc)) == 0));
    unsigned long p = sp + 8 * (argc + 2);
    int nenv = 0;
    while (peek(pid, p) != 0) {
        p += 8;
        nenv++;
    }
    printf("new image: envp has at least one entry: %s\n", yesno(nenv > 0));
    unsigned long entry = 0;
    for (p += 8;; p += 16) {
        unsigned long type = peek(pid, p);
        if (type == AT_NULL)
            break;
        if (type == AT_ENTRY)
            entry = peek(pid, p + 8);
    }
    printf("new image: rip == AT_ENTRY: %s\n", yesno(entry != 0 && r->rip == entry));
    printf("new image: rsp 16-byte aligned: %s\n", yesno((sp & 15) == 0));
}

static void traceme_stop_exec(const char *self)
{
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
            _exit(100);
        errno = 0;
        second_traceme_errno = ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno;
        raise(SIGSTOP);
        execl(self, self, "exec-child", (char *)NULL);
        _exit(101);
    }
    int st = xwait(pid, 0);
    printf("after TRACEME + raise(SIGSTOP): %s\n", status_str(st));

    siginfo_t si;
    memset(&si, 0, sizeof si);
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("siginfo: %s, si_code SI_TKILL: %s, si_pid is the child: %s\n", signame(si.si_signo),
           yesno(si.si_code == SI_TKILL), yesno(si.si_pid == pid));

    long e = xptrace(PTRACE_PEEKDATA, pid, &second_traceme_errno, NULL);
    printf("second PTRACE_TRACEME in the child: %s\n", errname((int)e));

    int nowait = waitpid(pid, &st, WNOHANG);
    printf("stop already reported, WNOHANG returns 0: %s\n", yesno(nowait == 0));
    printf("CONT with signal 1000: %s\n", ptrace_err(PTRACE_CONT, pid, NULL, (void *)1000L));

    /* Suppress the SIGSTOP; the child goes on to execve. */
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("after execve: %s, event bits: %d\n", status_str(st), st >> 16);
    memset(&si, 0, sizeof si);
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("exec siginfo: %s, si_code SI_USER: %s, si_pid is the child: %s\n", signame(si.si_signo),
           yesno(si.si_code == SI_USER), yesno(si.si_pid == pid));

    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("exec stop: rax=%lld orig_rax is SYS_execve: %s\n", (long long)r.rax,
           yesno(r.orig_rax == SYS_execve));
    printf("exec stop: rbx, rcx, rdx, rsi, rdi, rbp, r8-r15 all zero: %s\n",
           yesno((r.rbx | r.rcx | r.rdx | r.rsi | r.rdi | r.rbp | r.r8 | r.r9 | r.r10 | r.r11 | r.r12 |
                  r.r13 | r.r14 | r.r15) == 0));
    check_exec_stack(pid, &r);

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("after CONT: %s\n", status_str(st));
    printf("GETREGS on the reaped pid: %s\n", ptrace_err(PTRACE_GETREGS, pid, NULL, &r));
}

/* TRACEME then execve right away: the exec SIGTRAP is the first stop. */
static void traceme_exec_direct(const char *self)
{
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execl(self, self, "exec-child", (char *)NULL);
        _exit(101);
    }
    int st = xwait(pid, 0);
    printf("direct exec, first stop: %s\n", status_str(st));
    /* Pass the SIGTRAP on: the new image's default action kills it. */
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGTRAP);
    st = xwait(pid, 0);
    printf("direct exec, SIGTRAP passed on: %s\n", status_str(st));
}

/* A traced child that never stops: the tracer only sees its exit. */
static void traceme_no_stop(void)
{
    pid_t pid = xfork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        _exit(9);
    }
    int st = xwait(pid, 0);
    printf("traced child that never stops: %s\n", status_str(st));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
        return 42;
    alarm(30);
    traceme_stop_exec("/proc/self/exe");
    traceme_exec_direct("/proc/self/exe");
    traceme_no_stop();
    return 0;
}
