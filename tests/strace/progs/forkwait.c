/* A child that exits with a status, one killed by a signal, and the parent's waits. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	pid_t p = fork();
	if (p == 0) {
		getpid();
		_exit(7);
	}
	wait4(p, &st, 0, NULL);
	p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	kill(p, SIGTERM);
	waitpid(p, &st, 0);
	getppid();
	return WEXITSTATUS(st) + 1;
}
