/* The tracee of tests/vcpu/test_host_api.c. argv[1] picks what it does; the test
 * looks up bp_target and counter in its symbol table. Exit status: 3 when every step
 * went as it should, else the number of the failed check. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile long counter;
volatile int forked; /* set by the parent once fork/vfork returned */

static void *thread_main(void *arg)
{
	return arg;
}

__attribute__((noinline)) long bp_target(long x)
{
	__asm__ volatile("" ::: "memory");
	return x * 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "skip"))
		/* The tracer skips getppid and makes its result 4242. */
		return syscall(SYS_getppid) == 4242 ? 42 : 1;
	if (!strcmp(mode, "signal")) {
		/* The tracer drops SIGUSR1 (default action: terminate). */
		raise(SIGUSR1);
		return 3;
	}
	if (!strcmp(mode, "calls")) {
		long sum = 0;
		for (int i = 1; i <= 3; i++)
			sum += bp_target(i);
		return sum == 12 ? 3 : 1;
	}
	if (!strcmp(mode, "watch")) {
		for (int i = 0; i < 3; i++)
			counter++;
		return counter == 3 ? 3 : 1;
	}
	if (!strcmp(mode, "fork")) {
		pid_t c = fork();
		if (c == 0)
			_exit(7);
		forked = 1;
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
			return 1;
		return 3;
	}
	if (!strcmp(mode, "vfork")) {
		pid_t c = vfork();
		if (c == 0)
			_exit(5);
		forked = 1;
		int st;
		return waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 5 ? 3 : 1;
	}
	if (!strcmp(mode, "vfork_exec")) {
		/* The tracer puts a breakpoint for the child into the memory they share; the
		 * child's exec must take it out again (the parent reads its own text). */
		unsigned char before = *(volatile unsigned char *)bp_target;
		pid_t c = vfork();
		if (c == 0) {
			char *args[] = {argv[0], "", NULL};
			execv("/proc/self/exe", args);
			_exit(1);
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 3)
			return 1;
		return *(volatile unsigned char *)bp_target == before ? 3 : 2;
	}
	if (!strcmp(mode, "thread")) {
		pthread_t th;
		void *ret = NULL;
		if (pthread_create(&th, NULL, thread_main, (void *)3) || pthread_join(th, &ret))
			return 1;
		return (int)(long)ret;
	}
	if (!strcmp(mode, "exec")) {
		char *args[] = {argv[0], "pid", NULL};
		execv("/proc/self/exe", args);
		return 1;
	}
	if (!strcmp(mode, "sled")) {
		/* A child sends SIGURG every ~30 us while the parent runs a sled of 3-byte
		 * `inc %rax` from SLED_BASE on: kicks that land while single steps trap. */
		pid_t parent = getpid();
		if (fork() == 0)
			for (;;)
				kill(parent, SIGURG), usleep(30);
		__asm__ volatile("mov $0x5eed0000, %%eax\n1:\n.rept 64\ninc %%rax\n.endr\njmp 1b" ::: "rax");
	}
	if (!strcmp(mode, "pid"))
		return getpid() == 1 ? 3 : 1;
	/* spin-ready: says so on stdout first, for a tracer that must attach to the loop
	 * itself and not to the start-up before it. */
	if (!strcmp(mode, "spin-ready") && write(1, "spinning\n", 9) != 9)
		return 1;
	if (!strcmp(mode, "spin") || !strcmp(mode, "spin-ready"))
		for (;;)
			counter++;
	return 3;
}
