/* Four threads in a syscall loop when the process SIGKILLs itself: every task's trace
 * must end, each call in progress closed with "= ?", each task "killed by SIGKILL". */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static void *spin(void *arg)
{
	for (;;)
		getppid();
	return arg;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	struct timespec moment = {0, 20 * 1000 * 1000};
	nanosleep(&moment, NULL);
	kill(getpid(), SIGKILL);
	return 0;
}
