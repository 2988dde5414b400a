// mmap_ops: anonymous/file mmap, mprotect, mremap, munmap, brk/sbrk.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yesno(int b) { return b ? "yes" : "no"; }

int main(int argc, char **argv)
{
    (void)argc;
    const size_t pg = 4096, len = 64 * pg;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap anon: %s, page aligned: %s\n", yesno(p != MAP_FAILED),
           yesno(((uintptr_t)p & (pg - 1)) == 0));
    int zero = 1;
    for (size_t i = 0; i < len; i++)
        zero &= p[i] == 0;
    printf("anon zero-filled: %s\n", yesno(zero));
    for (size_t i = 0; i < len; i += pg)
        p[i] = (unsigned char)(i / pg + 1);

    printf("mprotect read-only: %d\n", mprotect(p, pg, PROT_READ));
    printf("mprotect read-write: %d\n", mprotect(p, pg, PROT_READ | PROT_WRITE));
    p[0] = 99;

    unsigned char *q = mremap(p, len, 4 * len, MREMAP_MAYMOVE);
    int kept = q != MAP_FAILED && q[0] == 99;
    for (size_t i = pg; kept && i < len; i += pg)
        kept = q[i] == (unsigned char)(i / pg + 1);
    printf("mremap grow keeps contents: %s\n", yesno(kept));
    q[4 * len - 1] = 1;
    printf("munmap: %d\n", munmap(q, 4 * len));

    /* MAP_FIXED over part of a region */
    unsigned char *r = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(r, 0xAA, 4 * pg);
    unsigned char *f = mmap(r + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at requested address: %s, fresh page zero: %s, neighbours kept: %s\n",
           yesno(f == r + pg), yesno(f[0] == 0 && f[pg - 1] == 0), yesno(r[0] == 0xAA && r[2 * pg] == 0xAA));
    munmap(r, 4 * pg);

    /* Private file mapping of our own executable: starts with ELF magic. */
    int fd = open(argv[0], O_RDONLY);
    unsigned char *e = fd >= 0 ? mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    printf("file mmap of argv[0] has ELF magic: %s\n",
           yesno(e != MAP_FAILED && memcmp(e, "\177ELF", 4) == 0));
    if (e != MAP_FAILED)
        munmap(e, pg);
    if (fd >= 0)
        close(fd);

    errno = 0;
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap len 0 fails with EINVAL: %s\n", yesno(bad == MAP_FAILED && errno == EINVAL));

    /* brk (raw syscall: musl's sbrk() refuses non-zero increments):
       grow the break by 1 MiB, touch it, shrink back. */
    uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t b1 = (uintptr_t)syscall(SYS_brk, b0 + (1 << 20));
    int brk_ok = b0 != 0 && b1 == b0 + (1 << 20);
    if (brk_ok) {
        memset((void *)b0, 0x5c, 1 << 20);
        brk_ok = ((unsigned char *)b0)[(1 << 20) - 1] == 0x5c;
        brk_ok &= (uintptr_t)syscall(SYS_brk, b0) == b0;
    }
    printf("brk grow 1 MiB, touch, shrink: %s\n", yesno(brk_ok));
    printf("brk below start refused: %s\n",
           yesno((uintptr_t)syscall(SYS_brk, 4096) == (uintptr_t)syscall(SYS_brk, 0)));
    return 0;
}
