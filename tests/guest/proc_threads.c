// proc_threads: pthreads (linked the way the runner links: no -pthread).
// Four threads incrementing a mutex-protected counter, a producer/consumer
// handshake of 1000 items through an 8-slot buffer with condition
// variables, __thread variables with a distinct value per thread, join
// return values including pthread_exit from a nested call, pthread_once,
// and thread identity: gettid differs from getpid in a thread, getpid is the
// same everywhere, and the main thread's tid is its pid.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 4
#define ITERS 200000
#define ITEMS 1000
#define SLOTS 8

static const char *yesno(int b) { return b ? "yes" : "no"; }
static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int tls_val = 100;
static __thread char tls_buf[64];
static pid_t main_pid;

struct result {
    int tls_ok, tid_differs, pid_same;
};
static struct result results[NTHREADS];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_init(void) { once_runs++; }

static void *counter_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    tls_val = id * 10;
    snprintf(tls_buf, sizeof tls_buf, "thread %d", id);
    pthread_once(&once, once_init);
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        if (i % 50000 == 0)
            sched_yield();
    }
    char want[64];
    snprintf(want, sizeof want, "thread %d", id);
    results[id].tls_ok = tls_val == id * 10 && __builtin_strcmp(tls_buf, want) == 0;
    results[id].tid_differs = tid() != getpid();
    results[id].pid_same = getpid() == main_pid;
    return (void *)(intptr_t)(1000 + id);
}

/* bounded buffer */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], qhead, qcount, max_count;

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qcount == SLOTS)
            pthread_cond_wait(&not_full, &qlock);
        queue[(qhead + qcount) % SLOTS] = i;
        qcount++;
        if (qcount > max_count)
            max_count = qcount;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

struct consumed {
    long sum;
    int in_order, n;
};

static void *consumer(void *arg)
{
    struct consumed *c = arg;
    c->in_order = 1;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qcount == 0)
            pthread_cond_wait(&not_empty, &qlock);
        int v = queue[qhead];
        qhead = (qhead + 1) % SLOTS;
        qcount--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
        if (v != i)
            c->in_order = 0;
        c->sum += v;
        c->n++;
    }
    return c;
}

static void leave(int v) { pthread_exit((void *)(intptr_t)v); }

static void *exiter(void *arg)
{
    (void)arg;
    tls_val = -1;
    leave(42);
    return NULL; /* not reached */
}

int main(void)
{
    main_pid = getpid();
    printf("main thread: gettid()==getpid(): %s\n", yesno(tid() == getpid()));

    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        if (pthread_create(&th[i], NULL, counter_thread, (void *)(intptr_t)i) != 0) {
            puts("pthread_create failed");
            return 1;
        }
    for (int i = 0; i < NTHREADS; i++) {
        void *ret = NULL;
        int r = pthread_join(th[i], &ret);
        printf("join thread %d: %d, returned %ld, own __thread values kept: %s, "
               "gettid!=getpid: %s, getpid same as main: %s\n",
               i, r, (long)(intptr_t)ret, yesno(results[i].tls_ok), yesno(results[i].tid_differs),
               yesno(results[i].pid_same));
    }
    printf("counter: %ld (expected %d)\n", counter, NTHREADS * ITERS);
    printf("pthread_once ran the initializer %d time(s)\n", once_runs);
    printf("main thread's __thread value untouched: %s\n", yesno(tls_val == 100 && tls_buf[0] == 0));

    pthread_t prod, cons;
    struct consumed c = { 0, 0, 0 };
    pthread_create(&cons, NULL, consumer, &c);
    pthread_create(&prod, NULL, producer, NULL);
    void *pret = (void *)1, *cret = NULL;
    pthread_join(prod, &pret);
    pthread_join(cons, &cret);
    printf("producer/consumer: %d items, sum %ld, in order: %s, buffer never above %d: %s\n", c.n,
           c.sum, yesno(c.in_order), SLOTS, yesno(max_count <= SLOTS && max_count >= 1));
    printf("producer returned NULL: %s, consumer returned its argument: %s\n", yesno(pret == NULL),
           yesno(cret == &c));

    pthread_t ex;
    pthread_create(&ex, NULL, exiter, NULL);
    void *eret = NULL;
    pthread_join(ex, &eret);
    printf("pthread_exit value: %ld, main __thread still 100: %s\n", (long)(intptr_t)eret,
           yesno(tls_val == 100));
    printf("pthread_equal(main, exited thread): %s, pthread_equal(main, self): %s\n",
           yesno(pthread_equal(pthread_self(), ex)), yesno(pthread_equal(pthread_self(), pthread_self())));
    return 0;
}
