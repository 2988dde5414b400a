/* vfork + exec (what posix_spawn does): the child borrows the parent's memory until
 * its exec, so gdb's breakpoints in that memory must survive the child's detach. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int after_spawn(int status)
{
	return status; /* line: after-spawn */
}

int main(int argc, char **argv)
{
	int st = 0;
	pid_t pid = vfork();

	if (pid == 0) {
		execv(argv[1], argv + 1);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	after_spawn(WEXITSTATUS(st));
	after_spawn(WEXITSTATUS(st));
	printf("spawned child exited %d\n", WEXITSTATUS(st));
	return 0;
}
