// ptrace_singlestep: PTRACE_SINGLESTEP over a known block of instructions.
// step_block (inline asm below) starts with an int3 that hands the child
// to the tracer at step_start; from there the tracer single-steps until rip
// reaches step_end, which takes exactly 15 steps: mov, 3 x (dec, jnz), nop,
// lea, pushf, pop, mov, syscall (getpid), mov, mov. Each stop is a SIGTRAP
// with si_code TRAP_TRACE, except the step over `syscall`, which Linux
// reports from the syscall exit path as TRAP_BRKPT; rip after it is the next
// instruction and rax the pid. TF never shows in GETREGS, but the pushf
// executed under single-step does push it (the child saves that image);
// after PTRACE_CONT the child's own pushf has TF clear. SINGLESTEP with a
// signal that has a handler stops right after the frame is set up, at the
// handler's first instruction, with si_code 5 (SIGTRAP: a ptrace_notify
// stop, not a debug trap).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
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

#define EFLAGS_TF 0x100UL

unsigned long pushf_under_step, pushf_free;
void step_block(void);
extern char step_start[], step_syscall_done[], step_end[];
__asm__(".text\n"
        ".globl step_block\n"
        ".type step_block, @function\n"
        "step_block:\n"
        "    int3\n"
        ".globl step_start\n"
        "step_start:\n"
        "    mov $3, %ecx\n"                        /* 1 */
        "1:  dec %ecx\n"                            /* 2, 4, 6 */
        "    jnz 1b\n"                              /* 3, 5, 7 */
        "    nop\n"                                 /* 8 */
        "    lea 1(%rax), %rax\n"                   /* 9 */
        "    pushf\n"                               /* 10 */
        "    pop %rdx\n"                            /* 11 */
        "    mov $39, %eax\n"                       /* 12: SYS_getpid */
        "    syscall\n"                             /* 13 */
        ".globl step_syscall_done\n"
        "step_syscall_done:\n"
        "    mov %rdx, pushf_under_step(%rip)\n"    /* 14 */
        "    mov %rax, %rsi\n"                      /* 15 */
        ".globl step_end\n"
        "step_end:\n"
        "    pushf\n"
        "    pop %rdx\n"
        "    mov %rdx, pushf_free(%rip)\n"
        "    ret\n"
        ".size step_block, .-step_block\n");

static void on_usr1(int sig) { (void)sig; }

static const char *trap_code(int c)
{
    static char buf[16];
    switch (c) {
    case TRAP_BRKPT: return "TRAP_BRKPT";
    case TRAP_TRACE: return "TRAP_TRACE";
    case SI_KERNEL: return "SI_KERNEL";
    default: snprintf(buf, sizeof buf, "%d", c); return buf;
    }
}

int main(void)
{
    alarm(30);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        signal(SIGUSR1, on_usr1);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        syscall(SYS_kill, getpid(), SIGSTOP);
        step_block();
        syscall(SYS_kill, getpid(), SIGSTOP);
        _exit(0);
    }
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("int3: %s, rip at step_start: %s\n", status_str(st), yesno(r.rip == (unsigned long)step_start));

    int steps = 0, other_stops = 0, tf_seen = 0, trace_codes = 0;
    while (r.rip != (unsigned long)step_end && steps < 100) {
        unsigned long before = r.rip;
        xptrace(PTRACE_SINGLESTEP, pid, NULL, NULL);
        st = xwait(pid, 0);
        if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP || (st >> 16) != 0) {
            printf("unexpected: %s\n", status_str(st));
            other_stops++;
            break;
        }
        steps++;
        siginfo_t si;
        xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
        xptrace(PTRACE_GETREGS, pid, NULL, &r);
        if (r.eflags & EFLAGS_TF)
            tf_seen++;
        if (r.rip == (unsigned long)step_syscall_done && before != r.rip) {
            printf("step over syscall: si_code %s, rax is the pid: %s, orig_rax SYS_getpid: %s\n",
                   trap_code(si.si_code), yesno((long)r.rax == pid), yesno(r.orig_rax == SYS_getpid));
        } else if (si.si_code == TRAP_TRACE && si.si_addr == (void *)r.rip) {
            trace_codes++;
        } else {
            printf("step %d: si_code %s\n", steps, trap_code(si.si_code));
        }
    }
    printf("steps from step_start to step_end: %d\n", steps);
    printf("steps with si_code TRAP_TRACE and si_addr == rip: %d\n", trace_codes);
    printf("TF visible in GETREGS at a step stop: %s\n", yesno(tf_seen));

    /* Back to full speed: the child records its own pushf and stops. */
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("next: %s\n", status_str(st));
    unsigned long under = (unsigned long)xptrace(PTRACE_PEEKDATA, pid, &pushf_under_step, NULL);
    unsigned long free_run = (unsigned long)xptrace(PTRACE_PEEKDATA, pid, &pushf_free, NULL);
    printf("pushf executed under single-step has TF: %s\n", yesno(under & EFLAGS_TF));
    printf("pushf executed after CONT has TF: %s\n", yesno(free_run & EFLAGS_TF));

    /* Single-step into a signal handler. */
    xptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(long)SIGUSR1);
    st = xwait(pid, 0);
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    siginfo_t si;
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("SINGLESTEP with SIGUSR1: %s, si_code %s, rip at the handler: %s\n", status_str(st),
           trap_code(si.si_code), yesno(r.rip == (unsigned long)on_usr1));
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    return 0;
}
