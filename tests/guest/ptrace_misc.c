// ptrace_misc: the remaining x86-64 requests and tracee life-cycle odds.
// PTRACE_ARCH_PRCTL: ARCH_GET_FS equals the child's own arch_prctl value,
// ARCH_SET_GS is what the child then reads (and PEEKUSER gs_base shows),
// an unknown code is EINVAL, a kernel fs base EPERM, a bad result pointer
// EFAULT. PTRACE_GET/SET_THREAD_AREA: only the three TLS GDT slots 12-14
// are valid (others EINVAL, a negative index EIO), empty ones read as
// "not present, read/exec only", a SET reads back. process_vm_readv/writev
// on a stopped tracee: read a string, write a buffer the child then
// prints, a partially unmapped remote range gives a short count, a wholly
// unmapped one EFAULT, a nonexistent pid ESRCH. PTRACE_KILL kills a
// stopped tracee and (in current Linux, which sends SIGKILL) a running one. A tracer that is not
// the parent: the tracee's exit goes to the tracer first (waitid WNOWAIT
// sees the zombie); the real parent cannot reap it (WNOHANG 0) until the
// tracer has waited; then it gets the same status.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ptrace_common.h"

#define ARCH_SET_GS_ 0x1001
#define ARCH_SET_FS_ 0x1002
#define ARCH_GET_FS_ 0x1003
#define ARCH_GET_GS_ 0x1004

/* struct user_desc, from <asm/ldt.h> (absent with musl-gcc) */
struct tls_desc {
    unsigned int entry_number;
    unsigned int base_addr;
    unsigned int limit;
    unsigned int flags; /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 lm:1 */
};

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

static void drain(int fd)
{
    char buf[2048];
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - 1 - (size_t)len)) > 0)
        len += n;
    buf[len] = 0;
    printf("child reports:\n%s", buf);
    close(fd);
}

static void stop_self(void) { syscall(SYS_kill, getpid(), SIGSTOP); }

static char secret[32] = "read me remotely";
static char inbox[32];
static char *edge; /* a page whose successor is unmapped */

static pid_t spawn(int *rd, void (*body)(void))
{
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    pid_t pid = xfork();
    if (pid == 0) {
        alarm(60);
        close(p[0]);
        report_fd = p[1];
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        body();
        _exit(0);
    }
    close(p[1]);
    *rd = p[0];
    int st = xwait(pid, 0);
    if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
        printf("unexpected first stop: %s\n", status_str(st));
        exit(1);
    }
    return pid;
}

static unsigned long own_fs; /* the child's own view, read by PEEKDATA */

static void arch_child(void)
{
    unsigned long gs = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS_, &own_fs);
    stop_self();
    syscall(SYS_arch_prctl, ARCH_GET_GS_, &gs);
    report("gs base after the tracer set it: 0x%lx\n", gs);
}

static void arch_prctl_checks(void)
{
    int rd;
    pid_t pid = spawn(&rd, arch_child);
    unsigned long own = (unsigned long)xptrace(PTRACE_PEEKDATA, pid, &own_fs, NULL);
    unsigned long fs = 0;
    xptrace(PTRACE_ARCH_PRCTL, pid, &fs, (void *)ARCH_GET_FS_);
    printf("ARCH_PRCTL ARCH_GET_FS equals the child's own value: %s\n", yesno(fs == own && fs != 0));
    printf("ARCH_PRCTL ARCH_SET_GS 0x12345000: %s\n",
           ptrace_err(PTRACE_ARCH_PRCTL, pid, (void *)0x12345000UL, (void *)ARCH_SET_GS_));
    unsigned long gs = 0;
    xptrace(PTRACE_ARCH_PRCTL, pid, &gs, (void *)ARCH_GET_GS_);
    printf("ARCH_PRCTL ARCH_GET_GS: 0x%lx, PEEKUSER gs_base: 0x%lx\n", gs,
           (unsigned long)xptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user, regs.gs_base), NULL));
    printf("ARCH_PRCTL code 0x9999: %s\n", ptrace_err(PTRACE_ARCH_PRCTL, pid, &gs, (void *)0x9999));
    printf("ARCH_PRCTL ARCH_SET_FS kernel address: %s\n",
           ptrace_err(PTRACE_ARCH_PRCTL, pid, (void *)0xffffffff81000000UL, (void *)ARCH_SET_FS_));
    printf("ARCH_PRCTL ARCH_GET_FS into a bad pointer: %s\n",
           ptrace_err(PTRACE_ARCH_PRCTL, pid, (void *)8, (void *)ARCH_GET_FS_));

    for (long idx = 11; idx <= 15; idx++) {
        struct tls_desc d;
        memset(&d, 0xaa, sizeof d);
        const char *e = ptrace_err(PTRACE_GET_THREAD_AREA, pid, (void *)idx, &d);
        printf("GET_THREAD_AREA %ld: %s", idx, e);
        if (d.entry_number != 0xaaaaaaaau)
            printf(", entry %u base 0x%x limit 0x%x flags 0x%x", d.entry_number, d.base_addr, d.limit, d.flags);
        printf("\n");
    }
    printf("GET_THREAD_AREA -1: %s\n", ptrace_err(PTRACE_GET_THREAD_AREA, pid, (void *)-1L, NULL));
    struct tls_desc set = { 13, 0x1000, 0xfffff, 0x51 }, got;
    printf("SET_THREAD_AREA 13: %s\n", ptrace_err(PTRACE_SET_THREAD_AREA, pid, (void *)13L, &set));
    memset(&got, 0, sizeof got);
    xptrace(PTRACE_GET_THREAD_AREA, pid, (void *)13L, &got);
    printf("  reads back: entry %u base 0x%x limit 0x%x flags 0x%x\n", got.entry_number, got.base_addr, got.limit,
           got.flags);

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    int st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    drain(rd);
}

static void vm_child(void)
{
    stop_self();
    report("inbox holds \"%s\"\n", inbox);
}

static void process_vm_checks(void)
{
    int rd;
    pid_t pid = spawn(&rd, vm_child);
    char buf[64] = "";
    struct iovec local = { buf, sizeof buf }, remote = { secret, 17 };
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    printf("process_vm_readv: %zd bytes \"%s\"\n", n, buf);
    static char msg[] = "written remotely";
    local = (struct iovec){ msg, sizeof msg };
    remote = (struct iovec){ inbox, sizeof msg };
    printf("process_vm_writev: %zd bytes\n", process_vm_writev(pid, &local, 1, &remote, 1, 0));
    printf("  parent's own inbox still empty: %s\n", yesno(inbox[0] == 0));

    local = (struct iovec){ buf, 16 };
    remote = (struct iovec){ edge - 8, 16 };
    printf("process_vm_readv across the end of a mapping: %zd bytes\n",
           process_vm_readv(pid, &local, 1, &remote, 1, 0));
    remote = (struct iovec){ edge, 16 };
    errno = 0;
    n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    printf("process_vm_readv of an unmapped page: %zd %s\n", n, errname(errno));
    remote = (struct iovec){ secret, 16 };
    local = (struct iovec){ (void *)8, 16 };
    errno = 0;
    n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    printf("process_vm_readv into a bad local buffer: %zd %s\n", n, errname(errno));
    local = (struct iovec){ buf, 16 };
    errno = 0;
    n = process_vm_readv(INT_MAX, &local, 1, &remote, 1, 0);
    printf("process_vm_readv of pid INT_MAX: %zd %s\n", n, errname(errno));

    xptrace(PTRACE_CONT, pid, NULL, NULL);
    int st = xwait(pid, 0);
    printf("end: %s\n", status_str(st));
    drain(rd);
}

static void loop_child(void)
{
    stop_self();
    for (;;)
        pause();
}

static void kill_checks(void)
{
    int rd;
    pid_t pid = spawn(&rd, loop_child);
    printf("PTRACE_KILL on a stopped tracee: %s\n", ptrace_err(PTRACE_KILL, pid, NULL, NULL));
    int st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    close(rd);

    pid = spawn(&rd, loop_child);
    xptrace(PTRACE_CONT, pid, NULL, NULL);
    printf("PTRACE_KILL on a running tracee: %s\n", ptrace_err(PTRACE_KILL, pid, NULL, NULL));
    st = xwait(pid, 0);
    printf("  %s\n", status_str(st));
    close(rd);
}

/* A sibling tracer: T is our child, M (also our child) traces it. */
static void sibling_tracer(void)
{
    int go_t[2], to_m[2], from_m[2];
    if (pipe(go_t) || pipe(to_m) || pipe(from_m))
        exit(1);
    pid_t t = xfork();
    if (t == 0) {
        alarm(60);
        char ch;
        close(go_t[1]);
        read(go_t[0], &ch, 1);
        _exit(3);
    }
    close(go_t[0]);
    pid_t m = xfork();
    if (m == 0) {
        alarm(60);
        char ch;
        siginfo_t si;
        int st;
        if (ptrace(PTRACE_SEIZE, t, NULL, NULL) != 0)
            _exit(90);
        write(from_m[1], "a", 1);
        /* the zombie is visible to the tracer; leave it unreaped */
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)t, &si, WEXITED | WNOWAIT) != 0 || si.si_code != CLD_EXITED)
            _exit(91);
        write(from_m[1], "z", 1);
        read(to_m[0], &ch, 1);
        if (waitpid(t, &st, 0) != t)
            _exit(92);
        write(from_m[1], &st, sizeof st);
        _exit(0);
    }
    char ch;
    read(from_m[0], &ch, 1);
    printf("sibling seized the tracee: %s\n", yesno(ch == 'a'));
    write(go_t[1], "x", 1); /* T exits */
    read(from_m[0], &ch, 1);
    printf("tracer saw the zombie with waitid WNOWAIT: %s\n", yesno(ch == 'z'));
    int st;
    printf("real parent, WNOHANG before the tracer waited: %d\n", (int)waitpid(t, &st, WNOHANG));
    write(to_m[1], "w", 1);
    int mst = 0;
    read(from_m[0], &mst, sizeof mst);
    printf("tracer's waitpid: %s\n", status_str(mst));
    st = xwait(t, 0);
    printf("real parent's waitpid: %s\n", status_str(st));
    st = xwait(m, 0);
    printf("tracer: %s\n", status_str(st));
}

int main(void)
{
    alarm(30);
    edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (edge == MAP_FAILED)
        return 1;
    munmap(edge + 4096, 4096);
    edge += 4096;
    arch_prctl_checks();
    process_vm_checks();
    kill_checks();
    sibling_tracer();
    return 0;
}
