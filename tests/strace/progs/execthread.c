/* vfork + a failing execve in the child, then an execve from a second thread: the
 * leader is "superseded by execve" and the new image goes on under the pid. */
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *exec_self(void *arg)
{
	/* A moment for the main thread to reach pause(): otherwise (natively too) the
	 * trace depends on where the exec catches it. */
	struct timespec moment = {0, 50 * 1000 * 1000};
	nanosleep(&moment, NULL);
	char *argv[] = {"execthread", "again", NULL};
	char *envp[] = {"GLIBC_TUNABLES=glibc.pthread.rseq=0", NULL};
	execve("/proc/self/exe", argv, envp);
	return arg;
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		write(1, "again\n", 6);
		return 0;
	}
	pid_t p = vfork();
	if (p == 0) {
		char *none[] = {"x", NULL};
		execve("/nonexistent", none, none + 1);
		_exit(9);
	}
	int st;
	waitpid(p, &st, 0);
	pthread_t t;
	pthread_create(&t, NULL, exec_self, NULL);
	pause();
	return 1;
}
