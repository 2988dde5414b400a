/* A fuzzing loop: runs a program many times, each in a fresh guest, on random inputs,
 * and reports the inputs that crash it (a SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT
 * about to be delivered), with where it crashed.
 *
 *   fuzz_loop RUNS SEED PROGRAM [ARGS...]
 *
 * Inputs are random bytes, sometimes starting with a word of a small dictionary (the
 * way coverage-free fuzzers seed their mutations). The input goes to the program's
 * stdin through a pipe; its stdout is discarded. */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hvtrace.h>

static const char *const dictionary[] = {"GET", "BUG", "HEAD", "{", "0x"};

static size_t make_input(unsigned *seed, char *buf, size_t max)
{
	size_t n = 1 + (size_t)rand_r(seed) % (max - 1), at = 0;

	if (rand_r(seed) % 4 == 0) {
		const char *w = dictionary[rand_r(seed) % (sizeof dictionary / sizeof dictionary[0])];
		at = strlen(w) < n ? strlen(w) : n;
		memcpy(buf, w, at);
	}
	for (size_t i = at; i < n; i++)
		buf[i] = (char)rand_r(seed);
	return n;
}

static bool is_crash(int signo)
{
	return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE || signo == SIGABRT;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: fuzz_loop RUNS SEED PROGRAM [ARGS...]\n");
		return 2;
	}
	int runs = atoi(argv[1]), crashes = 0;
	unsigned seed = (unsigned)strtoul(argv[2], NULL, 0);
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (int run = 0; run < runs; run++) {
		char input[64];
		size_t len = make_input(&seed, input, sizeof input);
		int p[2];
		if (devnull < 0 || pipe2(p, O_CLOEXEC) || write(p[1], input, len) != (ssize_t)len) {
			perror("fuzz_loop: the input pipe");
			return 2;
		}
		close(p[1]);
		struct hvt_spawn_options o = {
			.argv = argv + 3, .stdio = {p[0], devnull, -1}, .flags = HVT_TRACE_SIGNALS,
		};
		hvt_session *s;
		if (hvt_spawn(&o, &s) < 0) {
			fprintf(stderr, "fuzz_loop: %s\n", hvt_spawn_error());
			return 2;
		}
		close(p[0]);
		struct hvt_event ev;
		while (hvt_wait(s, &ev, -1) == 0 && ev.kind != HVT_EV_GUEST_EXITED) {
			if (ev.kind == HVT_EV_SIGNAL && is_crash(ev.info.si_signo)) {
				struct user_regs_struct regs;
				hvt_get_regs(s, ev.tid, &regs);
				printf("run %d: %s at rip %#llx (address %p), input:", run,
				       strsignal(ev.info.si_signo), regs.rip, ev.info.si_addr);
				for (size_t i = 0; i < len; i++)
					printf(" %02x", (unsigned char)input[i]);
				printf("\n");
				crashes++;
				hvt_kill(s);
			}
			if (ev.stopped)
				hvt_resume(s, ev.tid, HVT_CONT, ev.kind == HVT_EV_SIGNAL ? ev.info.si_signo : 0);
		}
		hvt_close(s);
	}
	printf("%d runs, %d crashes\n", runs, crashes);
	return 0;
}
