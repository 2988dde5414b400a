/* A fork: the child calls child_work() and exits 7, the parent waits for it and calls
 * parent_done(). Both sides are where gdb's follow-fork-mode looks. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int child_work(int x)
{
	return x + 1; /* line: child-work */
}

int parent_done(int status)
{
	return status; /* line: parent-done */
}

int main(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_work(6));
	int st = 0;
	waitpid(pid, &st, 0);
	parent_done(WEXITSTATUS(st));
	printf("child exited %d\n", WEXITSTATUS(st));
	return WEXITSTATUS(st) == 7 ? 0 : 1;
}
