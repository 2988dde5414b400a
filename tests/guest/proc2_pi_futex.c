// proc2_pi_futex: priority-inheritance futexes, through the C library and raw.
// PTHREAD_PRIO_INHERIT mutexes: 4 threads contending (exact counter total),
// trylock on a held one (EBUSY), timedlock timing out (ETIMEDOUT); robust PI
// mutexes whose owner thread exits holding them (EOWNERDEAD, then
// pthread_mutex_consistent; ENOTRECOVERABLE without it; a waiter blocked while
// the owner exits); a condition variable with a PI mutex (producer/consumers,
// broadcast, a timed wait). Raw futex(2): UNLOCK_PI by a non-owner (EPERM),
// LOCK_PI/TRYLOCK_PI on a word owned by self (EDEADLK) or naming no task
// (ESRCH), TRYLOCK_PI of a free word and of one with FUTEX_OWNER_DIED, timed
// LOCK_PI and LOCK_PI2 (both clocks) timing out, FUTEX_CLOCK_REALTIME on
// LOCK_PI (ENOSYS), bad timeouts (EINVAL, EFAULT), bad words (EFAULT, EINVAL);
// hand-over to a kernel waiter on UNLOCK_PI (the word then names it, with
// FUTEX_WAITERS), FUTEX_WAKE on a PI futex with waiters (EINVAL), a signal
// during LOCK_PI (restarted), an owner exiting with a waiter (FUTEX_OWNER_DIED
// for the heir; ESRCH for its tid afterwards), an ABBA cycle (EDEADLK);
// WAIT_REQUEUE_PI/CMP_REQUEUE_PI (errors, timeouts, the requeue taking a free
// PI futex for the waiter, two waiters requeued behind a held one); a
// MAP_SHARED PI futex between processes (hand-over, and a child dying
// holding it). Only results are printed, never tids or times.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h> values (musl-gcc has no kernel headers) */
#define FUTEX_WAKE 1
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define NO_TID 0x3ffffff0u /* above any pid_max */

/* the result, or -errno (errno is per thread: threads hand results to main) */
static long fx(uint32_t *a, int op, uint32_t val, const void *t, uint32_t *a2, uint32_t v3)
{
    long r = syscall(SYS_futex, a, op, val, t, a2, v3);
    return r < 0 ? -errno : r;
}

static const char *en(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EPERM: return "EPERM";
    case EDEADLK: return "EDEADLK";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    default: return strerror(e);
    }
}

/* fx()'s result: the count, or the errno's name */
static const char *res(long r)
{
    static char buf[4][32];
    static int n;
    char *b = buf[n++ % 4];
    if (r >= 0)
        snprintf(b, sizeof buf[0], "%ld", r);
    else
        snprintf(b, sizeof buf[0], "-1 %s", en((int)-r));
    return b;
}

static const char *yesno(int c)
{
    return c ? "yes" : "no";
}

static uint32_t gettid_(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

static void msleep(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* an absolute deadline ms from now on clock c */
static struct timespec after_ms(clockid_t c, int ms)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    ts.tv_nsec += (ms % 1000) * 1000000L;
    ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

static uint32_t load(uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

/* waits until a kernel waiter has queued on *w (LOCK_PI sets FUTEX_WAITERS, under the
 * same lock as it queues, so a later futex op on *w sees the waiter) */
static void await_waiters(uint32_t *w)
{
    while (!(load(w) & FUTEX_WAITERS))
        msleep(1);
}

static void flag_set(int *f)
{
    __atomic_store_n(f, 1, __ATOMIC_SEQ_CST);
}

static void flag_wait(int *f)
{
    while (!__atomic_load_n(f, __ATOMIC_SEQ_CST))
        msleep(1);
}

/* ---- PTHREAD_PRIO_INHERIT mutexes ---- */

#define NTHREADS 4
#define ITERS 10000

static pthread_mutex_t pim;
static long counter;
static int lock_errors;

static void init_pi(pthread_mutex_t *m, int robust, int pshared)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    if (robust)
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared)
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    int r = pthread_mutex_init(m, &a);
    if (r)
        printf("pthread_mutex_init: %s\n", en(r));
    pthread_mutexattr_destroy(&a);
}

static void *contend(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        if (pthread_mutex_lock(&pim))
            __atomic_add_fetch(&lock_errors, 1, __ATOMIC_SEQ_CST);
        long v = *(volatile long *)&counter;
        if (i % 64 == 0)
            sched_yield(); /* holding it: others queue in the kernel */
        *(volatile long *)&counter = v + 1;
        if (pthread_mutex_unlock(&pim))
            __atomic_add_fetch(&lock_errors, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static int other_result, other_result2;

static void *try_other(void *arg)
{
    pthread_mutex_t *m = arg;
    other_result = pthread_mutex_trylock(m);
    struct timespec dl = after_ms(CLOCK_REALTIME, 30);
    other_result2 = pthread_mutex_timedlock(m, &dl);
    return NULL;
}

static void test_mutex(void)
{
    pthread_t th[NTHREADS];

    init_pi(&pim, 0, 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, contend, NULL);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    printf("PI mutex, %d threads x %d: counter %ld (expected %d), lock/unlock errors %d\n", NTHREADS, ITERS,
           counter, NTHREADS * ITERS, lock_errors);

    pthread_t t;
    int r = pthread_mutex_lock(&pim);
    pthread_create(&t, NULL, try_other, &pim);
    pthread_join(t, NULL);
    printf("PI mutex held by main: lock %s, trylock by another thread %s, timedlock 30 ms %s\n", en(r),
           en(other_result), en(other_result2));
    int r1 = pthread_mutex_unlock(&pim);
    int r2 = pthread_mutex_trylock(&pim);
    int r3 = pthread_mutex_unlock(&pim);
    printf("unlock %s, trylock now %s, unlock %s\n", en(r1), en(r2), en(r3));
    pthread_mutex_destroy(&pim);
}

/* ---- robust PI mutexes ---- */

static pthread_mutex_t rm;
static int holder_locked, holder_go;

static void *lock_and_exit(void *arg)
{
    (void)arg;
    int r = pthread_mutex_lock(&rm);
    flag_set(&holder_locked);
    if (r)
        printf("holder lock: %s\n", en(r));
    flag_wait(&holder_go);
    return NULL; /* exits holding it */
}

static int waiter_r1, waiter_r2, waiter_r3;

static void *robust_waiter(void *arg)
{
    (void)arg;
    waiter_r1 = pthread_mutex_lock(&rm);
    waiter_r2 = pthread_mutex_consistent(&rm);
    waiter_r3 = pthread_mutex_unlock(&rm);
    return NULL;
}

static void holder_dies(void)
{
    pthread_t t;
    holder_locked = 0;
    holder_go = 1;
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
}

static void test_robust(void)
{
    init_pi(&rm, 1, 0);
    holder_dies();
    int r1 = pthread_mutex_lock(&rm);
    int r2 = pthread_mutex_consistent(&rm);
    int r3 = pthread_mutex_unlock(&rm);
    int r4 = pthread_mutex_lock(&rm);
    int r5 = pthread_mutex_unlock(&rm);
    printf("robust PI, owner exited: lock %s, consistent %s, unlock %s, lock again %s, unlock %s\n", en(r1),
           en(r2), en(r3), en(r4), en(r5));

    holder_dies();
    r1 = pthread_mutex_trylock(&rm);
    r2 = pthread_mutex_unlock(&rm);
    r3 = pthread_mutex_lock(&rm);
    printf("robust PI, owner exited: trylock %s, unlock without consistent %s, lock %s\n", en(r1), en(r2),
           en(r3));
    pthread_mutex_destroy(&rm);

    /* a waiter blocked in the kernel while the owner exits */
    init_pi(&rm, 1, 0);
    pthread_t h, w;
    holder_locked = holder_go = 0;
    pthread_create(&h, NULL, lock_and_exit, NULL);
    flag_wait(&holder_locked);
    pthread_create(&w, NULL, robust_waiter, NULL);
    msleep(50);
    flag_set(&holder_go);
    pthread_join(h, NULL);
    pthread_join(w, NULL);
    printf("robust PI, owner exited with a waiter: waiter's lock %s, consistent %s, unlock %s\n", en(waiter_r1),
           en(waiter_r2), en(waiter_r3));
    r1 = pthread_mutex_lock(&rm);
    r2 = pthread_mutex_unlock(&rm);
    printf("robust PI afterwards: lock %s, unlock %s\n", en(r1), en(r2));
    pthread_mutex_destroy(&rm);
}

/* ---- condition variable with a PI mutex ---- */

#define NITEMS 300
#define QCAP 4

static pthread_mutex_t qm;
static pthread_cond_t notempty, notfull;
static int queue[QCAP], qhead, qlen;
static long consumed_sum;
static int consumed_n, cv_errors;

static void *consumer(void *arg)
{
    (void)arg;
    for (;;) {
        cv_errors += pthread_mutex_lock(&qm) != 0;
        while (qlen == 0)
            cv_errors += pthread_cond_wait(&notempty, &qm) != 0;
        int v = queue[qhead];
        qhead = (qhead + 1) % QCAP;
        qlen--;
        if (v > 0) {
            consumed_sum += v;
            consumed_n++;
        }
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&qm);
        if (v == 0)
            return NULL;
    }
}

static void put(int v)
{
    pthread_mutex_lock(&qm);
    while (qlen == QCAP)
        cv_errors += pthread_cond_wait(&notfull, &qm) != 0;
    queue[(qhead + qlen) % QCAP] = v;
    qlen++;
    pthread_cond_signal(&notempty);
    pthread_mutex_unlock(&qm);
}

static int gen, bcast_woken;

static void *bcast_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&qm);
    int g = gen;
    __atomic_add_fetch(&qlen, 1, __ATOMIC_SEQ_CST);
    while (gen == g)
        pthread_cond_wait(&notempty, &qm);
    bcast_woken++;
    pthread_mutex_unlock(&qm);
    return NULL;
}

static void test_condvar(void)
{
    pthread_t c[2];

    init_pi(&qm, 0, 0);
    pthread_cond_init(&notempty, NULL);
    pthread_cond_init(&notfull, NULL);
    for (int i = 0; i < 2; i++)
        pthread_create(&c[i], NULL, consumer, NULL);
    for (int i = 1; i <= NITEMS; i++)
        put(i);
    put(0);
    put(0);
    for (int i = 0; i < 2; i++)
        pthread_join(c[i], NULL);
    printf("condvar + PI mutex: %d items consumed, sum %ld (expected %d), errors %d\n", consumed_n,
           consumed_sum, NITEMS * (NITEMS + 1) / 2, cv_errors);

    /* broadcast to 3 waiters; qlen counts the waiters that hold or held the mutex */
    pthread_t b[3];
    qlen = 0;
    for (int i = 0; i < 3; i++)
        pthread_create(&b[i], NULL, bcast_waiter, NULL);
    while (__atomic_load_n(&qlen, __ATOMIC_SEQ_CST) < 3)
        msleep(1);
    pthread_mutex_lock(&qm); /* they are all in pthread_cond_wait now */
    gen++;
    pthread_cond_broadcast(&notempty);
    pthread_mutex_unlock(&qm);
    for (int i = 0; i < 3; i++)
        pthread_join(b[i], NULL);
    printf("condvar + PI mutex: broadcast woke %d of 3\n", bcast_woken);

    pthread_mutex_lock(&qm);
    struct timespec dl = after_ms(CLOCK_REALTIME, 20);
    int r = pthread_cond_timedwait(&notempty, &qm, &dl);
    int r2 = pthread_mutex_unlock(&qm);
    printf("condvar + PI mutex: timedwait 20 ms %s, unlock after %s\n", en(r), en(r2));
    pthread_mutex_destroy(&qm);
}

/* ---- raw futex(2) ---- */

static uint32_t word, word2;
static int thr_go, thr_ready;
static long thr_r, thr_r2;
static uint32_t thr_seen, thr_tid;

/* takes word, waits for thr_go, then releases it (or, with arg, exits holding it) */
static void *holder(void *arg)
{
    thr_tid = gettid_();
    thr_r = fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    flag_set(&thr_ready);
    flag_wait(&thr_go);
    if (!arg)
        thr_r2 = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    return NULL;
}

static void start_holder(pthread_t *t, int exit_holding)
{
    thr_go = thr_ready = 0;
    pthread_create(t, NULL, holder, exit_holding ? (void *)1 : NULL);
    flag_wait(&thr_ready);
}

static int sig_seen;

static void on_usr1(int s)
{
    (void)s;
    sig_seen = 1;
}

/* blocks in LOCK_PI on word, then records what the word says and unlocks */
static void *pi_waiter(void *arg)
{
    (void)arg;
    uint32_t me = gettid_();
    thr_r = fx(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    thr_seen = load(&word) ^ me; /* the flag bits alone, if we own it */
    thr_r2 = fx(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    return NULL;
}

static void test_raw_errors(void)
{
    uint32_t me = gettid_();
    long r;

    word = 0;
    r = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI of a free word: %s\n", res(r));
    r = fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI of a free word: %s, word names caller: %s\n", res(r), yesno(load(&word) == me));
    r = fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI of own word: %s\n", res(r));
    r = fx(&word, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI of own word: %s\n", res(r));
    r = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI by owner: %s, word %#x\n", res(r), load(&word));

    word = NO_TID;
    r = fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI of a word naming no task: %s, word %#x\n", res(r), load(&word));
    r = fx(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI of it: %s\n", res(r));
    r = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI of it: %s\n", res(r));

    word = FUTEX_OWNER_DIED;
    r = fx(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI of an OWNER_DIED word: %s, word is OWNER_DIED|caller: %s\n", res(r),
           yesno(load(&word) == (FUTEX_OWNER_DIED | me)));
    r = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI: %s, word %#x\n", res(r), load(&word));

    /* held by another thread */
    pthread_t t;
    word = 0;
    start_holder(&t, 0);
    r = fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("held by another thread (LOCK_PI %s): UNLOCK_PI by non-owner %s\n", res(thr_r), res(r));
    r = fx(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI: %s, word names holder with FUTEX_WAITERS: %s\n", res(r),
           yesno(load(&word) == (thr_tid | FUTEX_WAITERS)));
    struct timespec dl = after_ms(CLOCK_REALTIME, 30);
    r = fx(&word, FUTEX_LOCK_PI, 0, &dl, NULL, 0);
    printf("LOCK_PI, CLOCK_REALTIME deadline in 30 ms: %s\n", res(r));
    dl = after_ms(CLOCK_MONOTONIC, 30);
    r = fx(&word, FUTEX_LOCK_PI2 | FUTEX_PRIVATE_FLAG, 0, &dl, NULL, 0);
    printf("LOCK_PI2, CLOCK_MONOTONIC deadline in 30 ms: %s\n", res(r));
    dl = after_ms(CLOCK_REALTIME, 30);
    r = fx(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, 0, &dl, NULL, 0);
    printf("LOCK_PI2|FUTEX_CLOCK_REALTIME, deadline in 30 ms: %s\n", res(r));
    dl.tv_sec -= 10;
    r = fx(&word, FUTEX_LOCK_PI, 0, &dl, NULL, 0);
    printf("LOCK_PI, deadline passed: %s\n", res(r));
    r = fx(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, &dl, NULL, 0);
    printf("LOCK_PI|FUTEX_CLOCK_REALTIME: %s\n", res(r));
    struct timespec bad = { 0, 1000000000L };
    r = fx(&word, FUTEX_LOCK_PI, 0, &bad, NULL, 0);
    printf("LOCK_PI, tv_nsec 1e9: %s\n", res(r));
    printf("word still names holder with FUTEX_WAITERS: %s\n", yesno(load(&word) == (thr_tid | FUTEX_WAITERS)));
    flag_set(&thr_go);
    pthread_join(t, NULL);
    printf("holder's UNLOCK_PI with no kernel waiters: %s, word %#x\n", res(thr_r2), load(&word));

    /* bad words */
    uint32_t *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096); /* after ro's mmap, which could otherwise reuse it */
    r = fx(gone, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI, unmapped word: %s\n", res(r));
    r = fx(gone, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    printf("TRYLOCK_PI, unmapped word: %s\n", res(r));
    r = fx(gone, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI, unmapped word: %s\n", res(r));
    r = fx(ro, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI, read-only word: %s\n", res(r));
    r = fx(ro, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    printf("UNLOCK_PI, read-only word (0): %s\n", res(r));
    r = fx((uint32_t *)((char *)&word2 + 1), FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI, misaligned word: %s\n", res(r));
    r = fx(&word2, FUTEX_LOCK_PI, 0, gone, NULL, 0);
    printf("LOCK_PI, unmapped timeout: %s, word %#x\n", res(r), load(&word2));
    munmap(ro, 4096);
}

static void test_raw_handover(void)
{
    pthread_t t, w;
    uint32_t me = gettid_();
    long r;

    /* UNLOCK_PI hands the futex to the kernel waiter */
    word = 0;
    r = fx(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    pthread_create(&w, NULL, pi_waiter, NULL);
    await_waiters(&word);
    printf("hand-over: LOCK_PI %s, word names caller with FUTEX_WAITERS: %s\n", res(r),
           yesno(load(&word) == (me | FUTEX_WAITERS)));
    r = fx(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    printf("FUTEX_WAKE of a PI futex with a waiter: %s\n", res(r));
    r = fx(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    pthread_join(w, NULL);
    printf("UNLOCK_PI %s; waiter's LOCK_PI %s, then word was waiter|%#x, its UNLOCK_PI %s, word %#x\n", res(r),
           res(thr_r), thr_seen, res(thr_r2), load(&word));

    /* a signal during LOCK_PI: the handler runs, the lock goes on */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: LOCK_PI restarts anyway */
    sigaction(SIGUSR1, &sa, NULL);
    word = 0;
    fx(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    pthread_create(&w, NULL, pi_waiter, NULL);
    await_waiters(&word);
    pthread_kill(w, SIGUSR1);
    msleep(50);
    r = fx(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    pthread_join(w, NULL);
    printf("signal during LOCK_PI: handler ran %s, waiter's LOCK_PI %s, owned it %s\n", yesno(sig_seen),
           res(thr_r), yesno((thr_seen & FUTEX_TID_MASK) == 0));

    /* the owner exits holding it, with a waiter: the waiter gets it, with OWNER_DIED */
    word = 0;
    start_holder(&t, 1);
    uint32_t dead = thr_tid;
    pthread_create(&w, NULL, pi_waiter, NULL);
    await_waiters(&word);
    flag_set(&thr_go);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    printf("owner exited with a waiter: waiter's LOCK_PI %s, then word was waiter|%#x, its UNLOCK_PI %s\n",
           res(thr_r), thr_seen, res(thr_r2));
    word2 = dead;
    r = fx(&word2, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("LOCK_PI of a word naming the exited thread: %s\n", res(r));
}

/* ABBA: A holds word and waits for word2; B holds word2 and asks for word */
static long abba_a, abba_b;
static int a_ready, b_ready;

static void *abba_a_fn(void *arg)
{
    (void)arg;
    fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    flag_set(&a_ready);
    flag_wait(&b_ready);
    abba_a = fx(&word2, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    fx(&word2, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    fx(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    return NULL;
}

static void *abba_b_fn(void *arg)
{
    (void)arg;
    fx(&word2, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    flag_wait(&a_ready);
    flag_set(&b_ready);
    await_waiters(&word2);
    abba_b = fx(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    fx(&word2, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    return NULL;
}

static void test_deadlock(void)
{
    pthread_t a, b;
    word = word2 = 0;
    pthread_create(&a, NULL, abba_a_fn, NULL);
    pthread_create(&b, NULL, abba_b_fn, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("ABBA: the second LOCK_PI %s, the first one then %s; words %#x %#x\n", res(abba_b), res(abba_a),
           load(&word), load(&word2));
}

/* ---- requeue PI ---- */

static uint32_t cond;
static long rq_r[2];
static int rq_owned[2];

static void *rq_waiter(void *arg)
{
    int i = (int)(intptr_t)arg;
    uint32_t me = gettid_();
    rq_r[i] = fx(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 0, NULL, &word, 0);
    rq_owned[i] = (load(&word) & FUTEX_TID_MASK) == me;
    if (rq_r[i] == 0)
        fx(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    return NULL;
}

static void test_requeue(void)
{
    int op_w = FUTEX_WAIT_REQUEUE_PI | FUTEX_PRIVATE_FLAG, op_r = FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG;
    long r;

    cond = 0;
    word = 0;
    r = fx(&cond, op_w, 1, NULL, &word, 0);
    printf("WAIT_REQUEUE_PI, value differs: %s\n", res(r));
    r = fx(&cond, op_w, 0, NULL, &cond, 0);
    printf("WAIT_REQUEUE_PI, same words: %s\n", res(r));
    struct timespec dl = after_ms(CLOCK_MONOTONIC, 20);
    r = fx(&cond, op_w, 0, &dl, &word, 0);
    printf("WAIT_REQUEUE_PI, CLOCK_MONOTONIC deadline in 20 ms: %s\n", res(r));
    dl = after_ms(CLOCK_REALTIME, 20);
    r = fx(&cond, op_w | FUTEX_CLOCK_REALTIME, 0, &dl, &word, 0);
    printf("WAIT_REQUEUE_PI|FUTEX_CLOCK_REALTIME, deadline in 20 ms: %s\n", res(r));
    /* shared: a private op's key needs no access, so Linux would wait */
    r = fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, (uint32_t *)8, 0);
    printf("WAIT_REQUEUE_PI, bad PI word: %s\n", res(r));
    r = fx(&cond, op_r, 2, (void *)1, &word, 0);
    printf("CMP_REQUEUE_PI, nr_wake 2: %s\n", res(r));
    r = fx(&cond, op_r, 0, (void *)1, &word, 0);
    printf("CMP_REQUEUE_PI, nr_wake 0: %s\n", res(r));
    r = fx(&cond, op_r, 1, (void *)1, &cond, 0);
    printf("CMP_REQUEUE_PI, same words: %s\n", res(r));
    r = fx(&cond, op_r, 1, (void *)1, &word, 7);
    printf("CMP_REQUEUE_PI, val3 differs: %s\n", res(r));
    r = fx(&cond, op_r, 1, (void *)1, &word, 0);
    printf("CMP_REQUEUE_PI, no waiters: %s\n", res(r));

    /* the PI futex is free: the requeue takes it for the waiter and wakes it */
    pthread_t w[2];
    pthread_create(&w[0], NULL, rq_waiter, (void *)0);
    while ((r = fx(&cond, op_r, 1, (void *)0, &word, 0)) == 0)
        msleep(1);
    pthread_join(w[0], NULL);
    printf("CMP_REQUEUE_PI to a free PI futex: %s; waiter's WAIT_REQUEUE_PI %s, owned it %s, word %#x\n", res(r),
           res(rq_r[0]), yesno(rq_owned[0]), load(&word));

    /* held: both waiters are requeued behind the owner, and handed it in turn */
    r = fx(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    for (int i = 0; i < 2; i++)
        pthread_create(&w[i], NULL, rq_waiter, (void *)(intptr_t)i);
    long moved = 0;
    while (moved < 2) {
        long n = fx(&cond, op_r, 1, (void *)INT_MAX, &word, 0);
        if (n < 0) {
            printf("CMP_REQUEUE_PI: %s\n", res(n));
            break;
        }
        moved += n;
        if (moved < 2)
            msleep(1);
    }
    printf("CMP_REQUEUE_PI to a held PI futex: %ld requeued, word has FUTEX_WAITERS %s\n", moved,
           yesno(load(&word) & FUTEX_WAITERS));
    r = fx(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    printf("FUTEX_WAKE of the PI futex with requeued waiters: %s\n", res(r));
    r = fx(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    for (int i = 0; i < 2; i++)
        pthread_join(w[i], NULL);
    printf("UNLOCK_PI %s; waiters' WAIT_REQUEUE_PI %s %s, owned it %s %s; word %#x\n", res(r), res(rq_r[0]),
           res(rq_r[1]), yesno(rq_owned[0]), yesno(rq_owned[1]), load(&word));
}

/* ---- between processes ---- */

static void test_shared(void)
{
    uint32_t *sw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint32_t me = gettid_();
    int st;

    /* the parent holds it; the child blocks, and is handed it */
    sw[0] = 0;
    long r = fx(sw, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    pid_t c = fork();
    if (c == 0) {
        uint32_t self = gettid_();
        long cr = fx(sw, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
        int ok = cr == 0 && load(sw) == (self | FUTEX_WAITERS);
        cr = fx(sw, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
        _exit(ok && cr == 0 ? 0 : 1);
    }
    await_waiters(sw);
    long r2 = fx(sw, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    waitpid(c, &st, 0);
    printf("shared PI futex: parent LOCK_PI %s, UNLOCK_PI to the child %s; child exit %d; word %#x\n", res(r),
           res(r2), WIFEXITED(st) ? WEXITSTATUS(st) : -1, load(sw));

    /* the child holds it and dies; the blocked parent is handed it */
    sw[1] = 0;
    c = fork();
    if (c == 0) {
        fx(sw, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
        __atomic_store_n(&sw[1], 1, __ATOMIC_SEQ_CST);
        await_waiters(sw);
        _exit(0);
    }
    while (!__atomic_load_n(&sw[1], __ATOMIC_SEQ_CST))
        msleep(1);
    r = fx(sw, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    printf("shared PI futex, owner process died: LOCK_PI %s, word is caller|WAITERS|OWNER_DIED %s", res(r),
           yesno(load(sw) == (me | FUTEX_WAITERS | FUTEX_OWNER_DIED)));
    r = fx(sw, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    waitpid(c, &st, 0);
    printf(", UNLOCK_PI %s, word %#x\n", res(r), load(sw));
    munmap(sw, 4096);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_mutex();
    test_robust();
    test_condvar();
    test_raw_errors();
    test_raw_handover();
    test_deadlock();
    test_requeue();
    test_shared();
    return 0;
}
