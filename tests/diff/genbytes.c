/* genbytes N: write N deterministic pseudo-random bytes (xorshift64*) to
   stdout.  Used by run_diff.sh for `// diff-stdin: @bytes:N`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: genbytes N\n");
        return 2;
    }
    unsigned long long n = strtoull(argv[1], NULL, 0);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    unsigned char buf[8];
    while (n > 0) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t v = x * 0x2545F4914F6CDD1DULL;
        for (int i = 0; i < 8; i++)
            buf[i] = (unsigned char)(v >> (8 * i));
        size_t k = n < 8 ? (size_t)n : 8;
        if (fwrite(buf, 1, k, stdout) != k)
            return 1;
        n -= k;
    }
    return fclose(stdout) != 0;
}
