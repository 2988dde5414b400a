/* For -c and -w: calls that block (three 100 ms sleeps, clock_nanosleep in glibc,
 * which cost the kernel next to no CPU but last 0.3 s in all) and calls that do not. */
#include <time.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 3; i++) {
		struct timespec t = {0, 100 * 1000 * 1000};
		if (nanosleep(&t, NULL))
			return 1;
	}
	for (int i = 0; i < 100; i++)
		getppid();
	return 0;
}
