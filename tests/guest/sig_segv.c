// sig_segv: print a line, then die from SIGSEGV (expected status 139).
#include <stdio.h>

int main(void)
{
    puts("about to dereference a NULL pointer");
    fflush(stdout);
    volatile int *p = (volatile int *)0;
    *p = 1;
    puts("still alive?!");
    return 0;
}
