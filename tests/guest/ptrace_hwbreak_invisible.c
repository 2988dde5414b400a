// ptrace_hwbreak_invisible: an execute breakpoint set through u_debugreg
// leaves the text as it is: the tracee reading its own code at the
// breakpoint sees the same bytes as before (a debug register changes no
// memory), a PEEKTEXT of the tracer too, and the breakpoint still traps on
// each call. hvtrace, where debug registers do not fire, must keep that view.
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/user.h>

#include "ptrace_common.h"

#define DR(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

static unsigned char before[16];

__attribute__((noinline)) static int target(int x)
{
	return x * 5 + 2;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	memcpy(before, (const void *)target, sizeof before);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		/* Read our own code under the breakpoint, then call it twice. */
		int same = memcmp(before, (const void *)target, sizeof before) == 0;
		int sum = target(1) + target(2);
		_exit(same && sum == 19 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("first: %s\n", WIFSTOPPED(st) ? signame(WSTOPSIG(st)) : "?");
	ptrace(PTRACE_POKEUSER, pid, (void *)DR(0), (void *)target);
	printf("DR7: %s\n", ptrace(PTRACE_POKEUSER, pid, (void *)DR(7), (void *)1ul) == 0 ? "set" : "refused");
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)target, 0);
	printf("PEEKTEXT sees the original bytes: %s\n", yesno(errno == 0 && !memcmp(&word, before, sizeof word)));
	for (int i = 0; i < 4; i++) {
		ptrace(PTRACE_CONT, pid, 0, 0);
		waitpid(pid, &st, 0);
		if (WIFEXITED(st)) {
			printf("stop %d: exited %d\n", i, WEXITSTATUS(st));
			break;
		}
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		printf("stop %d: %s at target: %s\n", i, signame(WSTOPSIG(st)), yesno(r.rip == (unsigned long)target));
	}
	return 0;
}
