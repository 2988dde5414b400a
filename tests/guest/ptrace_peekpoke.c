// ptrace_peekpoke: reading and writing tracee memory with PEEK/POKE.
// PEEKDATA of a global, also at an unaligned address; POKEDATA changes the
// child's copy only (the parent's copy-on-write copy is untouched), except
// in a MAP_SHARED page, where the parent sees it. POKETEXT of an int3 at a
// function's entry: the child stops with SIGTRAP (si_code SI_KERNEL), rip is
// the address + 1; the tracer restores the word and rip and the function
// runs normally. Forced access: POKE into a read-only private page works
// (the child then reads the new value, and faults when it writes itself:
// SIGSEGV SEGV_ACCERR at that address), PEEK of a PROT_NONE page works,
// POKE into a read-only MAP_SHARED page fails (EIO). Unmapped, null,
// kernel and non-canonical addresses give EIO, as does a word straddling
// the end of a mapping (whose accessible half a POKE still writes).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

/* mov $42, %eax; ret -- its first byte (0xb8) gets replaced by int3. */
int pp_target(void);
__asm__(".text\n"
        ".globl pp_target\n"
        ".type pp_target, @function\n"
        "pp_target:\n"
        "    mov $42, %eax\n"
        "    ret\n"
        ".size pp_target, .-pp_target\n");

static struct {
    long a, b;
} g = { 0x1122334455667788L, (long)0x99aabbccddeeff00UL };

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

/* Mappings made before fork, so they sit at the same address in the child. */
static long *ro_page, *none_page, *shared_rw, *shared_ro;
static char *edge; /* last mapped byte is edge[-1]; edge[0] is unmapped */

static void *xmmap(int prot, int flags)
{
    void *p = mmap(NULL, 4096, prot, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        exit(1);
    return p;
}

static void make_mappings(void)
{
    ro_page = xmmap(PROT_READ | PROT_WRITE, MAP_PRIVATE);
    ro_page[0] = 0x1111;
    mprotect(ro_page, 4096, PROT_READ);
    none_page = xmmap(PROT_READ | PROT_WRITE, MAP_PRIVATE);
    none_page[0] = 0x2222;
    mprotect(none_page, 4096, PROT_NONE);
    shared_rw = xmmap(PROT_READ | PROT_WRITE, MAP_SHARED);
    shared_ro = xmmap(PROT_READ | PROT_WRITE, MAP_SHARED);
    shared_ro[0] = 0x3333;
    mprotect(shared_ro, 4096, PROT_READ);
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED)
        exit(1);
    munmap(two + 4096, 4096);
    memset(two, 0x5a, 4096);
    edge = two + 4096;
}

static void child(void)
{
    syscall(SYS_kill, getpid(), SIGSTOP);
    report("g.a = 0x%lx\n", g.a);
    report("read-only page holds 0x%lx\n", ro_page[0]);
    report("straddling word's mapped half: %02x %02x %02x %02x\n", (unsigned char)edge[-4],
           (unsigned char)edge[-3], (unsigned char)edge[-2], (unsigned char)edge[-1]);
    report("pp_target() returned %d\n", pp_target());
    report("writing the read-only page now\n");
    *(volatile long *)ro_page = 1;
    report("write did not fault\n");
    _exit(0);
}

static const char *peek_err(pid_t pid, unsigned long addr)
{
    return ptrace_err(PTRACE_PEEKDATA, pid, (void *)addr, NULL);
}

static const char *poke_err(pid_t pid, unsigned long addr, long val)
{
    return ptrace_err(PTRACE_POKEDATA, pid, (void *)addr, (void *)val);
}

int main(void)
{
    alarm(30);
    make_mappings();
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

    /* Plain and unaligned reads. */
    long v = xptrace(PTRACE_PEEKDATA, pid, &g.a, NULL);
    printf("PEEKDATA g.a: 0x%lx\n", v);
    v = xptrace(PTRACE_PEEKTEXT, pid, &g.b, NULL);
    printf("PEEKTEXT g.b: 0x%lx\n", v);
    v = xptrace(PTRACE_PEEKDATA, pid, (char *)&g.a + 3, NULL);
    printf("PEEKDATA at g.a + 3: 0x%lx\n", v);

    /* Writes go to the child's copy only. */
    xptrace(PTRACE_POKEDATA, pid, &g.a, (void *)0x55L);
    printf("after POKEDATA, child's g.a: 0x%lx, parent's g.a: 0x%lx\n",
           xptrace(PTRACE_PEEKDATA, pid, &g.a, NULL), g.a);
    xptrace(PTRACE_POKEDATA, pid, (char *)&g.b + 1, (void *)0x0102030405060708L);
    printf("unaligned POKEDATA at g.b + 1, child's g.b: 0x%lx\n",
           xptrace(PTRACE_PEEKDATA, pid, &g.b, NULL));
    xptrace(PTRACE_POKEDATA, pid, shared_rw, (void *)0x4444L);
    printf("POKEDATA into a MAP_SHARED page, parent sees 0x%lx\n", shared_rw[0]);

    /* Forced access to protected pages. */
    printf("POKEDATA into a read-only private page: %s\n", poke_err(pid, (unsigned long)ro_page, 0x1234));
    printf("  parent's copy still 0x%lx\n", ro_page[0]);
    printf("PEEKDATA of a PROT_NONE page: %s, value 0x%lx\n", peek_err(pid, (unsigned long)none_page),
           ptrace(PTRACE_PEEKDATA, pid, none_page, NULL));
    printf("POKEDATA into a PROT_NONE private page: %s\n", poke_err(pid, (unsigned long)none_page, 0x2223));
    printf("  reads back 0x%lx\n", ptrace(PTRACE_PEEKDATA, pid, none_page, NULL));
    printf("PEEKDATA of a read-only shared page: %s\n", peek_err(pid, (unsigned long)shared_ro));
    printf("POKEDATA into a read-only shared page: %s\n", poke_err(pid, (unsigned long)shared_ro, 1));

    /* Bad addresses. */
    printf("PEEKDATA of address 0: %s\n", peek_err(pid, 0));
    printf("PEEKDATA of an unmapped page: %s\n", peek_err(pid, (unsigned long)edge));
    printf("POKEDATA into an unmapped page: %s\n", poke_err(pid, (unsigned long)edge, 1));
    printf("PEEKDATA of a non-canonical address: %s\n", peek_err(pid, 0x0000800000000000UL));
    printf("PEEKDATA of a kernel address: %s\n", peek_err(pid, 0xffffffff81000000UL));
    printf("PEEKDATA of a word straddling the end of a mapping: %s\n", peek_err(pid, (unsigned long)edge - 4));
    printf("POKEDATA of a word straddling the end of a mapping: %s\n",
           poke_err(pid, (unsigned long)edge - 4, 0x0d0c0b0a11111111L));

    /* A breakpoint in the child's own code. */
    unsigned long addr = (unsigned long)pp_target;
    long orig = xptrace(PTRACE_PEEKTEXT, pid, (void *)addr, NULL);
    printf("PEEKTEXT at pp_target starts with mov $42,%%eax: %s\n",
           yesno((orig & 0xffffffffffL) == 0x0000002ab8L));
    xptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)((orig & ~0xffL) | 0xcc));
    printf("parent's own pp_target untouched: %s, returns %d\n", yesno(*(unsigned char *)pp_target == 0xb8),
           pp_target());
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    st = xwait(pid, 0);
    printf("child calls pp_target: %s\n", status_str(st));
    siginfo_t si;
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("  si_code SI_KERNEL: %s\n", yesno(si.si_code == SI_KERNEL));
    struct user_regs_struct r;
    xptrace(PTRACE_GETREGS, pid, NULL, &r);
    printf("  rip == pp_target + 1: %s\n", yesno(r.rip == addr + 1));
    xptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)orig);
    r.rip = addr;
    xptrace(PTRACE_SETREGS, pid, NULL, &r);
    xptrace(PTRACE_CONT, pid, NULL, NULL);

    /* The child's own write to the read-only page faults. */
    st = xwait(pid, 0);
    printf("child writes the read-only page: %s\n", status_str(st));
    xptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
    printf("  si_code SEGV_ACCERR: %s, si_addr is the page: %s\n", yesno(si.si_code == SEGV_ACCERR),
           yesno(si.si_addr == (void *)ro_page));
    xptrace(PTRACE_CONT, pid, NULL, (void *)(long)SIGSEGV);
    st = xwait(pid, 0);
    printf("SIGSEGV passed on: %s\n", status_str(st));

    char buf[2048];
    ssize_t n, len = 0;
    while ((n = read(rp[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    return 0;
}
