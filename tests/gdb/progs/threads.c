/* Three threads that each reach worker_mark() once, so gdb's all-stop, thread list
 * and per-thread stepping have several threads to see. */
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 3

volatile int marks[NTHREADS];
pthread_barrier_t barrier;

void worker_mark(int id)
{
	marks[id] = id + 1; /* line: worker-mark */
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;

	/* every thread exists before any marks: gdb sees them all at the first stop */
	pthread_barrier_wait(&barrier);
	worker_mark(id);
	pthread_barrier_wait(&barrier);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("marks %d %d %d\n", marks[0], marks[1], marks[2]);
	return 0;
}
