// sig_fpe: print a line, then divide an integer by zero (expected status 136).
#include <stdio.h>

int main(void)
{
    volatile int num = 42, den = 0;
    puts("about to divide by zero");
    fflush(stdout);
    volatile int q = num / den;
    printf("still alive?! %d\n", q);
    return 0;
}
