// ptrace_sysemu: PTRACE_SYSEMU and PTRACE_SYSEMU_SINGLESTEP, the way a
// user-mode kernel runs its processes. Under SYSEMU every syscall stops at
// entry (SIGTRAP|0x80 with TRACESYSGOOD, rax -ENOSYS, GET_SYSCALL_INFO
// op ENTRY) and is never executed: no exit stop follows, a write(1, ...)
// prints nothing, and the child gets whatever the tracer put in rax. To
// let the final exit_group really happen the tracer rewinds rip over the
// 2-byte syscall instruction, restores rax = orig_rax and resumes with
// PTRACE_CONT. SYSEMU_SINGLESTEP over a small asm block stops after each
// instruction, and at the entry of the syscall instead of executing it;
// the sequence of stops is printed.
#define _GNU_SOURCE
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

static long res_getpid, res_write, res_getppid;

long emu_result;
void emu_block(void);
extern char emu_start[], emu_syscall[], emu_after[], emu_end[];
__asm__(".text\n"
        ".globl emu_block\n"
        ".type emu_block, @function\n"
        "emu_block:\n"
        "    int3\n"
        ".globl emu_start\n"
        "emu_start:\n"
        "    nop\n"
        "    mov $39, %eax\n" /* SYS_getpid */
        ".globl emu_syscall\n"
        "emu_syscall:\n"
        "    syscall\n"
        ".globl emu_after\n"
        "emu_after:\n"
        "    mov %rax, emu_result(%rip)\n"
        "    nop\n"
        ".globl emu_end\n"
        "emu_end:\n"
        "    ret\n"
        ".size emu_block, .-emu_block\n");

static const char *nr_name(unsigned long nr)
{
    switch (nr) {
    case SYS_getpid: return "getpid";
    case SYS_getppid: return "getppid";
    case SYS_write: return "write";
    case SYS_exit_group: return "exit_group";
    default: return "other";
    }
}

static void sysemu(void)
{
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        res_getpid = syscall(SYS_getpid);
        res_write = write(1, "this must not appear\n", 21);
        res_getppid = syscall(SYS_getppid);
        syscall(SYS_exit_group, 5L);
        _exit(99);
    }
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);
    for (;;) {
        xptrace(PTRACE_SYSEMU, pid, NULL, NULL);
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st))
            break;
        struct user_regs_struct r;
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        struct __ptrace_syscall_info info;
        xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
        printf("%s: %s, rax -ENOSYS: %s, info op %s\n", nr_name(r.orig_rax), status_str(st),
               yesno((long)r.rax == -ENOSYS), info.op == PTRACE_SYSCALL_INFO_ENTRY ? "ENTRY" : "other");
        switch (r.orig_rax) {
        case SYS_getpid: r.rax = 1000; break;
        case SYS_write: r.rax = r.rdx; break;
        case SYS_getppid: r.rax = 2000; break;
        case SYS_exit_group:
            printf("child saw: getpid %ld, write %ld, getppid %ld\n",
                   xptrace(PTRACE_PEEKDATA, pid, &res_getpid, NULL), xptrace(PTRACE_PEEKDATA, pid, &res_write, NULL),
                   xptrace(PTRACE_PEEKDATA, pid, &res_getppid, NULL));
            r.rip -= 2;
            r.rax = r.orig_rax;
            xptrace(PTRACE_SETREGS, pid, NULL, &r);
            xptrace(PTRACE_CONT, pid, NULL, NULL);
            st = xwait(pid, 0);
            printf("exit_group re-executed under CONT: %s\n", status_str(st));
            return;
        default: r.rax = (unsigned long)-ENOSYS; break;
        }
        xptrace(PTRACE_SETREGS, pid, NULL, &r);
    }
    printf("end: %s\n", status_str(st));
}

static const char *where(unsigned long rip)
{
    if (rip == (unsigned long)emu_start)
        return "emu_start";
    if (rip == (unsigned long)emu_syscall)
        return "emu_syscall";
    if (rip == (unsigned long)emu_after)
        return "emu_after";
    if (rip == (unsigned long)emu_end)
        return "emu_end";
    if (rip > (unsigned long)emu_start && rip < (unsigned long)emu_end)
        return "inside";
    return "elsewhere";
}

static void sysemu_singlestep(void)
{
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        emu_block();
        _exit(emu_result == 4321 ? 0 : 1);
    }
    int st = xwait(pid, 0);
    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("SYSEMU_SINGLESTEP from %s:\n", where(r.rip));
    for (int n = 0; n < 20 && r.rip != (unsigned long)emu_end; n++) {
        xptrace(PTRACE_SYSEMU_SINGLESTEP, pid, NULL, NULL);
        st = xwait(pid, 0);
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        siginfo_t si;
        xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
        printf("  %s, si_code 0x%x, rip at %s", status_str(st), si.si_code, where(r.rip));
        if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
            printf(", syscall %s emulated", nr_name(r.orig_rax));
            r.rax = 4321;
            xptrace(PTRACE_SETREGS, pid, NULL, &r);
        }
        printf("\n");
    }
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
}

int main(void)
{
    alarm(30);
    sysemu();
    sysemu_singlestep();
    return 0;
}
