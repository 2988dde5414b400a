/* The hostile guest: random syscalls with wild arguments, run under hvtrace by
 * tests/fuzz/run_guest_fuzz.sh. Reproducible: everything follows from --seed.
 *
 * The parent forks workers, one after another (bounded: each gets a slice of the
 * iterations and a time limit), so that a worker that kills itself, unmaps its own
 * text or blocks forever costs only itself. Each worker mixes:
 * - random syscall numbers (implemented or not, up to past the last one) with
 *   arguments drawn from boundary values and wild pointers (NULL, the kernel half,
 *   unmapped, straddling the end of a mapping, read-only text, huge lengths);
 * - a pointer check: calls that must fail with EFAULT on a bad pointer do (on Linux
 *   too), so hvtrace never reads or writes where the guest has no memory;
 * - threads racing mmap/munmap of a region against each other's read/write into it;
 * - signals to itself and to its own children, and a bounded fork burst;
 * - random ptrace requests (wild addresses and data) against a stopped child.
 * The parent keeps a canary page and checks it after every worker: no worker, whatever
 * it did, may reach another process's memory. Exit 0 when every check held.
 *
 * usage: guest_fuzz [--seed N] [--iters N] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ul
#define WORKERS 16
#define NR_MAX 470

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: small, and the same sequence on every libc. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint64_t below(uint64_t n)
{
	return next() % n;
}

/* Calls that would end the fuzzing process or block it for good are left to chance
 * only where a worker can afford it: never the ones that wait without a timeout. */
static int forbidden(long nr)
{
	switch (nr) {
	case SYS_pause: case SYS_rt_sigsuspend: case SYS_vfork: case SYS_wait4: case SYS_waitid:
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn: case SYS_ptrace:
	case SYS_process_vm_writev: case SYS_process_vm_readv: case SYS_kill: case SYS_tkill:
	case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo: case SYS_execve:
	case SYS_execveat: case SYS_fork: case SYS_clone: case SYS_clone3: case SYS_setsid:
	case SYS_setpgid: case SYS_seccomp: case SYS_prctl: case SYS_futex: case SYS_select:
	case SYS_pselect6: case SYS_poll: case SYS_ppoll: case SYS_nanosleep: case SYS_clock_nanosleep:
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_rt_sigtimedwait:
	case SYS_setitimer: case SYS_alarm: case SYS_epoll_wait: case SYS_epoll_pwait:
	case SYS_flock: case SYS_fcntl: case SYS_accept: case SYS_accept4: case SYS_recvfrom:
	case SYS_recvmsg: case SYS_msgrcv: case SYS_semop: case SYS_semtimedop:
	case SYS_setuid: case SYS_setresuid: case SYS_setreuid: case SYS_setgid: case SYS_setresgid:
	case SYS_setregid: case SYS_setgroups: case SYS_capset: case SYS_setrlimit: case SYS_prlimit64:
	case SYS_munmap: case SYS_mremap: case SYS_brk: case SYS_mprotect: case SYS_madvise:
	case SYS_sigaltstack: case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_arch_prctl:
	case SYS_set_tid_address: case SYS_set_robust_list: case SYS_close: case SYS_dup2:
	case SYS_dup3: case SYS_chdir: case SYS_fchdir: case SYS_chroot: case SYS_umask:
	case SYS_unlink: case SYS_unlinkat: case SYS_rmdir: case SYS_rename: case SYS_renameat:
	case SYS_renameat2: case SYS_truncate: case SYS_chmod: case SYS_fchmodat: case SYS_chown:
	case SYS_lchown: case SYS_fchownat: case SYS_mkdir: case SYS_mkdirat: case SYS_open:
	case SYS_openat: case SYS_creat: case SYS_openat2: case SYS_link: case SYS_linkat:
	case SYS_symlink: case SYS_symlinkat: case SYS_mknod: case SYS_mknodat: case SYS_utimensat:
	case SYS_ftruncate: case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev:
	case SYS_sendfile: case SYS_copy_file_range: case SYS_splice: case SYS_fallocate:
	case SYS_restart_syscall: case SYS_sched_setaffinity: case SYS_setfsuid: case SYS_setfsgid:
		return 1;
	}
	return 0;
}

static char *buf;          /* a mapped, writable buffer of 4 pages */
static char *canary;       /* the parent's page, shared copy-on-write with workers */
static char *edge;         /* the last byte before an unmapped page */

static uint64_t wild_arg(void)
{
	switch (below(14)) {
	case 0: return 0;
	case 1: return (uint64_t)-1;
	case 2: return below(64);
	case 3: return next();
	case 4: return 0xffff800000000000ull + below(1ull << 40);   /* kernel half */
	case 5: return 0x10000 + below(PAGE);                        /* unmapped, low */
	case 6: return (uint64_t)(uintptr_t)edge - below(8);         /* straddles into nothing */
	case 7: return (uint64_t)(uintptr_t)(below(2) ? buf + below(4 * PAGE) : canary + below(PAGE));
	case 8: return (uint64_t)(uintptr_t)&wild_arg;               /* read-only text */
	case 9: return 1ull << below(64);                            /* huge lengths */
	case 10: return 0x7fffffffffffull - below(PAGE);             /* the user half's end */
	case 11: return 0x0000800000000000ull;                       /* non-canonical */
	case 12: return (uint64_t)(int)below(0x10000) | 0x80000000u; /* negative ints */
	default: return 0xfffffffffffff000ull + below(PAGE);         /* -errno-like */
	}
}

static void random_calls(int n)
{
	for (int i = 0; i < n; i++) {
		long nr = (long)below(NR_MAX);
		if (forbidden(nr))
			continue;
		syscall(nr, wild_arg(), wild_arg(), wild_arg(), wild_arg(), wild_arg(), wild_arg());
	}
}

static int failures;

static void expect_efault(const char *what, long r)
{
	if (r != -1 || errno != EFAULT) {
		printf("FAIL: %s with a bad pointer: %ld (errno %d), expected EFAULT\n", what, r, errno);
		failures++;
	}
}

/* Calls whose only bad argument is the pointer: EFAULT, as Linux. */
static void pointer_checks(void)
{
	static const uint64_t bad[] = {0, 0xffff800000000000ull, 0x10000, 0x0000800000000000ull};
	int p[2];
	if (pipe(p))
		return;
	if (write(p[1], "abcdefgh", 8) != 8)
		return;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		void *b = (void *)(uintptr_t)bad[i];
		expect_efault("read", syscall(SYS_read, p[0], b, 4));
		expect_efault("write", syscall(SYS_write, p[1], b, 4));
		expect_efault("openat", syscall(SYS_openat, AT_FDCWD, b, O_RDONLY));
		expect_efault("stat", syscall(SYS_stat, b, buf));
		expect_efault("fstat", syscall(SYS_fstat, p[0], b));
		expect_efault("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b));
		expect_efault("uname", syscall(SYS_uname, b));
		expect_efault("pipe", syscall(SYS_pipe, b));
		expect_efault("getcwd", syscall(SYS_getcwd, b, 64));
		if (b) /* NULL: no new action, a query */
			expect_efault("rt_sigaction", syscall(SYS_rt_sigaction, SIGUSR1, b, NULL, 8));
		expect_efault("nanosleep", syscall(SYS_nanosleep, b, NULL));
	}
	/* A buffer that runs from valid memory into an unmapped page: for a pipe, EFAULT
	 * and the data stays (a file would give the part before). */
	expect_efault("read across the end", syscall(SYS_read, p[0], edge - 1, 8));
	if (read(p[0], buf, 8) != 8 || memcmp(buf, "abcdefgh", 8)) {
		printf("FAIL: the pipe lost data to a read that faulted\n");
		failures++;
	}
	close(p[0]);
	close(p[1]);
}

struct race {
	char *volatile region;
	volatile int stop;
};

static void *mapper(void *arg)
{
	struct race *r = arg;
	while (!r->stop) {
		char *m = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			continue;
		r->region = m;
		m[0] = 1;
		munmap(m, 8 * PAGE);
	}
	return NULL;
}

/* One thread maps and unmaps while this one hands pointers into the region to the
 * host: each call either works or gives EFAULT, and nothing else happens. */
static void race_mmap(int n)
{
	struct race r = {0};
	pthread_t th;
	int p[2];
	if (pipe(p) || pthread_create(&th, NULL, mapper, &r))
		return;
	for (int i = 0; i < n; i++) {
		char *m = r.region;
		if (!m)
			continue;
		long w = syscall(SYS_write, p[1], m + below(8 * PAGE - 16), 16);
		if (w == 16 && read(p[0], buf, 16) != 16)
			failures++;
		if (w != 16 && !(w == -1 && errno == EFAULT)) {
			printf("FAIL: write racing munmap: %ld errno %d\n", w, errno);
			failures++;
		}
	}
	r.stop = 1;
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
}

/* The ptrace request dispatcher against a stopped tracee: random requests, addresses
 * and data (wild pointers included), on a child stopped in a signal-delivery-stop; a
 * request that lets it run or kills it is followed by a new child. */
static void ptrace_storm(int n)
{
	static const long reqs[] = {
		PTRACE_PEEKTEXT, PTRACE_PEEKDATA, PTRACE_PEEKUSER, PTRACE_POKETEXT, PTRACE_POKEDATA,
		PTRACE_POKEUSER, PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_GETFPREGS, PTRACE_SETFPREGS,
		PTRACE_GETREGSET, PTRACE_SETREGSET, PTRACE_GETSIGINFO, PTRACE_SETSIGINFO,
		PTRACE_PEEKSIGINFO, PTRACE_GETSIGMASK, PTRACE_SETSIGMASK, PTRACE_SETOPTIONS,
		PTRACE_GETEVENTMSG, PTRACE_GET_SYSCALL_INFO, PTRACE_ARCH_PRCTL,
		PTRACE_GET_THREAD_AREA, PTRACE_SET_THREAD_AREA, PTRACE_SECCOMP_GET_FILTER,
		PTRACE_SECCOMP_GET_METADATA, PTRACE_GET_RSEQ_CONFIGURATION, PTRACE_INTERRUPT,
		PTRACE_LISTEN, PTRACE_CONT, PTRACE_SYSCALL, PTRACE_SINGLESTEP, PTRACE_KILL, 0x4212,
		-1, 12345,
	};
	pid_t c = -1;
	for (int i = 0; i < n; i++) {
		if (c < 0) {
			c = fork();
			if (c == 0) {
				ptrace(PTRACE_TRACEME, 0, 0, 0);
				raise(SIGSTOP);
				for (;;)
					raise(SIGSTOP);
			}
			if (c < 0 || waitpid(c, NULL, 0) != c)
				return;
		}
		long req = reqs[below(sizeof reqs / sizeof reqs[0])];
		long r = ptrace(req, c, (void *)(uintptr_t)wild_arg(), (void *)(uintptr_t)wild_arg());
		int st;
		if (r == 0 && (req == PTRACE_CONT || req == PTRACE_SYSCALL || req == PTRACE_SINGLESTEP ||
			       req == PTRACE_KILL || req == PTRACE_LISTEN)) {
			if (waitpid(c, &st, 0) != c || !WIFSTOPPED(st)) {
				kill(c, SIGKILL);
				waitpid(c, NULL, 0);
				c = -1;
			}
		}
	}
	if (c > 0) {
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
}

/* Signals to itself and its children, and a bounded burst of forks. */
static void signals_and_forks(void)
{
	static const int sigs[] = {SIGUSR1, SIGUSR2, SIGCHLD, SIGCONT, SIGWINCH, SIGURG};
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	pid_t kids[8];
	int nk = 0;
	for (int i = 0; i < 8; i++) {
		pid_t c = fork();
		if (c == 0) {
			struct timespec ts = {0, 20000000};
			nanosleep(&ts, NULL);
			_exit(0);
		}
		if (c > 0)
			kids[nk++] = c;
	}
	for (int i = 0; i < 32; i++) {
		int s = sigs[below(sizeof sigs / sizeof sigs[0])];
		if (nk && below(2))
			kill(kids[below((uint64_t)nk)], s);
		else
			raise(s);
	}
	for (int i = 0; i < nk; i++)
		kill(kids[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

static int worker(uint64_t seed, int iters)
{
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	buf = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 2;
	munmap(buf + 4 * PAGE, PAGE);
	edge = buf + 4 * PAGE - 1;
	alarm(20); /* a call that blocks after all ends the worker, not the run */
	pointer_checks();
	switch (below(4)) {
	case 0: race_mmap(iters); break;
	case 1: signals_and_forks(); break;
	case 2: ptrace_storm(iters); break;
	default: break;
	}
	random_calls(iters);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	int iters = 2000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--iters"))
			iters = atoi(argv[i + 1]);
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Private: a worker's writes (its own, or the host's for its syscalls) must go to
	 * its copy of the page, never to the frame it shares with the parent. */
	canary = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (canary == MAP_FAILED)
		return 2;
	memset(canary, 0x5a, PAGE);
	int bad = 0, died = 0;
	for (int w = 0; w < WORKERS; w++) {
		pid_t c = fork();
		if (c == 0) {
			_exit(worker(seed * WORKERS + (uint64_t)w, iters / WORKERS + 1));
		}
		int st;
		if (c < 0 || waitpid(c, &st, 0) != c)
			return 2;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			bad++;
		if (WIFSIGNALED(st))
			died++; /* its own doing (a wild call): allowed */
		for (unsigned i = 0; i < PAGE; i++)
			if (canary[i] != 0x5a) {
				printf("FAIL: worker %d changed the parent's canary page\n", w);
				return 1;
			}
	}
	printf("seed %llu: %d workers, %d killed by their own calls, %d failed checks\n",
	       (unsigned long long)seed, WORKERS, died, bad);
	return bad ? 1 : 0;
}
