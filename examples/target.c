/* The program the examples trace (built static, it runs in a guest): it reads its
 * input from stdin, prints a checksum of it, and crashes on inputs that start with
 * "BUG", which fuzz_loop.c is meant to find. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) unsigned checksum(const unsigned char *p, unsigned long n)
{
	unsigned sum = 0;

	for (unsigned long i = 0; i < n; i++)
		sum = sum * 31 + p[i];
	return sum;
}

__attribute__((noinline)) int parse(const char *s, unsigned long n)
{
	if (n >= 3 && !memcmp(s, "BUG", 3))
		return *(volatile int *)(n - 3); /* the bug: a wild read */
	return 0;
}

int main(void)
{
	char buf[256];
	ssize_t n = read(0, buf, sizeof buf);

	if (n < 0)
		return 1;
	printf("checksum %u\n", checksum((const unsigned char *)buf, (unsigned long)n));
	return parse(buf, (unsigned long)n);
}
