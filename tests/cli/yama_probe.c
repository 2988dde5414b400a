#define _GNU_SOURCE
/* What each Yama ptrace_scope allows, for `hvtrace run --ptrace-scope N` (tests/cli):
 * an unprivileged, dumpable process attaching to its child, to a sibling (before and
 * after the sibling names it with PR_SET_PTRACER), and PTRACE_TRACEME. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *try_attach(pid_t pid)
{
	if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
		waitpid(pid, NULL, 0);
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return "ok";
	}
	return errno == EPERM ? "EPERM" : strerror(errno);
}

int main(void)
{
	int go[2], named[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
		printf("cannot drop to uid 65534\n");
		return 1;
	}
	prctl(PR_SET_DUMPABLE, 1); /* the drop made us non-dumpable */
	pipe(go);
	pipe(named);
	pid_t target = fork();
	if (target == 0) {
		char c;
		read(go[0], &c, 1);
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
		write(named[1], "n", 1);
		pause();
		_exit(0);
	}
	printf("child: %s\n", try_attach(target));
	pid_t sib = fork();
	if (sib == 0) {
		printf("sibling: %s\n", try_attach(target));
		write(go[1], "g", 1);
		char c;
		read(named[0], &c, 1);
		printf("sibling after PR_SET_PTRACER_ANY: %s\n", try_attach(target));
		_exit(0);
	}
	waitpid(sib, NULL, 0);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	pid_t tm = fork();
	if (tm == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 ? 0 : 1);
	int st;
	waitpid(tm, &st, 0);
	printf("traceme: %s\n", WEXITSTATUS(st) == 0 ? "ok" : "EPERM");
	return 0;
}
