/* libFuzzer target: the guest's ptrace request dispatcher (ptrace/ptrace.c), fed
 * (request, addr, data) triples against a stopped tracee, coverage-guided over hvtrace's
 * own kernel: the library is built into this fuzzer with the fuzzer's instrumentation
 * and runs a guest in this process (hvt_spawn), whose tracer (ptrace_fuzz_guest.c, a
 * static program run_fuzz.sh builds next to this fuzzer) issues the requests.
 *
 * Input: one flags byte (bit 0: begin with a new tracee, so that the input replays the
 * same way whatever ran before it), then up to MAX_RECORDS records of 18 bytes each:
 * request selector, flags, addr (8 bytes, little-endian), data (8 bytes); see
 * ptrace_fuzz_guest.c for what they mean. A trailing partial record is ignored.
 *
 * Findings: a sanitizer report or a crash anywhere in the VMM (the guest's threads are
 * this process's); a guest that ended (its pipe closed); a batch that got no answer
 * within ANSWER_MS (a hang in the kernel's ptrace paths). A finding may depend on the
 * batches before it (the guest lives on between inputs): FUZZ_PTRACE_LOG=FILE keeps them
 * all, to replay with `hvtrace run -- BUILD/fuzz/ptrace_fuzz_guest < FILE`.
// sources: @libhvtrace
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hvtrace.h>

#define MAX_RECORDS 32
#define REC_SIZE 18
#define ANSWER_MS 8000

static hvt_session *sess;
static int to_guest = -1, from_guest = -1;

static void die(const char *msg)
{
	fprintf(stderr, "fuzz_ptrace: %s\n", msg);
	/* How the guest ended, when it did. */
	struct hvt_event ev;
	while (sess && hvt_wait(sess, &ev, 1000) == 0)
		if (ev.kind == HVT_EV_EXITED || ev.kind == HVT_EV_GUEST_EXITED)
			fprintf(stderr, "fuzz_ptrace: %s: wait status 0x%x\n",
				ev.kind == HVT_EV_EXITED ? "the tracer task ended" : "the guest ended", ev.status);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	static char guest[PATH_MAX];
	const char *env = getenv("HVT_PTRACE_FUZZ_GUEST");
	if (env) {
		snprintf(guest, sizeof guest, "%s", env);
	} else {
		const char *self = (*argv)[0];
		const char *slash = strrchr(self, '/');
		snprintf(guest, sizeof guest, "%.*sptrace_fuzz_guest", slash ? (int)(slash - self + 1) : 0, self);
	}
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe");
	signal(SIGPIPE, SIG_IGN);
	char *const gargv[] = {"ptrace_fuzz_guest", NULL};
	char *const genv[] = {"PATH=/bin:/usr/bin", NULL};
	struct hvt_spawn_options o = {
		.path = guest,
		.argv = gargv,
		.envp = genv,
		/* Small, so that guest RAM leaking per tracee (page tables of dead processes
		 * once did) runs out within a run and shows as a finding. */
		.mem_size = 128ull << 20,
		.stdio = {in[0], out[1], -1},
	};
	int r = hvt_spawn(&o, &sess);
	if (r) {
		fprintf(stderr, "fuzz_ptrace: cannot run %s: %s\n", guest, hvt_spawn_error());
		exit(1);
	}
	/* The guest has its own copies: its end closes the answer pipe. */
	close(in[0]);
	close(out[1]);
	to_guest = in[1];
	from_guest = out[0];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[4 + MAX_RECORDS * REC_SIZE];
	uint32_t n = 0;
	uint8_t flags = 0;
	if (size) {
		flags = data[0];
		n = (uint32_t)((size - 1) / REC_SIZE);
		if (n > MAX_RECORDS)
			n = MAX_RECORDS;
		memcpy(msg + 4, data + 1, n * REC_SIZE);
	}
	uint32_t hdr = n | (uint32_t)(flags & 1) << 24;
	memcpy(msg, &hdr, 4);
	size_t len = 4 + n * REC_SIZE, off = 0;
	/* FUZZ_PTRACE_LOG=FILE keeps every batch, in order: the guest's stream, to replay
	 * a finding that depends on what ran before it (hvtrace run -- GUEST < FILE). */
	static FILE *log_file;
	static bool log_checked;
	if (!log_checked) {
		log_checked = true;
		const char *l = getenv("FUZZ_PTRACE_LOG");
		if (l)
			log_file = fopen(l, "w");
	}
	if (log_file) {
		fwrite(msg, 1, len, log_file);
		fflush(log_file);
	}
	while (off < len) {
		ssize_t w = write(to_guest, msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("the guest no longer reads its requests (it ended)");
		off += (size_t)w;
	}
	/* libFuzzer's timeout alarm interrupts the poll: the deadline stays. */
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct pollfd p = {.fd = from_guest, .events = POLLIN};
	int pr;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = ANSWER_MS - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		pr = poll(&p, 1, left > 0 ? (int)left : 0);
		if (pr >= 0 || errno != EINTR)
			break;
	}
	if (pr == 0)
		die("no answer from the guest in 8 s: a ptrace request hangs");
	char ack;
	ssize_t rd;
	while ((rd = read(from_guest, &ack, 1)) < 0 && errno == EINTR)
		;
	if (rd != 1 || ack != 'k')
		die("the guest ended instead of answering");
	return 0;
}
