// ptrace_hwbreak: hardware breakpoints through u_debugreg (PEEKUSER /
// POKEUSER). Initial values: DR0-DR3, DR7 zero, DR6 reads 0xffff0ff0 (its
// architectural reserved-ones). A 4-byte write watchpoint (DR0 = &g_watch,
// DR7 L0|RW=01|LEN=11): the child's store traps after the instruction,
// SIGTRAP with si_code TRAP_HWBKPT, si_addr == rip (the next instruction,
// not the data address), DR6 = 0xffff0ff1; the store to a word 8 bytes
// further, just before, does not fire. An execute breakpoint (DR1 = a
// function, RW=00 LEN=00) traps before the first instruction (rip at the
// function, DR6 bit 1); setting RF in rflags lets the call proceed, the
// next call traps again. A single-step sets DR6.BS. DR6 is writable and
// reads back what was written. Invalid settings, as Linux answers them:
// I/O breakpoints (RW=10) and execute breakpoints with LEN != 0 are EINVAL,
// a misaligned address under an enabled 4-byte watchpoint is EINVAL,
// kernel or non-canonical addresses are EINVAL, DR4/DR5 are EIO.
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

#define DR7_L(n) (1UL << (2 * (n)))
#define DR7_RW(n, v) ((unsigned long)(v) << (16 + 4 * (n)))
#define DR7_LEN(n, v) ((unsigned long)(v) << (18 + 4 * (n)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_IO 2
#define LEN_1 0
#define LEN_2 1
#define LEN_4 3
#define EFLAGS_RF 0x10000UL

/* g_watch is 8-aligned; its neighbour g_other is in the next 8 bytes. */
struct {
    uint32_t watch, pad, other, pad2;
} __attribute__((aligned(16))) g;

int hw_target(int x);
void watch_store(void);
void other_store(void);
extern char watch_after[];
__asm__(".text\n"
        ".globl hw_target\n"
        ".type hw_target, @function\n"
        "hw_target:\n"
        "    lea 1(%rdi), %eax\n"
        "    ret\n"
        ".size hw_target, .-hw_target\n"
        ".globl watch_store\n"
        ".type watch_store, @function\n"
        "watch_store:\n"
        "    movl $5, g(%rip)\n"
        ".globl watch_after\n"
        "watch_after:\n"
        "    ret\n"
        ".size watch_store, .-watch_store\n"
        ".globl other_store\n"
        ".type other_store, @function\n"
        "other_store:\n"
        "    movl $6, g+8(%rip)\n"
        "    ret\n"
        ".size other_store, .-other_store\n");

static void *dr(int n) { return (void *)(offsetof(struct user, u_debugreg) + sizeof(long) * (size_t)n); }

static unsigned long peek_dr(pid_t pid, int n) { return (unsigned long)xptrace(PTRACE_PEEKUSER, pid, dr(n), NULL); }

static const char *poke_dr(pid_t pid, int n, unsigned long v)
{
    return ptrace_err(PTRACE_POKEUSER, pid, dr(n), (void *)v);
}

static int resume(pid_t pid, int req)
{
    xptrace(req, pid, NULL, NULL);
    return xwait(pid, 0);
}

static void show_trap(pid_t pid, int st, struct user_regs_struct *r)
{
    siginfo_t si;
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    xptrace(PTRACE_GETREGS, pid, NULL, r);
    printf("  %s, si_code %s, si_addr == rip: %s, DR6 0x%lx\n", status_str(st),
           si.si_code == TRAP_HWBKPT ? "TRAP_HWBKPT" : si.si_code == TRAP_TRACE ? "TRAP_TRACE" : "other",
           yesno(si.si_addr == (void *)r->rip), peek_dr(pid, 6));
}

int main(void)
{
    alarm(30);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        other_store();
        watch_store();
        hw_target(1);
        hw_target(2);
        syscall(SYS_kill, getpid(), SIGSTOP);
        _exit(g.watch == 5 && g.other == 6 ? 0 : 1);
    }
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    printf("initial DR0-DR7:");
    for (int i = 0; i < 8; i++)
        printf(" 0x%lx", peek_dr(pid, i));
    printf("\n");

    /* Write watchpoint on g.watch; nothing fires on the store to g.other. */
    printf("DR0 = &g.watch: %s\n", poke_dr(pid, 0, (unsigned long)&g.watch));
    unsigned long dr7 = DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN_4);
    const char *e = poke_dr(pid, 7, dr7); /* before the peek: argument order is unspecified */
    printf("DR7 = 0x%lx: %s, reads back 0x%lx\n", dr7, e, peek_dr(pid, 7));
    struct user_regs_struct r;
    st = resume(pid, PTRACE_CONT);
    printf("child stores to g.other, then g.watch:\n");
    show_trap(pid, st, &r);
    printf("  rip right after the store: %s\n", yesno(r.rip == (unsigned long)watch_after));
    printf("  g.watch in the child: %ld\n", xptrace(PTRACE_PEEKDATA, pid, &g.watch, NULL) & 0xffffffff);
    e = poke_dr(pid, 6, 0);
    printf("DR6 = 0: %s, reads back 0x%lx\n", e, peek_dr(pid, 6));

    /* Invalid settings while DR0 is live. */
    printf("DR0 = &g.watch + 1 under an enabled 4-byte watchpoint: %s\n",
           poke_dr(pid, 0, (unsigned long)&g.watch + 1));
    printf("DR7 with RW=10 (I/O): %s\n", poke_dr(pid, 7, DR7_L(0) | DR7_RW(0, RW_IO)));
    printf("DR7 unchanged: %s\n", yesno(peek_dr(pid, 7) == dr7));
    printf("DR7 = 0: %s\n", poke_dr(pid, 7, 0));
    printf("DR0 = kernel address: %s\n", poke_dr(pid, 0, 0xffffffff81000000UL));
    printf("DR0 = non-canonical address: %s\n", poke_dr(pid, 0, 0x0000800000000000UL));
    printf("DR4 = 0: %s\n", poke_dr(pid, 4, 0));
    printf("DR5 = 0: %s\n", poke_dr(pid, 5, 0));

    /* Execute breakpoint on hw_target. */
    printf("DR1 = hw_target: %s\n", poke_dr(pid, 1, (unsigned long)hw_target));
    printf("DR7 exec with LEN=2: %s\n", poke_dr(pid, 7, DR7_L(1) | DR7_RW(1, RW_EXEC) | DR7_LEN(1, LEN_2)));
    printf("DR7 exec with LEN=1: %s\n", poke_dr(pid, 7, DR7_L(1) | DR7_RW(1, RW_EXEC) | DR7_LEN(1, LEN_1)));
    st = resume(pid, PTRACE_CONT);
    printf("child calls hw_target(1):\n");
    show_trap(pid, st, &r);
    printf("  rip at hw_target: %s, argument %lld\n", yesno(r.rip == (unsigned long)hw_target), (long long)r.rdi);
    r.eflags |= EFLAGS_RF;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);
    st = resume(pid, PTRACE_CONT);
    printf("RF set, continued; next trap:\n");
    show_trap(pid, st, &r);
    printf("  rip at hw_target: %s, argument %lld\n", yesno(r.rip == (unsigned long)hw_target), (long long)r.rdi);

    /* Step off the breakpoint: DR6 shows BS; then disable and run on. */
    xptrace(PTRACE_POKEUSER, pid, dr(7), (void *)0);
    st = resume(pid, PTRACE_SINGLESTEP);
    printf("single-step:\n");
    show_trap(pid, st, &r);
    st = resume(pid, PTRACE_CONT);
    printf("next: %s\n", status_str(st));
    st = resume(pid, PTRACE_CONT);
    printf("end: %s\n", status_str(st));
    return 0;
}
