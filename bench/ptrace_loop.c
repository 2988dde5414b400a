/* A guest tracer for `make bench` (run natively and under hvtrace): PTRACE_SYSCALL
 * over N getpid calls of a child, and PTRACE_SINGLESTEP over N instructions of a
 * child. Prints nanoseconds per traced syscall (its two stops) or per step.
 * usage: ptrace_loop syscall|step N */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pid_t start(long n, int steps)
{
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		if (steps) {
			for (volatile long i = 0; i < n * 2; i++)
				;
		} else {
			for (long i = 0; i < n; i++)
				syscall(SYS_getpid);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return pid;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "syscall") && strcmp(argv[1], "step")))
		return 2;
	long n = atol(argv[2]);
	int steps = !strcmp(argv[1], "step");
	pid_t pid = start(n, steps);
	int st;
	long stops = 0;
	long long t0 = now_ns();
	if (steps) {
		for (long i = 0; i < n; i++) {
			ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
			waitpid(pid, &st, 0);
			stops++;
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else {
		for (;;) {
			ptrace(PTRACE_SYSCALL, pid, 0, 0);
			if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
				break;
			stops++;
		}
	}
	long long t = now_ns() - t0;
	if (steps ? stops != n : stops < 2 * n)
		return 1;
	printf("%lld\n", t / n);
	return 0;
}
