/* A long-running program for -p: it sleeps and asks its pid, many times, then exits
 * with a status of its own. Not traced natively (the attach test drives it). */
#include <time.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 600; i++) {
		struct timespec t = {0, 50 * 1000 * 1000};
		nanosleep(&t, NULL);
		getpid();
	}
	return 5;
}
