// proc_sigaltstack: sigaltstack state queries (SS_DISABLE initially, the
// installed stack, SS_ONSTACK inside a handler, ENOMEM for a tiny stack);
// a stack overflow from unbounded recursion (64 KiB frames against the 8 MiB
// stack limit) caught by an SA_ONSTACK SIGSEGV handler whose locals live on
// the alternate stack; SEGV_MAPERR at address 0x10 and SEGV_ACCERR on a
// read-only page with si_addr checked, handled on the normal stack; every
// handler leaves with siglongjmp, which also restores the signal mask.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALT_SIZE (256 * 1024)

static const char *yesno(int b) { return b ? "yes" : "no"; }

static sigjmp_buf env;
static char *alt;
static volatile int on_alt, onstack_flag, h_code, depth;
static volatile int limit = 1 << 20; /* never reached; keeps -Winfinite-recursion quiet */
static void *volatile h_addr;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    volatile char local = 0;
    uintptr_t a = (uintptr_t)&local;
    on_alt = a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
    stack_t cur;
    onstack_flag = sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_ONSTACK);
    h_code = si->si_code;
    h_addr = si->si_addr;
    siglongjmp(env, 1);
}

static int recurse(int n)
{
    volatile char frame[65536];
    depth = n;
    if (n >= limit)
        return n;
    for (size_t i = sizeof frame; i > 0; i -= 4096)
        frame[i - 1] = (char)n;
    return recurse(n + 1) + frame[n & 0xffff];
}

static void install(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}

static const char *code_name(int c)
{
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

static void segv_blocked(void)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("  SIGSEGV blocked after siglongjmp: %s\n", yesno(sigismember(&cur, SIGSEGV)));
}

int main(void)
{
    stack_t ss, old;
    memset(&old, 0, sizeof old);
    int r = sigaltstack(NULL, &old);
    printf("initial query: %d, SS_DISABLE: %s\n", r, yesno(old.ss_flags == SS_DISABLE));

    char small[1024];
    ss.ss_sp = small;
    ss.ss_size = sizeof small;
    ss.ss_flags = 0;
    errno = 0;
    r = sigaltstack(&ss, NULL);
    printf("1 KiB alternate stack: %d %s\n", r, errno == ENOMEM ? "ENOMEM" : "other");

    alt = malloc(ALT_SIZE);
    ss.ss_sp = alt;
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 0;
    r = sigaltstack(&ss, &old);
    printf("install: %d, old still SS_DISABLE: %s\n", r, yesno(old.ss_flags == SS_DISABLE));
    memset(&old, 0, sizeof old);
    sigaltstack(NULL, &old);
    printf("query: flags=%d sp matches: %s size matches: %s\n", old.ss_flags,
           yesno(old.ss_sp == alt), yesno(old.ss_size == ALT_SIZE));

    /* 1. stack overflow, handled on the alternate stack */
    install(SA_ONSTACK);
    if (sigsetjmp(env, 1) == 0) {
        recurse(0);
        puts("recursion returned?!");
    } else {
        printf("stack overflow caught: recursion depth > 10: %s\n", yesno(depth > 10));
        printf("  handler local on alternate stack: %s, SS_ONSTACK in handler: %s\n",
               yesno(on_alt), yesno(onstack_flag));
        segv_blocked();
    }
    sigaltstack(NULL, &old);
    printf("after siglongjmp: SS_ONSTACK clear: %s\n", yesno(!(old.ss_flags & SS_ONSTACK)));

    /* 2. write to 0x10 without SA_ONSTACK */
    install(0);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int *)(uintptr_t)0x10 = 1;
        puts("write to 0x10 succeeded?!");
    } else {
        printf("write to 0x10: si_code=%s si_addr==0x10: %s\n", code_name(h_code),
               yesno(h_addr == (void *)0x10));
        printf("  handler local on alternate stack: %s, SS_ONSTACK in handler: %s\n",
               yesno(on_alt), yesno(onstack_flag));
        segv_blocked();
    }

    /* 3. write to a read-only page, on the alternate stack again */
    install(SA_ONSTACK);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED)
        return 1;
    if (sigsetjmp(env, 1) == 0) {
        ro[100] = 1;
        puts("write to read-only page succeeded?!");
    } else {
        printf("write to read-only page: si_code=%s si_addr matches: %s\n", code_name(h_code),
               yesno(h_addr == ro + 100));
        printf("  handler local on alternate stack: %s, SS_ONSTACK in handler: %s\n",
               yesno(on_alt), yesno(onstack_flag));
    }

    /* 4. disable */
    ss.ss_flags = SS_DISABLE;
    r = sigaltstack(&ss, NULL);
    memset(&old, 0, sizeof old);
    sigaltstack(NULL, &old);
    printf("disable: %d, query SS_DISABLE: %s\n", r, yesno(old.ss_flags == SS_DISABLE));
    return 0;
}
