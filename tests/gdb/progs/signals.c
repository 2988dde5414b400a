/* A SIGUSR1 to itself (handled) and then a SIGSEGV (fatal): gdb reports both. */
#include <signal.h>
#include <stdio.h>

volatile int handled;

static void on_usr1(int sig)
{
	handled = sig;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	printf("handled %d\n", handled);
	*(volatile int *)8 = 1; /* line: segv */
	return 0;
}
