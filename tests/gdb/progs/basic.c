/* The single-threaded program of the gdb tests: a call chain for bt/finish, a loop
 * for until/next, a global to watch, and locals to print and set. */
#include <stdio.h>

int counter;
volatile long watched = 1;
double ratio = 0.5;

int leaf(int x)
{
	int y = x * 2; /* line: leaf-body */
	return y + 1;
}

int middle(int a)
{
	int r = leaf(a + 1);
	return r;
}

int main(void)
{
	int local = 7;
	int total = 0;

	for (int i = 0; i < 3; i++) /* line: loop-head */
		total += i;
	counter = middle(local);
	watched = 42; /* line: write-watched */
	local = (int)watched + total;
	printf("local=%d counter=%d total=%d\n", local, counter, total);
	return local == 45 ? 0 : 3;
}
