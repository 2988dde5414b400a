// exit_codes: exit status taken from argv[1]; atexit handlers run in reverse order.
// diff-args: 42
#include <stdio.h>
#include <stdlib.h>

static void first(void)  { printf("atexit: first registered, runs last\n"); }
static void second(void) { printf("atexit: second registered, runs first\n"); }

int main(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;
    if (atexit(first) != 0 || atexit(second) != 0) {
        puts("atexit failed");
        return 99;
    }
    printf("main: exiting with %d\n", status);
    /* Output is still buffered here (stdout is a file/pipe); exit() must
       run the handlers and then flush stdio. */
    exit(status);
}
