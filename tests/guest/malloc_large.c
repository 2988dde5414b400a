// malloc_large: malloc/free from 1 KiB to 256 MiB, page touching, calloc, realloc.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096UL

/* Fill every page of buf (and the last byte) with a size-dependent
   pattern, then read it all back into a checksum. */
static uint64_t touch_and_sum(unsigned char *buf, size_t size, unsigned seed)
{
    for (size_t off = 0; off < size; off += PAGE)
        buf[off] = (unsigned char)((off / PAGE) * 31 + seed);
    buf[size - 1] = (unsigned char)(seed ^ 0x5a);
    uint64_t sum = 1469598103934665603ULL;           /* FNV-1a over touched bytes */
    for (size_t off = 0; off < size; off += PAGE) {
        sum ^= buf[off];
        sum *= 1099511628211ULL;
    }
    sum ^= buf[size - 1];
    sum *= 1099511628211ULL;
    return sum;
}

int main(void)
{
    /* 1 KiB .. 256 MiB, doubling */
    for (size_t size = 1024; size <= 256UL << 20; size *= 2) {
        unsigned char *p = malloc(size);
        if (!p) {
            printf("malloc(%zu) failed\n", size);
            return 1;
        }
        uint64_t s = touch_and_sum(p, size, (unsigned)(size >> 10));
        printf("malloc %10zu: checksum %016llx\n", size, (unsigned long long)s);
        free(p);
    }

    /* Many small allocations kept alive at once, then freed. */
    enum { N = 20000 };
    static unsigned char *small[N];
    uint64_t acc = 0;
    for (int i = 0; i < N; i++) {
        size_t sz = 16 + (size_t)(i * 37) % 1000;
        small[i] = malloc(sz);
        memset(small[i], i & 0xff, sz);
    }
    for (int i = 0; i < N; i++) {
        size_t sz = 16 + (size_t)(i * 37) % 1000;
        acc += small[i][sz - 1] + small[i][0];
        free(small[i]);
    }
    printf("small allocations: %d, sum %llu\n", N, (unsigned long long)acc);

    /* calloc must return zeroed memory, also when reusing freed memory. */
    for (size_t size = 4096; size <= 64UL << 20; size *= 16) {
        unsigned char *d = malloc(size);
        memset(d, 0xff, size);
        free(d);
        unsigned char *c = calloc(size, 1);
        size_t nonzero = 0;
        for (size_t i = 0; i < size; i++)
            nonzero += c[i] != 0;
        printf("calloc %10zu: nonzero bytes %zu\n", size, nonzero);
        free(c);
    }

    /* realloc growth keeps the prefix intact. */
    size_t cur = 16;
    unsigned char *r = malloc(cur);
    for (size_t i = 0; i < cur; i++)
        r[i] = (unsigned char)(i * 7);
    int bad = 0;
    while (cur < 64UL << 20) {
        size_t next = cur * 4;
        r = realloc(r, next);
        if (!r) {
            printf("realloc(%zu) failed\n", next);
            return 1;
        }
        for (size_t i = 0; i < cur; i += (cur > PAGE ? 97 : 1))
            if (r[i] != (unsigned char)(i * 7))
                bad++;
        for (size_t i = cur; i < next; i++)
            r[i] = (unsigned char)(i * 7);
        cur = next;
    }
    uint64_t rs = 0;
    for (size_t i = 0; i < cur; i += PAGE - 3)
        rs += r[i];
    free(r);
    printf("realloc grew to %zu, prefix mismatches %d, sample sum %llu\n",
           cur, bad, (unsigned long long)rs);
    return 0;
}
