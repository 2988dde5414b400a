// sig_ill: print a line, then execute ud2 via __builtin_trap() (expected status 132).
#include <stdio.h>

int main(void)
{
    puts("about to execute ud2");
    fflush(stdout);
    __builtin_trap();
}
