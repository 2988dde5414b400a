/* Eight threads making 300 calls each at once: no event may be lost, and every
 * interleaved call must come out as one entry and one result. */
#include <pthread.h>
#include <unistd.h>

#define THREADS 8
#define CALLS 300

static void *worker(void *arg)
{
	for (int i = 0; i < CALLS; i++)
		getppid();
	return arg;
}

int main(void)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
