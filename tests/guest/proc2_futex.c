// proc2_futex: raw futex(2) calls. FUTEX_WAIT on a changed value (EAGAIN),
// with a 10 ms relative timeout (ETIMEDOUT); FUTEX_WAIT_BITSET with an
// absolute CLOCK_MONOTONIC and a CLOCK_REALTIME deadline in the past
// (ETIMEDOUT), a zero bitset (EINVAL), a bad tv_nsec (EINVAL); FUTEX_WAKE of
// 5 queued threads in two steps (2, then 3); FUTEX_CMP_REQUEUE (woken +
// requeued, then the requeued ones are woken on the second word; EAGAIN when
// val3 differs); FUTEX_WAKE_OP with SET/ADD and true and false comparisons;
// private waiters are not woken by a shared wake; a parent/child pair on a
// MAP_SHARED word (a private wake from another process wakes nobody, a
// shared one wakes the child); an invalid op and FUTEX_CLOCK_REALTIME on
// FUTEX_WAKE (ENOSYS); misaligned (EINVAL) and unmapped (EFAULT) addresses.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h> values (musl-gcc has no kernel headers) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long fx(uint32_t *a, int op, uint32_t val, const void *t, uint32_t *a2, uint32_t v3)
{
    return syscall(SYS_futex, a, op, val, t, a2, v3);
}

static const char *res(long r)
{
    static char buf[64];
    if (r >= 0)
        snprintf(buf, sizeof buf, "%ld", r);
    else
        snprintf(buf, sizeof buf, "-1 %s", errno == EAGAIN ? "EAGAIN" : errno == ETIMEDOUT ? "ETIMEDOUT"
                                            : errno == EINVAL ? "EINVAL" : errno == ENOSYS ? "ENOSYS"
                                            : strerror(errno));
    return buf;
}

static void msleep(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* waiter threads: announce, then block in one futex wait */
static int queued;
struct waiter {
    pthread_t th;
    uint32_t *addr;
    uint32_t val;
    int op;
    long ret;
    int err;
};

static void *wait_fn(void *arg)
{
    struct waiter *w = arg;
    __atomic_add_fetch(&queued, 1, __ATOMIC_SEQ_CST);
    w->ret = fx(w->addr, w->op, w->val, NULL, NULL, 0);
    w->err = w->ret < 0 ? errno : 0;
    return NULL;
}

/* start n waiters and return once all of them are (almost surely) blocked */
static void start(struct waiter *w, int n, uint32_t *addr, int op)
{
    __atomic_store_n(&queued, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n; i++) {
        w[i].addr = addr;
        w[i].val = *addr;
        w[i].op = op;
        pthread_create(&w[i].th, NULL, wait_fn, &w[i]);
    }
    while (__atomic_load_n(&queued, __ATOMIC_SEQ_CST) < n)
        msleep(1);
    msleep(40);
}

static void join_all(struct waiter *w, int n, const char *what)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].th, NULL);
        ok += w[i].ret == 0;
    }
    printf("%s: %d of %d waits returned 0\n", what, ok, n);
}

static uint32_t A, B;

int main(void)
{
    struct waiter w[8];
    long r;

    A = 1;
    r = fx(&A, FUTEX_WAIT, 2, NULL, NULL, 0);
    printf("FUTEX_WAIT value differs: %s\n", res(r));
    r = fx(&A, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    printf("FUTEX_WAIT_PRIVATE value differs: %s\n", res(r));

    struct timespec rel = { 0, 10 * 1000000L }, t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = fx(&A, FUTEX_WAIT, 1, &rel, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long el = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
    printf("FUTEX_WAIT 10 ms timeout: %s, waited >= 10 ms: %s\n", res(r), el >= 10000000L ? "yes" : "no");

    struct timespec past;
    clock_gettime(CLOCK_MONOTONIC, &past);
    past.tv_sec -= 1;
    r = fx(&A, FUTEX_WAIT_BITSET, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY);
    printf("FUTEX_WAIT_BITSET past monotonic deadline: %s\n", res(r));
    r = fx(&A, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY);
    printf("FUTEX_WAIT_BITSET_PRIVATE past deadline: %s\n", res(r));
    clock_gettime(CLOCK_REALTIME, &past);
    past.tv_sec -= 1;
    r = fx(&A, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY);
    printf("FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME past realtime deadline: %s\n", res(r));
    r = fx(&A, FUTEX_WAIT_BITSET, 1, &past, NULL, 0);
    printf("FUTEX_WAIT_BITSET bitset 0: %s\n", res(r));
    r = fx(&A, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0);
    printf("FUTEX_WAKE_BITSET bitset 0: %s\n", res(r));
    struct timespec bad = { 0, 1000000000L };
    r = fx(&A, FUTEX_WAIT, 1, &bad, NULL, 0);
    printf("FUTEX_WAIT tv_nsec 1e9: %s\n", res(r));

    r = fx(&A, FUTEX_WAKE, 10, NULL, NULL, 0);
    printf("FUTEX_WAKE with no waiters: %s\n", res(r));

    /* wake 5 waiters: 2, then the rest */
    A = 0;
    start(w, 5, &A, FUTEX_WAIT);
    r = fx(&A, FUTEX_WAKE, 2, NULL, NULL, 0);
    printf("FUTEX_WAKE 2 of 5 waiters: %s\n", res(r));
    msleep(20);
    r = fx(&A, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    printf("FUTEX_WAKE INT_MAX of remaining: %s\n", res(r));
    join_all(w, 5, "wake");

    /* requeue 4 waiters on A: wake 1, move 2 to B */
    A = 0, B = 0;
    start(w, 4, &A, FUTEX_WAIT_PRIVATE);
    r = fx(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)(uintptr_t)2, &B, 5);
    printf("FUTEX_CMP_REQUEUE val3 mismatch: %s\n", res(r));
    r = fx(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)(uintptr_t)2, &B, 0);
    printf("FUTEX_CMP_REQUEUE wake 1 requeue 2: %s\n", res(r));
    msleep(20);
    r = fx(&A, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    printf("wake on first word afterwards: %s\n", res(r));
    r = fx(&B, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
    printf("wake on second word afterwards: %s\n", res(r));
    join_all(w, 4, "requeue");

    /* FUTEX_WAKE_OP: 2 waiters on A, 2 on B */
    A = 0, B = 0;
    start(w, 2, &A, FUTEX_WAIT_PRIVATE);
    start(w + 2, 2, &B, FUTEX_WAIT_PRIVATE);
    r = fx(&A, FUTEX_WAKE_OP_PRIVATE, 1, (void *)(uintptr_t)2, &B,
           FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
    printf("FUTEX_WAKE_OP set 1, old==0 true: %s, second word now %u\n", res(r), B);
    msleep(20);
    r = fx(&A, FUTEX_WAKE_OP_PRIVATE, 1, (void *)(uintptr_t)2, &B,
           FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0));
    printf("FUTEX_WAKE_OP set 5, old==0 false: %s, second word now %u\n", res(r), B);
    r = fx(&A, FUTEX_WAKE_OP_PRIVATE, 1, (void *)(uintptr_t)2, &B,
           FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 4));
    printf("FUTEX_WAKE_OP add 3, old>4 true (no waiters): %s, second word now %u\n", res(r), B);
    join_all(w, 4, "wake_op");

    /* a private waiter is not woken by a shared wake */
    A = 0;
    start(w, 1, &A, FUTEX_WAIT_PRIVATE);
    r = fx(&A, FUTEX_WAKE, 1, NULL, NULL, 0);
    printf("shared FUTEX_WAKE of a private waiter: %s\n", res(r));
    r = fx(&A, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    printf("FUTEX_WAKE_PRIVATE of it: %s\n", res(r));
    join_all(w, 1, "private");

    /* parent/child on a MAP_SHARED word */
    uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 1;
    sh[0] = 0, sh[1] = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        __atomic_store_n(&sh[1], 1, __ATOMIC_SEQ_CST);
        long cr = fx(&sh[0], FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(cr == 0 && sh[0] == 7 ? 0 : 1);
    }
    while (__atomic_load_n(&sh[1], __ATOMIC_SEQ_CST) == 0)
        msleep(1);
    msleep(40);
    r = fx(&sh[0], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    printf("cross-process FUTEX_WAKE_PRIVATE: %s\n", res(r));
    sh[0] = 7;
    r = fx(&sh[0], FUTEX_WAKE, 1, NULL, NULL, 0);
    printf("cross-process FUTEX_WAKE: %s\n", res(r));
    int st = -1;
    waitpid(pid, &st, 0);
    printf("child woken with value 7: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");

    r = fx(&A, 99, 0, NULL, NULL, 0);
    printf("invalid op 99: %s\n", res(r));
    r = fx(&A, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0);
    printf("FUTEX_WAKE|FUTEX_CLOCK_REALTIME: %s\n", res(r));
    uint32_t *mis = (uint32_t *)((char *)sh + 1);
    r = fx(mis, FUTEX_WAIT, 0, NULL, NULL, 0);
    printf("misaligned FUTEX_WAIT: %s\n", res(r));
    r = fx(mis, FUTEX_WAKE, 1, NULL, NULL, 0);
    printf("misaligned FUTEX_WAKE: %s\n", res(r));
    r = fx((uint32_t *)8, FUTEX_WAIT, 0, NULL, NULL, 0);
    printf("unmapped FUTEX_WAIT: %s\n", r < 0 && errno == EFAULT ? "-1 EFAULT" : res(r));
    return 0;
}
