// stdin_echo: copy stdin to stdout with read/write in odd-sized chunks.
// diff-stdin: @bytes:1048576
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static char buf[65536];
    const size_t chunks[] = { 1, 7, 4096, 65536, 100, 33333 };
    unsigned long long total = 0;
    for (int i = 0;; i++) {
        ssize_t n = read(0, buf, chunks[i % 6]);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("read");
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                perror("write");
                return 1;
            }
            off += w;
        }
        total += (unsigned long long)n;
    }
    fprintf(stderr, "stdin_echo: %llu bytes\n", total);
    return 0;
}
