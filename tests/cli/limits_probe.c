/* What hvtrace's limits look like from inside the guest. "forks N": forks N children
 * that wait, and prints how many forks succeeded and the errno of the first refusal.
 * "spin": loops forever (for --timeout). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "spin"))
		for (;;)
			;
	int n = argc > 2 ? atoi(argv[2]) : 10, ok = 0, err = 0;
	int pfd[2];
	if (pipe(pfd))
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			char b;
			close(pfd[1]);
			read(pfd[0], &b, 1); /* until the parent closes the pipe */
			_exit(0);
		}
		if (c < 0) {
			err = errno;
			break;
		}
		ok++;
	}
	close(pfd[1]);
	while (wait(NULL) > 0)
		;
	printf("forks: %d, refused: %s\n", ok, err == EAGAIN ? "EAGAIN" : err ? "other" : "none");
	return 0;
}
