/* bench guest: process-model costs, each printed as ns per operation.
 *   fork N     fork + child _exit + parent waitpid, N times
 *   pipe N     one byte each way between two processes over two pipes, N round trips
 *   threads T N  T threads each doing N iterations of integer work; prints the wall
 *              time in ns (compare T=1 with T=8 for the parallel speed-up) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long iters;

static void *work(void *arg)
{
	volatile unsigned long x = (unsigned long)arg | 1;
	for (long i = 0; i < iters; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return (void *)(unsigned long)x;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long n = atol(argv[2]);
	double t0 = now_ns();
	if (!strcmp(argv[1], "fork")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			if (p < 0 || waitpid(p, NULL, 0) != p)
				return 1;
		}
		printf("%.1f\n", (now_ns() - t0) / n);
	} else if (!strcmp(argv[1], "pipe")) {
		int a[2], b[2];
		char c = 'x';
		if (pipe(a) || pipe(b))
			return 1;
		pid_t p = fork();
		if (p == 0) {
			for (long i = 0; i < n; i++)
				if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
					_exit(1);
			_exit(0);
		}
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
				return 1;
		printf("%.1f\n", (now_ns() - t0) / n);
		waitpid(p, NULL, 0);
	} else if (!strcmp(argv[1], "threads") && argc > 3) {
		int nt = atoi(argv[2]);
		pthread_t th[64];
		iters = atol(argv[3]);
		if (nt < 1 || nt > 64)
			return 2;
		t0 = now_ns();
		for (int i = 0; i < nt; i++)
			pthread_create(&th[i], NULL, work, (void *)(long)i);
		for (int i = 0; i < nt; i++)
			pthread_join(th[i], NULL);
		printf("%.1f\n", now_ns() - t0);
	} else {
		return 2;
	}
	return 0;
}
