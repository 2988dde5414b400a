/* The guest half of fuzz_ptrace (tests/fuzz/fuzz_ptrace.c): a tracer in an hvtrace guest
 * that issues the fuzzer's ptrace requests against a stopped child, so that hvtrace's
 * ptrace dispatcher (ptrace/ptrace.c) and what it reaches serve them.
 *
 * Protocol, on stdin/stdout (pipes to the fuzzer): a batch is a 4-byte count n (at most
 * MAX_RECORDS) then n records of struct rec; the guest answers each batch with one byte,
 * 'k', once every request of it was issued. A record either asks for a request:
 *   ptrace(request(sel), pid(flags), addr', data')
 * where addr' is addr, or a pointer into the guest's scratch buffer (scratch + addr %
 * SCRATCH) when FL_ADDR_BUF is set, and the same for data' with FL_DATA_BUF; or, with
 * sel SEL_POKE_SCRATCH, stores a word into the scratch buffer (at addr % SCRATCH: data,
 * or scratch + data % SCRATCH with FL_DATA_BUF) so that a later request finds an iovec
 * or a peeksiginfo_args pointing where the input wants. The scratch buffer is followed
 * by an unmapped page: pointers near its end fault part way.
 *
 * The child is stopped (PTRACE_TRACEME, then SIGSTOP: a signal-delivery-stop) when the
 * batch begins, and the guest keeps it in a ptrace-stop: after a request that left it
 * running (PTRACE_GETEVENTMSG says -ESRCH) it waits (briefly) for its next stop; a child that ended, did not stop again, or is
 * no longer traced is killed and replaced by a new stopped one. With BATCH_FRESH in the
 * batch's flags byte (the count's high byte) the batch begins with a new child, so that
 * an input replays the same way whatever ran before it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RECORDS 64
#define SCRATCH 8192
#define SEL_POKE_SCRATCH 0xff
#define BATCH_FRESH 0x1u

enum {
	FL_ADDR_BUF = 0x1,
	FL_DATA_BUF = 0x2,
	FL_PID_SHIFT = 2, /* 2 bits: 0, 1 the child; 2 the tracer itself; 3 a pid no task has */
};

struct rec {
	uint8_t sel, flags;
	uint64_t addr, data;
} __attribute__((packed));

/* Requests by index; an index past the table is request 0x4200 + index (the
 * extended requests and the gaps between them). */
static const long reqs[] = {
	PTRACE_PEEKTEXT, PTRACE_PEEKDATA, PTRACE_PEEKUSER, PTRACE_POKETEXT, PTRACE_POKEDATA,
	PTRACE_POKEUSER, PTRACE_CONT, PTRACE_KILL, PTRACE_SINGLESTEP, PTRACE_GETREGS,
	PTRACE_SETREGS, PTRACE_GETFPREGS, PTRACE_SETFPREGS, PTRACE_ATTACH, PTRACE_DETACH,
	PTRACE_GETFPXREGS, PTRACE_SETFPXREGS, PTRACE_SYSCALL, PTRACE_GET_THREAD_AREA,
	PTRACE_SET_THREAD_AREA, PTRACE_ARCH_PRCTL, PTRACE_SYSEMU, PTRACE_SYSEMU_SINGLESTEP,
	PTRACE_SINGLEBLOCK, PTRACE_SETOPTIONS, PTRACE_GETEVENTMSG, PTRACE_GETSIGINFO,
	PTRACE_SETSIGINFO, PTRACE_GETREGSET, PTRACE_SETREGSET, PTRACE_SEIZE, PTRACE_INTERRUPT,
	PTRACE_LISTEN, PTRACE_PEEKSIGINFO, PTRACE_GETSIGMASK, PTRACE_SETSIGMASK,
	PTRACE_SECCOMP_GET_FILTER, PTRACE_SECCOMP_GET_METADATA, PTRACE_GET_SYSCALL_INFO,
	0x4210 /* PTRACE_GET_RSEQ_CONFIGURATION */, 0x4212 /* PTRACE_SET_SYSCALL_INFO */,
	0x4211, 0x4213, 22 /* PTRACE_OLDSETOPTIONS */, 11, 19, 20, 23, 27, 28, 29, 30, 31, 32, 33,
	-1, 0x7fffffff,
};
#define NREQS (sizeof reqs / sizeof reqs[0])

static pid_t child = -1;
static unsigned char *scratch;

/* A raw addr or data value that points into the tracer's own writable memory (its
 * image, data and brk heap; its stack) would let a request such as PTRACE_GETREGS
 * overwrite the tracer itself: a crash of this program, not of hvtrace (Linux does the
 * same). Such a value, and a regset iovec's iov_base, is moved to the kernel half
 * (non-canonical addresses fault). */
extern char __executable_start[];
static uintptr_t stack_lo, stack_hi;

static uint64_t not_ours(uint64_t v)
{
	uintptr_t end = (uintptr_t)sbrk(0);
	if ((v >= (uintptr_t)__executable_start - 8 && v < end) || (v >= stack_lo && v < stack_hi))
		return v | 1ull << 63;
	return v;
}

static int read_full(void *p, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(0, (char *)p + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Kills and reaps the child. A tracee stays in a PTRACE_EVENT_EXIT stop (PTRACE_O_TRACEEXIT)
 * until its tracer resumes it, SIGKILL or not: it is resumed until it is gone. */
static void drop_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		ptrace(PTRACE_CONT, child, 0, 0);
		for (;;) {
			int st;
			pid_t w = waitpid(child, &st, __WALL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w != child || !WIFSTOPPED(st))
				break;
			ptrace(PTRACE_CONT, child, 0, 0);
		}
	}
	child = -1;
}

static int new_child(void)
{
	pid_t c = fork();
	if (c == 0) {
		/* Requests may set its registers and run it: it may then make any syscall.
		 * Without the tracer's pipes, in a process group of its own and as another
		 * user, it cannot disturb the tracer (kill(0 or -1, SIGKILL), a write into the
		 * answer pipe); the tracer, root, still traces it. */
		close(0);
		close(1);
		setpgid(0, 0);
		if (setgid(65534) || setuid(65534))
			_exit(1);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		for (;;)
			raise(SIGSTOP);
	}
	if (c < 0)
		return -1;
	int st;
	if (waitpid(c, &st, __WALL) != c || !WIFSTOPPED(st)) {
		child = c;
		drop_child();
		return -1;
	}
	child = c;
	return 0;
}

/* After a request that may have let the child run (or ended it, or detached it): waits
 * up to 100 ms for its next ptrace-stop; no stop, it is dropped. */
static void settle_child(void)
{
	for (int i = 0; i < 100; i++) {
		int st;
		pid_t w = waitpid(child, &st, __WALL | WNOHANG);
		if (w == child) {
			if (WIFSTOPPED(st))
				return;
			child = -1; /* ended: reaped */
			return;
		}
		if (w < 0) {
			child = -1;
			return;
		}
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	drop_child();
}

/* Whether the child is still in a ptrace-stop for us: any request that needs one. */
static int child_stopped(void)
{
	unsigned long msg;
	return ptrace(PTRACE_GETEVENTMSG, child, 0, &msg) == 0;
}

int main(void)
{
	char here;
	stack_lo = (uintptr_t)&here - (8u << 20);
	stack_hi = (uintptr_t)&here + (1u << 20);
	long page = sysconf(_SC_PAGESIZE);
	scratch = mmap(NULL, SCRATCH + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		return 2;
	munmap(scratch + SCRATCH, (size_t)page);
	static struct rec recs[MAX_RECORDS];
	for (;;) {
		uint32_t hdr;
		if (read_full(&hdr, sizeof hdr))
			break;
		uint32_t n = hdr & 0xffffff;
		if (n > MAX_RECORDS || read_full(recs, n * sizeof recs[0])) {
			static const char m[] = "ptrace_fuzz_guest: a short batch\n";
			write(2, m, sizeof m - 1);
			return 3;
		}
		if (hdr >> 24 & BATCH_FRESH)
			drop_child();
		memset(scratch, 0, SCRATCH);
		for (uint32_t i = 0; i < n; i++) {
			const struct rec *r = &recs[i];
			uint64_t data = r->flags & FL_DATA_BUF ? (uint64_t)(uintptr_t)scratch + r->data % SCRATCH : not_ours(r->data);
			if (r->sel == SEL_POKE_SCRATCH) {
				memcpy(scratch + r->addr % (SCRATCH - 7), &data, sizeof data);
				continue;
			}
			if (child < 0 && new_child()) {
				static const char m[] = "ptrace_fuzz_guest: cannot make a stopped child\n";
				write(2, m, sizeof m - 1);
				return 4;
			}
			long req = r->sel < NREQS ? reqs[r->sel] : 0x4200 + r->sel;
			uint64_t addr = r->flags & FL_ADDR_BUF ? (uint64_t)(uintptr_t)scratch + r->addr % SCRATCH : not_ours(r->addr);
			/* The regset requests' iovec is read from the tracer: its iov_base too
			 * must not point into the tracer. */
			if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) && data >= (uintptr_t)scratch &&
			    data <= (uintptr_t)scratch + SCRATCH - 8) {
				uint64_t base;
				memcpy(&base, (void *)(uintptr_t)data, sizeof base);
				base = not_ours(base);
				memcpy((void *)(uintptr_t)data, &base, sizeof base);
			}
			static const pid_t bad_pid = 0x3fffffff;
			int which = r->flags >> FL_PID_SHIFT & 3;
			pid_t pid = which < 2 ? child : which == 2 ? getpid() : bad_pid;
			errno = 0;
			long res = ptrace(req, pid, (void *)(uintptr_t)addr, (void *)(uintptr_t)data);
			if (req == PTRACE_DETACH && res == 0 && pid == child) {
				drop_child();
				continue;
			}
			(void)res;
			if (pid == child && !child_stopped())
				settle_child();
		}
		if (write(1, "k", 1) != 1)
			break;
	}
	drop_child();
	return 0;
}
