// ptrace_regs: tracee registers through every x86-64 interface.
// At the child's self-inflicted SIGSTOP (kill syscall): GETREGS (orig_rax
// SYS_kill, rax 0), the same values through PEEKUSER at struct user
// offsets and through GETREGSET NT_PRSTATUS. GETREGSET sizes: NT_PRSTATUS
// 216, NT_PRFPREG 512, NT_X86_XSTATE larger, its legacy area equal to
// NT_PRFPREG, its size CPUID.(0xd,0).EBX and its first software-reserved
// word XCR0 (what gdb reads there); a short but
// 8-byte-multiple iov_len is honoured, other lengths and unknown notes are
// EINVAL. PEEKUSER/POKEUSER: misaligned or too-large offsets EIO, an offset
// in struct user past the registers and outside u_debugreg reads 0 but
// cannot be written (EIO) -- the kernel's struct user is 16 bytes longer
// than the libc one (error_code, fault_address), so those read 0 too -- rflags writes are masked to the flags a user
// may change, cs/ss 0 or a ring-0 selector and a kernel fs_base are EIO.
// Then the child runs probes that stop at an int3 between setting and
// reading a register: the tracer changes rbx (SETREGS), r12 (SETREGSET),
// r13 (POKEUSER), xmm0 (SETFPREGS, after checking the child's pattern and
// the default mxcsr/fcw) and DF in rflags; the child reports what it read.
// SETFPREGS with reserved mxcsr bits is EINVAL.
#define _GNU_SOURCE
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
/* The rflags bits a tracer may change (Linux's FLAG_MASK). */
#define USER_FLAG_MASK 0x54dd5UL /* CF PF AF ZF SF TF DF OF NT RF AC */
#define EFLAGS_DF 0x400UL

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

static void child(void)
{
    unsigned long v;
    syscall(SYS_kill, getpid(), SIGSTOP);
    __asm__ volatile("mov $0x1111, %%rbx\n\tint3\n\tmov %%rbx, %0" : "=r"(v) : : "rbx");
    report("rbx after the stop: 0x%lx\n", v);
    __asm__ volatile("mov $0x3333, %%r12\n\tint3\n\tmov %%r12, %0" : "=r"(v) : : "r12");
    report("r12 after the stop: 0x%lx\n", v);
    __asm__ volatile("mov $0x5555, %%r13\n\tint3\n\tmov %%r13, %0" : "=r"(v) : : "r13");
    report("r13 after the stop: 0x%lx\n", v);
    static const uint32_t pattern[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
    uint32_t out[4];
    __asm__ volatile("movdqu %1, %%xmm0\n\tint3\n\tmovdqu %%xmm0, %0"
                     : "=m"(out)
                     : "m"(pattern)
                     : "xmm0");
    report("xmm0 after the stop: %08x %08x %08x %08x\n", out[0], out[1], out[2], out[3]);
    __asm__ volatile("int3\n\tpushf\n\tpop %0\n\tcld" : "=r"(v) : : "cc");
    report("DF after the stop: %s\n", yesno((v & EFLAGS_DF) != 0));
    _exit(0);
}

#define UOFF(field) offsetof(struct user, field)

static unsigned long peekuser(pid_t pid, size_t off)
{
    return (unsigned long)xptrace(PTRACE_PEEKUSER, pid, (void *)off, NULL);
}

static void at_first_stop(pid_t pid)
{
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("GETREGS: orig_rax is SYS_kill: %s, rax %lld\n", yesno(r.orig_rax == SYS_kill), (long long)r.rax);
    printf("PEEKUSER agrees for rip, rsp, orig_rax, eflags, cs, fs_base: %s\n",
           yesno(peekuser(pid, UOFF(regs.rip)) == r.rip && peekuser(pid, UOFF(regs.rsp)) == r.rsp &&
                 peekuser(pid, UOFF(regs.orig_rax)) == r.orig_rax &&
                 peekuser(pid, UOFF(regs.eflags)) == r.eflags && peekuser(pid, UOFF(regs.cs)) == r.cs &&
                 peekuser(pid, UOFF(regs.fs_base)) == r.fs_base));
    printf("cs 0x%llx ss 0x%llx, IF set: %s\n", (unsigned long long)r.cs, (unsigned long long)r.ss,
           yesno((r.eflags & 0x200) != 0));

    /* GETREGSET */
    struct user_regs_struct r2;
    struct iovec iov = { &r2, 1000 };
    xptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov);
    printf("NT_PRSTATUS: iov_len %zu, same as GETREGS: %s\n", iov.iov_len, yesno(memcmp(&r, &r2, sizeof r) == 0));
    memset(&r2, 0xff, sizeof r2);
    iov.iov_len = 96;
    xptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov);
    int untouched = 1;
    for (size_t i = 96; i < sizeof r2; i++)
        untouched &= ((unsigned char *)&r2)[i] == 0xff;
    printf("NT_PRSTATUS with iov_len 96: iov_len %zu, first 96 bytes match: %s, rest untouched: %s\n",
           iov.iov_len, yesno(memcmp(&r, &r2, 96) == 0), yesno(untouched));
    iov.iov_len = 100;
    printf("NT_PRSTATUS with iov_len 100: %s\n", ptrace_err(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov));
    iov.iov_len = sizeof r2;
    printf("unknown note type 0x999: %s\n", ptrace_err(PTRACE_GETREGSET, pid, (void *)0x999, &iov));

    static unsigned char fx[1000], xs[16384];
    iov.iov_base = fx;
    iov.iov_len = sizeof fx;
    xptrace(PTRACE_GETREGSET, pid, (void *)NT_PRFPREG, &iov);
    printf("NT_PRFPREG: iov_len %zu\n", iov.iov_len);
    struct user_fpregs_struct fp;
    xptrace(PTRACE_GETFPREGS, pid, NULL, &fp);
    printf("NT_PRFPREG equals GETFPREGS: %s\n", yesno(memcmp(fx, &fp, sizeof fp) == 0));
    iov.iov_base = xs;
    iov.iov_len = sizeof xs;
    xptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
    uint64_t sw0, xstate_bv;
    memcpy(&sw0, xs + 464, 8);
    memcpy(&xstate_bv, xs + 512, 8);
    unsigned a, b, c, d;
    __cpuid_count(0xd, 0, a, b, c, d);
    uint32_t xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    uint64_t xcr0 = ((uint64_t)xcr0_hi << 32) | xcr0_lo;
    printf("NT_X86_XSTATE: iov_len == CPUID.(0xd,0).EBX: %s, legacy area (first 416 bytes) equals NT_PRFPREG: %s\n",
           yesno(iov.iov_len == b), yesno(memcmp(xs, fx, 416) == 0));
    printf("NT_X86_XSTATE: sw_reserved[0] == XCR0: %s, xstate_bv within XCR0: %s\n", yesno(sw0 == xcr0),
           yesno((xstate_bv & ~xcr0) == 0));

    /* PEEKUSER/POKEUSER offsets */
    printf("PEEKUSER offset 3: %s\n", ptrace_err(PTRACE_PEEKUSER, pid, (void *)3, NULL));
    errno = 0;
    long ec = ptrace(PTRACE_PEEKUSER, pid, (void *)sizeof(struct user), NULL);
    long fa = ptrace(PTRACE_PEEKUSER, pid, (void *)(sizeof(struct user) + 8), NULL);
    printf("PEEKUSER error_code and fault_address (past libc's struct user): %ld %ld (%s)\n", ec, fa,
           errname(errno));
    printf("PEEKUSER offset sizeof(struct user) + 16: %s\n",
           ptrace_err(PTRACE_PEEKUSER, pid, (void *)(sizeof(struct user) + 16), NULL));
    printf("PEEKUSER offset -8: %s\n", ptrace_err(PTRACE_PEEKUSER, pid, (void *)-8L, NULL));
    errno = 0;
    long t = ptrace(PTRACE_PEEKUSER, pid, (void *)UOFF(u_tsize), NULL);
    printf("PEEKUSER u_tsize: %ld (%s)\n", t, errname(errno));
    printf("POKEUSER u_tsize: %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(u_tsize), (void *)1));
    printf("POKEUSER offset 3: %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)3, (void *)1));

    unsigned long fl = peekuser(pid, UOFF(regs.eflags));
    xptrace(PTRACE_POKEUSER, pid, (void *)UOFF(regs.eflags), (void *)~0UL);
    unsigned long fl2 = peekuser(pid, UOFF(regs.eflags));
    printf("POKEUSER eflags ~0: user bits all set: %s, other bits unchanged: %s\n",
           yesno((fl2 & USER_FLAG_MASK) == USER_FLAG_MASK), yesno((fl2 & ~USER_FLAG_MASK) == (fl & ~USER_FLAG_MASK)));
    xptrace(PTRACE_POKEUSER, pid, (void *)UOFF(regs.eflags), (void *)0UL);
    fl2 = peekuser(pid, UOFF(regs.eflags));
    printf("POKEUSER eflags 0: user bits all clear: %s, IF still set: %s\n", yesno((fl2 & USER_FLAG_MASK) == 0),
           yesno((fl2 & 0x200) != 0));
    xptrace(PTRACE_POKEUSER, pid, (void *)UOFF(regs.eflags), (void *)fl);

    printf("POKEUSER cs 0: %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(regs.cs), (void *)0));
    printf("POKEUSER cs 0x1234 (RPL 0): %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(regs.cs), (void *)0x1234));
    printf("POKEUSER ss 0: %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(regs.ss), (void *)0));
    printf("POKEUSER ds 0x11 (RPL 1): %s\n", ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(regs.ds), (void *)0x11));
    printf("POKEUSER fs_base 1<<63: %s\n",
           ptrace_err(PTRACE_POKEUSER, pid, (void *)UOFF(regs.fs_base), (void *)(1UL << 63)));
    printf("cs and fs_base unchanged: %s\n",
           yesno(peekuser(pid, UOFF(regs.cs)) == r.cs && peekuser(pid, UOFF(regs.fs_base)) == r.fs_base));
    xptrace(PTRACE_GETREGS, pid, NULL, &r2);
    printf("all registers as before: %s\n", yesno(memcmp(&r, &r2, sizeof r) == 0));
}

/* Resume and expect the next int3 stop. */
static void next_int3(pid_t pid, const char *what)
{
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    int st = xwait(pid, 0);
    printf("%s: %s\n", what, status_str(st));
}

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
    }
    close(rp[1]);
    int st = xwait(pid, 0);
    printf("first stop: %s\n", status_str(st));
    at_first_stop(pid);

    struct user_regs_struct r;
    next_int3(pid, "rbx probe");
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("  rbx 0x%llx\n", (unsigned long long)r.rbx);
    r.rbx = 0x2222;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);

    next_int3(pid, "r12 probe");
    struct iovec iov = { &r, sizeof r };
    xptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov);
    printf("  r12 0x%llx\n", (unsigned long long)r.r12);
    r.r12 = 0x4444;
    xptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov);

    next_int3(pid, "r13 probe");
    printf("  r13 0x%lx\n", peekuser(pid, UOFF(regs.r13)));
    xptrace(PTRACE_POKEUSER, pid, (void *)UOFF(regs.r13), (void *)0x6666);

    next_int3(pid, "xmm0 probe");
    struct user_fpregs_struct fp;
    xptrace(PTRACE_GETFPREGS, pid, NULL, &fp);
    printf("  xmm0 %08x %08x %08x %08x, mxcsr 0x%x, fcw 0x%x\n", fp.xmm_space[0], fp.xmm_space[1], fp.xmm_space[2],
           fp.xmm_space[3], fp.mxcsr, fp.cwd);
    struct user_fpregs_struct bad = fp;
    bad.mxcsr = 0xffffffff;
    printf("  SETFPREGS with mxcsr 0xffffffff: %s\n", ptrace_err(PTRACE_SETFPREGS, pid, NULL, &bad));
    for (int i = 0; i < 4; i++)
        fp.xmm_space[i] = 0xa0a0a0a0u + (unsigned)i;
    xptrace(PTRACE_SETFPREGS, pid, NULL, &fp);

    next_int3(pid, "rflags probe");
    unsigned long fl = peekuser(pid, UOFF(regs.eflags));
    printf("  DF clear at the stop: %s\n", yesno((fl & EFLAGS_DF) == 0));
    xptrace(PTRACE_POKEUSER, pid, (void *)UOFF(regs.eflags), (void *)(fl | EFLAGS_DF));

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    char buf[2048];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    return 0;
}
