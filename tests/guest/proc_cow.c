// proc_cow: copy-on-write isolation after fork. A global array, a 4 MiB
// malloc buffer, a stack array and a MAP_PRIVATE anonymous mapping are
// filled by the parent; the child rewrites them and prints its checksums,
// the parent's copies must be unchanged. A MAP_SHARED anonymous mapping is
// the exception: the child's writes are visible in the parent. Finally
// parent and child both write after fork (synchronised through pipes) and
// each must still see only its own data.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define GLOBAL_N 8192
#define HEAP_N (4u << 20)
#define STACK_N 16384
#define MAP_N (1u << 20)

static unsigned char global_arr[GLOBAL_N];

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * seed + (i >> 9) + seed);
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

static void sums(const char *who, unsigned char *heap, unsigned char *stk, unsigned char *priv)
{
    printf("%s: global=%016llx heap=%016llx stack=%016llx private=%016llx\n", who,
           (unsigned long long)fnv(global_arr, GLOBAL_N), (unsigned long long)fnv(heap, HEAP_N),
           (unsigned long long)fnv(stk, STACK_N), (unsigned long long)fnv(priv, MAP_N));
}

int main(void)
{
    unsigned char stack_arr[STACK_N];
    unsigned char *heap = malloc(HEAP_N);
    unsigned char *priv = mmap(NULL, MAP_N, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *shared = mmap(NULL, MAP_N, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!heap || priv == MAP_FAILED || shared == MAP_FAILED) {
        puts("allocation failed");
        return 1;
    }
    fill(global_arr, GLOBAL_N, 3);
    fill(heap, HEAP_N, 5);
    fill(stack_arr, STACK_N, 7);
    fill(priv, MAP_N, 11);
    fill(shared, MAP_N, 13);
    sums("parent before fork", heap, stack_arr, priv);
    uint64_t shared_before = fnv(shared, MAP_N);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        fill(global_arr, GLOBAL_N, 17);
        fill(heap, HEAP_N, 19);
        fill(stack_arr, STACK_N, 23);
        fill(priv, MAP_N, 29);
        fill(shared, MAP_N, 31);
        sums("child after writes", heap, stack_arr, priv);
        printf("child: shared=%016llx\n", (unsigned long long)fnv(shared, MAP_N));
        fflush(stdout);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        puts("child failed");
        return 1;
    }
    sums("parent after child", heap, stack_arr, priv);
    uint64_t shared_after = fnv(shared, MAP_N);
    unsigned char expect[64];
    fill(expect, sizeof expect, 31);
    printf("parent: shared=%016llx\n", (unsigned long long)shared_after);
    printf("shared mapping changed by child: %s, holds child's pattern: %s\n",
           yesno(shared_after != shared_before), yesno(memcmp(shared, expect, sizeof expect) == 0));

    /* both sides write after fork */
    int to_child[2], to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0)
        return 1;
    fill(global_arr, GLOBAL_N, 41);
    fill(heap, HEAP_N, 41);
    uint64_t mine = fnv(global_arr, GLOBAL_N) ^ fnv(heap, HEAP_N);
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 1;
    char c = 'x';
    if (pid == 0) {
        fill(global_arr, GLOBAL_N, 43);
        fill(heap, HEAP_N, 43);
        uint64_t want = fnv(global_arr, GLOBAL_N) ^ fnv(heap, HEAP_N);
        if (write(to_parent[1], &c, 1) != 1) /* "I have written" */
            _exit(2);
        if (read(to_child[0], &c, 1) != 1) /* "parent has written too" */
            _exit(3);
        uint64_t got = fnv(global_arr, GLOBAL_N) ^ fnv(heap, HEAP_N);
        _exit(got == want && got != mine ? 0 : 1);
    }
    if (read(to_parent[0], &c, 1) != 1)
        return 1;
    fill(global_arr, GLOBAL_N, 47);
    fill(heap, HEAP_N, 47);
    uint64_t want = fnv(global_arr, GLOBAL_N) ^ fnv(heap, HEAP_N);
    if (write(to_child[1], &c, 1) != 1)
        return 1;
    if (waitpid(pid, &st, 0) != pid)
        return 1;
    uint64_t got = fnv(global_arr, GLOBAL_N) ^ fnv(heap, HEAP_N);
    printf("concurrent writes: child saw only its data: %s\n",
           yesno(WIFEXITED(st) && WEXITSTATUS(st) == 0));
    printf("concurrent writes: parent sees only its data: %s\n", yesno(got == want));
    printf("parent heap checksum now: %016llx\n", (unsigned long long)fnv(heap, HEAP_N));
    free(heap);
    return 0;
}
