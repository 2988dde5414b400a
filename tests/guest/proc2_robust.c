// proc2_robust: robust mutexes (PTHREAD_MUTEX_ROBUST). A thread that locks
// and exits without unlocking: the next lock returns EOWNERDEAD (also
// trylock); pthread_mutex_consistent + unlock make it usable again; unlock
// without consistent makes it ENOTRECOVERABLE. A waiter blocked in
// pthread_mutex_lock while the owner thread exits gets EOWNERDEAD. Across
// processes (PTHREAD_PROCESS_SHARED in MAP_SHARED memory): a child that
// _exit()s, and a child killed by SIGKILL, while holding the mutex (one with
// the parent already blocked in pthread_mutex_lock).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e)
{
    switch (e) {
    case 0: return "0";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EDEADLK: return "EDEADLK";
    default: return strerror(e);
    }
}

static void msleep(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void init_robust(pthread_mutex_t *m, int pshared, int type)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&a, type);
    if (pshared)
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

static pthread_mutex_t m1;
static volatile int holder_locked;

static void *lock_and_exit(void *arg)
{
    pthread_mutex_t *m = arg;
    int r = pthread_mutex_lock(m);
    holder_locked = 1;
    if (r != 0)
        return (void *)1;
    return NULL; /* exits still holding it */
}

static void *lock_sleep_exit(void *arg)
{
    pthread_mutex_t *m = arg;
    pthread_mutex_lock(m);
    __atomic_store_n(&holder_locked, 1, __ATOMIC_SEQ_CST);
    msleep(60);
    return NULL;
}

static int waiter_ret = -1, waiter_cons = -1, waiter_unl = -1;
static void *waiter(void *arg)
{
    waiter_ret = pthread_mutex_lock(arg);
    waiter_cons = pthread_mutex_consistent(arg);
    waiter_unl = pthread_mutex_unlock(arg);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int r;

    /* 1: owner thread exits, then lock */
    init_robust(&m1, 0, PTHREAD_MUTEX_NORMAL);
    pthread_create(&t, NULL, lock_and_exit, &m1);
    pthread_join(t, NULL);
    r = pthread_mutex_lock(&m1);
    printf("lock after owner thread exited: %s\n", en(r));
    r = pthread_mutex_consistent(&m1);
    printf("pthread_mutex_consistent: %s\n", en(r));
    r = pthread_mutex_unlock(&m1);
    printf("unlock: %s\n", en(r));
    r = pthread_mutex_lock(&m1);
    printf("lock again: %s\n", en(r));
    r = pthread_mutex_unlock(&m1);
    printf("unlock again: %s\n", en(r));

    /* 2: trylock sees EOWNERDEAD; unlock without consistent */
    pthread_create(&t, NULL, lock_and_exit, &m1);
    pthread_join(t, NULL);
    r = pthread_mutex_trylock(&m1);
    printf("trylock after owner thread exited: %s\n", en(r));
    r = pthread_mutex_unlock(&m1);
    printf("unlock without consistent: %s\n", en(r));
    r = pthread_mutex_lock(&m1);
    printf("lock now: %s\n", en(r));
    r = pthread_mutex_trylock(&m1);
    printf("trylock now: %s\n", en(r));
    pthread_mutex_destroy(&m1);

    /* 3: waiter blocked while the owner exits (error-checking type) */
    pthread_mutex_t m2;
    init_robust(&m2, 0, PTHREAD_MUTEX_ERRORCHECK);
    holder_locked = 0;
    pthread_t w;
    pthread_create(&t, NULL, lock_sleep_exit, &m2);
    while (!__atomic_load_n(&holder_locked, __ATOMIC_SEQ_CST))
        msleep(1);
    pthread_create(&w, NULL, waiter, &m2);
    pthread_join(t, NULL);
    pthread_join(w, NULL);
    printf("blocked waiter when owner thread exited: %s, consistent: %s, unlock: %s\n",
           en(waiter_ret), en(waiter_cons), en(waiter_unl));
    r = pthread_mutex_unlock(&m2);
    printf("unlock of an unowned errorcheck mutex: %s\n", en(r));
    r = pthread_mutex_lock(&m2);
    printf("main lock: %s\n", en(r));
    r = pthread_mutex_lock(&m2);
    printf("relock by owner (errorcheck): %s\n", en(r));
    pthread_mutex_unlock(&m2);

    /* 4: across processes */
    struct shared {
        pthread_mutex_t m;
        int flag;
    } *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 1;
    init_robust(&sh->m, 1, PTHREAD_MUTEX_NORMAL);
    int st;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&sh->m);
        _exit(3);
    }
    waitpid(pid, &st, 0);
    printf("child exited %d holding the shared mutex\n", WEXITSTATUS(st));
    r = pthread_mutex_lock(&sh->m);
    printf("parent lock: %s\n", en(r));
    printf("consistent: %s\n", en(pthread_mutex_consistent(&sh->m)));
    printf("unlock: %s\n", en(pthread_mutex_unlock(&sh->m)));

    /* parent blocked in lock while the child _exits */
    sh->flag = 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&sh->m);
        __atomic_store_n(&sh->flag, 1, __ATOMIC_SEQ_CST);
        msleep(60);
        _exit(4);
    }
    while (!__atomic_load_n(&sh->flag, __ATOMIC_SEQ_CST))
        msleep(1);
    r = pthread_mutex_lock(&sh->m);
    printf("parent blocked in lock while holder child exits: %s\n", en(r));
    waitpid(pid, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    pthread_mutex_consistent(&sh->m);
    pthread_mutex_unlock(&sh->m);

    /* child killed by SIGKILL while holding it */
    sh->flag = 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&sh->m);
        __atomic_store_n(&sh->flag, 1, __ATOMIC_SEQ_CST);
        for (;;)
            pause();
    }
    while (!__atomic_load_n(&sh->flag, __ATOMIC_SEQ_CST))
        msleep(1);
    r = pthread_mutex_trylock(&sh->m);
    printf("trylock while the child holds it: %s\n", en(r));
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("child killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    r = pthread_mutex_lock(&sh->m);
    printf("parent lock after SIGKILL: %s\n", en(r));
    r = pthread_mutex_consistent(&sh->m);
    printf("consistent: %s", en(r));
    r = pthread_mutex_unlock(&sh->m);
    printf(", unlock: %s\n", en(r));
    r = pthread_mutex_trylock(&sh->m);
    printf("trylock afterwards: %s\n", en(r));
    pthread_mutex_unlock(&sh->m);
    return 0;
}
