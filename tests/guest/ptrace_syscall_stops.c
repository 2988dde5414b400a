// ptrace_syscall_stops: syscall-enter/exit-stops under PTRACE_SYSCALL, with
// and without PTRACE_O_TRACESYSGOOD, over a child making 5 raw getpid()
// calls (arguments 100+i, 200, ... as markers), a failing close(-1) and
// exit_group(3). Checks per stop: WSTOPSIG (SIGTRAP vs SIGTRAP|0x80), the
// siginfo si_code, GETEVENTMSG (1 at entry, 2 at exit), orig_rax, rax
// (-ENOSYS at entry, the result at exit), the argument registers.
// PTRACE_GET_SYSCALL_INFO: op/arch/nr/args/rval/is_error and the returned
// size (entry 80, exit 33, none 24). Without TRACESYSGOOD Linux reports
// op NONE at syscall stops: it only recognises them by si_code SIGTRAP|0x80.
// A short user size gets the full size back and only that many bytes
// written. exit_group has an entry stop and no exit stop.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

#define AUDIT_ARCH_X86_64 0xc000003eu
#define NCALLS 5

static pid_t start_child(void)
{
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        for (long i = 0; i < NCALLS; i++)
            syscall(SYS_getpid, 100 + i, 200L, 300L, 400L, 500L, 600L);
        syscall(SYS_close, -1L);
        syscall(SYS_exit_group, 3L);
        _exit(99);
    }
    int st = xwait(pid, 0);
    if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
        printf("unexpected first stop: %s\n", status_str(st));
        exit(1);
    }
    return pid;
}

static const char *op_name(int op)
{
    switch (op) {
    case PTRACE_SYSCALL_INFO_NONE: return "NONE";
    case PTRACE_SYSCALL_INFO_ENTRY: return "ENTRY";
    case PTRACE_SYSCALL_INFO_EXIT: return "EXIT";
    case PTRACE_SYSCALL_INFO_SECCOMP: return "SECCOMP";
    default: return "?";
    }
}

/* Print what GET_SYSCALL_INFO says at this stop, in normalised form. */
static void show_info(pid_t pid, const char *where, const struct user_regs_struct *r)
{
    struct __ptrace_syscall_info info;
    memset(&info, 0xaa, sizeof info);
    long size = xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
    printf("  %s: GET_SYSCALL_INFO size %ld op %s arch x86_64: %s ip==rip: %s sp==rsp: %s\n", where, size,
           op_name(info.op), yesno(info.arch == AUDIT_ARCH_X86_64),
           yesno(info.instruction_pointer == r->rip), yesno(info.stack_pointer == r->rsp));
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == SYS_exit_group)
        printf("  %s: nr exit_group arg0 %llu\n", where, (unsigned long long)info.entry.args[0]);
    else if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
        printf("  %s: nr %s args %llu %llu %llu %llu %llu %llu\n", where,
               info.entry.nr == SYS_getpid ? "getpid" : "other", (unsigned long long)info.entry.args[0],
               (unsigned long long)info.entry.args[1], (unsigned long long)info.entry.args[2],
               (unsigned long long)info.entry.args[3], (unsigned long long)info.entry.args[4],
               (unsigned long long)info.entry.args[5]);
    if (info.op == PTRACE_SYSCALL_INFO_EXIT)
        printf("  %s: rval==pid: %s is_error %d\n", where, yesno(info.exit.rval == pid), info.exit.is_error);
}

static void run(int sysgood)
{
    printf("%s TRACESYSGOOD:\n", sysgood ? "with" : "without");
    pid_t pid = start_child();
    if (sysgood)
        xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);

    int expect_sig = sysgood ? (SIGTRAP | 0x80) : SIGTRAP;
    int entries = 0, exits = 0, bad_sig = 0, bad_code = 0, bad_msg = 0;
    int entry_ok = 0, args_ok = 0, exit_ok = 0;
    int in_syscall = 0, st;
    long last_nr = -1;
    for (;;) {
        xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st))
            break;
        if (WSTOPSIG(st) != expect_sig || (st >> 16) != 0) {
            bad_sig++;
            printf("  unexpected stop: %s\n", status_str(st));
            continue;
        }
        siginfo_t si;
        xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
        if (si.si_signo != SIGTRAP || si.si_code != expect_sig)
            bad_code++;
        unsigned long msg = 0;
        xptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
        if (msg != (in_syscall ? 2u : 1u))
            bad_msg++;
        struct user_regs_struct r;
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        in_syscall = !in_syscall;
        if (in_syscall) { /* entry */
            last_nr = (long)r.orig_rax;
            if (last_nr == SYS_getpid) {
                int i = entries++;
                if ((long)r.rax == -ENOSYS)
                    entry_ok++;
                if (r.rdi == 100u + i && r.rsi == 200 && r.rdx == 300 && r.r10 == 400 && r.r8 == 500 &&
                    r.r9 == 600)
                    args_ok++;
                if (i == 0)
                    show_info(pid, "first getpid entry", &r);
            } else if (last_nr == SYS_close) {
                printf("  close entry: rdi=%lld orig_rax SYS_close\n", (long long)r.rdi);
            } else if (last_nr == SYS_exit_group) {
                printf("  exit_group entry: rdi=%lld\n", (long long)r.rdi);
                show_info(pid, "exit_group entry", &r);
            } else {
                printf("  unexpected syscall entry\n");
            }
        } else { /* exit */
            if ((long)r.orig_rax != last_nr)
                printf("  orig_rax changed between entry and exit\n");
            if (last_nr == SYS_getpid) {
                if ((long)r.rax == pid)
                    exit_ok++;
                if (exits++ == 0)
                    show_info(pid, "first getpid exit", &r);
            } else if (last_nr == SYS_close) {
                printf("  close exit: rax=%lld (-EBADF: %s)\n", (long long)r.rax, yesno((long)r.rax == -EBADF));
                struct __ptrace_syscall_info info;
                memset(&info, 0, sizeof info);
                xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
                if (info.op == PTRACE_SYSCALL_INFO_EXIT)
                    printf("  close exit: rval %lld is_error %d\n", (long long)info.exit.rval, info.exit.is_error);
            }
        }
    }
    printf("  getpid entry stops %d, exit stops %d\n", entries, exits);
    printf("  entry rax == -ENOSYS: %d, markers in rdi/rsi/rdx/r10/r8/r9: %d, exit rax == pid: %d\n", entry_ok,
           args_ok, exit_ok);
    printf("  unexpected stop signals %d, si_code mismatches %d, event message mismatches %d\n", bad_sig,
           bad_code, bad_msg);
    printf("  last stop was an entry (exit_group has no exit stop): %s\n", yesno(in_syscall));
    printf("  end: %s\n", status_str(st));
}

/* Sizes and partial copies of GET_SYSCALL_INFO, at a syscall-entry-stop and
 * at a non-syscall stop. */
static void info_sizes(void)
{
    printf("GET_SYSCALL_INFO sizes:\n");
    pid_t pid = start_child();
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    show_info(pid, "signal-delivery-stop", &r);
    printf("  size 0 with NULL buffer returns %ld\n",
           xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)0, NULL));

    printf("  into an unmapped buffer: %s\n",
           ptrace_err(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(struct __ptrace_syscall_info), (void *)8));

    xptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD);
    xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
    xwait(pid, 0);
    unsigned char buf[sizeof(struct __ptrace_syscall_info) + 8];
    memset(buf, 0xaa, sizeof buf);
    long size = xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)1, buf);
    int untouched = 1;
    for (size_t i = 1; i < sizeof buf; i++)
        untouched &= buf[i] == 0xaa;
    printf("  entry, user size 1: returns %ld, byte 0 is op %d, the rest untouched: %s\n", size, buf[0],
           yesno(untouched));
    memset(buf, 0xaa, sizeof buf);
    size = xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof buf, buf);
    untouched = 1;
    for (size_t i = (size_t)size; i < sizeof buf; i++)
        untouched &= buf[i] == 0xaa;
    printf("  entry, large user size: returns %ld, bytes past it untouched: %s\n", size, yesno(untouched));
    xptrace(PTRACE_SYSCALL, pid, NULL, NULL);
    xwait(pid, 0);
    memset(buf, 0xaa, sizeof buf);
    size = xptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof buf, buf);
    printf("  exit: returns %ld (offsetof exit.is_error + 1 = %zu)\n", size,
           offsetof(struct __ptrace_syscall_info, exit.is_error) + 1);
    kill(pid, SIGKILL);
    int st = xwait(pid, 0);
    printf("  end: %s\n", status_str(st));
}

int main(void)
{
    alarm(30);
    run(0);
    run(1);
    info_sizes();
    return 0;
}
