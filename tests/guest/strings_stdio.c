// strings_stdio: stdio buffering modes, stdout/stderr interleaving, ~200 KiB output.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char fullbuf[8192];

int main(void)
{
    /* Interleave stdout and stderr; only stdout is compared. */
    for (int i = 0; i < 5; i++) {
        fprintf(stdout, "stdout line %d\n", i);
        fprintf(stderr, "stderr line %d\n", i);
    }
    fflush(stdout);

    /* Line buffered: each line is written as it completes. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("line-buffered %s", "part1 ");
    printf("part2\n");
    write(1, "raw write after line-buffered output\n", 37);

    /* Unbuffered. */
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("unbuffered A ");
    write(1, "raw ", 4);
    printf("unbuffered B\n");

    /* Fully buffered with our own buffer, then ~200 KiB of text. */
    setvbuf(stdout, fullbuf, _IOFBF, sizeof fullbuf);
    unsigned long h = 5381, total = 0;
    for (int i = 0; i < 3000; i++) {
        char line[128];
        int n = snprintf(line, sizeof line, "%05d %08lx %-20s|%+.3f|%c%c\n", i, h,
                         "abcdefghijklmnopqrstuvwxyz" + i % 26, i / 7.0, 'A' + i % 26, 'a' + i % 26);
        for (int k = 0; k < n; k++)
            h = h * 33 + (unsigned char)line[k];
        fputs(line, stdout);
        total += (unsigned long)n;
    }
    char big[4000];
    for (int j = 0; j < 10; j++) {
        for (size_t k = 0; k < sizeof big - 1; k++)
            big[k] = (char)('!' + (k * 7 + j) % 90);
        big[sizeof big - 1] = 0;
        printf("%s\n", big);
        total += sizeof big;
    }
    printf("total=%lu hash=%lx\n", total, h);
    fprintf(stderr, "done\n");
    fflush(stdout);
    /* stdout closed by the exit path; a final unflushed fragment: */
    fputs("trailing fragment without newline", stdout);
    return 0;
}
