/* Runs until interrupted (Ctrl-C, kill) or until stop is set from gdb. */
#include <stdio.h>

volatile int stop;
volatile unsigned long spins;

int main(void)
{
	while (!stop)
		spins++; /* line: spin */
	printf("stopped after spinning\n");
	return 5;
}
