/* Threads making calls at the same time: unfinished/resumed lines and [pid N] prefixes. */
#include <pthread.h>
#include <unistd.h>

static void *worker(void *arg)
{
	for (int i = 0; i < 20; i++)
		getppid();
	return arg;
}

int main(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	write(1, "done\n", 5);
	return 0;
}
