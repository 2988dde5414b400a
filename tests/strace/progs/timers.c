/* Timers and signal plumbing: alarm and setitimer waking pause, CPU-time queries,
 * an alternate signal stack, an SA_SIGINFO handler on it for a real SIGSEGV, a blocked
 * signal left pending. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <unistd.h>

static void on_alarm(int sig)
{
	(void)sig;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	_exit(3);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(1);
	pause();
	struct itimerval it = {{0, 0}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	pause();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	struct tms t;
	times(&t);
	stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigpending(&pending);
	*(volatile int *)16 = 1;
	return 0;
}
