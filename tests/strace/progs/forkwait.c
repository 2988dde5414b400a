/* A child that exits with a status, one killed by a signal, and the parent's waits. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
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
	/* The second child says it is about to pause; the parent gives it a moment to
	 * get there before the SIGTERM (natively too, a kill before the pause shows no
	 * pause at all). */
	int ready[2];
	char c;
	pipe(ready);
	p = fork();
	if (p == 0) {
		write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	read(ready[0], &c, 1);
	struct timespec moment = {0, 50 * 1000 * 1000};
	nanosleep(&moment, NULL);
	kill(p, SIGTERM);
	waitpid(p, &st, 0);
	getppid();
	return WEXITSTATUS(st) + 1;
}
