/* Prints its arguments and exits with their count (extended-remote's run and vRun). */
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("arg%d=%s\n", i, argv[i]);
	return argc; /* line: args-exit */
}
