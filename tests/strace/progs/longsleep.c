/* Sleeps long enough to be interrupted: Ctrl-C (SIGINT) to the tracer must reach the
 * program as it does under strace. */
#include <time.h>

int main(void)
{
	struct timespec t = {30, 0};
	nanosleep(&t, NULL);
	return 3;
}
