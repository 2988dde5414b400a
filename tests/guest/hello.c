// hello: printf, puts and a raw write(1) all reach stdout in order.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    printf("hello, %s! %d %s\n", "world", 42, "printf");
    puts("hello from puts");
    fflush(stdout);             /* keep ordering independent of buffering */
    const char msg[] = "hello from write(1)\n";
    ssize_t n = write(1, msg, sizeof msg - 1);
    printf("write returned %zd\n", n);
    printf("%s", "no newline at end");
    return 0;
}
