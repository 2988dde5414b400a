/* Hardware breakpoints beyond the basics (ptrace_hwbreak.c): a write watchpoint is
 * not triggered by the kernel writing the watched bytes for a syscall (read(2) into
 * them), a read/write watchpoint fires on a load, and an execute breakpoint does not
 * reach a forked, untraced child that runs the same code. */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int buf[4];
static volatile int readme = 7;
static int pfd[2];

__attribute__((noinline)) static int target(int x)
{
	return x * 3 + 1;
}

#define DR(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

static void child(void)
{
	raise(SIGSTOP);
	/* 1: the kernel writes buf for read(): no trap; then our own store: a trap. */
	int v = 0x1234;
	write(pfd[1], &v, sizeof v);
	if (read(pfd[0], (void *)&buf[0], sizeof v) != sizeof v)
		_exit(2);
	buf[0] = 99;
	/* 2: a load of readme under a read/write watchpoint. */
	int got = readme;
	/* 3: an untraced child runs target() freely; then we call it. */
	pid_t c = fork();
	if (c == 0)
		_exit(target(2) == 7 ? 0 : 1);
	int st;
	waitpid(c, &st, 0);
	int t = target(got);
	_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 && t == 22 && buf[0] == 99 ? 0 : 3);
}

static const char *stop_str(int st)
{
	static char s[96];
	if (WIFEXITED(st))
		snprintf(s, sizeof s, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(s, sizeof s, "killed by %d", WTERMSIG(st));
	else
		snprintf(s, sizeof s, "stopped by %s", WSTOPSIG(st) == SIGTRAP ? "SIGTRAP" :
			 WSTOPSIG(st) == SIGSTOP ? "SIGSTOP" : WSTOPSIG(st) == SIGCHLD ? "SIGCHLD" : "other");
	return s;
}

static void show_trap(pid_t pid, const char *what)
{
	siginfo_t si;
	struct user_regs_struct r;
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	long dr6 = ptrace(PTRACE_PEEKUSER, pid, (void *)DR(6), 0);
	printf("  %s: si_code %s, DR6 0x%lx\n", what, si.si_code == TRAP_HWBKPT ? "TRAP_HWBKPT" : "other",
	       (unsigned long)dr6);
	ptrace(PTRACE_POKEUSER, pid, (void *)DR(6), 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	alarm(30);
	pipe(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		child();
	}
	int st;
	waitpid(pid, &st, 0);
	printf("first: %s\n", stop_str(st));
	/* DR0: 4-byte write watch on buf[0]; DR1: 4-byte read/write watch on readme;
	 * DR2: execute breakpoint on target. */
	ptrace(PTRACE_POKEUSER, pid, (void *)DR(0), (void *)&buf[0]);
	ptrace(PTRACE_POKEUSER, pid, (void *)DR(1), (void *)&readme);
	ptrace(PTRACE_POKEUSER, pid, (void *)DR(2), (void *)target);
	unsigned long dr7 = 0x1 | (0x1ul << 16) | (0x3ul << 18) /* DR0 W len 4 */
			    | 0x4 | (0x3ul << 20) | (0x3ul << 22) /* DR1 RW len 4 */
			    | 0x10;                               /* DR2 exec */
	printf("DR7: %s\n", ptrace(PTRACE_POKEUSER, pid, (void *)DR(7), (void *)dr7) == 0 ? "set" : "refused");
	/* Expected: the store to buf[0] (not the read() before it), the load of readme,
	 * the grandchild's SIGCHLD, the call of target; then the exit. */
	for (int i = 0; i < 6; i++) {
		ptrace(PTRACE_CONT, pid, 0, 0);
		waitpid(pid, &st, 0);
		printf("stop %d: %s\n", i, stop_str(st));
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) == SIGTRAP)
			show_trap(pid, "trap");
	}
	return 0;
}
