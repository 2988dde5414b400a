// tls: __thread / _Thread_local variables (initialised, zeroed, arrays).
#include <stdio.h>
#include <string.h>

__thread int tls_init = 12345;
__thread long tls_zero;
_Thread_local char tls_str[32] = "thread-local string";
_Thread_local int tls_arr[256];
_Thread_local double tls_darr[4] = { 1.5, 2.5, 3.5, 4.5 };
static __thread int tls_static = -7;

__attribute__((noinline)) static int *addr_of_init(void) { return &tls_init; }

int main(void)
{
    printf("tls_init=%d tls_zero=%ld tls_static=%d\n", tls_init, tls_zero, tls_static);
    printf("tls_str=\"%s\"\n", tls_str);
    printf("tls_darr=%g %g %g %g\n", tls_darr[0], tls_darr[1], tls_darr[2], tls_darr[3]);

    int zero = 1;
    for (int i = 0; i < 256; i++)
        if (tls_arr[i] != 0)
            zero = 0;
    printf("tls_arr zeroed: %s\n", zero ? "yes" : "no");

    tls_init += 1;
    tls_zero = 0x123456789L;
    tls_static *= 3;
    strcpy(tls_str, "modified");
    for (int i = 0; i < 256; i++)
        tls_arr[i] = i * i;
    for (int i = 0; i < 4; i++)
        tls_darr[i] *= 2;

    long sum = 0;
    for (int i = 0; i < 256; i++)
        sum += tls_arr[i];
    printf("tls_init=%d tls_zero=%lx tls_static=%d\n", tls_init, tls_zero, tls_static);
    printf("tls_str=\"%s\" tls_arr sum=%ld\n", tls_str, sum);
    printf("tls_darr=%g %g %g %g\n", tls_darr[0], tls_darr[1], tls_darr[2], tls_darr[3]);

    /* Access through a pointer must alias the %fs-relative access. */
    *addr_of_init() = 777;
    printf("via pointer: tls_init=%d\n", tls_init);

    /* The thread pointer (%fs:0) must point to itself (TCB self pointer). */
    void *self, *fsbase;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    fsbase = __builtin_thread_pointer();
    printf("fs:0 self pointer valid: %s\n", self == fsbase ? "yes" : "no");
    return 0;
}
