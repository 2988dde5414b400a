/* The load of issue #8: N threads, each making K getpid syscalls (raw, so that libc
 * adds none), then exit 0. usage: load_threads N K */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long k;

static void *run(void *arg)
{
	(void)arg;
	for (long i = 0; i < k; i++) {
		long r;
		__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 64;
	k = argc > 2 ? atol(argv[2]) : 10000;
	pthread_t th[256];
	if (n > 256)
		n = 256;
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, run, NULL))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
