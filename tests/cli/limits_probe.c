/* What hvtrace's limits look like from inside the guest. "forks N": forks N children
 * that wait, and prints how many forks succeeded and the errno of the first refusal.
 * "spin": loops forever (for --timeout). "ticks": prints a line every 5 ms, forever.
 * "sigint": how SIGINT is disposed of at start. "churn N": N children one after the
 * other, each touching copy-on-write and fresh memory, so that the page tables of many
 * dead processes must be reused (nothing may leak per process). "oom": what running out of guest RAM does
 * (natively it would give the same answers with the machine's RAM for --mem, by running
 * the host's OOM killer: run it only under hvtrace). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

/* Linux's default overcommit: one request larger than all RAM is refused, a
 * MAP_NORESERVE one is not; touching more than there is kills the toucher (the OOM
 * killer), and the others go on with the memory it had. */
static int oom(void)
{
	void *p = mmap(NULL, 1ull << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("1 TiB mmap: %s\n", p == MAP_FAILED ? (errno == ENOMEM ? "ENOMEM" : "other") : "granted");
	p = mmap(NULL, 1ull << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	printf("1 TiB MAP_NORESERVE mmap: %s\n", p == MAP_FAILED ? "refused" : "granted");
	p = sbrk(0);
	printf("1 TiB brk: %s\n", brk((char *)p + (1ull << 40)) ? "refused" : "granted");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;) {
			char *q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q == MAP_FAILED)
				_exit(3);
			memset(q, 1, 1 << 20);
		}
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c)
		return 1;
	printf("toucher: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed by SIGKILL" : "other");
	/* Its memory is free again. */
	char *q = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return 1;
	memset(q, 2, 16 << 20);
	printf("after: 16 MiB touched\n");
	return 0;
}

static int shared_page[1024];

static int churn(int n)
{
	int wrong = 0;

	for (int i = 0; i < 1024; i++)
		shared_page[i] = i;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			printf("churn: fork %d failed: %s\n", i, strerror(errno));
			return 1;
		}
		if (c == 0) {
			int ok = shared_page[i % 1024] == i % 1024;
			shared_page[i % 1024] = -1;
			char *q = mmap(NULL, 1 << 18, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q == MAP_FAILED)
				_exit(2);
			for (int j = 0; j < 1 << 18; j += 4096)
				q[j] = (char)(j >> 12);
			for (int j = 0; j < 1 << 18; j += 4096)
				ok &= q[j] == (char)(j >> 12);
			_exit(ok ? 100 + i % 100 : 1);
		}
		int st;
		if (waitpid(c, &st, 0) != c)
			return 1;
		wrong += !WIFEXITED(st) || WEXITSTATUS(st) != 100 + i % 100 || shared_page[i % 1024] != i % 1024;
	}
	printf("churn: %d children, %d wrong\n", n, wrong);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "churn"))
		return churn(atoi(argv[2]));
	if (argc > 1 && !strcmp(argv[1], "spin"))
		for (;;)
			;
	if (argc > 1 && !strcmp(argv[1], "ticks"))
		for (unsigned long i = 0;; i++) {
			printf("tick %lu\n", i);
			fflush(stdout);
			nanosleep(&(struct timespec){0, 5000000}, NULL);
		}
	if (argc > 1 && !strcmp(argv[1], "sigint")) {
		struct sigaction sa;
		if (sigaction(SIGINT, NULL, &sa))
			return 1;
		puts(sa.sa_handler == SIG_IGN ? "SIGINT ignored" : sa.sa_handler == SIG_DFL ? "SIGINT default" : "other");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "oom"))
		return oom();
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
