/* Runs until interrupted (Ctrl-C, kill) or until stop is set from gdb. Says "spinning"
 * first, for a test that must attach to the loop and not to the start-up before it. */
#include <stdio.h>

volatile int stop;
volatile unsigned long spins;

int main(void)
{
	printf("spinning\n");
	fflush(stdout);
	while (!stop)
		spins++; /* line: spin */
	printf("stopped after spinning\n");
	return 5;
}
